"""Adversarial losses as small pure tensor functions.

Naming follows TF-GAN: ``<name>_generator_loss`` / ``<name>_discriminator_loss``.  Every
function takes discriminator *logits* (pre-sigmoid outputs) and returns a scalar: the mean
over the batch, to be minimised.  Numerically stable forms use
``log σ(l) = -softplus(-l)`` and ``log(1 - σ(l)) = -softplus(l)``.
"""
import tensorflow as tf


def gan_discriminator_loss(real_logits, fake_logits, label_smoothing=0.0):
    """Discriminator loss of the GAN game (Goodfellow et al. 2014, eq. 1).

    Formula: ``L_D = -E_x[log D(x)] - E_z[log(1 - D(G(z)))]`` with ``D = σ(logits)``.

    ``label_smoothing = α`` gives one-sided label smoothing (Salimans et al. 2016, §3.4):
    real targets become ``1 - α`` while fake targets stay 0, i.e.
    ``-E_x[(1-α) log D(x) + α log(1 - D(x))]`` for the real term.

    Args:
      real_logits: discriminator logits on data, any shape.
      fake_logits: discriminator logits on generated samples, any shape.
      label_smoothing: α in [0, 1).
    Returns:
      scalar loss.
    """
    real_term = (1.0 - label_smoothing) * tf.nn.softplus(-real_logits) + label_smoothing * tf.nn.softplus(
        real_logits
    )
    return tf.reduce_mean(real_term) + tf.reduce_mean(tf.nn.softplus(fake_logits))


def minimax_generator_loss(fake_logits):
    """Generator loss of the original minimax game (Goodfellow et al. 2014, eq. 1).

    Formula: ``L_G = E_z[log(1 - D(G(z)))] = -E_z[softplus(l)]``.  Saturates when D
    rejects the samples confidently (the gradient vanishes as ``l → -∞``).
    """
    return -tf.reduce_mean(tf.nn.softplus(fake_logits))


def non_saturating_generator_loss(fake_logits):
    """Non-saturating generator loss, "the log trick" (Goodfellow et al. 2014, §3).

    Formula: ``L_G = -E_z[log D(G(z))] = E_z[softplus(-l)]``.  Same fixed point as the
    minimax loss, strong gradients early in training.
    """
    return tf.reduce_mean(tf.nn.softplus(-fake_logits))


GENERATOR_LOSSES = {
    "minimax": minimax_generator_loss,
    "non_saturating": non_saturating_generator_loss,
}
