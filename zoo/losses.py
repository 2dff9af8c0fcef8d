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


def wasserstein_critic_loss(real_scores, fake_scores):
    """Critic loss of WGAN (Arjovsky et al. 2017, eq. 3), negated to be minimised.

    Formula: ``L_C = E_z[f(G(z))] - E_x[f(x)]``; at the optimum over 1-Lipschitz ``f`` its
    negation is the Wasserstein-1 distance (Kantorovich-Rubinstein duality).
    """
    return tf.reduce_mean(fake_scores) - tf.reduce_mean(real_scores)


def wasserstein_generator_loss(fake_scores):
    """Generator loss of WGAN: ``L_G = -E_z[f(G(z))]`` (Arjovsky et al. 2017, Algorithm 1)."""
    return -tf.reduce_mean(fake_scores)


def gradient_penalty(critic, real, fake, epsilon=None, target=1.0, training=True):
    """Two-sided gradient penalty of WGAN-GP (Gulrajani et al. 2017, eq. 3).

    Formula: ``E_x̂[(‖∇_x̂ f(x̂)‖₂ - 1)²]`` with ``x̂ = ε x + (1 - ε) x̃``, ``ε ~ U[0, 1]``
    per example, on straight lines between real and generated samples.

    Args:
      critic: callable ``x -> scores [batch, 1]``.
      real, fake: batches of the same shape.
      epsilon: interpolation weights ``[batch]`` (drawn uniformly when None; pass them in
        for reproducible tests).
      target: the gradient norm aimed at (1 in the paper).
    Returns:
      scalar penalty (multiply by λ = 10 in the loss).
    """
    batch = tf.shape(real)[0]
    if epsilon is None:
        epsilon = tf.random.uniform([batch], dtype=real.dtype)
    epsilon = tf.reshape(epsilon, [-1] + [1] * (len(real.shape) - 1))
    interpolates = epsilon * real + (1.0 - epsilon) * fake
    with tf.GradientTape() as tape:
        tape.watch(interpolates)
        scores = critic(interpolates, training=training)
    grads = tape.gradient(scores, interpolates)
    norms = tf.sqrt(tf.reduce_sum(tf.reshape(grads, [batch, -1]) ** 2, axis=1) + 1e-12)
    return tf.reduce_mean((norms - target) ** 2)


def _norm(v, axis=-1):
    # ‖v‖₂ with a floor inside the root: the gradient of ‖·‖ at 0 is undefined (NaN in TF).
    return tf.sqrt(tf.reduce_sum(tf.square(v), axis=axis) + 1e-12)


def cramer_critic(h_x, h_reference):
    """The Cramér GAN critic (Bellemare et al. 2017, arXiv:1705.10743, Algorithm 1).

    Formula: ``f(x) = ‖h(x) - h(x'_g)‖₂ - ‖h(x)‖₂`` per example, where ``h`` is the learned
    transformation and ``x'_g`` an independent generated sample.

    Args:
      h_x: ``h(x)``, ``[batch, k]``.
      h_reference: ``h(x'_g)``, ``[batch, k]`` (paired row by row with ``h_x``).
    Returns:
      ``[batch]`` critic values.
    """
    return _norm(h_x - h_reference) - _norm(h_x)


def cramer_surrogate_loss(h_real, h_fake, h_fake_prime):
    """Cramér GAN surrogate ``L_s = E[f(x_r)] - E[f(x_g)]`` (Bellemare et al. 2017, Alg. 1);
    the critic maximises it (its loss is ``-L_s`` plus the gradient penalty).

    With ``f`` of :func:`cramer_critic` and ``x'_g`` the reference for both terms.
    """
    return tf.reduce_mean(cramer_critic(h_real, h_fake_prime)) - tf.reduce_mean(cramer_critic(h_fake, h_fake_prime))


def cramer_generator_loss(h_real, h_fake, h_fake_prime):
    """Cramér GAN generator loss (Bellemare et al. 2017, Algorithm 1).

    Formula: ``L_g = E‖h(x_r) - h(x_g)‖ + E‖h(x_r) - h(x'_g)‖ - E‖h(x_g) - h(x'_g)‖``, the
    energy distance between data and generator in the space of ``h`` up to the term
    ``E‖h(x_r) - h(x'_r)‖`` that does not depend on the generator; ``x_g, x'_g`` are two
    independent generator samples (the unbiased sample gradients that motivate the paper).
    """
    return (tf.reduce_mean(_norm(h_real - h_fake)) + tf.reduce_mean(_norm(h_real - h_fake_prime))
            - tf.reduce_mean(_norm(h_fake - h_fake_prime)))
