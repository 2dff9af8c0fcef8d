"""Divergence and density-ratio estimation from samples (the divergence-estimation protocol).

- :func:`estimate_divergence` trains the f-GAN critic with the generator frozen, i.e. it
  maximises the variational lower bound ``E_P[g_f(V)] − E_Q[f*(g_f(V))]`` of
  ``D_f(P‖Q)`` (Nowozin et al. 2016, eq. 6; Nguyen, Wainwright & Jordan 2010), or for
  ``"w1"`` a WGAN-GP critic (Gulrajani et al. 2017) whose ``E_P[f] − E_Q[f]`` estimates the
  Wasserstein-1 distance.
- :func:`classifier_density_ratio`: the classifier trick — a logistic classifier of P
  against Q gives ``r(x) = D(x) / (1 − D(x)) = exp(logit(x))`` (times ``n_Q/n_P``).
- :func:`ratio_matching_density_ratio`: least-squares ratio matching, minimising
  ``½ E_Q[r(x)²] − E_P[r(x)]`` (Kanamori et al. 2009; Mohamed & Lakshminarayanan 2016).

All three fit a small MLP with Adam on minibatches drawn (with replacement) from the two
sample sets, in a compiled loop, and evaluate on the full sets at the end.
"""
from __future__ import annotations

import dataclasses
from typing import Callable

import numpy as np
import tensorflow as tf

from zoo import divergences, losses
from zoo.networks import mlp

W1 = "w1"


def _as_points(samples, name):
    x = np.asarray(samples, dtype=np.float32)
    if x.ndim == 1:
        x = x[:, None]
    if x.ndim != 2 or len(x) == 0:
        raise ValueError(
            f"{name} must be an array [N] or [N, d] with N ≥ 1. Received: {name}.shape={np.shape(samples)}"
        )
    return x


def _check_pair(p_samples, q_samples):
    p, q = _as_points(p_samples, "p_samples"), _as_points(q_samples, "q_samples")
    if p.shape[1] != q.shape[1]:
        raise ValueError(
            f"p_samples and q_samples must have the same dimension. Received: {p.shape[1]} and {q.shape[1]}"
        )
    return p, q


def _fit(network, loss_fn, p, q, steps, batch_size, learning_rate, seed):
    """Adam on ``loss_fn(network, p_batch, q_batch, rng)`` for ``steps`` minibatches."""
    import keras

    optimizer = keras.optimizers.Adam(learning_rate)
    optimizer.build(network.trainable_variables)
    p_all, q_all = tf.constant(p), tf.constant(q)
    rng = tf.random.Generator.from_seed(seed)
    n_p, n_q = len(p), len(q)

    @tf.function
    def step():
        p_batch = tf.gather(p_all, rng.uniform([batch_size], 0, n_p, dtype=tf.int32))
        q_batch = tf.gather(q_all, rng.uniform([batch_size], 0, n_q, dtype=tf.int32))
        with tf.GradientTape() as tape:
            loss = loss_fn(network, p_batch, q_batch, rng)
        grads = tape.gradient(loss, network.trainable_variables)
        optimizer.apply_gradients(zip(grads, network.trainable_variables))
        return loss

    for _ in range(steps):
        step()
    return network


def _critic(dim, width, depth, seed, activation="softplus", name="critic"):
    import keras

    keras.utils.set_random_seed(seed)
    network = mlp(dim, 1, hidden=(width,) * depth, activation=activation, name=name)
    # Start from the constant critic V ≡ 0.  With a random output layer the WGAN-GP critic
    # starts with a small slope of random sign, and the two-sided penalty (‖∇f‖ − 1)², whose
    # pull away from ‖∇f‖ = 0 outweighs the Wasserstein term there, can lock in the wrong
    # sign (a stationary f with E_P[f] − E_Q[f] ≈ −W1).  From V ≡ 0 the first step follows
    # the objective alone.
    output = network.layers[-1]
    output.kernel.assign(tf.zeros_like(output.kernel))
    return network


def _evaluate(network, x, batch=65536):
    return tf.concat([network(x[i:i + batch], training=False) for i in range(0, len(x), batch)], 0)


def _lipschitz_estimate(critic, p, q, seed, n=20000):
    """max ‖∇f(x)‖ over ``n`` samples of P, of Q and points on the lines between them."""
    rng = np.random.default_rng(seed)
    pi, qi = rng.integers(len(p), size=n), rng.integers(len(q), size=n)
    eps = rng.uniform(size=(n, 1)).astype(np.float32)
    points = tf.constant(np.concatenate([p[pi], q[qi], eps * p[pi] + (1 - eps) * q[qi]]))
    with tf.GradientTape() as tape:
        tape.watch(points)
        scores = critic(points, training=False)
    grads = tape.gradient(scores, points)
    return float(tf.reduce_max(tf.norm(grads, axis=1)))


def estimate_divergence(p_samples, q_samples, divergence, steps=400, batch_size=4096, width=64, depth=2,
                        learning_rate=3e-3, gp_weight=10.0, seed=0, return_critic=False):
    """Estimate ``D(P‖Q)`` from samples by training a critic (the divergence-estimation protocol).

    For an f-divergence the critic ``V`` maximises ``E_P[g_f(V)] − E_Q[f*(g_f(V))]``
    (f-GAN eq. 6), and the estimate is that bound on all the samples.  For ``"w1"`` it
    minimises the WGAN-GP critic loss ``E_Q[f] − E_P[f] + λ E[(‖∇f‖ − 1)²]``
    (``zoo.losses.wasserstein_discriminator_loss`` + ``gradient_penalty``), and the estimate is
    ``E_P[f] − E_Q[f]``.  Both are lower bounds at the optimum over all critics; a small
    critic trained briefly lands a little below, a large one overfitting finite samples can
    land above.

    Args:
      p_samples, q_samples: arrays ``[N]`` or ``[N, d]`` of samples of P and Q.
      divergence: a name of ``zoo.divergences`` (``"kl"``, ``"pearson"``, ``"js"``...) or
        ``"w1"``.
      steps, batch_size, learning_rate: Adam on minibatches drawn with replacement.
      width, depth: the critic MLP (softplus hidden units: smooth, so the optimal critics,
        e.g. ``1 + log(p/q)``, are easy to fit).
      gp_weight: λ of the gradient penalty (``"w1"`` only).
      seed: seeds the critic's initial weights and the minibatches.
      return_critic: also return the trained critic network.
    Returns:
      the estimate (a float), or ``(estimate, critic)``.
    """
    p, q = _check_pair(p_samples, q_samples)
    critic = _critic(p.shape[1], width, depth, seed)
    if divergence == W1:
        def loss_fn(net, p_batch, q_batch, rng):
            epsilon = rng.uniform([tf.shape(p_batch)[0]])
            return (losses.wasserstein_discriminator_loss(net(p_batch, training=True), net(q_batch, training=True))
                    + gp_weight * losses.gradient_penalty(net, p_batch, q_batch, epsilon=epsilon))

        _fit(critic, loss_fn, p, q, steps, batch_size, learning_rate, seed)
        gap = float(tf.reduce_mean(_evaluate(critic, p)) - tf.reduce_mean(_evaluate(critic, q)))
        # The penalty is soft: the critic's slope settles above 1 (for a linear optimum,
        # at 1 + W1/(2λ)), inflating E_P[f] − E_Q[f].  Kantorovich-Rubinstein holds for any
        # L-Lipschitz f divided by L, so divide by the largest gradient norm seen on the
        # samples and on the lines between them.
        estimate = gap / _lipschitz_estimate(critic, p, q, seed)
    else:
        d = divergences.get(divergence)

        def loss_fn(net, p_batch, q_batch, rng):
            return losses.fgan_discriminator_loss(d, net(p_batch, training=True), net(q_batch, training=True))

        _fit(critic, loss_fn, p, q, steps, batch_size, learning_rate, seed)
        estimate = float(d.variational_bound(_evaluate(critic, p), _evaluate(critic, q)))
    return (estimate, critic) if return_critic else estimate


@dataclasses.dataclass
class DensityRatio:
    """An estimate ``r(x) ≈ p(x)/q(x)``: ``log_ratio(x)`` and ``ratio(x) = r(x)``."""

    log_ratio: Callable
    ratio: Callable
    network: object
    method: str

    def __call__(self, x):
        return self.ratio(x)

    def divergence(self, name, q_samples):
        """Plug-in estimate ``D_f(P‖Q) = E_Q[f(r(x))]`` over ``q_samples``."""
        q = _as_points(q_samples, "q_samples")
        return float(tf.reduce_mean(divergences.get(name).f(tf.cast(self.ratio(q), tf.float64))))


def classifier_density_ratio(p_samples, q_samples, steps=400, batch_size=4096, width=64, depth=2,
                             learning_rate=3e-3, seed=0):
    """The classifier trick: ``r(x) = D(x) / (1 − D(x))`` (e.g. Sugiyama et al. 2012, §4;
    Mohamed & Lakshminarayanan 2016, §3.1).

    A logistic classifier ``D = σ(l)`` trained on balanced batches of P (label 1) and Q
    (label 0) has optimum ``D* = p/(p+q)``, so ``D*/(1 − D*) = exp(l) = p/q``.  The batches
    are balanced, so no prior correction ``n_Q/n_P`` is needed.

    Returns:
      a :class:`DensityRatio` with ``log_ratio(x) = l(x)``.
    """
    p, q = _check_pair(p_samples, q_samples)
    net = _critic(p.shape[1], width, depth, seed, name="classifier")

    def loss_fn(network, p_batch, q_batch, rng):
        return losses.gan_discriminator_loss(network(p_batch, training=True), network(q_batch, training=True))

    _fit(net, loss_fn, p, q, steps, batch_size, learning_rate, seed)

    def log_ratio(x):
        return tf.squeeze(_evaluate(net, _as_points(x, "x")), -1)

    return DensityRatio(log_ratio=log_ratio, ratio=lambda x: tf.exp(log_ratio(x)), network=net, method="classifier")


def ratio_matching_density_ratio(p_samples, q_samples, steps=400, batch_size=4096, width=64, depth=2,
                                 learning_rate=3e-3, seed=0):
    """Ratio matching: minimise ``½ E_Q[r(x)²] − E_P[r(x)]`` over ``r = softplus(V)``
    (``zoo.losses.ratio_discriminator_loss``), whose minimiser is ``r = p/q``.

    Returns:
      a :class:`DensityRatio` with ``ratio(x) = softplus(V(x))``.
    """
    p, q = _check_pair(p_samples, q_samples)
    net = _critic(p.shape[1], width, depth, seed, name="ratio")

    def loss_fn(network, p_batch, q_batch, rng):
        return losses.ratio_discriminator_loss(tf.nn.softplus(network(p_batch, training=True)),
                                               tf.nn.softplus(network(q_batch, training=True)))

    _fit(net, loss_fn, p, q, steps, batch_size, learning_rate, seed)

    def outputs(x):
        return tf.squeeze(_evaluate(net, _as_points(x, "x")), -1)

    return DensityRatio(log_ratio=lambda x: losses.log_softplus(outputs(x)),
                        ratio=lambda x: tf.nn.softplus(outputs(x)), network=net, method="ratio_matching")


# ------------------------------------------------------ ground truth in one dimension
def f_divergence_1d(divergence, p, q, lower=-np.inf, upper=np.inf):
    """``D_f(P‖Q) = ∫ q(x) f(p(x)/q(x)) dx`` by adaptive quadrature (``scipy.integrate.quad``)
    for 1-D distributions ``p``, ``q`` with a ``log_prob`` (e.g. ``tfp.distributions``).

    The ratio is formed in log space, so the tails where both densities underflow stay finite;
    pass float64 distributions for a precise value.
    """
    from scipy import integrate

    d = divergences.get(divergence)

    def integrand(x):
        log_p = tf.cast(p.log_prob(tf.constant([x], p.dtype)), tf.float64)
        log_q = tf.cast(q.log_prob(tf.constant([x], q.dtype)), tf.float64)
        value = tf.exp(log_q) * d.f(tf.exp(log_p - log_q))
        return float(tf.where(tf.math.is_finite(value), value, tf.zeros_like(value))[0])

    value, _ = integrate.quad(integrand, lower, upper, limit=200)
    return value


def wasserstein1_1d(p, q, lower=-np.inf, upper=np.inf):
    """``W1(P, Q) = ∫ |F_P(x) − F_Q(x)| dx`` for 1-D distributions with a ``cdf``."""
    from scipy import integrate

    def integrand(x):
        cdf_p = tf.cast(p.cdf(tf.constant([x], p.dtype)), tf.float64)
        return float(tf.abs(cdf_p - tf.cast(q.cdf(tf.constant([x], q.dtype)), tf.float64))[0])

    value, _ = integrate.quad(integrand, lower, upper, limit=200)
    return value
