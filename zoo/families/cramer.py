"""Cramér GAN (Bellemare, Danihelka, Dabney, Mohamed, Lakshminarayanan, Hoyer & Munos 2017,
"The Cramer Distance as a Solution to Biased Wasserstein Gradients", arXiv:1705.10743).

The generator minimises the energy distance between data and model in the space of a
learned transformation ``h`` (the ``discriminator`` network, ``x -> R^k``).  Unlike the
Wasserstein distance, the energy distance has unbiased sample gradients; the price is a
second, independent generator sample ``x'_g`` in every estimate (Algorithm 1).
"""
import keras
import tensorflow as tf

from zoo import losses, tricks
from zoo.families._base import GenerativeModel, replica_scale, unpack_batch


@keras.saving.register_keras_serializable(package="zoo")
class CramerGAN(tricks.DiscriminatorTricks, GenerativeModel):
    """Cramér GAN, Algorithm 1 of Bellemare et al. 2017.

    Each ``train_step`` runs ``n_critic`` critic updates, each on the step's real batch
    with fresh generator samples ``x_g, x'_g``, minimising
    ``-(E f(x_r) - E f(x_g)) + λ E_x̂[(‖∇_x̂ f(x̂)‖₂ - 1)²]`` with
    ``f(x) = ‖h(x) - h(x'_g)‖ - ‖h(x)‖`` and ``x̂ = ε x_r + (1 - ε) x_g``; then one generator
    update on ``L_g = E‖h(x_r) - h(x_g)‖ + E‖h(x_r) - h(x'_g)‖ - E‖h(x_g) - h(x'_g)‖``.
    The paper's defaults: λ = 10, n_critic = 5, Adam; ``h`` maps to 256 dimensions.

    Args:
      generator: ``keras.Model`` z -> x.
      discriminator: the transformation ``h``, ``keras.Model`` x -> ``[batch, k]`` (no batch
        normalisation: the gradient penalty is per example).
      penalty_weight: λ.
      n_critic: critic updates per generator update.
      seed: seed of the training noise.
      instance_noise, noise_anneal_steps, historical_averaging: see :mod:`zoo.tricks`.
    """

    FAMILY = "cramer"

    NETWORKS = ("generator", "discriminator")
    OPTIMIZERS = {"d_optimizer": ("discriminator",), "g_optimizer": ("generator",)}
    LOSSES = ("d_loss", "g_loss", "surrogate", "gradient_penalty")

    def __init__(self, generator, discriminator, penalty_weight=10.0, n_critic=5, seed=None, **kwargs):
        tricks_kwargs = tricks.pop_trick_kwargs(kwargs)
        super().__init__(generator, seed=seed, **kwargs)
        if int(n_critic) < 1:
            raise ValueError(f"n_critic must be a positive integer. Received: n_critic={n_critic!r}")
        if tricks_kwargs.get("feature_matching"):
            raise ValueError("feature_matching does not apply to CramerGAN, whose generator loss is an "
                             "energy distance. Received: feature_matching=True")
        self.discriminator = discriminator
        self.penalty_weight = float(penalty_weight)
        self.n_critic = int(n_critic)
        self.init_tricks(**tricks_kwargs)

    def critic(self, x, h_reference, training=True):
        """``f(x) = ‖h(x) - h(x'_g)‖ - ‖h(x)‖`` given ``h(x'_g)``: ``[batch]``."""
        return losses.cramer_critic(self.discriminator(x, training=training), h_reference)

    def critic_loss(self, real, fake, fake_prime, epsilon=None):
        """(critic loss, surrogate ``L_s``, gradient penalty) on one batch of each."""
        h = lambda x: self.discriminator(x, training=True)  # noqa: E731
        h_fake_prime = h(fake_prime)
        surrogate = losses.cramer_surrogate_loss(h(real), h(fake), h_fake_prime)
        penalty = losses.gradient_penalty(
            lambda x, training: self.critic(x, h_fake_prime, training=training), real, fake, epsilon=epsilon
        )
        return -surrogate + self.penalty_weight * penalty, surrogate, penalty

    def generator_loss(self, real, fake, fake_prime):
        h = lambda x: self.discriminator(x, training=True)  # noqa: E731
        return losses.cramer_generator_loss(h(real), h(fake), h(fake_prime))

    def _two_samples(self, batch_size):
        fake = self.generator(self.sample_latent(batch_size), training=True)
        fake_prime = self.generator(self.sample_latent(batch_size), training=True)
        return fake, fake_prime

    def train_step(self, data):
        x, _ = unpack_batch(data)
        batch_size = tf.shape(x)[0]

        for _ in range(self.n_critic):
            with tf.GradientTape() as tape:
                real, fake, fake_prime = self.critic_inputs(x, *self._two_samples(batch_size))
                epsilon = self.uniform(batch_size)
                d_loss, surrogate, penalty = self.critic_loss(real, fake, fake_prime, epsilon)
                scaled = replica_scale(d_loss)
            self.apply_update(tape, scaled, "d_optimizer")

        with tf.GradientTape() as tape:
            real, fake, fake_prime = self.critic_inputs(x, *self._two_samples(batch_size))
            g_loss = self.generator_loss(real, fake, fake_prime)
            scaled = replica_scale(g_loss)
        self.apply_update(tape, scaled, "g_optimizer")
        return self.track(d_loss=d_loss, g_loss=g_loss, surrogate=surrogate, gradient_penalty=penalty)

    def get_config(self):
        return {**super().get_config(), "penalty_weight": self.penalty_weight, "n_critic": self.n_critic,
                **self.tricks_config()}
