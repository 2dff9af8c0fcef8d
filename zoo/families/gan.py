"""GAN (Goodfellow et al. 2014, "Generative Adversarial Nets", arXiv:1406.2661).

D maximises ``E_x[log D(x)] + E_z[log(1 - D(G(z)))]``; G minimises either the same
objective (``loss="minimax"``) or ``-E_z[log D(G(z))]`` (``loss="non_saturating"``, the
"log trick" of §3, which the paper recommends in practice).  The step itself is the one of
:class:`~zoo.families._adversarial.AdversarialModel`.
"""
import keras

from zoo import losses, papers
from zoo.families._adversarial import AdversarialModel


@keras.saving.register_keras_serializable(package="zoo")
class GAN(AdversarialModel):
    """The GAN game with one discriminator update per generator update (Algorithm 1, k = 1).

    Args:
      generator: ``keras.Model`` z -> x.
      discriminator: ``keras.Model`` x -> logit (pre-sigmoid), shape ``[batch, 1]``
        (``[batch / m, 1]`` on packs of ``packing=m``).
      loss: ``"minimax"`` or ``"non_saturating"``.
      label_smoothing: one-sided label smoothing α of the real targets (Salimans et al. 2016).
      seed: seed of the training noise.
      ema_decay, ema_start: the averaged generator served by ``generate``/``sample``.
      packing: PacGAN packing m (the discriminator built with ``packing=m``).
      instance_noise, noise_anneal_steps, historical_averaging, feature_matching, n_critic:
        the options of :class:`~zoo.families._adversarial.AdversarialModel` (all off by default).
    """

    FAMILY = "gan"
    PAPERS = (papers.GAN,)

    def __init__(self, generator, discriminator, loss="non_saturating", label_smoothing=0.0, seed=None, **kwargs):
        if loss not in losses.GENERATOR_LOSSES:
            raise ValueError(
                f"GAN loss must be one of {sorted(losses.GENERATOR_LOSSES)}. Received: loss={loss!r}"
            )
        self.objective = loss
        super().__init__(generator, discriminator, label_smoothing=label_smoothing, seed=seed, **kwargs)

    def generator_loss(self, fake_logits):
        return losses.GENERATOR_LOSSES[self.objective](fake_logits)

    def get_config(self):
        return {**super().get_config(), "loss": self.objective}
