"""Sample-quality measures as pure NumPy functions: FID, KID, Parzen log-likelihood, class
coverage, nearest-neighbour distances.

They take arrays (features, flattened images, class probabilities) and know nothing of the
model or the dataset, so they serve any protocol; ``zoo.metrics.digits`` composes them into
the digits protocol (docs/protocols.md).
"""
from __future__ import annotations

import math

import numpy as np


def _matrix(x, what: str) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    if x.ndim < 2:
        raise ValueError(f"{what} must be an array of shape [N, ...] with N >= 2. Received: shape={list(x.shape)}")
    x = x.reshape(len(x), -1)
    if len(x) < 2:
        raise ValueError(f"{what} must hold at least 2 rows. Received: shape={list(x.shape)}")
    return x


# --------------------------------------------------------------------------- FID
def frechet_distance(mu1, sigma1, mu2, sigma2) -> float:
    """Fréchet distance between the Gaussians N(mu1, sigma1) and N(mu2, sigma2).

    Heusel et al. 2017, "GANs Trained by a Two Time-Scale Update Rule Converge to a Local
    Nash Equilibrium", eq. 6 (https://arxiv.org/abs/1706.08500)::

        d² = ‖μ₁ − μ₂‖² + tr(Σ₁ + Σ₂ − 2 (Σ₁ Σ₂)^{1/2})

    ``tr (Σ₁Σ₂)^{1/2}`` is computed as ``Σ √λ`` over the eigenvalues of the symmetric PSD
    matrix ``Σ₁^{1/2} Σ₂ Σ₁^{1/2}`` (same spectrum as ``Σ₁Σ₂``): unlike ``scipy.linalg.sqrtm``
    of the non-symmetric product it neither returns complex parts nor fails on the singular
    covariances that dead ReLU features give.
    """
    mu1, mu2 = np.asarray(mu1, np.float64), np.asarray(mu2, np.float64)
    sigma1, sigma2 = np.asarray(sigma1, np.float64), np.asarray(sigma2, np.float64)
    eigenvalues, eigenvectors = np.linalg.eigh(sigma1)
    sqrt_sigma1 = (eigenvectors * np.sqrt(np.clip(eigenvalues, 0, None))) @ eigenvectors.T
    product = sqrt_sigma1 @ sigma2 @ sqrt_sigma1
    trace_sqrt = np.sqrt(np.clip(np.linalg.eigvalsh((product + product.T) / 2), 0, None)).sum()
    distance = np.sum((mu1 - mu2) ** 2) + np.trace(sigma1) + np.trace(sigma2) - 2 * trace_sqrt
    return float(max(distance, 0.0))  # rounding can leave -1e-12 for identical sets


def fid(features_a, features_b) -> float:
    """Fréchet Inception Distance between two sets of features ``[N, D]`` and ``[M, D]``.

    The Gaussians are fitted by sample mean and (unbiased) covariance; see
    :func:`frechet_distance`.  The zoo uses its digits classifier's penultimate features in
    place of Inception's (the digits protocol).
    """
    a, b = _matrix(features_a, "features_a"), _matrix(features_b, "features_b")
    if a.shape[1] != b.shape[1]:
        raise ValueError(f"fid needs features of the same width. Received: shapes {list(a.shape)} and {list(b.shape)}")
    return frechet_distance(a.mean(0), np.cov(a, rowvar=False), b.mean(0), np.cov(b, rowvar=False))


# --------------------------------------------------------------------------- KID
def polynomial_kernel(x, y, degree: int = 3, gamma: float | None = None, coef0: float = 1.0) -> np.ndarray:
    """``k(x, y) = (γ xᵀy + c)^d`` with KID's defaults γ = 1/D, c = 1, d = 3."""
    gamma = 1.0 / x.shape[1] if gamma is None else gamma
    return (gamma * x @ y.T + coef0) ** degree


def kid(features_a, features_b, degree: int = 3) -> float:
    """Kernel Inception Distance: the unbiased estimate of MMD² with a cubic polynomial kernel.

    Bińkowski et al. 2018, "Demystifying MMD GANs", §4 (https://arxiv.org/abs/1801.01401)::

        MMD²_u = 1/(m(m−1)) Σ_{i≠j} k(xᵢ, xⱼ) + 1/(n(n−1)) Σ_{i≠j} k(yᵢ, yⱼ) − 2/(mn) Σ_{i,j} k(xᵢ, yⱼ)

    with ``k(x, y) = (xᵀy / D + 1)³``.  The diagonal terms are left out of the within-set
    sums, which makes the estimate unbiased: its expectation is 0 for two draws of one
    distribution, so (unlike FID) a single value can be negative.  The paper averages over
    subsets of 1,000 to bound memory; the digits sets are small enough to use whole.
    """
    x, y = _matrix(features_a, "features_a"), _matrix(features_b, "features_b")
    if x.shape[1] != y.shape[1]:
        raise ValueError(f"kid needs features of the same width. Received: shapes {list(x.shape)} and {list(y.shape)}")
    m, n = len(x), len(y)
    k_xx = polynomial_kernel(x, x, degree)
    k_yy = polynomial_kernel(y, y, degree)
    k_xy = polynomial_kernel(x, y, degree)
    term_xx = (k_xx.sum() - np.trace(k_xx)) / (m * (m - 1))
    term_yy = (k_yy.sum() - np.trace(k_yy)) / (n * (n - 1))
    return float(term_xx + term_yy - 2 * k_xy.mean())


# --------------------------------------------------------------------------- Parzen
def squared_distances(x, y, batch_size: int = 2048) -> np.ndarray:
    """``[N, M]`` squared Euclidean distances between the rows of ``x`` and ``y`` (float64)."""
    x, y = np.asarray(x, np.float64).reshape(len(x), -1), np.asarray(y, np.float64).reshape(len(y), -1)
    y_norms = np.sum(y**2, axis=1)
    out = np.empty((len(x), len(y)))
    for start in range(0, len(x), batch_size):
        block = x[start:start + batch_size]
        # ‖x − y‖² = ‖x‖² − 2xᵀy + ‖y‖²; clip the tiny negatives that cancellation leaves
        out[start:start + batch_size] = np.clip(
            np.sum(block**2, axis=1)[:, None] - 2 * block @ y.T + y_norms[None, :], 0, None)
    return out


def parzen_log_likelihood_from_distances(sq_distances, sigma: float, dim: int) -> float:
    """Mean log-density of the rows behind ``sq_distances [N, M]`` under the Gaussian KDE of
    the M centres with bandwidth ``sigma`` in ``dim`` dimensions (see :func:`parzen_log_likelihood`)."""
    sq_distances = np.asarray(sq_distances, np.float64)
    return _parzen_from_shifted(sq_distances - sq_distances.min(axis=1, keepdims=True),
                                sq_distances.min(axis=1), sigma, dim)


def _parzen_from_shifted(shifted, nearest, sigma: float, dim: int) -> float:
    # logsumexp by hand: with the nearest centre's term factored out, every exponent is <= 0
    # and the sum >= 1, so nothing under- or overflows; `shifted` is reused across a σ grid.
    num_centres = shifted.shape[1]
    scale = 1.0 / (2 * sigma**2)
    log_sum = np.log(np.exp(shifted * -scale).sum(axis=1)) - nearest * scale
    log_density = log_sum - math.log(num_centres) - 0.5 * dim * math.log(2 * math.pi * sigma**2)
    return float(log_density.mean())


def parzen_log_likelihood(x, samples, sigma: float) -> float:
    """Mean log-likelihood of ``x`` under a Gaussian Parzen window (KDE) on ``samples``.

    Breuleux et al. 2011, as used by Goodfellow et al. 2014 (GAN, Table 1) and Nowozin et
    al. 2016 (f-GAN, Table 4)::

        log p(x) = log (1/M) Σ_j N(x; s_j, σ² I)
                 = logsumexp_j(−‖x − s_j‖² / 2σ²) − log M − (D/2) log(2πσ²)

    averaged over the rows of ``x`` (nats per example; images are flattened to D values).
    The estimate is known to be poor in high dimension (Theis et al. 2016); it is reported
    because the papers report it.
    """
    x, samples = np.asarray(x), np.asarray(samples)
    dim = int(np.prod(x.shape[1:]))
    if int(np.prod(samples.shape[1:])) != dim:
        raise ValueError(f"parzen_log_likelihood needs x and samples of the same size per row. "
                         f"Received: shapes {list(x.shape)} and {list(samples.shape)}")
    if not sigma > 0:
        raise ValueError(f"sigma must be positive. Received: sigma={sigma}")
    return parzen_log_likelihood_from_distances(squared_distances(x, samples), sigma, dim)


def select_parzen_sigma(validation, samples, sigmas=None) -> tuple[float, float]:
    """The bandwidth of the grid ``sigmas`` that maximises the validation log-likelihood.

    Goodfellow et al. 2014, §5: "The σ parameter of the Gaussians was obtained by cross
    validation on the validation set."  Returns ``(sigma, validation_log_likelihood)``.
    """
    validation, samples = np.asarray(validation), np.asarray(samples)
    sigmas = np.geomspace(0.05, 2.0, 25) if sigmas is None else np.asarray(sigmas, np.float64)
    sq = squared_distances(validation, samples)  # computed once, reused for every σ
    nearest = sq.min(axis=1)
    shifted = sq - nearest[:, None]
    dim = int(np.prod(validation.shape[1:]))
    scores = [_parzen_from_shifted(shifted, nearest, s, dim) for s in sigmas]
    best = int(np.argmax(scores))
    return float(sigmas[best]), float(scores[best])


# --------------------------------------------------------------------------- classes
def class_coverage(probabilities, threshold: float = 0.9) -> int:
    """How many classes at least one sample is assigned to with confidence > ``threshold``."""
    p = np.asarray(probabilities)
    confident = p.max(axis=1) > threshold
    return int(np.unique(p[confident].argmax(axis=1)).size)


def class_kl(probabilities) -> float:
    """``KL(q ‖ u) = Σ_k q_k log(K q_k)``: the predicted-class histogram ``q`` (argmax over
    all samples) against the uniform ``u`` over the K classes; 0 when every class is
    predicted equally often, ``log K`` when all samples fall in one class."""
    p = np.asarray(probabilities)
    num_classes = p.shape[1]
    q = np.bincount(p.argmax(axis=1), minlength=num_classes) / len(p)
    nonzero = q > 0
    return float(np.sum(q[nonzero] * np.log(num_classes * q[nonzero])))


# --------------------------------------------------------------------------- memorisation
def nearest_neighbour_distances(x, reference) -> np.ndarray:
    """Euclidean distance from every row of ``x`` to its nearest row of ``reference``."""
    return np.sqrt(squared_distances(x, reference).min(axis=1))


def memorisation_ratio(samples, train, test) -> float:
    """Mean nearest-training-image distance of ``samples`` over that of the ``test`` split.

    About 1: samples are as far from the training images as unseen real images are.  Well
    below 1: the model copies training images.  Above 1: samples lie off the data (blurry
    or broken) or are novel beyond what real data would be.
    """
    return float(nearest_neighbour_distances(samples, train).mean()
                 / nearest_neighbour_distances(test, train).mean())


# --------------------------------------------------------------------------- precision / recall
def _kth_neighbour_radii(features, k: int, batch_size: int = 2048) -> np.ndarray:
    """Distance from every row to its k-th nearest other row of the same set."""
    radii = np.empty(len(features))
    for start in range(0, len(features), batch_size):
        block = squared_distances(features[start:start + batch_size], features)
        # column k of the sorted row: column 0 is the row itself (distance 0)
        radii[start:start + batch_size] = np.sqrt(np.partition(block, k, axis=1)[:, k])
    return radii


def _inside_any_ball(points, centres, radii, batch_size: int = 2048) -> np.ndarray:
    """Whether each point lies within ``radii[j]`` of some ``centres[j]``."""
    inside = np.empty(len(points), bool)
    for start in range(0, len(points), batch_size):
        distances = np.sqrt(squared_distances(points[start:start + batch_size], centres))
        inside[start:start + batch_size] = np.any(distances <= radii[None, :], axis=1)
    return inside


def precision_recall(real_features, fake_features, k: int = 3) -> tuple[float, float]:
    """Improved precision and recall of generated samples (Kynkäänniemi et al. 2019,
    arXiv:1904.06991, §2, eq. 1-2).

    Each set's manifold is the union of balls around its points, each ball reaching the
    point's k-th nearest neighbour in its own set.  Precision: the share of generated
    samples inside the real manifold (are the samples realistic?); recall: the share of real
    images inside the generated manifold (does the model cover the data?).
    Returns ``(precision, recall)``.
    """
    real, fake = _matrix(real_features, "real_features"), _matrix(fake_features, "fake_features")
    if real.shape[1] != fake.shape[1]:
        raise ValueError(f"precision_recall needs features of the same width. Received: shapes "
                         f"{list(real.shape)} and {list(fake.shape)}")
    if not 1 <= k < min(len(real), len(fake)):
        raise ValueError(f"k must be at least 1 and below the size of each set. Received: k={k}")
    precision = _inside_any_ball(fake, real, _kth_neighbour_radii(real, k)).mean()
    recall = _inside_any_ball(real, fake, _kth_neighbour_radii(fake, k)).mean()
    return float(precision), float(recall)
