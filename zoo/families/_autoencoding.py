"""The step contract of the penalised auto-encoders: one player (encoder and decoder) descends

    loss = E_x[reconstruction cost] + penalty on the codes

- VAE (Kingma & Welling 2013, arXiv:1312.6114): the cost is ``−log p(x|z)``, the penalty the
  KL of the posterior to the prior (their sum is the negative ELBO);
- WAE-MMD (Tolstikhin et al. 2018, arXiv:1711.01558, Algorithm 2): the cost is ``‖x − G(z)‖²``,
  the penalty ``λ · MMD(Q_Z, P_Z)``.

A family writes one hook, ``autoencoding_terms(x)`` -> ``(reconstruction, penalty, logs)``,
the batch means to add and what to track beside them.  The auto-encoders that play a game
(AAE and WAE-GAN in the latent space, ALI on pairs, AVB's adversary T) train on
:class:`~zoo.families._adversarial.AdversarialModel`.
"""
import tensorflow as tf

from zoo.families._base import GenerativeModel, unpack_batch


class PenalisedAutoEncoder(GenerativeModel):
    """Base of the auto-encoders trained on one loss: ``LOSSES[0]`` names that loss in the logs."""

    def autoencoding_terms(self, x):
        """``(reconstruction, penalty, logs)`` on the batch ``x``, in training mode."""
        raise NotImplementedError(f"{type(self).__name__} must define autoencoding_terms(x).")

    def train_step(self, data):
        x, _ = unpack_batch(data)
        with tf.GradientTape() as tape:
            reconstruction, penalty, logs = self.autoencoding_terms(x)
            loss = reconstruction + penalty
        self.apply_update(tape, loss, next(iter(self.OPTIMIZERS)))
        return self.track(**{self.LOSSES[0]: loss, "reconstruction": reconstruction, **logs})
