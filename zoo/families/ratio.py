"""GAN by density-ratio matching (Mohamed & Lakshminarayanan 2016, "Learning in Implicit
Generative Models", arXiv:1610.03483, §3.2; Uehara et al. 2016, "Generative Adversarial
Nets from a Density Ratio Estimation Perspective", arXiv:1610.02920).

Instead of a classifier, the second player estimates the density ratio
``r(x) ≈ p_data(x) / q_G(x)`` directly, by minimising the ratio-matching (least-squares
importance fitting) loss ``½ E_Q[r²] − E_P[r]``; the generator then moves its samples down
the functional derivative ``f(r) − r f′(r)`` of an f-divergence estimated through r (by
default reverse KL: ``L_G = −E_Q[log r(G(z))]``, i.e. ``KL(Q‖P)``).
"""
import keras
import tensorflow as tf

from zoo import divergences, losses, papers
from zoo.families._adversarial import AdversarialModel


@keras.saving.register_keras_serializable(package="zoo")
class RatioMatchingGAN(AdversarialModel):
    """Alternating ratio-matching and generator updates, one each per batch.

    Args:
      generator: ``keras.Model`` z -> x.
      discriminator: the ratio network ``V``, x -> ``[batch, 1]``; the ratio estimate is
        ``r(x) = softplus(V(x))`` (non-negative, and linear rather than exponential in V, so
        the unbounded ratios where the generator puts no mass do not overflow).
      divergence: the f-divergence the generator descends through r (``"reverse_kl"``
        default; any name of ``zoo.divergences``).
      seed: seed of the training noise.
      packing, ema_decay, ema_start, instance_noise, noise_anneal_steps, historical_averaging,
        feature_matching: see :class:`~zoo.families._adversarial.AdversarialModel` (with
        packing, r estimates the ratio of the packed distributions).
    """

    FAMILY = "ratio"
    PAPERS = (papers.IMPLICIT_MODELS, papers.DENSITY_RATIO_GAN)
    LOSSES = ("d_loss", "g_loss", "pearson")
    LABEL_SMOOTHING = False  # the ratio network's loss is least-squares importance fitting

    def __init__(self, generator, discriminator, divergence="reverse_kl", seed=None, **kwargs):
        self.divergence = divergences.get(divergence)
        super().__init__(generator, discriminator, seed=seed, **kwargs)

    @staticmethod
    def ratio(outputs):
        """``r = softplus(V)``: the density-ratio estimate from the network output."""
        return tf.nn.softplus(outputs)

    def discriminator_loss(self, real_outputs, fake_outputs):
        return losses.ratio_discriminator_loss(self.ratio(real_outputs), self.ratio(fake_outputs))

    def generator_loss(self, fake_outputs):
        return losses.ratio_generator_loss(
            self.divergence, self.ratio(fake_outputs), log_ratio_q=losses.log_softplus(fake_outputs)
        )

    def discriminator_cost(self, real, *fakes, labels=None):
        d_loss, _ = super().discriminator_cost(real, *fakes, labels=labels)
        # At the optimal ratio the matching loss is −½(1 + χ²(P‖Q)): track that χ² estimate.
        return d_loss, {"pearson": -2.0 * d_loss - 1.0}

    def get_config(self):
        return {**super().get_config(), "divergence": self.divergence.name}
