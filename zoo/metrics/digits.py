"""The digits protocol (docs/protocols.md): how good are generated 8×8 digits?

    from zoo.metrics import evaluate_digits, digits_baselines
    x, _ = model.sample(10_000, seed)            # NHWC [-1, 1]
    evaluate_digits(x)                            # {"fid": ..., "kid": ..., ...}
    digits_baselines()                            # {"test split": {...}, "gaussian": {...}}

Measures (all against the fixed split of ``zoo.data.digits_split``):

- ``fid``, ``kid``: between the first 1,000 samples and the 360 test images, on the 64-d
  penultimate features of the digits classifier (``exports/digits-classifier``, trained
  on the train split only by ``python -m recipes.train digits-classifier``);
- ``class_coverage``: classes (out of 10) that at least one of the 1,000 samples is
  assigned to with confidence > 0.9; ``class_kl``: KL of their predicted-class histogram
  from uniform;
- ``parzen_ll``: mean log-likelihood (nats per image, pixels in [-1, 1]) of the test split
  under a Gaussian KDE of the 10,000 samples, σ chosen on a held-out fifth of the train
  split (Goodfellow et al. 2014);
- ``memorisation_ratio``: mean distance of the 1,000 samples to their nearest training
  image over the test split's own (≈ 1 healthy, ≪ 1 copying).
"""
from __future__ import annotations

import functools
import math
import warnings

import numpy as np

from zoo.data.digits import DIGITS_SHAPE, digits_split
from zoo.metrics import features as F
from zoo.metrics.classifier import classify_with, load_classifier

CLASSIFIER_NAME = "digits-classifier"
CLASSIFIER_RECIPE = "python -m recipes.train digits-classifier"
FEATURE_SAMPLES = 1_000  # FID, KID, class coverage, memorisation
PARZEN_SAMPLES = 10_000  # KDE centres
CONFIDENCE = 0.9
EVAL_SEED = 12345  # sampling seed of recipes and `zoo eval` (plus the run's seed)
METRICS = ("fid", "kid", "class_coverage", "class_kl", "parzen_ll", "memorisation_ratio")
PROTOCOL = ("the digits protocol: FID/KID of 1,000 samples vs the 360-image test split on the "
            "digits-classifier features; class coverage (confidence > 0.9) and class KL of those "
            "1,000; Parzen LL of the test split under a KDE of 10,000 samples (σ chosen on a "
            "held-out fifth of the train split); memorisation ratio of the 1,000")


# --------------------------------------------------------------------------- classifier
def digits_classifier():
    """The shipped digits classifier (sha256-verified, cached in-process).

    Returns a Keras model ``x [N, 8, 8, 1] in [-1, 1] -> [features [N, 64], probabilities [N, 10]]``.
    """
    return load_classifier(CLASSIFIER_NAME, CLASSIFIER_RECIPE)


def classify(images, classifier=None) -> tuple[np.ndarray, np.ndarray]:
    """``(features [N, 64], probabilities [N, 10])`` of digit images by ``classifier`` (default
    the shipped one)."""
    return classify_with(classifier or digits_classifier(), images)


def label_kept(images, labels, classifier=None) -> float:
    """Fraction of ``images`` the digits classifier (``classifier``, default the shipped one)
    calls ``labels``.

    On reconstructions of labelled test digits it asks whether ``decode(encode(x))`` is still
    the same digit, which the pixel error does not measure: ALI's paper shows reconstructions
    that keep what a digit is rather than its pixels (Dumoulin et al. 2017, arXiv:1606.00704,
    §4), and ALICE (Li et al. 2017, arXiv:1709.01215, §2) proves that the joint-matching game
    has optima whose ``G(E(x))`` is far from ``x``.
    """
    predicted = classify(images, classifier)[1].argmax(axis=1)
    return float(np.mean(predicted == np.asarray(labels).reshape(-1)))


@functools.lru_cache(maxsize=2)
def _test_features(classifier) -> np.ndarray:
    return classify(digits_split()[2], classifier)[0]


def classifier_accuracy(classifier=None) -> float:
    """Accuracy of ``classifier`` (default the shipped one) on the test split."""
    _, _, x_test, y_test = digits_split()
    return float(np.mean(classify(x_test, classifier)[1].argmax(axis=1) == y_test))


@functools.lru_cache(maxsize=1)
def parzen_split() -> tuple[np.ndarray, np.ndarray]:
    """``(fit, held_out)``: the train split cut 80/20 (stratified, ``random_state=0``); the
    held-out fifth chooses the Parzen σ."""
    from sklearn.model_selection import train_test_split

    x_train, y_train, _, _ = digits_split()
    fit, held_out = train_test_split(x_train, test_size=0.2, stratify=y_train, random_state=0)
    return fit, held_out


# --------------------------------------------------------------------------- protocol
def _as_images(samples, num_samples: int, seed: int) -> np.ndarray:
    if callable(samples):  # model.sample or Pretrained.sample: (n, seed) -> x or (x, z)
        samples = samples(num_samples, seed)
    if isinstance(samples, (tuple, list)):
        samples = samples[0]
    x = np.asarray(samples, dtype=np.float32)
    if x.ndim == 2 and x.shape[1] == int(np.prod(DIGITS_SHAPE)):
        x = x.reshape(-1, *DIGITS_SHAPE)
    if x.ndim != 4 or tuple(x.shape[1:]) != DIGITS_SHAPE:
        raise ValueError(f"evaluate_digits expects digit images of shape [N, 8, 8, 1] (NHWC, values in "
                         f"[-1, 1]). Received: shape={list(x.shape)}")
    if len(x) < FEATURE_SAMPLES:
        raise ValueError(f"evaluate_digits needs at least {FEATURE_SAMPLES:,} samples (the protocol's FID "
                         f"set) and uses up to num_samples={num_samples:,} for the Parzen estimate. "
                         f"Received: {len(x):,} samples")
    return x


def _measure(feature_set, parzen_centres, memorisation_set, classifier=None) -> dict:
    x_train, _, x_test, _ = digits_split()
    features, probabilities = classify(feature_set, classifier)
    test_features = _test_features(classifier)
    _, held_out = parzen_split()
    sigma, _ = F.select_parzen_sigma(held_out, parzen_centres)
    return {
        "fid": F.fid(features, test_features),
        "kid": F.kid(features, test_features),
        "class_coverage": F.class_coverage(probabilities, CONFIDENCE),
        "class_kl": F.class_kl(probabilities),
        "parzen_ll": F.parzen_log_likelihood(x_test, parzen_centres, sigma),
        "memorisation_ratio": F.memorisation_ratio(memorisation_set, x_train, x_test),
    }


def evaluate_digits(samples, num_samples: int = PARZEN_SAMPLES, seed: int = EVAL_SEED, classifier=None) -> dict:
    """Measure generated digits by the protocol of the digits protocol.

    Args:
      samples: generated images ``[N, 8, 8, 1]`` in [-1, 1] with N >= 1,000 (a tensor, an
        array, or the ``(x, z)`` pair that ``model.sample`` returns), or a function
        ``(n, seed) -> samples`` such as ``model.sample`` / ``Pretrained.sample``.
      num_samples: the Parzen KDE uses the first ``num_samples`` (10,000 by the protocol);
        FID, KID, class coverage and memorisation the first 1,000.
      seed: the sampling seed when ``samples`` is a function.
      classifier: ``x -> [features, probabilities]``, the feature network; default the
        shipped digits classifier.
    Returns:
      ``{"fid", "kid", "class_coverage", "class_kl", "parzen_ll", "memorisation_ratio"}``;
      every value NaN if the samples hold NaN or inf (a diverged model).

    Example::

        x, _ = model.sample(10_000, seed)
        evaluate_digits(x)   # or evaluate_digits(model.sample, seed=seed)
    """
    x = _as_images(samples, num_samples, seed)
    if not np.all(np.isfinite(x)):
        warnings.warn("evaluate_digits: the samples hold NaN or inf; every metric is NaN.", stacklevel=2)
        return {key: math.nan for key in METRICS}
    return _measure(x[:FEATURE_SAMPLES], x[:num_samples], x[:FEATURE_SAMPLES], classifier)


def gaussian_samples(n: int = PARZEN_SAMPLES, seed: int = 0) -> np.ndarray:
    """Draws of N(μ, Σ) fitted (mean, covariance) to the 64 pixels of the train split."""
    x_train = digits_split()[0].reshape(-1, int(np.prod(DIGITS_SHAPE))).astype(np.float64)
    mean, cov = x_train.mean(axis=0), np.cov(x_train, rowvar=False)
    # "eigh": the covariance is singular (border pixels are always blank)
    draws = np.random.default_rng(seed).multivariate_normal(mean, cov, size=n, method="eigh")
    return draws.reshape(n, *DIGITS_SHAPE).astype(np.float32)


@functools.lru_cache(maxsize=8)
def _baselines(seed: int) -> dict:
    x_train = digits_split()[0]
    fit_part, _ = parzen_split()
    return {
        # Real data as the "model": the train split for FID/KID/classes (FID of the test
        # split against the train split is the floor), a KDE on the train images outside
        # the held-out fifth, and the test split itself for the memorisation ratio (= 1).
        "test split": _measure(x_train, fit_part, digits_split()[2]),
        "gaussian": evaluate_digits(gaussian_samples(PARZEN_SAMPLES, seed)),
    }


def digits_baselines(seed: int = 0) -> dict:
    """The two reference rows of the digits protocol, measured like a model.

    - ``"test split"``: real digits in place of samples — FID/KID/class measures of the
      train split against the test split (the floor no model can be expected to beat), the
      Parzen LL of the test split under a KDE on the train images (outside the σ-selection
      fifth), and the memorisation ratio of the test split itself (1 by construction);
    - ``"gaussian"``: 10,000 draws (``seed``) of a Gaussian fitted to the train split's
      pixels, measured by :func:`evaluate_digits` — every family should beat it.
    """
    return {name: dict(row) for name, row in _baselines(seed).items()}


baselines = digits_baselines  # the name `zoo eval` asks every protocol for


# --------------------------------------------------------------------------- exports
def evaluate_export(name: str, seeds: int = 5, keras_model: bool = False) -> dict:
    """Measure a digits export by this protocol over ``seeds`` sampling seeds (``zoo eval``).

    Samples come from the export itself (``Pretrained.sample(10_000, seed=EVAL_SEED + s)``), or
    with ``keras_model`` from the Keras model saved beside it (``zoo eval --keras``:
    ``zoo.exports.pretrained.load_sampler``).  Returns ``{metric: {"mean", "se", "per_seed",
    "source"}}``; a pure measure: ``zoo eval NAME --write`` puts it into the card.
    """
    from zoo.exports.pretrained import load_sampler
    from zoo.metrics.mixtures import summarize

    if isinstance(seeds, bool) or not isinstance(seeds, int) or seeds < 1:
        raise ValueError(f"seeds must be a positive integer. Received: seeds={seeds!r}")
    card, sample = load_sampler(name, keras_model)
    if card.dataset != "digits" or card.family == "classifier" or card.latent_dim == 0:
        raise ValueError(f"the digits protocol measures generative models trained on digits; {card.name!r} is a "
                         f"{card.family!r} model of {card.dataset!r}. Received: name={name!r}")
    sample_seeds = [EVAL_SEED + s for s in range(seeds)]
    runs = [evaluate_digits(sample(PARZEN_SAMPLES, s)) for s in sample_seeds]
    through = " --keras: the export's model.keras" if keras_model else ": the export"
    source = (f"zoo eval {card.name} --seeds {seeds}{through}, sampling seeds "
              f"{sample_seeds[0]}..{sample_seeds[-1]}")
    return {key: {**value, "source": source} for key, value in summarize(runs).items()}
