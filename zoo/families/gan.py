"""GAN (Goodfellow et al. 2014, "Generative Adversarial Nets", arXiv:1406.2661).

D maximises ``E_x[log D(x)] + E_z[log(1 - D(G(z)))]``; G minimises either the same
objective (``loss="minimax"``) or ``-E_z[log D(G(z))]`` (``loss="non_saturating"``, the
"log trick" of §3, which the paper recommends in practice).
"""
import keras
import tensorflow as tf

from zoo import losses, tricks
from zoo.families._base import GenerativeModel, replica_scale, unpack_batch


@keras.saving.register_keras_serializable(package="zoo")
class GAN(tricks.DiscriminatorTricks, GenerativeModel):
    """The GAN game with one discriminator update per generator update (Algorithm 1, k = 1).

    Args:
      generator: ``keras.Model`` z -> x.
      discriminator: ``keras.Model`` x -> logit (pre-sigmoid), shape ``[batch, 1]``.
      loss: ``"minimax"`` or ``"non_saturating"``.
      label_smoothing: one-sided label smoothing α of the real targets (Salimans et al. 2016).
      seed: seed of the training noise.
      instance_noise, noise_anneal_steps, historical_averaging, feature_matching: the
        stabilisation tricks of :mod:`zoo.tricks` (all off by default).
    """

    FAMILY = "gan"

    NETWORKS = ("generator", "discriminator")
    OPTIMIZERS = {"d_optimizer": ("discriminator",), "g_optimizer": ("generator",)}
    LOSSES = ("d_loss", "g_loss")

    def __init__(self, generator, discriminator, loss="non_saturating", label_smoothing=0.0, seed=None, **kwargs):
        if loss not in losses.GENERATOR_LOSSES:
            raise ValueError(
                f"GAN loss must be one of {sorted(losses.GENERATOR_LOSSES)}. Received: loss={loss!r}"
            )
        tricks_kwargs = tricks.pop_trick_kwargs(kwargs)
        super().__init__(generator, seed=seed, **kwargs)
        self.discriminator = discriminator
        self.objective = loss
        self.label_smoothing = label_smoothing
        self.init_tricks(**tricks_kwargs)

    def discriminator_loss(self, real_logits, fake_logits):
        return losses.gan_discriminator_loss(real_logits, fake_logits, self.label_smoothing)

    def generator_loss(self, fake_logits):
        return losses.GENERATOR_LOSSES[self.objective](fake_logits)

    def discriminator_step(self, x):
        """D descends L_D once on ``x`` and fresh generated samples; returns L_D."""
        z = self.sample_latent(tf.shape(x)[0])
        with tf.GradientTape() as tape:
            real, fake = self.critic_inputs(x, self.generator(z, training=True))  # instance noise, if on
            d_loss = self.discriminator_loss(
                self.discriminator(real, training=True), self.discriminator(fake, training=True)
            )
            scaled = replica_scale(d_loss)
        self.apply_update(tape, scaled, "d_optimizer")
        return d_loss

    def train_step(self, data):
        x, _ = unpack_batch(data)
        batch_size = tf.shape(x)[0]
        d_loss = self.discriminator_step(x)

        z = self.sample_latent(batch_size)
        with tf.GradientTape() as tape:
            real, fake = self.critic_inputs(x, self.generator(z, training=True))
            if self.feature_matching:  # Salimans et al. 2016, §3.1
                g_loss = self.matching_loss(real, fake)
            else:
                g_loss = self.generator_loss(self.discriminator(fake, training=True))
            scaled = replica_scale(g_loss)
        self.apply_update(tape, scaled, "g_optimizer")
        return self.track(d_loss=d_loss, g_loss=g_loss)

    def get_config(self):
        return {**super().get_config(), "loss": self.objective, "label_smoothing": self.label_smoothing,
                **self.tricks_config()}
