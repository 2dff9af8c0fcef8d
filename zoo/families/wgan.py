"""Wasserstein GANs: weight clipping (WGAN) and gradient penalty (WGAN-GP).

- WGAN: Arjovsky, Chintala & Bottou 2017, "Wasserstein GAN", arXiv:1701.07875, Algorithm 1.
- WGAN-GP: Gulrajani, Ahmed, Arjovsky, Dumoulin & Courville 2017, "Improved Training of
  Wasserstein GANs", arXiv:1704.00028, Algorithm 1.

The critic ``f`` maximises ``E_x[f(x)] - E_z[f(G(z))]`` over (approximately) 1-Lipschitz
functions, an estimate of the Wasserstein-1 distance by Kantorovich-Rubinstein duality;
the generator minimises ``-E_z[f(G(z))]``.  WGAN keeps ``f`` Lipschitz by clipping every
critic weight to ``[-c, c]`` after each update; WGAN-GP by penalising
``λ E_x̂[(‖∇f(x̂)‖₂ - 1)²]`` on interpolates between real and generated points.

Each ``train_step`` runs ``n_critic`` critic updates then one generator update
(Algorithm 1's outer iteration).  The critic updates reuse the step's real batch with fresh
noise each time (as keras-io's ``wgan_gp.py``): ``fit`` hands one batch per step.
"""
import keras
import tensorflow as tf

from zoo import losses, papers, tricks
from zoo.families._adversarial import AdversarialModel


def clip_weights(variables, clip_value):
    """``w ← clip(w, -c, c)`` for every variable (WGAN Algorithm 1, line 7)."""
    tricks.update_variables(variables, lambda v: v.assign(tf.clip_by_value(v, -clip_value, clip_value)))


class _Critic(AdversarialModel):
    """Shared shape of the Wasserstein families: n_critic critic steps, one generator step."""

    LOSSES = ("d_loss", "g_loss", "wasserstein")
    FEATURE_MATCHING = False  # a critic has no classifier loss for feature matching to replace
    LABEL_SMOOTHING = False
    GENERATOR_SEES_DATA = False

    def __init__(self, generator, discriminator, n_critic=5, seed=None, **kwargs):
        super().__init__(generator, discriminator, n_critic=n_critic, seed=seed, **kwargs)

    def discriminator_loss(self, real_outputs, fake_outputs):
        return losses.wasserstein_discriminator_loss(real_outputs, fake_outputs)

    def generator_loss(self, fake_outputs):
        return losses.wasserstein_generator_loss(fake_outputs)

    def discriminator_cost(self, real, *fakes, labels=None):
        """(critic loss, logs): the logs hold the Wasserstein estimate ``E_x[f(x)] - E_z[f(G(z))]``
        (the negated critic loss, before any penalty)."""
        loss, _ = super().discriminator_cost(real, *fakes, labels=labels)
        return loss, {"wasserstein": -loss}


@keras.saving.register_keras_serializable(package="zoo")
class WGAN(_Critic):
    """WGAN with weight clipping (Arjovsky et al. 2017, Algorithm 1).

    The paper's defaults: ``clip_value = 0.01``, ``n_critic = 5``, RMSProp with learning
    rate 5e-5 for both players (momentum-based optimizers made training unstable, §4.2).

    Args:
      generator: ``keras.Model`` z -> x.
      discriminator: the critic, ``keras.Model`` x -> score ``[batch, 1]`` (no sigmoid).
      clip_value: c; every critic weight is clipped to ``[-c, c]`` after each critic update.
      n_critic: critic updates per generator update.
      seed: seed of the training noise.
      packing, ema_decay, ema_start, instance_noise, noise_anneal_steps, historical_averaging:
        see :class:`~zoo.families._adversarial.AdversarialModel`.
    """

    FAMILY = "wgan"
    PAPERS = (papers.WGAN,)

    def __init__(self, generator, discriminator, clip_value=0.01, n_critic=5, seed=None, **kwargs):
        if not clip_value > 0:
            raise ValueError(f"clip_value must be positive. Received: clip_value={clip_value!r}")
        super().__init__(generator, discriminator, n_critic=n_critic, seed=seed, **kwargs)
        self.clip_value = float(clip_value)

    def after_discriminator_update(self):
        clip_weights(self.discriminator.trainable_variables, self.clip_value)

    def get_config(self):
        return {**super().get_config(), "clip_value": self.clip_value}


@keras.saving.register_keras_serializable(package="zoo")
class WGANGP(_Critic):
    """WGAN with gradient penalty (Gulrajani et al. 2017, Algorithm 1).

    Critic loss: ``E_z[f(G(z))] - E_x[f(x)] + λ E_x̂[(‖∇_x̂ f(x̂)‖₂ - 1)²]`` with
    ``x̂ = ε x + (1 - ε) G(z)``, ``ε ~ U[0, 1]``.  The paper's defaults: ``λ = 10``,
    ``n_critic = 5``, Adam(1e-4, β₁ = 0, β₂ = 0.9); no batch normalisation in the critic
    (the penalty is per example, §4).

    Args:
      generator: ``keras.Model`` z -> x.
      discriminator: the critic, ``keras.Model`` x -> score ``[batch, 1]``.
      penalty_weight: λ.
      n_critic: critic updates per generator update.
      seed: seed of the training noise.
      packing, ema_decay, ema_start, instance_noise, noise_anneal_steps, historical_averaging:
        see :class:`~zoo.families._adversarial.AdversarialModel`.
    """

    FAMILY = "wgan-gp"
    PAPERS = (papers.WGAN, papers.WGAN_GP)

    LOSSES = ("d_loss", "g_loss", "wasserstein", "gradient_penalty")

    def __init__(self, generator, discriminator, penalty_weight=10.0, n_critic=5, seed=None, **kwargs):
        super().__init__(generator, discriminator, n_critic=n_critic, seed=seed, **kwargs)
        self.penalty_weight = float(penalty_weight)

    def discriminator_cost(self, real, *fakes, labels=None):
        loss, logs = super().discriminator_cost(real, *fakes, labels=labels)
        epsilon = self.uniform(tf.shape(real)[0])  # this replica's rows of the global batch's ε
        penalty = losses.gradient_penalty(self.discriminator, real, fakes[0], epsilon=epsilon)
        return loss + self.penalty_weight * penalty, {**logs, "gradient_penalty": penalty}

    def get_config(self):
        return {**super().get_config(), "penalty_weight": self.penalty_weight}
