"""The cards' likelihoods as the tests measure them, and stored subsets of the costly ones.

A Fashion-MNIST card's log-likelihood is the mean over the 10,000 test images (a VAE's bound:
the first 1,000); measuring it again from the export took 30-60 s per export on 2 shared cores.
This script measures it in full from the export ``zoo.load`` returns, stores nothing unless it
equals the card's number, and then stores the mean over the first :data:`SUBSET_IMAGES` test
images, measured by the same protocol call with ``count=SUBSET_IMAGES`` (the same images and, for
a flow, the same dequantisation draws as the card's run), keyed to the sha256 of every
SavedModel file and to the card's number.  tests/test_exact_shipped.py measures those images
only and holds the export to the stored mean; with ``ZOO_TEST_FULL=1``, or for an export whose
entry is missing or stale (re-exported, re-measured), it measures all of the card's images.

    python tests/likelihood_subsets.py            # every shipped export whose measure is costly
    python tests/likelihood_subsets.py NAME ...   # these only (the others' entries are kept)

It writes tests/likelihood_subsets.json (about a minute per export).
"""
import json
import math
import os
import sys
from pathlib import Path

import zoo
from recipes.protocols import FASHION_BOUND_IMAGES
from zoo.metrics.likelihood import (DEQUANTIZED_FAMILIES, digits_log_likelihood, fashion_mnist_log_likelihood,
                                    points_log_likelihood)

STORE = Path(__file__).resolve().parent / "likelihood_subsets.json"
COMMAND = "python tests/likelihood_subsets.py"
# 5 s of the VAE's bound (1,000 importance samples per image), under 1 s of a flow's or PixelCNN's.
SUBSET_IMAGES = 64
TOLERANCE = 2e-3  # nats per image: the card's number against the export's
FULL = os.environ.get("ZOO_TEST_FULL", "") not in ("", "0")  # every check on every image


def _fashion(card, log_prob, count=None):
    full = FASHION_BOUND_IMAGES if card.family == "vae" else None
    return fashion_mnist_log_likelihood(log_prob, dequantize=card.family in DEQUANTIZED_FAMILIES,
                                        count=full if count is None else count)["log_likelihood"]


# How each dataset's card measures the likelihood (recipes/protocols.py), on the exported seed 0.
CARD_MEASURES = {
    "digits": ("log_likelihood", lambda card, log_prob: digits_log_likelihood(
        log_prob, dequantize=card.family in DEQUANTIZED_FAMILIES)["log_likelihood"]),
    "fashion_mnist": ("log_likelihood", _fashion),
    "ring8": ("test_log_density", lambda card, log_prob: points_log_likelihood(log_prob, "ring8")["test_log_density"]),
    "grid25": ("test_log_density", lambda card, log_prob: points_log_likelihood(log_prob, "grid25")["test_log_density"]),
}
# Datasets whose measure is costly, and takes ``count``: the first images only.
SUBSET_DATASETS = ("fashion_mnist",)


def likelihood_exports():
    """The shipped exports with a grey-image or 2-D ``log_prob`` (NADE's binary likelihood has its own tests)."""
    return [name for name in zoo.list_models(pretrained=True) if "log_prob" in zoo.info(name).signatures
            and not zoo.info(name).dataset.startswith("binarized_")]


def card_value(card):
    key, _ = CARD_MEASURES[card.dataset]
    return card.metrics[key]["per_seed"][0]


def _saved_model_files(card):
    return {path: sha for path, sha in sorted(card.files.items()) if path.startswith("saved_model/")}


def read():
    return json.loads(STORE.read_text())["exports"] if STORE.exists() else {}


def stored_subset(card):
    """The stored entry of ``card``'s export if it still holds (same SavedModel, same card number), else None."""
    entry = read().get(card.name)
    if entry is None or entry["saved_model"] != _saved_model_files(card) or entry["card_value"] != card_value(card):
        return None
    return entry


def measure_subset(card, log_prob):
    """The card's measure on the first :data:`SUBSET_IMAGES` images."""
    _, measure = CARD_MEASURES[card.dataset]
    return measure(card, log_prob, count=SUBSET_IMAGES)


def entry(name):
    """Measure ``name``'s card number in full from its export; if it is the card's, its subset's mean."""
    from zoo.exports import load

    card = zoo.info(name)
    _, measure = CARD_MEASURES[card.dataset]
    log_prob = load(name).log_prob
    full, expected = measure(card, log_prob), card_value(card)
    if not math.isclose(full, expected, rel_tol=0, abs_tol=TOLERANCE):
        raise SystemExit(f"{name}: the export gives {full!r}, its card {expected!r} (more than {TOLERANCE} apart): "
                         "the card is not reproduced, so nothing is stored. Re-measure the export "
                         "(zoo eval NAME --write) and run this again.")
    return {"saved_model": _saved_model_files(card), "card_value": expected, "reproduced": full,
            "images": SUBSET_IMAGES, "subset_value": measure_subset(card, log_prob)}


def main(names):
    names = names or [n for n in likelihood_exports() if zoo.info(n).dataset in SUBSET_DATASETS]
    exports = read()
    for name in names:
        exports[name] = entry(name)
        print(f"{name}: card {exports[name]['card_value']:.4f}, reproduced {exports[name]['reproduced']:.4f}, "
              f"first {SUBSET_IMAGES} images {exports[name]['subset_value']:.4f}", flush=True)
    STORE.write_text(json.dumps({"command": COMMAND, "exports": dict(sorted(exports.items()))}, indent=1) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
