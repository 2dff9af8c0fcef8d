"""The shipped exact-likelihood exports: what they serve is what their Keras model
computes, their cards' likelihoods are reproduced from the export that ``zoo.load`` returns,
and their digit samples are digits of every class.

Parametrised over the registry: every trained export whose card lists a ``log_prob`` signature.
"""
import numpy as np
import pytest

import zoo
from recipes.protocols import FASHION_BOUND_IMAGES
from zoo.data import NUM_CLASSES, digits_split
from zoo.exports import load
from zoo.metrics.likelihood import (DEQUANTIZED_FAMILIES, digits_log_likelihood, fashion_mnist_log_likelihood,
                                    points_log_likelihood)

# The likelihoods of grey images; NADE's exact binary likelihood is checked in tests/test_nade.py.
EXACT = [name for name in zoo.list_models(pretrained=True) if "log_prob" in zoo.info(name).signatures
         and not zoo.info(name).dataset.startswith("binarized_")]
DIGITS = [name for name in EXACT if zoo.info(name).dataset == "digits"]
SAMPLES = 400  # per export: 40 a class if the classes were even
# How each dataset's card measures the likelihood (recipes/protocols.py), on the exported seed 0.
CARD_MEASURES = {
    "digits": ("log_likelihood", lambda card, log_prob: digits_log_likelihood(
        log_prob, dequantize=card.family in DEQUANTIZED_FAMILIES)["log_likelihood"]),
    "fashion_mnist": ("log_likelihood", lambda card, log_prob: fashion_mnist_log_likelihood(
        log_prob, dequantize=card.family in DEQUANTIZED_FAMILIES,
        count=FASHION_BOUND_IMAGES if card.family == "vae" else None)["log_likelihood"]),
    "ring8": ("test_log_density", lambda card, log_prob: points_log_likelihood(log_prob, "ring8")["test_log_density"]),
    "grid25": ("test_log_density", lambda card, log_prob: points_log_likelihood(log_prob, "grid25")["test_log_density"]),
}


def test_the_exact_likelihood_exports_are_shipped():
    assert {"pixelcnn-digits", "realnvp-digits", "maf-digits", "realnvp-ring8", "maf-grid25"} <= set(EXACT)


def _test_points(card):
    if card.dataset == "fashion_mnist":
        from zoo.data.fashion_mnist import fashion_mnist_split

        return fashion_mnist_split()[2][:8]
    if card.data_kind == "images":
        return digits_split()[2][:32]
    from zoo.data import mixture_samples

    return mixture_samples(card.dataset, 32, seed=1)


@pytest.mark.parametrize("name", EXACT)
def test_served_log_prob_equals_the_keras_model(name):
    served = load(name)
    model = load(name, trainable=True)
    x = _test_points(served.card)
    np.testing.assert_allclose(served.log_prob(x), np.asarray(model.log_prob(x)), rtol=1e-5, atol=1e-3)


@pytest.mark.parametrize("name", EXACT)
def test_the_cards_likelihood_is_reproduced_from_the_loaded_export(name):
    # The card was measured on the in-memory model of the exported seed; the export must give the
    # same number through zoo.load: flows fed dequantised images half a level past [-1, 1].
    card = zoo.info(name)
    key, measure = CARD_MEASURES[card.dataset]
    assert measure(card, load(name).log_prob) == pytest.approx(card.metrics[key]["per_seed"][0], abs=2e-3)


def test_the_export_takes_dequantised_images_and_refuses_more():
    model = load("realnvp-digits")
    x = digits_split()[2][:4]
    model.log_prob(np.clip(x + 1 / 16, None, 1 + 1 / 16))  # the bins' union: accepted
    with pytest.raises(ValueError, match="must be images in \\[-1.0625, 1.0625\\]"):
        model.log_prob(x * 1.1)


@pytest.mark.parametrize("name", DIGITS)
def test_samples_are_recognised_as_every_digit(name):
    from zoo.metrics.digits import classify

    samples = load(name).sample(SAMPLES, seed=0)
    predicted = classify(samples)[1].argmax(axis=1)
    assert set(predicted.tolist()) == set(range(NUM_CLASSES)), np.bincount(predicted, minlength=NUM_CLASSES)
