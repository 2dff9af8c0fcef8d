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

from zoo import losses, papers
from zoo.families._adversarial import AdversarialModel


@keras.saving.register_keras_serializable(package="zoo")
class AAE(AdversarialModel):
    """Adversarial auto-encoder.

    Args:
      encoder: ``keras.Model`` x -> z (deterministic).
      generator: the decoder, z -> x.
      discriminator: ``keras.Model`` z -> logit ``[N, 1]`` (``[N / m, 1]`` on packs of codes
        with ``packing=m``).
      seed: seed of the prior draws.
      packing, ema_decay (of the decoder), ema_start, instance_noise, noise_anneal_steps,
        historical_averaging, label_smoothing, n_critic: the latent GAN's options, see
        :class:`~zoo.families._adversarial.AdversarialModel`.
    """

    NETWORKS = ("encoder", "generator", "discriminator")
    OPTIMIZERS = {
        "ae_optimizer": ("encoder", "generator"),  # reconstruction phase
        "d_optimizer": ("discriminator",),  # regularisation phase, discriminator
        "e_optimizer": ("encoder",),  # regularisation phase, the encoder as generator
    }
    LOSSES = ("reconstruction", "d_loss", "e_loss")
    GENERATOR_OPTIMIZERS = ("e_optimizer",)
    GENERATOR_LOSS_NAME = "e_loss"
    DISCRIMINATES = "z"
    FEATURE_MATCHING = False  # the encoder's step draws no prior sample to match features with
    FAMILY = "aae"
    PAPERS = (papers.AAE,)

    def __init__(self, encoder, generator, discriminator, seed=None, **kwargs):
        super().__init__(generator, discriminator, encoder=encoder, seed=seed, **kwargs)

    def encode(self, x):
        return self.encoder(x, training=False)

    # ------------------------------------------------------ the latent GAN (§2)
    def discriminator_samples(self, x, labels=None):
        # Prior draws are the latent GAN's data, the codes of the data its samples.
        return self.sample_latent(tf.shape(x)[0]), self.encoder(x, training=True)

    def generator_samples(self, x, labels=None):
        # The encoder, the latent GAN's generator, is judged on the codes alone: no prior draw.
        return None, self.encoder(x, training=True)

    def play(self, x, labels=None):
        """The reconstruction phase, then the regularisation phase: the latent GAN's round."""
        return {**self.reconstruction_step(x), **super().play(x, labels)}

    def reconstruction_step(self, x):
        """Encoder and decoder descend the reconstruction error ``E‖x − G(q(x))‖²`` (mean per value)."""
        with tf.GradientTape() as tape:
            reconstruction = losses.mean_squared_error_cost(
                x, self.generator(self.encoder(x, training=True), training=True))
        self.apply_update(tape, reconstruction, "ae_optimizer")
        return {"reconstruction": reconstruction}
