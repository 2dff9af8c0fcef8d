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

Bits per dimension, the papers' scale.  On 8-bit images (Fashion-MNIST: 256 levels,
``v / 127.5 - 1``) the papers dequantise ``y = (v + u) / 256`` on [0, 1] (Dinh et al. 2017
§4.1; Theis et al. 2016 §3.1) and report ``-log2 p(y) / D + 8``.  zoo's images are the same
bins, centred on the levels and stretched affinely to width ``w = 2/255``: the Jacobian of that
stretch is what ``D log w`` accounts for, so :func:`bits_per_dim` of a log-density on the [-1, 1]
scale is the papers' number (both are ``-log2 P / D`` of the bins' probabilities ``P``).  One
conversion for every family: flows their dequantised density, PixelCNN its exact discrete
``P``, a VAE its importance-weighted bound.

Exports.  ``zoo.load(name).log_prob`` takes images half a level past [-1, 1] (the bins'
union, where the density lives), so a flow's export is measured like its Keras model; an
export's raw signature (a dict ``{"log_prob": ...}``) is accepted too.
"""
from __future__ import annotations

import math

import numpy as np

DIGIT_LEVELS = 17  # v / 8 - 1, v = 0..16 (the digits protocol)
EIGHT_BIT_LEVELS = 256  # v / 127.5 - 1, v = 0..255 (Fashion-MNIST, MNIST: every other image dataset)
DATASET_LEVELS = {"digits": DIGIT_LEVELS}
# Densities over dequantised values, measured by dequantized_log_prob: the flows, and a VAE whose
# log_prob is its IWAE bound (a Gaussian decoder trained on dequantised images).
DEQUANTIZED_FAMILIES = ("realnvp", "maf", "vae")
TEST_POINTS_SEED = 12345  # 2-D test points: a stream no recipe trains on (recipes use seeds 0..4)


def dataset_levels(dataset: str) -> int:
    """Grey levels of an image dataset's pixels: 17 for digits, 256 (8-bit) for the others."""
    return DATASET_LEVELS.get(dataset, EIGHT_BIT_LEVELS)


def _log_bin_volume(levels: int, dims: int) -> float:
    return dims * math.log(2.0 / (levels - 1))


def bits_per_dim(log_p, dims: int, levels: int):
    """``-log2 P / D`` of log-densities ``log_p`` on the [-1, 1] scale (nats per example).

    ``log P = log p + D log w``, ``w = 2 / (levels - 1)`` the width of a level's bin: the bins'
    probability under a density uniform within each bin, and the papers' bits/dim on 8-bit
    data (module doc: the Jacobian of the rescaling is the ``D log w``).

    Example: the uniform density on ``[-1 - 1/255, 1 + 1/255]^D`` (``log p = -D log(512/255)``)
    gives every 8-bit image ``P = 256^-D``: 8 bits per dimension.

    Args:
      log_p: a number or an array of per-example log-densities.
      dims: values per example (784 for 28×28 images).
      levels: grey levels (256 for 8-bit images, 17 for digits).
    Returns:
      float64 of the same shape as ``log_p``.
    """
    if int(levels) < 2 or int(dims) < 1:
        raise ValueError(f"bits_per_dim needs levels >= 2 and dims >= 1. Received: levels={levels!r}, dims={dims!r}")
    log_discrete = np.asarray(log_p, np.float64) + _log_bin_volume(int(levels), int(dims))
    return -log_discrete / (int(dims) * math.log(2.0))


def _as_values(output) -> np.ndarray:
    """A ``log_prob`` callable's output as float64 ``[N]``: an array, a tensor, or an export
    signature's dict (``{"log_prob": ...}``)."""
    if isinstance(output, dict):
        if "log_prob" not in output:
            raise ValueError(f"a log_prob signature returns {{'log_prob': [N]}}. Received: a dict with keys "
                             f"{sorted(output)}")
        output = output["log_prob"]
    return np.asarray(output, np.float64).reshape(-1)


def _batched(log_prob, x, batch_size):
    return np.concatenate([_as_values(log_prob(x[i:i + batch_size])) for i in range(0, len(x), batch_size)])


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
    return {"log_likelihood": mean, "log_likelihood_se": se, "bits_per_dim": float(bits_per_dim(mean, dims, levels))}


def images_log_prob(log_prob, x, levels: int, dequantize: bool, samples: int = 16, seed: int = 0,
                    batch_size: int = 512) -> np.ndarray:
    """Per-example log-density (nats, [-1, 1] scale) of images on their levels, as the
    exact-likelihood protocol measures it: a flow's (``dequantize=True``) by
    :func:`dequantized_log_prob` with ``samples`` draws, a model of the levels' (PixelCNN) or a
    bound's (VAE) as it is.  :func:`bits_per_dim` turns it into bits per dimension."""
    if dequantize:
        return dequantized_log_prob(log_prob, x, levels, samples=samples, seed=seed, batch_size=batch_size)
    return evaluate_log_prob(log_prob, x, batch_size)


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
    log_p = images_log_prob(log_prob, x_test, DIGIT_LEVELS, dequantize, samples=samples, seed=seed)
    return likelihood_summary(log_p, dims, DIGIT_LEVELS)


def fashion_mnist_log_likelihood(log_prob, dequantize: bool, samples: int = 1, seed: int = 0,
                                 split: str = "test", count: int | None = None, batch_size: int = 256) -> dict:
    """Log-likelihood of a Fashion-MNIST model on a split (the 10,000 test images by default):
    nats per image on the [-1, 1] scale and bits per dimension over the 256 levels, the papers'
    scale (module doc).

    Args:
      log_prob: ``x [N, 28, 28, 1] -> [N]`` (``model.log_prob`` or an export's ``log_prob``).
      dequantize: True for a density over dequantised values (flows; a VAE's bound), False
        for a model of the levels (PixelCNN).
      samples: dequantisation draws per image; 1 is the bound the papers report (Dinh et al.
        2017; Kingma & Dhariwal 2018).
      split: ``"test"`` or ``"train"``.
      count: the first ``count`` images of the split only (None: all); for costly estimates
        (a VAE's bound with k = 1000 runs its decoder k times per image).
    """
    from zoo.data.fashion_mnist import fashion_mnist_split

    if split not in ("train", "test"):
        raise ValueError(f"split must be 'train' or 'test'. Received: split={split!r}")
    x_train, _, x_test, _ = fashion_mnist_split()
    x = (x_test if split == "test" else x_train)[:count]
    dims = int(np.prod(x.shape[1:]))
    log_p = images_log_prob(log_prob, x, EIGHT_BIT_LEVELS, dequantize, samples=samples, seed=seed,
                            batch_size=batch_size)
    return likelihood_summary(log_p, dims, EIGHT_BIT_LEVELS)


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
