"""Cramér GAN (Bellemare, Danihelka, Dabney, Mohamed, Lakshminarayanan, Hoyer & Munos 2017,
"The Cramer Distance as a Solution to Biased Wasserstein Gradients", arXiv:1705.10743).

The generator minimises the energy distance between data and model in the space of a
learned transformation ``h`` (the ``discriminator`` network, ``x -> R^k``).  Unlike the
Wasserstein distance, the energy distance has unbiased sample gradients; the price is a
second, independent generator sample ``x'_g`` in every estimate (Algorithm 1).
"""
import keras
import tensorflow as tf

from zoo import losses, papers
from zoo.families._adversarial import AdversarialModel


@keras.saving.register_keras_serializable(package="zoo")
class CramerGAN(AdversarialModel):
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
      packing, ema_decay, ema_start, instance_noise, noise_anneal_steps, historical_averaging:
        see :class:`~zoo.families._adversarial.AdversarialModel`.
    """

    FAMILY = "cramer"
    PAPERS = (papers.CRAMER,)
    LOSSES = ("d_loss", "g_loss", "surrogate", "gradient_penalty")
    FEATURE_MATCHING = False  # the generator loss is an energy distance, not a classifier's
    LABEL_SMOOTHING = False

    def __init__(self, generator, discriminator, penalty_weight=10.0, n_critic=5, seed=None, **kwargs):
        super().__init__(generator, discriminator, n_critic=n_critic, seed=seed, **kwargs)
        self.penalty_weight = float(penalty_weight)

    def critic(self, x, h_reference, training=True):
        """``f(x) = ‖h(x) - h(x'_g)‖ - ‖h(x)‖`` given ``h(x'_g)``: ``[batch]``."""
        return losses.cramer_critic(self.discriminator(x, training=training), h_reference)

    # ------------------------------------------------------------- the hooks
    def discriminator_samples(self, x, labels=None):
        # Two independent generator samples x_g, x'_g in every estimate (Algorithm 1).
        batch_size = tf.shape(x)[0]
        return x, self.fake_samples(batch_size), self.fake_samples(batch_size)

    def discriminator_cost(self, real, *fakes, labels=None):
        """``(−L_s + λ · penalty, logs)`` on ``real``, ``fakes = (x_g, x'_g)``; the logs hold the
        surrogate ``L_s`` and the gradient penalty."""
        fake, fake_prime = fakes
        epsilon = self.uniform(tf.shape(real)[0])  # this replica's rows of the global batch's ε
        h = lambda x: self.discriminator(x, training=True)  # noqa: E731
        h_fake_prime = h(fake_prime)
        surrogate = losses.cramer_surrogate_loss(h(real), h(fake), h_fake_prime)
        penalty = losses.gradient_penalty(
            lambda x, training: self.critic(x, h_fake_prime, training=training), real, fake, epsilon=epsilon
        )
        return -surrogate + self.penalty_weight * penalty, {"surrogate": surrogate, "gradient_penalty": penalty}

    def generator_cost(self, real, *fakes, labels=None):
        """The energy distance in the space of h, ``fakes = (x_g, x'_g)``."""
        fake, fake_prime = fakes
        h = lambda x: self.discriminator(x, training=True)  # noqa: E731
        return losses.cramer_generator_loss(h(real), h(fake), h(fake_prime))

    def get_config(self):
        return {**super().get_config(), "penalty_weight": self.penalty_weight}
