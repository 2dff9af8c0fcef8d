"""The Fashion-MNIST protocol: how good are generated 28×28 clothes?

    from zoo.metrics.fashion_mnist import evaluate_fashion_mnist, fashion_mnist_baselines
    x, _ = model.sample(10_000, seed)            # NHWC [-1, 1]
    evaluate_fashion_mnist(x)                    # {"fid": ..., "kid": ..., "precision": ..., ...}
    fashion_mnist_baselines()                    # {"train split": {...}, "gaussian": {...}}

Measures, against the 10,000 test images (never trained on), on the 128-d penultimate
features and the softmax of ``fashion-mnist-classifier`` (a CNN trained on the train split
only; ``python -m recipes.train fashion-mnist-classifier``), or of the ``classifier`` passed:

- ``fid``, ``kid``: 10,000 samples against the 10,000 test images (Heusel et al. 2017;
  Bińkowski et al. 2018, KID as the mean over 10 subsets of 1,000 a side);
- ``precision``, ``recall``: Kynkäänniemi et al. 2019, k = 3, 10,000 a side;
- ``class_coverage``: classes (of 10) some sample is assigned to with confidence > 0.9;
  ``class_kl``: KL of the predicted-class histogram from uniform; ``mean_confidence``: the
  classifier's mean top probability;
- ``parzen_ll``: mean log-likelihood (nats per image on the [-1, 1] scale) of the test images
  under a Gaussian KDE of the 10,000 samples, σ chosen on 10,000 held-out train images
  (Goodfellow et al. 2014; a poor estimator in 784 dimensions, Theis et al. 2016, reported
  because the papers report it);
- ``memorisation_ratio``: mean distance of 1,000 samples to their nearest train image over
  that of 1,000 test images (≈ 1 healthy, ≪ 1 copying).
"""
from __future__ import annotations

import functools
import math
import warnings

import numpy as np

from zoo.data.fashion_mnist import FASHION_MNIST_SHAPE, fashion_mnist_split
from zoo.metrics import features as F
from zoo.metrics.classifier import classify_with, load_classifier

CLASSIFIER_NAME = "fashion-mnist-classifier"
CLASSIFIER_RECIPE = "python -m recipes.train fashion-mnist-classifier"
SAMPLES = 10_000  # FID, KID, precision/recall, classes, Parzen centres
KID_SUBSETS, KID_SUBSET_SIZE = 10, 1_000
PR_NEIGHBOURS = 3
MEMORISATION_SAMPLES = 1_000
PARZEN_VALIDATION = 10_000  # held-out train images that choose σ
CONFIDENCE = 0.9
FASHION_DATASETS = ("fashion_mnist", "binarized_fashion_mnist")  # the card datasets this protocol measures
EVAL_SEED = 12345  # sampling seed of recipes and `zoo eval` (plus the run's seed)
METRICS = ("fid", "kid", "precision", "recall", "class_coverage", "class_kl", "mean_confidence", "parzen_ll",
           "memorisation_ratio")
PROTOCOL = ("Fashion-MNIST protocol (docs/protocols.md): FID, KID and precision/recall (k = 3) of 10,000 samples vs "
            "the 10,000 test images on the fashion-mnist-classifier's 128-d features; class coverage (confidence "
            "> 0.9), class KL and mean confidence of the 10,000; Parzen LL of the test images under a KDE of the "
            "10,000 (σ chosen on 10,000 held-out train images); memorisation ratio of 1,000")


def fashion_mnist_classifier():
    """The shipped classifier as ``x [N, 28, 28, 1] -> [features [N, 128], probabilities [N, 10]]``."""
    return load_classifier(CLASSIFIER_NAME, CLASSIFIER_RECIPE)


def classify(images, classifier=None) -> tuple[np.ndarray, np.ndarray]:
    """``(features, probabilities)`` of Fashion-MNIST images by ``classifier`` (default the shipped one)."""
    return classify_with(classifier or fashion_mnist_classifier(), images)


@functools.lru_cache(maxsize=1)
def parzen_split() -> tuple[np.ndarray, np.ndarray]:
    """``(fit, held_out)``: the train split in a fixed random order (seed 0), cut so the last
    10,000 images choose the Parzen σ."""
    x_train = fashion_mnist_split()[0]
    order = np.random.default_rng(0).permutation(len(x_train))
    return x_train[order[:-PARZEN_VALIDATION]], x_train[order[-PARZEN_VALIDATION:]]


@functools.lru_cache(maxsize=2)
def _test_features(classifier) -> np.ndarray:
    return classify(fashion_mnist_split()[2], classifier)[0]


def kid_subsets(features_a, features_b, subsets: int = KID_SUBSETS, size: int = KID_SUBSET_SIZE,
                seed: int = 0) -> float:
    """KID as Bińkowski et al. 2018 report it: the mean of the unbiased MMD² over ``subsets``
    random subsets of ``size`` rows a side (bounded memory for 10,000-row sets)."""
    rng = np.random.default_rng(seed)
    a, b = np.asarray(features_a), np.asarray(features_b)
    size = min(size, len(a), len(b))
    return float(np.mean([F.kid(a[rng.choice(len(a), size, replace=False)], b[rng.choice(len(b), size, replace=False)])
                          for _ in range(subsets)]))


def _measure(sample_set, parzen_centres, memorisation_set, classifier) -> dict:
    x_train, _, x_test, _ = fashion_mnist_split()
    features, probabilities = classify(sample_set, classifier)
    test_features = _test_features(classifier)
    precision, recall = F.precision_recall(test_features, features, PR_NEIGHBOURS)
    _, held_out = parzen_split()
    sigma, _ = F.select_parzen_sigma(held_out, parzen_centres)
    return {
        "fid": F.fid(features, test_features),
        "kid": kid_subsets(features, test_features),
        "precision": precision,
        "recall": recall,
        "class_coverage": F.class_coverage(probabilities, CONFIDENCE),
        "class_kl": F.class_kl(probabilities),
        "mean_confidence": float(probabilities.max(axis=1).mean()),
        "parzen_ll": F.parzen_log_likelihood(x_test, parzen_centres, sigma),
        "memorisation_ratio": F.memorisation_ratio(memorisation_set, x_train, x_test[:MEMORISATION_SAMPLES]),
    }


def _as_images(samples, seed: int) -> np.ndarray:
    if callable(samples):  # model.sample or Pretrained.sample: (n, seed) -> x or (x, z)
        samples = samples(SAMPLES, seed)
    if isinstance(samples, (tuple, list)):
        samples = samples[0]
    x = np.asarray(samples, dtype=np.float32)
    if x.ndim == 3:
        x = x[..., None]
    if x.ndim != 4 or tuple(x.shape[1:]) != FASHION_MNIST_SHAPE:
        raise ValueError(f"evaluate_fashion_mnist expects images of shape [N, 28, 28, 1] (NHWC, values in [-1, 1]). "
                         f"Received: shape={list(x.shape)}")
    if len(x) < SAMPLES:
        raise ValueError(f"evaluate_fashion_mnist needs {SAMPLES:,} samples (the protocol's set). "
                         f"Received: {len(x):,} samples")
    return x[:SAMPLES]


def evaluate_fashion_mnist(samples, seed: int = EVAL_SEED, classifier=None) -> dict:
    """Measure generated Fashion-MNIST images by the protocol (the module docstring lists it).

    Args:
      samples: 10,000 generated images ``[N, 28, 28, 1]`` in [-1, 1] (a tensor, an array, or
        the ``(x, z)`` pair that ``model.sample`` returns), or a function ``(n, seed) -> samples``.
      seed: the sampling seed when ``samples`` is a function.
      classifier: ``x -> [features, probabilities]``; default the shipped classifier.
    Returns:
      ``{metric: value}`` for :data:`METRICS`; every value NaN if the samples hold NaN or inf.
    """
    x = _as_images(samples, seed)
    if not np.all(np.isfinite(x)):
        warnings.warn("evaluate_fashion_mnist: the samples hold NaN or inf; every metric is NaN.", stacklevel=2)
        return {key: math.nan for key in METRICS}
    return _measure(x, x, x[:MEMORISATION_SAMPLES], classifier)


def label_accuracy(images, labels, classifier=None) -> dict:
    """How often the classifier calls an image drawn for label k "k": overall and per label."""
    labels = np.asarray(labels).reshape(-1)
    predicted = classify(images, classifier)[1].argmax(axis=1)
    correct = predicted == labels
    metrics = {"label_accuracy": float(correct.mean())}
    metrics.update({f"label_accuracy_{k}": float(correct[labels == k].mean()) for k in np.unique(labels)})
    return metrics


def gaussian_samples(n: int = SAMPLES, seed: int = 0) -> np.ndarray:
    """Draws of N(μ, Σ) fitted to the 784 pixels of the train split, clipped to [-1, 1]."""
    x_train = fashion_mnist_split()[0].reshape(-1, int(np.prod(FASHION_MNIST_SHAPE))).astype(np.float64)
    mean, cov = x_train.mean(axis=0), np.cov(x_train, rowvar=False)
    draws = np.random.default_rng(seed).multivariate_normal(mean, cov, size=n, method="eigh")
    return np.clip(draws, -1, 1).reshape(n, *FASHION_MNIST_SHAPE).astype(np.float32)


@functools.lru_cache(maxsize=2)
def _baselines(seed: int) -> dict:
    fit_part, _ = parzen_split()
    real = fit_part[np.random.default_rng(seed).choice(len(fit_part), SAMPLES, replace=False)]
    return {
        # Real train images as the "model" (never the held-out σ set): the floor of every measure.
        "train split": _measure(real, real, real[:MEMORISATION_SAMPLES], None),
        "gaussian": evaluate_fashion_mnist(gaussian_samples(SAMPLES, seed)),
    }


def fashion_mnist_baselines(seed: int = 0) -> dict:
    """The reference rows, measured like a model: ``"train split"`` (10,000 train images not in
    the σ set: the floor; its memorisation ratio is 0 by construction, they *are* train
    images) and ``"gaussian"`` (a Gaussian fitted to the train pixels: every model should beat it)."""
    return {name: dict(row) for name, row in _baselines(seed).items()}


baselines = fashion_mnist_baselines  # the name `zoo eval` asks every protocol for


def evaluate_export(name: str, seeds: int = 1, keras_model: bool = False) -> dict:
    """Measure a Fashion-MNIST export through its SavedModel over ``seeds`` sampling seeds
    (``zoo eval``), or with ``keras_model`` through the Keras model saved beside it (``zoo eval
    --keras``: ``zoo.exports.pretrained.load_sampler``); conditional exports draw balanced labels
    and add the label accuracy.  Returns ``{metric: {"mean", "se", "per_seed", "source"}}``."""
    from zoo.exports.pretrained import load_sampler
    from zoo.metrics.mixtures import summarize

    if isinstance(seeds, bool) or not isinstance(seeds, int) or seeds < 1:
        raise ValueError(f"seeds must be a positive integer. Received: seeds={seeds!r}")
    card, sample = load_sampler(name, keras_model)
    # Binary-unit models (NADE, GSN) of the binarised images have no latent code but sample.
    if card.dataset not in FASHION_DATASETS or card.family == "classifier" or "sample" not in card.signatures:
        raise ValueError(f"the Fashion-MNIST protocol measures generative models trained on fashion_mnist; "
                         f"{card.name!r} is a {card.family!r} model of {card.dataset!r}. Received: name={name!r}")
    runs = []
    for s in range(seeds):
        if card.conditioning:
            labels = np.arange(SAMPLES, dtype=np.int32) % card.conditioning["num_classes"]
            x = sample(SAMPLES, EVAL_SEED + s, labels)
            runs.append({**evaluate_fashion_mnist(x), **label_accuracy(x, labels)})
        else:
            runs.append(evaluate_fashion_mnist(sample(SAMPLES, EVAL_SEED + s)))
    through = " --keras: the export's model.keras" if keras_model else ": the export"
    source = f"zoo eval {card.name} --seeds {seeds}{through}, sampling seeds {EVAL_SEED}..{EVAL_SEED + seeds - 1}"
    return {key: {**value, "source": source} for key, value in summarize(runs).items()}
