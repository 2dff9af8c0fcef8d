"""Exports of the exact-likelihood families: the served ``log_prob`` (and ``sample``, and the
flows' ``encode``/``generate``) equal the in-memory model's; PixelCNN serves no latent.

The SavedModels are written as ``zoo.export`` writes them, without its runtime checks: those
run on the shipped exact-likelihood exports (tests/test_exact_shipped.py,
tests/test_shipped_exports.py) and on a full export (tests/test_exports.py)."""
import numpy as np
import pytest
import tensorflow as tf
from family_cases import CASES

from zoo.exports import card_for
from zoo.exports.serving import write_saved_model

DATASETS = {"pixelcnn": ("digits", "images"), "realnvp": ("digits", "images"), "maf": ("ring8", "points")}
EXACT = sorted(DATASETS)  # the exact-likelihood cases of tests/family_cases.py


@pytest.fixture(scope="module")
def exports(tmp_path_factory):
    root = tmp_path_factory.mktemp("exports")
    done = {}
    for name in EXACT:
        model, x = CASES[name](seed=0)
        model.fit(x, batch_size=len(x), epochs=1, verbose=0)
        dataset, kind = DATASETS[name]
        folder = root / name
        write_saved_model(model.serving_networks(), model.serving_functions(), folder / "saved_model")
        card = card_for(model, name=f"{name}-tiny", family=model.FAMILY, dataset=dataset, data_kind=kind)
        done[name] = (model, x, folder, card)
    return done


@pytest.mark.parametrize("name", EXACT)
def test_served_log_prob_equals_the_in_memory_model(exports, name):
    model, x, folder, _ = exports[name]
    loaded = tf.saved_model.load(str(folder / "saved_model"))
    served = loaded.signatures["log_prob"](x=tf.constant(x))["log_prob"].numpy()
    np.testing.assert_allclose(served, model.log_prob(x), rtol=1e-5, atol=1e-4)
    x_sample = loaded.sample(n=tf.constant(4), seed=tf.constant(3))["x"].numpy()
    np.testing.assert_allclose(x_sample, model.sample(4, 3)[0], atol=1e-5)


@pytest.mark.parametrize("name", ["realnvp", "maf"])
def test_flows_serve_the_inverse_map_and_generate(exports, name):
    model, x, folder, card = exports[name]
    assert {"generate", "sample", "encode", "log_prob"} <= set(card.signatures)
    assert card.latent_dim == int(np.prod(x.shape[1:]))
    loaded = tf.saved_model.load(str(folder / "saved_model"))
    z = loaded.encode(x=tf.constant(x))["z"].numpy()
    np.testing.assert_allclose(z, model.encode(x), rtol=1e-5, atol=1e-4)
    np.testing.assert_allclose(loaded.generate(z=tf.constant(z))["x"].numpy(), x, atol=1e-3)


def test_pixelcnn_serves_sample_and_log_prob_only_and_has_no_latent(exports):
    _, _, folder, card = exports["pixelcnn"]
    assert set(card.signatures) - {"serving_default"} == {"sample", "log_prob"}
    assert card.latent_dim == 0
    assert set(tf.saved_model.load(str(folder / "saved_model")).signatures) == {"serving_default", "sample", "log_prob"}
