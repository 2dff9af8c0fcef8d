"""The shipped exact-likelihood exports: what they serve is what their Keras model
computes, and their digit samples are digits of every class.

Parametrised over the registry: every trained export whose card lists a ``log_prob`` signature.
"""
import numpy as np
import pytest

import zoo
from zoo.data import NUM_CLASSES, digits_split
from zoo.exports import load

EXACT = [name for name in zoo.list_models(pretrained=True) if "log_prob" in zoo.info(name).signatures]
DIGITS = [name for name in EXACT if zoo.info(name).dataset == "digits"]
SAMPLES = 400  # per export: 40 a class if the classes were even


def test_the_exact_likelihood_exports_are_shipped():
    assert {"pixelcnn-digits", "realnvp-digits", "maf-digits", "realnvp-ring8", "maf-grid25"} <= set(EXACT)


def _test_points(card):
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


@pytest.mark.parametrize("name", DIGITS)
def test_samples_are_recognised_as_every_digit(name):
    from zoo.metrics.digits import classify

    samples = load(name).sample(SAMPLES, seed=0)
    predicted = classify(samples)[1].argmax(axis=1)
    assert set(predicted.tolist()) == set(range(NUM_CLASSES)), np.bincount(predicted, minlength=NUM_CLASSES)
