"""Kernels and the maximum mean discrepancy (MMD) between two samples, as pure tensor functions.

MMD (Gretton et al. 2012, "A Kernel Two-Sample Test", JMLR 13) between distributions P and Q
under a characteristic kernel ``k``::

    MMD²(P, Q) = E[k(x, x')] + E[k(y, y')] - 2 E[k(x, y)],   x, x' ~ P,  y, y' ~ Q

It is 0 iff P = Q.  WAE-MMD (Tolstikhin et al. 2018) uses it as the penalty D_Z(Q_Z, P_Z)
between the aggregated posterior and the prior, with the inverse multiquadratic kernel
summed over several scales (the paper's code).

Example::

    x = tf.random.normal([256, 8]); y = tf.random.normal([256, 8]) + 1.0
    mmd(x, y)                            # unbiased MMD², IMQ kernel over the WAE scales
    mmd(x, y, kernel="rbf", unbiased=False, scales=(1.0,))
"""
from __future__ import annotations

import tensorflow as tf

# Multipliers of the base scale C = 2 d σ² in the WAE code (tolstikhin/wae, wae.py, mmd_penalty).
WAE_SCALES = (0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0)


def squared_distances(x, y):
    """``[n, m]`` matrix of ``‖x_i - y_j‖²`` for ``x [n, d]`` and ``y [m, d]``."""
    x = tf.convert_to_tensor(x)
    y = tf.convert_to_tensor(y, dtype=x.dtype)
    xx = tf.reduce_sum(tf.square(x), axis=1, keepdims=True)
    yy = tf.reduce_sum(tf.square(y), axis=1, keepdims=True)
    # ‖x‖² + ‖y‖² - 2 x·y can round slightly below 0 for near-equal points: clamp.
    return tf.maximum(xx + tf.transpose(yy) - 2.0 * tf.matmul(x, y, transpose_b=True), 0.0)


def inverse_multiquadratic_kernel(x, y, scales=WAE_SCALES, prior_variance=1.0):
    """Inverse multiquadratic (IMQ) kernel summed over scales (Tolstikhin et al. 2018, §4).

    Formula: ``k(x, y) = Σ_s C_s / (C_s + ‖x - y‖²)`` with ``C_s = s · 2 d σ²``, where ``d`` is
    the dimension and ``σ²`` the variance of the Gaussian prior N(0, σ² I).  ``C = 2 d σ²`` is
    the expected ‖z - z'‖² of two prior draws; summing over scales keeps the kernel informative
    when the posterior is far from or close to the prior (the heavy tails of the IMQ kernel
    give useful gradients where an RBF kernel's vanish).

    Args:
      x: ``[n, d]``; y: ``[m, d]``.
      scales: the multipliers ``s`` (the WAE code's ``[.1, .2, .5, 1, 2, 5, 10]``).
      prior_variance: ``σ²`` of the prior.
    Returns:
      ``[n, m]`` kernel matrix.
    """
    distances = squared_distances(x, y)
    dim = tf.cast(tf.shape(tf.convert_to_tensor(x))[1], distances.dtype)
    base = 2.0 * dim * prior_variance
    return tf.add_n([(s * base) / (s * base + distances) for s in scales])


def rbf_kernel(x, y, scales=(1.0,)):
    """Gaussian (RBF) kernel summed over bandwidths.

    Formula: ``k(x, y) = Σ_σ exp(-‖x - y‖² / (2 σ²))``.

    Args:
      x: ``[n, d]``; y: ``[m, d]``.
      scales: the bandwidths ``σ``.
    Returns:
      ``[n, m]`` kernel matrix.
    """
    distances = squared_distances(x, y)
    return tf.add_n([tf.exp(-distances / (2.0 * s * s)) for s in scales])


KERNELS = {"imq": inverse_multiquadratic_kernel, "rbf": rbf_kernel}


def mmd_biased(k_xx, k_yy, k_xy):
    """Biased (V-statistic) MMD² from kernel matrices (Gretton et al. 2012, eq. 5).

    Formula: ``1/n² Σ_ij k(x_i, x_j) + 1/m² Σ_ij k(y_i, y_j) - 2/(nm) Σ_ij k(x_i, y_j)``.
    Never negative; exactly 0 for identical samples.
    """
    return tf.reduce_mean(k_xx) + tf.reduce_mean(k_yy) - 2.0 * tf.reduce_mean(k_xy)


def mmd_unbiased(k_xx, k_yy, k_xy):
    """Unbiased (U-statistic) MMD² from kernel matrices (Gretton et al. 2012, eq. 3).

    Formula: ``1/(n(n-1)) Σ_{i≠j} k(x_i, x_j) + 1/(m(m-1)) Σ_{i≠j} k(y_i, y_j)
    - 2/(nm) Σ_ij k(x_i, y_j)``.  The diagonal terms ``k(x_i, x_i)`` are left out, so its
    expectation is MMD² exactly; it can be slightly negative when P = Q.
    """
    n = tf.cast(tf.shape(k_xx)[0], k_xx.dtype)
    m = tf.cast(tf.shape(k_yy)[0], k_yy.dtype)
    xx = (tf.reduce_sum(k_xx) - tf.linalg.trace(k_xx)) / (n * (n - 1.0))
    yy = (tf.reduce_sum(k_yy) - tf.linalg.trace(k_yy)) / (m * (m - 1.0))
    return xx + yy - 2.0 * tf.reduce_mean(k_xy)


def mmd(x, y, kernel="imq", unbiased=True, **kernel_kwargs):
    """Squared maximum mean discrepancy between the samples ``x`` and ``y``.

    Formula: ``MMD²(P, Q) = E k(x, x') + E k(y, y') - 2 E k(x, y)`` (Gretton et al. 2012),
    estimated by :func:`mmd_unbiased` (default, as the WAE code) or :func:`mmd_biased`.

    Args:
      x: ``[n, d]`` samples of P; y: ``[m, d]`` samples of Q (the unbiased form needs n, m ≥ 2).
      kernel: ``"imq"`` (:func:`inverse_multiquadratic_kernel`), ``"rbf"`` (:func:`rbf_kernel`)
        or a callable ``(x, y) -> [n, m]``.
      unbiased: U-statistic (True) or V-statistic (False).
      **kernel_kwargs: passed to the kernel (``scales``, ``prior_variance``).
    Returns:
      scalar MMD².
    """
    if isinstance(kernel, str):
        if kernel not in KERNELS:
            raise ValueError(f"kernel must be one of {sorted(KERNELS)} or a callable. Received: kernel={kernel!r}")
        kernel = KERNELS[kernel]
    x = tf.convert_to_tensor(x)
    y = tf.convert_to_tensor(y, dtype=x.dtype)
    if x.shape.rank != 2 or y.shape.rank != 2:
        raise ValueError(f"mmd expects samples of shape [n, d] and [m, d]. Received: shapes {x.shape} and {y.shape}")
    estimator = mmd_unbiased if unbiased else mmd_biased
    return estimator(kernel(x, x, **kernel_kwargs), kernel(y, y, **kernel_kwargs), kernel(x, y, **kernel_kwargs))
