"""Every loss of the zoo, each a small pure tensor function with its paper and formula.

Naming follows TF-GAN: ``<name>_generator_loss`` / ``<name>_discriminator_loss`` for the two
players of a game (the discriminator is called the critic in some papers: its loss is still
``<name>_discriminator_loss``), ``<name>_penalty`` for a term added to a player's loss and
``<name>_cost`` for a reconstruction cost.  Every function returns a scalar to be minimised
(the mean over the batch) unless its docstring says otherwise.  Logistic losses take
discriminator *logits* (pre-sigmoid outputs) and use the stable forms
``log σ(l) = -softplus(-l)`` and ``log(1 - σ(l)) = -softplus(l)``.

The f-divergences themselves (f, f*, g_f, T*) live in :mod:`zoo.divergences`; the losses
built on them are here.  The families compose these functions; none writes a loss inline.
"""
import tensorflow as tf

from zoo import divergences


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


def wasserstein_discriminator_loss(real_scores, fake_scores):
    """Critic (discriminator) loss of WGAN (Arjovsky et al. 2017, eq. 3), negated to be minimised.

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


# ------------------------------------------------------------ f-divergences (zoo.divergences)
def fgan_discriminator_loss(divergence, real_outputs, fake_outputs):
    """Critic (discriminator) loss of f-GAN (Nowozin et al. 2016, eq. 6), negated to be minimised.

    Formula: ``L_V = −(E_P[g_f(V(x))] − E_Q[f*(g_f(V(x̃)))])`` with ``x ~ P`` (data) and
    ``x̃ = G(z) ~ Q``; its negation at the optimum is ``D_f(P‖Q)``.

    Args:
      divergence: a :class:`zoo.divergences.FDivergence` or its name.
      real_outputs: critic outputs ``V`` (pre-activation) on data.
      fake_outputs: critic outputs ``V`` on generated samples.
    Returns:
      scalar loss.
    """
    return -divergences.get(divergence).variational_bound(real_outputs, fake_outputs)


def fgan_generator_loss(divergence, fake_outputs, objective="alternative"):
    """Generator loss of f-GAN (Nowozin et al. 2016, §3.2).

    - ``objective="saddle"``: the generator minimises the saddle objective itself; only its
      Q-term depends on G: ``L_G = −E_Q[f*(g_f(V(G(z))))]``.
    - ``objective="alternative"`` (the paper's practical choice, like the GAN "log trick"):
      ``L_G = −E_Q[g_f(V(G(z)))]``; for ``divergence="gan"`` this is exactly the
      non-saturating GAN loss ``E_z[softplus(−l)]``.
    """
    d = divergences.get(divergence)
    if objective == "alternative":
        return -tf.reduce_mean(d.activation(fake_outputs))
    if objective == "saddle":
        return -tf.reduce_mean(d.conjugate_activation(fake_outputs))
    raise ValueError(
        f"f-GAN generator objective must be 'alternative' or 'saddle'. Received: objective={objective!r}"
    )


def log_softplus(v):
    """``log(softplus(v))`` without underflow: ``softplus(v) ≈ eᵛ`` for v ≪ 0, so the log is
    ``v`` there (softplus underflows to 0 in float32 below v ≈ −104)."""
    safe = tf.maximum(v, -30.0)
    return tf.where(v < -30.0, v, tf.math.log(tf.nn.softplus(safe)))


def ratio_discriminator_loss(ratio_p, ratio_q):
    """Density-ratio matching loss of the ratio network (least-squares importance fitting; Kanamori, Hido &
    Sugiyama 2009; Mohamed & Lakshminarayanan 2016, "Learning in Implicit Generative
    Models", §3.2).

    Formula: ``L_r = ½ E_Q[r(x)²] − E_P[r(x)]``, which equals
    ``½ E_Q[(r(x) − p(x)/q(x))²]`` up to a constant, so it is minimised by ``r = p/q``;
    its minimum is ``−½ E_Q[(p/q)²] = −½ (1 + χ²_Pearson(P‖Q))``.

    Args:
      ratio_p: ratio estimates ``r(x) ≥ 0`` at samples of P.
      ratio_q: ratio estimates at samples of Q.
    Returns:
      scalar loss.
    """
    return 0.5 * tf.reduce_mean(tf.square(ratio_q)) - tf.reduce_mean(ratio_p)


def ratio_generator_loss(divergence, ratio_q, log_ratio_q=None):
    """Generator loss from a density-ratio estimate ``r ≈ p/q`` at generated samples
    (Uehara et al. 2016, "Generative Adversarial Nets from a Density Ratio Estimation
    Perspective"; Mohamed & Lakshminarayanan 2016, §3).

    Formula: ``L_G = E_Q[f(r) − r f′(r)]`` with r held fixed.  ``f(r) − r f′(r)`` is the
    functional derivative of ``D_f(P‖Q) = ∫ q f(p/q)`` with respect to q, so moving the
    samples ``G(z)`` down its gradient descends ``D_f`` when r is the true ratio.  For
    reverse KL (``f = −log u``) it is ``1 − E_Q[log r]``: minimising ``KL(Q‖P)``; for KL it
    is ``−E_Q[r]``; for Pearson ``E_Q[1 − r²]``.

    Args:
      divergence: a :class:`zoo.divergences.FDivergence` or its name.
      ratio_q: ``r(G(z)) ≥ 0``.
      log_ratio_q: optional stable ``log r(G(z))``, used for reverse KL.
    """
    d = divergences.get(divergence)
    if d.name == "reverse_kl":
        log_r = tf.math.log(ratio_q) if log_ratio_q is None else log_ratio_q
        return 1.0 - tf.reduce_mean(log_r)
    return tf.reduce_mean(d.f(ratio_q) - ratio_q * d.optimal_critic(ratio_q))


# ------------------------------------------------------------------ stabilisation tricks
def feature_matching_generator_loss(real_features, fake_features):
    """Feature matching (Salimans et al. 2016, arXiv:1606.03498, §3.1, eq. before §3.2).

    Formula: ``‖E_x f(x) - E_z f(G(z))‖₂²`` with ``f`` an intermediate discriminator layer,
    the expectations being batch means.

    Args:
      real_features: ``[batch, ...]`` features of data.
      fake_features: ``[batch, ...]`` features of generated samples.
    Returns:
      scalar loss (the generator's).
    """
    difference = tf.reduce_mean(real_features, axis=0) - tf.reduce_mean(fake_features, axis=0)
    return tf.reduce_sum(tf.square(difference))


def historical_averaging_penalty(variables, averages):
    """Historical averaging (Salimans et al. 2016, arXiv:1606.03498, §3.3).

    Formula: ``Σ_i ‖θ_i - θ̄_i‖₂²`` summed over a player's parameter tensors ``θ_i`` with
    ``θ̄_i`` their historical means; multiply by λ in the player's cost.  Its gradient is
    ``2(θ - θ̄)``, which :class:`zoo.families._adversarial.AdversarialModel` adds to the
    player's gradient.
    """
    return tf.add_n([tf.reduce_sum(tf.square(v - a)) for v, a in zip(variables, averages)])


# ------------------------------------------------------------------ auto-encoders
def mean_squared_error_cost(x, x_reconstructed):
    """``1/D ‖x − x̂‖²`` averaged over the batch: the reconstruction phase's loss of the
    adversarial auto-encoder (Makhzani et al. 2015, arXiv:1511.05644, §2)."""
    return tf.reduce_mean(tf.square(x - x_reconstructed))


def squared_l2_cost(x, x_reconstructed):
    """``c(x, y) = ‖x − y‖²`` per example ``[batch]``, summed over the data axes: the cost of
    the Wasserstein auto-encoder (Tolstikhin et al. 2018, arXiv:1711.01558, eq. 4)."""
    axes = list(range(1, len(x.shape)))
    return tf.reduce_sum(tf.square(x - x_reconstructed), axis=axes)


def gaussian_kl_to_standard_normal(mean, variance):
    """``KL(N(μ, diag σ²) ‖ N(0, I))`` per example ``[batch, ...]``, summed over the last axis.

    Formula: ``½ Σ_j (μ_j² + σ_j² − 1 − log σ_j²)`` (Kingma & Welling 2013,
    arXiv:1312.6114, Appendix B); AVB's adaptive contrast adds it in closed form
    (Mescheder et al. 2017, arXiv:1701.04722, eq. 13-14).
    """
    return 0.5 * tf.reduce_sum(tf.square(mean) + variance - 1.0 - tf.math.log(variance), axis=-1)
