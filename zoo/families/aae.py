"""AAE (Makhzani et al. 2015, "Adversarial Autoencoders", arXiv:1511.05644).

An auto-encoder whose codes are made to follow the prior p(z) by a GAN played in the latent
space (§2): each mini-batch runs

1. the **reconstruction phase**: encoder q and decoder minimise the reconstruction error;
2. the **regularisation phase**: a discriminator learns to tell prior draws ``z ~ p(z)``
   ("real") from codes ``q(x)`` ("fake"), then the encoder, the generator of this GAN, is
   updated to fool it.

Once the aggregated posterior matches the prior, decoding prior draws gives data.  The
encoder here is deterministic (the variant the paper uses in most experiments, §2.1).
"""
import keras
import tensorflow as tf

from zoo import losses
from zoo.families._base import GenerativeModel, replica_scale, unpack_batch


def mean_squared_reconstruction_error(x, x_reconstructed):
    """``1/D ‖x − x̂‖²`` averaged over the batch: the reconstruction phase's loss."""
    return tf.reduce_mean(tf.square(x - x_reconstructed))


@keras.saving.register_keras_serializable(package="zoo")
class AAE(GenerativeModel):
    """Adversarial auto-encoder.

    Args:
      encoder: ``keras.Model`` x -> z (deterministic).
      generator: the decoder, z -> x.
      discriminator: ``keras.Model`` z -> logit ``[N, 1]``.
      seed: seed of the prior draws.
    """

    NETWORKS = ("encoder", "generator", "discriminator")
    OPTIMIZERS = {
        "ae_optimizer": ("encoder", "generator"),  # reconstruction phase
        "d_optimizer": ("discriminator",),  # regularisation phase, discriminator
        "e_optimizer": ("encoder",),  # regularisation phase, the encoder as generator
    }
    LOSSES = ("reconstruction", "d_loss", "e_loss")
    DISCRIMINATES = "z"
    FAMILY = "aae"
    PAPERS = ["Makhzani et al. 2015, Adversarial Autoencoders, arXiv:1511.05644"]

    def __init__(self, encoder, generator, discriminator, seed=None, **kwargs):
        super().__init__(generator, seed=seed, **kwargs)
        self.encoder = encoder
        self.discriminator = discriminator

    def encode(self, x):
        return self.encoder(x, training=False)

    def train_step(self, data):
        x, _ = unpack_batch(data)

        with tf.GradientTape() as tape:
            reconstruction = mean_squared_reconstruction_error(
                x, self.generator(self.encoder(x, training=True), training=True))
            scaled = replica_scale(reconstruction)
        self.apply_update(tape, scaled, "ae_optimizer")

        z_prior = self.sample_latent(tf.shape(x)[0])
        with tf.GradientTape() as tape:
            d_loss = losses.gan_discriminator_loss(
                self.discriminator(z_prior, training=True),
                self.discriminator(self.encoder(x, training=True), training=True))
            scaled = replica_scale(d_loss)
        self.apply_update(tape, scaled, "d_optimizer")

        with tf.GradientTape() as tape:
            e_loss = losses.non_saturating_generator_loss(
                self.discriminator(self.encoder(x, training=True), training=True))
            scaled = replica_scale(e_loss)
        self.apply_update(tape, scaled, "e_optimizer")
        return self.track(reconstruction=reconstruction, d_loss=d_loss, e_loss=e_loss)
