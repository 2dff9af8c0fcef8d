"""The log partition function of an RBM: annealed importance sampling, and the exact sum for small ones.

An RBM (:mod:`zoo.families.rbm`) gives ``log p(v) = −F(v) − log Z`` with ``Z = Σ_v exp(−F(v))``, a
sum over 2^D images.  Salakhutdinov & Murray (2008, "On the quantitative analysis of deep belief
networks") estimate ``log Z`` by annealed importance sampling (AIS; Neal 2001) from a base-rate
RBM A, with the visible biases ``a_A`` fitted to the training pixels and no weights, to the model
B through the distributions (their eq. 13, A with no hidden units)

    p*_β(v) = exp((1 − β) a_A·v + β a_B·v) · Π_j (1 + exp(β (b_j + (vᵀW)_j))),   0 = β_0 < … < β_K = 1.

One run draws ``v_1 ~ p_A`` and, for k = 1..K, multiplies its weight by ``p*_k(v_k) / p*_{k−1}(v_k)``
and moves ``v_k → v_{k+1}`` by one block-Gibbs step that leaves ``p_k`` invariant (hidden units
``~ σ(β_k (b + vᵀW))``, visible units ``~ σ((1 − β_k) a_A + β_k (a_B + W h))``).  The mean weight of
M independent runs estimates ``Z_B / Z_A`` without bias, where ``log Z_A = Σ_i softplus(a_A,i) + H log 2``
(the H hidden units of p*_0 are free).  The paper's schedule: β spaced by 1/1,000 up to 0.5, by
1/10,000 up to 0.9 and by 1/100,000 up to 1 (500, 4,000 and 10,000 steps), M = 100 runs; it reports
``log Ẑ`` with the interval ``log(r̂ ± 3σ̂)``, σ̂ the standard deviation of the mean weight.  Being
a log of an unbiased estimate, ``log Ẑ`` tends to fall below ``log Z`` (Jensen), so the
log-likelihood it gives tends to be too high: the bars say how far the weights spread, not a bound.

The Gibbs transitions are written here rather than through ``tfp.mcmc``: its AIS kernel
(``sample_annealed_importance_chain``) anneals with continuous kernels (HMC, random-walk
Metropolis), while the RBM's exact block-Gibbs moves on binary units need none of its machinery.
Everything runs in float64: the K = 14,500 log-weight increments are small differences of sums of
hundreds of terms.

For ``H ≤ 20`` hidden units ``log Z`` is exact: the visible units sum out in closed form,

    log Z = logsumexp_h [ b·h + Σ_i softplus(a_i + (W h)_i) ],

over the 2^H hidden configurations (:func:`exact_log_partition`); tests/test_ais.py holds AIS's bars
around it.
"""
from __future__ import annotations

import math

import numpy as np

# (end of the segment, steps in it): the schedule of Salakhutdinov & Murray 2008, §4.
PAPER_SCHEDULE = ((0.5, 500), (0.9, 4_000), (1.0, 10_000))
RUNS = 100  # independent AIS runs (the paper's M)
ERROR_SDS = 3.0  # the paper's bars: log(r̂ ± 3σ̂)
MAX_EXACT_HIDDEN = 20  # 2^20 hidden configurations summed exactly
BASE_RATE_PSEUDOCOUNT = 1.0  # added to the on and off counts of every pixel (no pixel gets p = 0 or 1)
AIS_PROTOCOL = ("test log-likelihood in nats per binary image, mean(−F(v_test)) − log Ẑ, log Ẑ by AIS (Salakhutdinov "
                "& Murray 2008): base-rate RBM fitted to the train split, β spaced 1/1,000 to 0.5, 1/10,000 to 0.9, "
                "1/100,000 to 1 (14,500 steps), 100 runs; low/high from log(r̂ ± 3σ̂)")


def beta_schedule(segments=PAPER_SCHEDULE) -> np.ndarray:
    """β_0 = 0, …, β_K = 1: each ``(end, steps)`` segment adds ``steps`` equally spaced values
    after the previous end (``PAPER_SCHEDULE``: K = 14,500)."""
    betas = [0.0]
    for end, steps in segments:
        if isinstance(steps, bool) or int(steps) != steps or steps < 1 or not betas[-1] < end <= 1.0:
            raise ValueError(f"each segment is (end, steps) with ends increasing to 1 and steps >= 1. "
                             f"Received: segments={segments!r}")
        betas.extend(np.linspace(betas[-1], end, int(steps) + 1)[1:])
    if betas[-1] != 1.0:
        raise ValueError(f"the schedule must end at β = 1 (the model). Received: segments={segments!r}")
    return np.asarray(betas)


def base_rate_bias(v_train, pseudocount: float = BASE_RATE_PSEUDOCOUNT) -> np.ndarray:
    """Visible biases of the base-rate RBM: ``log(p / (1 − p))``, ``p`` each pixel's share of 1s in
    ``v_train`` ``[N, D]`` (values in {0, 1}), smoothed by ``pseudocount`` on each side."""
    v = np.asarray(v_train, np.float64).reshape(len(v_train), -1)
    p = (v.sum(axis=0) + pseudocount) / (len(v) + 2.0 * pseudocount)
    return np.log(p) - np.log1p(-p)


def free_energy(kernel, visible_bias, hidden_bias, v) -> np.ndarray:
    """``F(v) = −a·v − Σ_j softplus(b_j + (vᵀW)_j)`` per row of ``v`` ``[N, D]``, float64."""
    v = np.asarray(v, np.float64)
    return -v @ np.asarray(visible_bias, np.float64) - np.logaddexp(
        0.0, v @ np.asarray(kernel, np.float64) + np.asarray(hidden_bias, np.float64)).sum(axis=-1)


def exact_log_partition(kernel, visible_bias, hidden_bias, chunk: int = 2**14) -> float:
    """``log Z`` summed exactly over the 2^H hidden configurations (H ≤ ``MAX_EXACT_HIDDEN``)."""
    kernel = np.asarray(kernel, np.float64)
    a, b = np.asarray(visible_bias, np.float64), np.asarray(hidden_bias, np.float64)
    hidden = kernel.shape[1]
    if hidden > MAX_EXACT_HIDDEN:
        raise ValueError(f"the exact sum runs over 2^H hidden configurations: H must be at most {MAX_EXACT_HIDDEN}; "
                         f"estimate log Z with ais_log_partition. Received: H={hidden}")
    bits = np.arange(hidden)
    parts = []
    for start in range(0, 2**hidden, chunk):
        index = np.arange(start, min(start + chunk, 2**hidden))
        h = ((index[:, None] >> bits) & 1).astype(np.float64)
        parts.append(h @ b + np.logaddexp(0.0, a + h @ kernel.T).sum(axis=1))
    terms = np.concatenate(parts)
    top = terms.max()
    return float(top + np.log(np.exp(terms - top).sum()))


def _ais_log_weights(kernel, visible_bias, hidden_bias, base_bias, betas, runs, seed):
    """The log importance weights of ``runs`` AIS runs (float64 tensors in, ``[runs]`` out)."""
    import tensorflow as tf

    seed = tf.stack([tf.cast(seed, tf.int32), 0])
    steps = tf.shape(betas)[0] - 1
    visible = tf.shape(kernel)[0]
    p0 = tf.sigmoid(tf.broadcast_to(base_bias, [runs, visible]))
    v = tf.cast(tf.random.stateless_uniform([runs, visible], seed=seed, dtype=tf.float64) < p0, tf.float64)

    def log_unnormalized(beta, v, x):  # log p*_β(v); x = b + vᵀW
        return ((1.0 - beta) * tf.linalg.matvec(v, base_bias) + beta * tf.linalg.matvec(v, visible_bias)
                + tf.reduce_sum(tf.nn.softplus(beta * x), axis=-1))

    def body(k, v, log_w):
        x = tf.matmul(v, kernel) + hidden_bias
        log_w += log_unnormalized(betas[k], v, x) - log_unnormalized(betas[k - 1], v, x)
        # The transition T_k, which leaves p_k invariant (not needed after the last weight).
        hidden_seed, visible_seed = tf.unstack(tf.random.experimental.stateless_split(
            tf.random.experimental.stateless_fold_in(seed, k), 2))
        h = tf.cast(tf.random.stateless_uniform(tf.shape(x), seed=hidden_seed, dtype=tf.float64)
                    < tf.sigmoid(betas[k] * x), tf.float64)
        logits = (1.0 - betas[k]) * base_bias + betas[k] * (tf.matmul(h, kernel, transpose_b=True) + visible_bias)
        v = tf.cast(tf.random.stateless_uniform(tf.shape(v), seed=visible_seed, dtype=tf.float64)
                    < tf.sigmoid(logits), tf.float64)
        return k + 1, v, log_w

    _, _, log_w = tf.while_loop(lambda k, *_: k <= steps, body,
                                (tf.constant(1), v, tf.zeros([runs], tf.float64)))
    return log_w


def summarize_weights(log_weights, log_z_base: float, sds: float = ERROR_SDS) -> dict:
    """``{"log_z", "log_z_low", "log_z_high"}`` from AIS's log weights: ``log Z_A + log r̂`` with
    ``r̂`` the mean weight, and ``log Z_A + log(r̂ ± sds·σ̂)``, σ̂ the standard error of r̂ (the low
    end is −inf when ``r̂ − sds·σ̂ ≤ 0``: the weights are too spread to bound it)."""
    log_w = np.asarray(log_weights, np.float64)
    if log_w.ndim != 1 or len(log_w) < 2 or not np.all(np.isfinite(log_w)):
        raise ValueError(f"summarize_weights needs at least 2 finite log weights. Received: {log_w!r}")
    top = log_w.max()
    w = np.exp(log_w - top)  # the largest weight is 1
    mean, se = w.mean(), w.std(ddof=1) / math.sqrt(len(w))
    low = mean - sds * se
    return {"log_z": float(log_z_base + top + math.log(mean)),
            "log_z_low": float(log_z_base + top + math.log(low)) if low > 0 else -math.inf,
            "log_z_high": float(log_z_base + top + math.log(mean + sds * se))}


def ais_log_partition(kernel, visible_bias, hidden_bias, base_bias, betas=None, runs: int = RUNS,
                      seed: int = 0) -> dict:
    """AIS estimate of an RBM's ``log Z`` (the module docstring gives the algorithm).

    Args:
      kernel, visible_bias, hidden_bias: W ``[D, H]``, a ``[D]``, b ``[H]`` of the RBM.
      base_bias: the base-rate RBM's visible biases ``[D]`` (:func:`base_rate_bias` of the train split).
      betas: the schedule, increasing from 0 to 1 (default :func:`beta_schedule`, the paper's).
      runs: independent runs M (at least 2).
      seed: stateless seed of the runs.
    Returns:
      ``{"log_z", "log_z_low", "log_z_high", "log_z_base", "runs", "steps"}`` (:func:`summarize_weights`).
    """
    import tensorflow as tf

    betas = beta_schedule() if betas is None else np.asarray(betas, np.float64)
    if betas.ndim != 1 or len(betas) < 2 or betas[0] != 0.0 or betas[-1] != 1.0 or np.any(np.diff(betas) <= 0):
        raise ValueError(f"betas must increase strictly from 0 to 1. Received: {len(betas)} values from "
                         f"{betas[0] if betas.size else None} to {betas[-1] if betas.size else None}")
    if isinstance(runs, bool) or int(runs) != runs or runs < 2:
        raise ValueError(f"runs must be an integer >= 2 (the error bars need a spread). Received: runs={runs!r}")
    kernel = np.asarray(kernel, np.float64)
    base_bias = np.asarray(base_bias, np.float64)
    if base_bias.shape != (kernel.shape[0],):
        raise ValueError(f"base_bias must hold one bias per visible unit, shape [{kernel.shape[0]}]. "
                         f"Received: shape={list(base_bias.shape)}")
    as64 = lambda value: tf.constant(np.asarray(value, np.float64))  # noqa: E731
    log_w = tf.function(_ais_log_weights)(as64(kernel), as64(visible_bias), as64(hidden_bias), as64(base_bias),
                                          as64(betas), tf.constant(int(runs)), tf.constant(int(seed)))
    log_z_base = float(np.logaddexp(0.0, base_bias).sum() + kernel.shape[1] * math.log(2.0))
    return {**summarize_weights(log_w.numpy(), log_z_base), "log_z_base": log_z_base, "runs": int(runs),
            "steps": len(betas) - 1}


def rbm_arrays(model) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(W, a, b)`` of an :class:`zoo.families.rbm.RBM` as float64 arrays."""
    return tuple(np.asarray(variable.numpy(), np.float64)
                 for variable in (model.rbm.kernel, model.rbm.visible_bias, model.rbm.hidden_bias))


def to_visible(images) -> np.ndarray:
    """zoo's binary images in {−1, +1} (any shape ``[N, ...]``) -> visible units ``[N, D]`` in {0, 1}."""
    x = np.asarray(images, np.float64)
    return ((x + 1.0) / 2.0).reshape(len(x), -1)


def rbm_log_likelihood(model, x_test, x_train, betas=None, runs: int = RUNS, seed: int = 0) -> dict:
    """The test log-likelihood of an RBM in nats per image, ``mean(−F(v_test)) − log Ẑ`` (AIS).

    Args:
      model: an :class:`zoo.families.rbm.RBM`.
      x_test, x_train: binary images in {−1, +1}; the train split fits the base-rate RBM.
      betas, runs, seed: of :func:`ais_log_partition`.
    Returns:
      ``{"log_likelihood", "log_likelihood_low", "log_likelihood_high", "log_z"}``: the low/high
      ends come from AIS's ``log(r̂ ± 3σ̂)`` bars (the mean free energy is exact).
    """
    kernel, visible_bias, hidden_bias = rbm_arrays(model)
    estimate = ais_log_partition(kernel, visible_bias, hidden_bias, base_rate_bias(to_visible(x_train)), betas,
                                 runs, seed)
    mean_log_unnormalized = float(-free_energy(kernel, visible_bias, hidden_bias, to_visible(x_test)).mean())
    return {"log_likelihood": mean_log_unnormalized - estimate["log_z"],
            "log_likelihood_low": mean_log_unnormalized - estimate["log_z_high"],
            "log_likelihood_high": mean_log_unnormalized - estimate["log_z_low"],
            "log_z": estimate["log_z"]}
