"""f-GAN (Nowozin, Cseke & Tomioka 2016, "f-GAN: Training Generative Neural Samplers using
Variational Divergence Minimization", arXiv:1606.00709).

Variational divergence minimisation: the critic ``V`` maximises the lower bound
``F(θ, ω) = E_P[g_f(V_ω(x))] − E_{Q_θ}[f*(g_f(V_ω(x)))]`` on ``D_f(P‖Q_θ)`` (eq. 6), and
the generator ``Q_θ`` minimises it, for any f-divergence of ``zoo.divergences``.  With
``divergence="gan"`` the critic step is exactly the GAN discriminator step (f-GAN §2.4) and
the alternative generator objective exactly the non-saturating GAN loss.
"""
import keras

from zoo import divergences, losses, papers
from zoo.families._adversarial import AdversarialModel


@keras.saving.register_keras_serializable(package="zoo")
class FGAN(AdversarialModel):
    """Single-step gradient method of f-GAN (Algorithm 1): one critic and one generator
    update per batch.

    Args:
      generator: ``keras.Model`` z -> x.
      discriminator: the critic ``V``, a ``keras.Model`` x -> ``[batch, 1]`` unconstrained
        output; the family applies the divergence's output activation ``g_f``.
      divergence: a name of ``zoo.divergences.F_DIVERGENCES`` or an alias (``"kl"``,
        ``"pearson"``, ``"js"``, ``"gan"``...).
      generator_objective: ``"alternative"`` (maximise ``E_Q[g_f(V)]``, §3.2, default) or
        ``"saddle"`` (minimise the saddle objective ``F`` itself).
      seed: seed of the training noise.
      packing, ema_decay, ema_start, instance_noise, noise_anneal_steps, historical_averaging,
        feature_matching: see :class:`~zoo.families._adversarial.AdversarialModel`.
    """

    FAMILY = "fgan"
    PAPERS = (papers.FGAN,)
    LOSSES = ("d_loss", "g_loss", "divergence")
    LABEL_SMOOTHING = False  # the critic's loss is the variational bound, not the logistic loss

    def __init__(self, generator, discriminator, divergence="gan", generator_objective="alternative",
                 seed=None, **kwargs):
        self.divergence = divergences.get(divergence)  # raises on an unknown name
        if generator_objective not in ("alternative", "saddle"):
            raise ValueError(
                "FGAN generator_objective must be 'alternative' or 'saddle'. "
                f"Received: generator_objective={generator_objective!r}"
            )
        self.generator_objective = generator_objective
        super().__init__(generator, discriminator, seed=seed, **kwargs)

    def discriminator_loss(self, real_outputs, fake_outputs):
        return losses.fgan_discriminator_loss(self.divergence, real_outputs, fake_outputs)

    def generator_loss(self, fake_outputs):
        return losses.fgan_generator_loss(self.divergence, fake_outputs, self.generator_objective)

    def discriminator_cost(self, real, *fakes, labels=None):
        d_loss, _ = super().discriminator_cost(real, *fakes, labels=labels)
        # -d_loss is the critic's current lower bound on D_f(P_data ‖ Q_G) (before its step).
        return d_loss, {"divergence": -d_loss}

    def get_config(self):
        return {**super().get_config(), "divergence": self.divergence.name,
                "generator_objective": self.generator_objective}
