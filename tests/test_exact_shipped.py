"""The shipped exact-likelihood exports: what they serve is what their Keras model
computes, their cards' likelihoods are reproduced from the export that ``zoo.load`` returns,
and their digit samples are digits of every class.

Parametrised over the registry: every trained export whose card lists a ``log_prob`` signature.
A Fashion-MNIST card's number (10,000 images) is reproduced on the first 64 images against the
mean stored beside this file by ``python tests/likelihood_subsets.py``, which reproduced the
card's full number from the same SavedModel first; ``ZOO_TEST_FULL=1`` measures every image.
A stored subset that no longer matches its export's SavedModel and card fails a test of its own.
"""
import warnings

import numpy as np
import pytest
from likelihood_subsets import (CARD_MEASURES, COMMAND, FULL, SUBSET_DATASETS, SUBSET_IMAGES, TOLERANCE, card_value,
                                likelihood_exports, measure_subset, stored_subset)

import zoo
from zoo.data import NUM_CLASSES, digits_split
from zoo.exports import load

# The likelihoods of grey images; NADE's exact binary likelihood is checked in tests/test_nade.py.
EXACT = likelihood_exports()
DIGITS = [name for name in EXACT if zoo.info(name).dataset == "digits"]
SAMPLES = 400  # per export: 40 a class if the classes were even


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
    _, measure = CARD_MEASURES[card.dataset]
    log_prob = load(name).log_prob
    stored = None if FULL or card.dataset not in SUBSET_DATASETS else stored_subset(card)
    if stored is not None:
        # The stored mean was measured with the card's full number reproduced from this same
        # SavedModel (likelihood_subsets.py): these images must give it again.
        assert stored["reproduced"] == pytest.approx(card_value(card), abs=TOLERANCE)
        assert measure_subset(card, log_prob) == pytest.approx(stored["subset_value"], abs=TOLERANCE)
        return
    if card.dataset in SUBSET_DATASETS and not FULL:
        warnings.warn(f"{name}: no stored subset for this SavedModel and card in tests/likelihood_subsets.json, "
                      f"so all of the card's images were measured; store the first {SUBSET_IMAGES}: {COMMAND} {name}")
    assert measure(card, log_prob) == pytest.approx(card_value(card), abs=TOLERANCE)


@pytest.mark.parametrize("name", [name for name in EXACT if zoo.info(name).dataset in SUBSET_DATASETS])
def test_every_stored_subset_is_of_the_shipped_savedmodel_and_card(name):
    """A re-exported or re-measured export whose stored subset was not refreshed would be
    measured on all its images above, minutes of suite: say so at once, with the command."""
    assert stored_subset(zoo.info(name)) is not None, (
        f"{name}: tests/likelihood_subsets.json holds no subset for its current SavedModel and card; "
        f"run {COMMAND} {name}")


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
