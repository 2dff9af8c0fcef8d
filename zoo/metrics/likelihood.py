"""Exact likelihoods of the explicit-density families (the exact-likelihood protocol).  Pure functions of a
``log_prob`` callable (the in-memory model's, or an export's signature): no file I/O.

Scale.  Digits take 17 grey levels on [-1, 1], ``w = 1/8`` apart.  Every number here is a
log-*density* on that continuous scale (nats per image), so it sits beside the Parzen
estimates and the VAE's bounds: a probability ``P`` over the levels becomes a density by
dividing by the bin volume, ``log p = log P - 64 log w = log P + 64 log 8``; bits per dimension
are ``-log2 P / 64`` of the discrete ``P``.

- PixelCNN models ``P`` itself: its ``log_prob`` is exact.
- A flow is a density over dequantised values; the probability it gives a level is the mass
  of its bin, ``P(x) = ∫_bin p``.  :func:`dequantized_log_prob` estimates ``log P(x) - D log w``
  by ``log 1/K Σ_k p(x + u_k)``, ``u_k ~ U[-w/2, w/2)^D``: a lower bound in expectation for every
  K (Jensen; K = 1 is the bound of Theis et al. 2016, arXiv:1511.01844, §3.1, that Dinh et al.
  2017 report), exact as K → ∞.
"""
from __future__ import annotations

import math

import numpy as np

DIGIT_LEVELS = 17  # v / 8 - 1, v = 0..16 (the digits protocol)
TEST_POINTS_SEED = 12345  # 2-D test points: a stream no recipe trains on (recipes use seeds 0..4)


def _log_bin_volume(levels: int, dims: int) -> float:
    return dims * math.log(2.0 / (levels - 1))


def _batched(log_prob, x, batch_size):
    return np.concatenate([np.asarray(log_prob(x[i:i + batch_size]), np.float64).reshape(-1)
                           for i in range(0, len(x), batch_size)])


def evaluate_log_prob(log_prob, x, batch_size: int = 512) -> np.ndarray:
    """``log p(x)`` per example (float64 ``[N]``) from ``log_prob`` evaluated in batches."""
    x = np.asarray(x, np.float32)
    if len(x) == 0:
        raise ValueError("evaluate_log_prob needs at least one example. Received: 0 examples")
    return _batched(log_prob, x, batch_size)


def dequantized_log_prob(log_prob, x, levels: int = DIGIT_LEVELS, samples: int = 16, seed: int = 0,
                         batch_size: int = 512) -> np.ndarray:
    """``log 1/K Σ_k p(x + u_k)`` per example, ``u_k`` uniform in each value's bin (module doc).

    Args:
      log_prob: ``x [N, ...] -> log p(x) [N]`` of a density over dequantised values.
      x: examples on their levels (``[N, ...]`` on [-1, 1]).
      levels: number of levels (17 for digits).
      samples: K, dequantisation draws per example.
      seed: seed of the draws.
    Returns:
      float64 ``[N]``: an estimate of ``log P(x) - D log w`` (nats, [-1, 1] scale) from below.
    """
    if int(samples) < 1:
        raise ValueError(f"samples is the number of dequantisation draws per example, at least 1. "
                         f"Received: samples={samples!r}")
    x = np.asarray(x, np.float32)
    half = 1.0 / (levels - 1)  # w / 2
    rng = np.random.default_rng(seed)
    draws = np.stack([
        evaluate_log_prob(log_prob, x + rng.uniform(-half, half, size=x.shape).astype(np.float32), batch_size)
        for _ in range(int(samples))])  # [K, N]
    top = draws.max(axis=0)
    return top + np.log(np.mean(np.exp(draws - top), axis=0))


def likelihood_summary(log_p, dims: int, levels: int = DIGIT_LEVELS) -> dict:
    """Mean test log-likelihood on the [-1, 1] scale and bits per dimension of the discrete P.

    Args:
      log_p: per-example log-densities ``[N]`` on the [-1, 1] scale (nats per example).
      dims: values per example (64 for digits).
      levels: number of levels (17 for digits).
    Returns:
      ``{"log_likelihood": nats per example, "log_likelihood_se": its standard error,
      "bits_per_dim": -log2 P / D}`` with ``log P = log p + D log w``.
    """
    log_p = np.asarray(log_p, np.float64)
    mean = float(log_p.mean())
    se = float(log_p.std(ddof=1) / math.sqrt(len(log_p))) if len(log_p) > 1 else 0.0
    log_discrete = mean + _log_bin_volume(levels, dims)
    return {"log_likelihood": mean, "log_likelihood_se": se, "bits_per_dim": -log_discrete / (dims * math.log(2.0))}


def digits_log_likelihood(log_prob, dequantize: bool, samples: int = 16, seed: int = 0) -> dict:
    """Test-split log-likelihood of a digits model (the exact-likelihood protocol): nats per image on the
    [-1, 1] scale and bits per dimension.

    Args:
      log_prob: ``x [N, 8, 8, 1] -> [N]`` (``model.log_prob`` or an export's ``log_prob``).
      dequantize: True for a flow (a density over dequantised values: estimated by
        :func:`dequantized_log_prob` with ``samples`` draws), False for a model of the levels
        (PixelCNN: its ``log_prob`` is already ``log P + 64 log 8``).
    """
    from zoo.data import digits_split

    x_test = digits_split()[2]
    dims = int(np.prod(x_test.shape[1:]))
    if dequantize:
        log_p = dequantized_log_prob(log_prob, x_test, DIGIT_LEVELS, samples=samples, seed=seed)
    else:
        log_p = evaluate_log_prob(log_prob, x_test)
    return likelihood_summary(log_p, dims, DIGIT_LEVELS)


# ----------------------------------------------------------------------------- 2-D
def grid(bounds, resolution: int):
    """``(points [R², 2], cell area)``: the centres of an ``R × R`` grid of cells covering
    ``bounds = (low, high)`` on both axes."""
    low, high = float(bounds[0]), float(bounds[1])
    if not high > low or int(resolution) < 2:
        raise ValueError(f"grid needs bounds (low, high) with high > low and resolution >= 2. "
                         f"Received: bounds={bounds!r}, resolution={resolution!r}")
    step = (high - low) / resolution
    ticks = low + step * (np.arange(resolution) + 0.5)
    xx, yy = np.meshgrid(ticks, ticks, indexing="ij")
    return np.stack([xx.ravel(), yy.ravel()], axis=1).astype(np.float32), step * step


def density_integral(log_prob, bounds, resolution: int = 1000, batch_size: int = 65536) -> float:
    """``∫ p`` over the square ``bounds²`` by the midpoint rule on an ``R × R`` grid: 1 for a
    normalised density whose mass lies inside the square (the exact-likelihood protocol: within 1 %)."""
    points, area = grid(bounds, resolution)
    return float(np.sum(np.exp(evaluate_log_prob(log_prob, points, batch_size))) * area)


def mixture_log_density(points, dataset: str) -> np.ndarray:
    """The true ``log p(x)`` of the 2-D mixture ``dataset`` (equal weights, isotropic
    components): ``log 1/K Σ_k N(x; μ_k, σ² I)``, the ceiling a model's test log-density
    approaches."""
    from zoo.data import mixture

    m = mixture(dataset)
    points = np.asarray(points, np.float64)
    squared = np.sum((points[:, None, :] - m.means[None]) ** 2, axis=-1)  # [N, K]
    log_components = -squared / (2 * m.std ** 2) - math.log(2 * math.pi * m.std ** 2)
    top = log_components.max(axis=1)
    return top + np.log(np.mean(np.exp(log_components - top[:, None]), axis=1))


def points_log_likelihood(log_prob, dataset: str, n: int = 10_000, seed: int = TEST_POINTS_SEED) -> dict:
    """Exact mean log-density of ``n`` test points of the mixture (drawn from a seed no recipe
    trains on) beside the true density's: ``{"test_log_density", "true_log_density"}`` (nats
    per point)."""
    from zoo.data import mixture_samples

    points = mixture_samples(dataset, n, seed)
    return {"test_log_density": float(evaluate_log_prob(log_prob, points).mean()),
            "true_log_density": float(mixture_log_density(points, dataset).mean())}
