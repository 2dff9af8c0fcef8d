"""NADE (Larochelle & Murray 2011): the exact likelihood and ancestral sampling on tiny cases."""
import itertools

import keras
import numpy as np
import pytest
import tensorflow as tf

from zoo.families import NADE
from zoo.families.nade import bernoulli_log_prob, nade_network

SHAPE = (2, 4, 1)  # D = 8 pixels: all 256 binary images can be enumerated
HIDDEN = 5


@pytest.fixture(scope="module")
def model():
    keras.utils.set_random_seed(3)
    model = NADE(nade_network(SHAPE, hidden=HIDDEN), data_shape=SHAPE)
    layer = model.nade
    rng = np.random.default_rng(0)
    # Weights well away from 0, so the conditionals differ from pixel to pixel and from 1/2.
    for variable in (layer.w, layer.c, layer.v, layer.b):
        variable.assign(rng.normal(0.0, 1.5, variable.shape).astype(np.float32))
    return model


def all_images(dims):
    bits = np.array(list(itertools.product([0.0, 1.0], repeat=dims)), np.float32)
    return bits, (2.0 * bits - 1.0).reshape(-1, *SHAPE)


def naive_log_prob(layer, v):
    """One separate hidden layer per pixel: h_d = σ(c + Σ_{k<d} W_k v_k), O(D²H) (the paper's eq. 2-3)."""
    w, c, v_out, b = (np.asarray(t, np.float64) for t in (layer.w, layer.c, layer.v, layer.b))
    total = np.zeros(len(v))
    for d in range(v.shape[1]):
        h = 1.0 / (1.0 + np.exp(-(c + v[:, :d] @ w[:d])))
        p = 1.0 / (1.0 + np.exp(-(b[d] + h @ v_out[d])))
        total += np.where(v[:, d] == 1.0, np.log(p), np.log1p(-p))
    return total


def test_probabilities_of_all_binary_images_sum_to_one(model):
    _, images = all_images(8)
    log_p = model.log_prob(images).numpy().astype(np.float64)
    assert np.exp(log_p).sum() == pytest.approx(1.0, abs=1e-5)


def test_running_sum_equals_the_naive_per_pixel_computation(model):
    bits, images = all_images(8)
    np.testing.assert_allclose(model.log_prob(images).numpy(), naive_log_prob(model.nade, bits), rtol=1e-5, atol=1e-5)


def test_bernoulli_log_prob_by_hand():
    # log σ(2) + log σ(-(-1)) ... : v = (1, 0), logits (2, 1) -> log σ(2) + log(1 - σ(1)).
    expected = np.log(1 / (1 + np.exp(-2.0))) + np.log(1 - 1 / (1 + np.exp(-1.0)))
    assert bernoulli_log_prob(tf.constant([[1.0, 0.0]]), tf.constant([[2.0, 1.0]])).numpy()[0] == pytest.approx(expected)


def test_log_prob_reads_pixels_above_zero_as_on(model):
    _, images = all_images(8)
    np.testing.assert_allclose(model.log_prob(images[:7] * 0.5).numpy(), model.log_prob(images[:7]).numpy())


def test_sample_pixel_frequencies_match_the_model_marginals(model):
    bits, images = all_images(8)
    marginals = np.exp(model.log_prob(images).numpy().astype(np.float64)) @ bits  # P(v_d = 1), exact
    x, _ = model.sample(20_000, 5)
    x = np.asarray(x)
    assert set(np.unique(x)) <= {-1.0, 1.0}
    frequencies = (x.reshape(len(x), -1) > 0).mean(axis=0)
    # 20,000 draws: standard error ≤ 0.0036 per pixel; 4 of them.
    np.testing.assert_allclose(frequencies, marginals, atol=0.015)
    # ... and the whole joint: the frequency of each of the 256 images against its probability.
    index = (x.reshape(len(x), -1) > 0).astype(int) @ (2 ** np.arange(7, -1, -1))
    counts = np.bincount(index, minlength=256) / len(x)
    assert 0.5 * np.abs(counts - np.exp(model.log_prob(images).numpy())).sum() < 0.05


def test_sample_is_reproducible_and_reports_its_probabilities(model):
    x1, p1 = model.sample_with_probabilities(6, 11)
    x2, _ = model.sample(6, 11)
    np.testing.assert_array_equal(x1, x2)
    assert p1.shape == (6, *SHAPE) and np.all(np.abs(p1) <= 1.0)
    # The first pixel's probability depends on nothing: σ(b_0 + V_0 · σ(c)).
    layer = model.nade
    h = 1 / (1 + np.exp(-np.asarray(layer.c)))
    p0 = 1 / (1 + np.exp(-(np.asarray(layer.b)[0] + h @ np.asarray(layer.v)[0])))
    np.testing.assert_allclose(np.asarray(p1)[:, 0, 0, 0], 2 * p0 - 1, rtol=1e-5)


def test_a_training_step_lowers_the_nll():
    keras.utils.set_random_seed(0)
    model = NADE(nade_network(SHAPE, hidden=HIDDEN), data_shape=SHAPE)
    model.compile(nade_optimizer=keras.optimizers.Adam(0.05))
    data = np.where(np.random.default_rng(0).random((64, *SHAPE)) < 0.8, 1.0, -1.0).astype(np.float32)
    before = -model.log_prob(data).numpy().mean()
    model.fit(data, batch_size=64, epochs=30, verbose=0)
    after = -model.log_prob(data).numpy().mean()
    assert after < before - 1.0


def test_wrong_network_is_refused():
    with pytest.raises(ValueError, match="NADELayer over the 8 pixels"):
        NADE(nade_network((3, 3, 1), hidden=4), data_shape=SHAPE)
