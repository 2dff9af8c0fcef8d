"""What a likelihood says about data it was not trained on, and a correction.

The finding (Nalisnick, Matsukawa, Teh, Gorur & Lakshminarayanan, ICLR 2019, "Do deep
generative models know what they don't know?", arXiv:1810.09136): flows, VAEs and PixelCNNs
trained on Fashion-MNIST give MNIST digits a *higher* likelihood than Fashion-MNIST's own test
images, so ``log p(x)`` used as an in-distribution score ranks MNIST above Fashion-MNIST (an
AUROC far below 0.5).

The correction shipped (Nalisnick, Matsukawa, Teh & Lakshminarayanan 2019, "Detecting
out-of-distribution inputs to deep generative models using typicality", arXiv:1906.02994): a
model's samples, and its training data, lie in its *typical set*, where ``-log p(x)`` is close
to the entropy ``H``, not where ``p`` is highest.  The test statistic for a batch of M inputs is

    score = | -1/M Σ_m log p(x_m) - Ĥ |,        Ĥ = mean of -log p over training images

large = out of distribution, in both directions (MNIST's too-high likelihood is as atypical
as noise's too-low one).  M = 1 scores single images.

Every function here takes per-image numbers (a ``log_prob`` callable or its output), so it
works for an in-memory model, an export's ``log_prob`` or any other density.

AUROC convention: an in-distribution score (higher = "looks like training data"); positives
are Fashion-MNIST test images, negatives MNIST digits.  For ``log p`` the score is ``log p``;
for the typicality test it is ``-score``.  0.5 is chance, 1 perfect, near 0 ranked backwards.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from zoo.metrics.likelihood import DEQUANTIZED_FAMILIES, EIGHT_BIT_LEVELS, bits_per_dim, images_log_prob

TRAIN_IMAGES = 10_000  # the fixed subset of Fashion-MNIST train that Ĥ and the train bits/dim use
TRAIN_SUBSET_SEED = 0
BATCH_SEED = 0  # the fixed grouping of images into batches of M for the batch AUROC
BATCH_SIZES = (1, 10)  # M of the typicality test reported in the table (M = 1: single images)
DEQUANTIZATION_SEED = 0  # flows: the one dequantisation draw per image (zoo.metrics.likelihood)
# Card metrics that hold the typicality test's statistics (nats per image, the [-1, 1] scale of
# log_prob), written by `python benchmarks/ood.py NAME --write`.
CARD_KEYS = ("ood_typical_nll", "ood_typical_nll_std", "ood_typical_nll_images")


# ------------------------------------------------------------------ pure measures
def average_ranks(values) -> np.ndarray:
    """Ranks 1..N of ``values`` (float64), ties given the mean of the ranks they share."""
    values = np.asarray(values, np.float64)
    order = np.argsort(values, kind="mergesort")
    sorted_values = values[order]
    # first index of each run of equal values, and the run it belongs to
    starts = np.flatnonzero(np.r_[True, sorted_values[1:] != sorted_values[:-1]])
    ends = np.r_[starts[1:], len(values)]
    run_rank = (starts + ends + 1) / 2.0  # mean of the ranks starts+1 .. ends
    ranks = np.empty(len(values))
    ranks[order] = np.repeat(run_rank, ends - starts)
    return ranks


def auroc(positive, negative) -> float:
    """Area under the ROC curve of a score that should be higher on ``positive`` than on ``negative``.

    From ranks (the Mann-Whitney U statistic over ``n₊ n₋``): the probability that a random
    positive scores above a random negative, ties counting one half.

        AUROC = (R₊ - n₊ (n₊ + 1) / 2) / (n₊ n₋),    R₊ = sum of the positives' ranks among all
    """
    positive, negative = np.asarray(positive, np.float64).ravel(), np.asarray(negative, np.float64).ravel()
    if len(positive) == 0 or len(negative) == 0:
        raise ValueError(f"auroc needs at least one positive and one negative score. Received: "
                         f"{len(positive)} positive, {len(negative)} negative")
    if not (np.isfinite(positive).all() and np.isfinite(negative).all()):
        raise ValueError("auroc needs finite scores. Received: NaN or Inf among them")
    ranks = average_ranks(np.concatenate([positive, negative]))
    n_pos, n_neg = len(positive), len(negative)
    return float((ranks[:n_pos].sum() - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg))


def typicality_statistics(train_nll) -> dict:
    """Ĥ, the mean of ``-log p`` over training images, with its spread: the card's ``CARD_KEYS``."""
    train_nll = np.asarray(train_nll, np.float64).ravel()
    if len(train_nll) < 2 or not np.isfinite(train_nll).all():
        raise ValueError(f"the typicality statistics need at least 2 finite training NLLs. Received: "
                         f"{len(train_nll)} values, {int((~np.isfinite(train_nll)).sum())} not finite")
    return {"ood_typical_nll": float(train_nll.mean()), "ood_typical_nll_std": float(train_nll.std(ddof=1)),
            "ood_typical_nll_images": int(len(train_nll))}


def typicality_score(nll, typical_nll: float, batch_size: int = 1) -> np.ndarray:
    """``|mean of nll over a batch of M - Ĥ|`` per batch (Nalisnick et al. 2019b); large =
    out of distribution.

    Args:
      nll: ``-log p(x)`` per image (on the scale Ĥ was measured on).
      typical_nll: Ĥ, the mean ``-log p`` of training images (:func:`typicality_statistics`).
      batch_size: M; the images are scored in consecutive groups of M (``len(nll)`` a multiple
        of M), one score per group.  M = 1 scores every image.
    """
    nll = np.asarray(nll, np.float64).ravel()
    m = int(batch_size)
    if m < 1 or len(nll) % m:
        raise ValueError(f"typicality_score scores images in groups of batch_size M >= 1; the number of images must "
                         f"be a multiple of M. Received: batch_size={batch_size}, {len(nll)} images")
    return np.abs(nll.reshape(-1, m).mean(axis=1) - float(typical_nll))


def shuffled_for_batches(values, batch_size: int, seed: int = BATCH_SEED) -> np.ndarray:
    """``values`` in a fixed random order (``seed``), the last ``N mod M`` left out: batches of M for
    the batch AUROC are then its consecutive groups."""
    values = np.asarray(values, np.float64).ravel()
    if not 1 <= int(batch_size) <= len(values):
        raise ValueError(f"batch_size must be between 1 and the number of images ({len(values)}). "
                         f"Received: batch_size={batch_size}")
    if int(batch_size) == 1:
        return values
    usable = len(values) // int(batch_size) * int(batch_size)
    return values[np.random.default_rng(seed).permutation(len(values))][:usable]


# ------------------------------------------------------------------ the data
def fixed_subset(x, n: int | None, seed: int, what: str) -> np.ndarray:
    """``n`` rows of ``x`` drawn once without replacement (``seed``), in their order; all of ``x`` for None."""
    if n is None:
        return np.asarray(x)
    if not 2 <= int(n) <= len(x):
        raise ValueError(f"{what} must be between 2 and {len(x):,}. Received: {what}={n}")
    return np.asarray(x[np.sort(np.random.default_rng(seed).choice(len(x), int(n), replace=False))])


def ood_sets(train_images: int = TRAIN_IMAGES, images: int | None = None, seed: int = TRAIN_SUBSET_SEED) -> dict:
    """The three image sets of the test, NHWC float32 in [-1, 1]: ``train_images`` Fashion-MNIST
    train images (a fixed random subset), the 10,000 Fashion-MNIST test images and the MNIST digits
    (``zoo.data.mnist``); with ``images``, a fixed random subset of that many of each of the last two
    (for models whose ``log_prob`` is costly, such as a VAE's IWAE bound)."""
    from zoo.data.fashion_mnist import fashion_mnist_split
    from zoo.data.mnist import mnist_digits

    x_train, _, x_test, _ = fashion_mnist_split()
    return {"fashion_train": fixed_subset(x_train, int(train_images), seed, "train_images"),
            "fashion_test": fixed_subset(x_test, images, seed, "images"),
            "mnist": fixed_subset(mnist_digits().x, images, seed, "images")}


def image_log_density(log_prob, x, family: str, levels: int = EIGHT_BIT_LEVELS, batch_size: int = 250) -> np.ndarray:
    """``log p(x)`` per image (float64, nats on the [-1, 1] scale) as the likelihood protocol measures it:
    a flow's (``family`` in ``DEQUANTIZED_FAMILIES``) at one uniform dequantisation draw per image
    (``DEQUANTIZATION_SEED``), the bound the papers report; a model of the levels' (PixelCNN) as it is.
    Ĥ and every score use this one estimator, so they are on the same scale."""
    return images_log_prob(log_prob, np.asarray(x, np.float32), levels, family in DEQUANTIZED_FAMILIES, samples=1,
                           seed=DEQUANTIZATION_SEED, batch_size=batch_size)


def export_log_density(model, x) -> np.ndarray:
    """:func:`image_log_density` of a loaded export (``zoo.load``): its family and its data's levels."""
    from zoo.metrics.likelihood import dataset_levels

    return image_log_density(model.log_prob, x, model.card.family, dataset_levels(model.card.dataset))


def ood_summary(nll: dict, dims: int = 784, levels: int = EIGHT_BIT_LEVELS, batch_sizes=BATCH_SIZES) -> dict:
    """The table's numbers from per-image NLLs (nats on the [-1, 1] scale, :func:`image_log_density`).

    Args:
      nll: ``{"fashion_train", "fashion_test", "mnist"}`` -> ``-log p`` per image.
      dims: values per image (784).
      levels: grey levels (256): bits/dim are ``-log2 P / D`` of the levels' probabilities.
      batch_sizes: the M of the typicality test.
    Returns:
      ``bits_per_dim`` (mean per set), ``auroc_log_p``, ``auroc_typicality`` (per M) and the
      typicality statistics of the train subset (``CARD_KEYS``).
    """
    stats = typicality_statistics(nll["fashion_train"])
    typical = stats["ood_typical_nll"]
    positive, negative = nll["fashion_test"], nll["mnist"]
    return {
        "bits_per_dim": {name: float(bits_per_dim(-values, dims, levels).mean()) for name, values in nll.items()},
        "images": {name: int(len(values)) for name, values in nll.items()},
        "auroc_log_p": auroc(-positive, -negative),
        "auroc_typicality": {int(m): auroc(-typicality_score(shuffled_for_batches(positive, m), typical, m),
                                           -typicality_score(shuffled_for_batches(negative, m), typical, m))
                             for m in batch_sizes},
        **stats,
    }


def card_statistics(card) -> dict:
    """The typicality statistics an export's card holds (``CARD_KEYS``); a clear error without them."""
    metrics = getattr(card, "metrics", None) or {}
    missing = [key for key in CARD_KEYS if key not in metrics]
    if missing:
        raise LookupError(
            f"{card.name!r} has no typicality statistics in its card (missing {', '.join(missing)}). Measure and "
            f"store them from a checkout with `python benchmarks/ood.py {card.name} --write` (its Fashion-MNIST "
            f"train subset), or pass typical_nll= (the mean -log_prob of {TRAIN_IMAGES:,} training images).")
    return {key: metrics[key] for key in CARD_KEYS}


# ------------------------------------------------------------------ the picture
def histogram_png(bits: dict, path, title: str = "", typical_bits: float | None = None) -> Path:
    """Overlaid histograms of bits/dim per image, one per set (``{"label": values}``), with the
    typical value Ĥ (in bits/dim) as a dashed line when given."""
    from zoo.plotting import _pyplot

    plt = _pyplot()
    values = [np.asarray(v, np.float64) for v in bits.values()]
    low, high = np.percentile(np.concatenate(values), [0.2, 99.8])
    edges = np.linspace(low, high, 80)
    fig, ax = plt.subplots(figsize=(6.4, 3.8), dpi=100)
    for (label, v), color in zip(bits.items(), ("tab:blue", "tab:green", "tab:red", "tab:purple")):
        ax.hist(np.clip(v, low, high), bins=edges, density=True, histtype="stepfilled", alpha=0.35, color=color,
                label=f"{label} (mean {v.mean():.3f})")
    if typical_bits is not None:
        ax.axvline(typical_bits, color="black", linestyle="--", linewidth=1,
                   label=rf"$\hat H$, the train mean ({typical_bits:.3f})")
    ax.set_xlabel("bits per dimension (lower = more likely)")
    ax.set_ylabel("density")
    ax.legend(fontsize=8)
    if title:
        ax.set_title(title, fontsize=9)
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path)
    plt.close(fig)
    return path
