"""PixelCNN: log_prob equal to tfp.distributions.PixelCNN's with the same weights, a
normalised discrete likelihood, the autoregressive mask, stateless sampling, .keras round trip."""
import itertools
import math

import keras
import numpy as np
import pytest
import tensorflow as tf
import tensorflow_probability as tfp
from family_cases import randomise

from zoo.data import digits_split
from zoo.families import PixelCNN
from zoo.families.pixelcnn import pixelcnn_network

ARCH = dict(num_resnet=1, num_hierarchies=2, num_filters=4, num_logistic_mix=2)


def tiny(seed=0, **arch):
    keras.utils.set_random_seed(seed)
    model = PixelCNN(pixelcnn_network((8, 8, 1), **{**ARCH, **arch}), levels=17, seed=seed)
    model.compile(pixelcnn_optimizer=keras.optimizers.Adam(1e-3))
    return model


def creation_order(layers, kind):
    """Layers of class ``kind`` in the order they were made (their names end in a counter)."""
    def counter(layer):
        digits = "".join(itertools.takewhile(str.isdigit, reversed(layer.name)))[::-1]
        return int(digits) if digits else 0

    return sorted([layer for layer in layers if type(layer).__name__ == kind], key=counter)


def test_log_prob_equals_tfp_pixelcnn_with_the_same_weights():
    model = randomise(tiny(), scale=0.3)
    theirs = tfp.distributions.PixelCNN((8, 8, 1), dropout_p=0.0, use_weight_norm=False, low=0, high=16, **ARCH)
    for ours, kind in [("MaskedConv2D", "Conv2D"), ("Dense", "Dense"), ("MaskedConv2DTranspose", "Conv2DTranspose")]:
        mine, tfps = creation_order(model.network.layers, ours), creation_order(theirs.network._network.layers, kind)
        assert len(mine) == len(tfps) > 0
        for a, b in zip(mine, tfps):
            weights = a.get_weights()
            if hasattr(a, "mask"):  # TFP masks by constraint after each update, not in the forward pass
                weights[0] = weights[0] * a.mask
            b.set_weights(weights)
    x = digits_split()[2][:6]
    levels = np.round((x + 1) * 8)  # TFP's PixelCNN takes the levels 0..16
    expected = theirs.log_prob(levels, training=False)
    np.testing.assert_allclose(model.log_prob_discrete(x), expected, rtol=1e-5)
    # and the density on the [-1, 1] scale is log P + 64 log 8 (the exact-likelihood protocol)
    np.testing.assert_allclose(model.log_prob(x), expected + 64 * math.log(8), rtol=1e-5)


def test_each_pixel_sees_only_the_pixels_before_it():
    model = randomise(tiny(), scale=0.5)
    x = digits_split()[0][:1]
    base = np.asarray(model(x))
    for row, col in [(0, 0), (3, 4), (7, 7), (5, 0)]:
        moved = x.copy()
        moved[0, row, col, 0] = -moved[0, row, col, 0] + 0.5
        changed = np.abs(np.asarray(model(moved)) - base).max(axis=-1)[0] > 1e-6
        flat = np.arange(64).reshape(8, 8)
        assert not changed[flat <= row * 8 + col].any(), (row, col)  # itself and everything before
        assert changed[flat > row * 8 + col].any() or (row, col) == (7, 7)


def test_each_pixel_distribution_sums_to_one_over_the_levels():
    model = randomise(tiny(), scale=0.3)
    logits, locs, scales = model.mixture_parameters(digits_split()[0][:2])
    per_pixel = model.pixel_distribution(logits, locs, scales).distribution  # [2, 8, 8] batch of pixels
    levels = tf.reshape(tf.range(17, dtype=tf.float32), [17, 1, 1, 1, 1])
    probabilities = tf.exp(per_pixel.log_prob(tf.broadcast_to(levels, [17, 2, 8, 8, 1])))
    np.testing.assert_allclose(tf.reduce_sum(probabilities, axis=0), 1.0, rtol=1e-5)


def test_log_prob_snaps_values_to_their_level():
    model = randomise(tiny(), scale=0.3)
    x = digits_split()[2][:3]
    np.testing.assert_allclose(model.log_prob(x + np.float32(0.05)), model.log_prob(x), rtol=1e-6)


def test_sample_is_stateless_on_the_levels_and_has_no_latent():
    model = randomise(tiny(), scale=0.3)
    x, z = model.sample(3, 5)
    assert x.shape == (3, 8, 8, 1) and z.shape == (3, 0) and model.latent_dim == 0
    np.testing.assert_array_equal(x, model.sample(3, 5)[0])
    levels = (np.asarray(x) + 1) * 8
    np.testing.assert_allclose(levels, np.round(levels), atol=1e-5)
    assert levels.min() >= 0 and levels.max() <= 16


def test_training_lowers_the_nll():
    # model.keras (weights, optimizers, resuming) is the contract's (tests/test_contract.py).
    model = tiny()
    x = digits_split()[0][:128]
    before = -float(np.mean(model.log_prob(x)))
    history = model.fit(x, batch_size=32, epochs=2, verbose=0)
    assert history.history["nll"][-1] < before


def test_errors_say_what_was_expected():
    with pytest.raises(ValueError, match="Received: levels=None"):
        PixelCNN(pixelcnn_network((8, 8, 1), **ARCH), levels=None)
    with pytest.raises(ValueError, match=r"grey images.*Received: image_shape=\(8, 8, 3\)"):
        pixelcnn_network((8, 8, 3))


# ----------------------------------------------------------------- the row-cached sampler
def test_row_cache_gives_the_networks_output_at_every_pixel():
    """Teacher forcing: at pixels (r, c) of every row of real images, the cached step (a record of
    the rows above, row r filled up to c) gives what the whole network gives on that image; with
    three U-net levels (strides 2 and 4) and with the family's own two."""
    x = digits_split()[0][:3]
    for arch in [ARCH, dict(ARCH, num_hierarchies=3)]:
        model = randomise(tiny(**arch), scale=0.3)
        plan = model.row_plan
        for r in range(8):
            above = x.copy()
            above[:, r:] = 0.0
            record = plan.record(tf.constant(above))
            for c in (0, 3, 7):
                image = above.copy()
                image[:, r, :c] = x[:, r, :c]
                expected = np.asarray(model.network(image))[:, r, c]
                got = np.asarray(plan.step(r, tf.constant(image[:, r:r + 1]), record))[:, 0, c]
                np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-5, err_msg=f"{arch} pixel {(r, c)}")


def test_row_cache_recomputes_a_small_part_of_the_network_a_pixel():
    from zoo.families._row_cache import band_cost

    model = PixelCNN(pixelcnn_network((28, 28, 1), num_resnet=1, num_hierarchies=2, num_filters=4), levels=256)
    assert band_cost(model.row_plan) < 0.05  # of a full pass; the vertical stack is read from the record
    assert model.uses_row_cache(16) and not model.uses_row_cache(15)


def test_cached_sampler_draws_what_the_pass_a_pixel_sampler_draws(monkeypatch):
    """Same seeds, same images: the row cache changes the cost, not the draws; and chunks of
    SAMPLE_CHUNK give the same images eagerly (row-cached, a progress bar) and in a graph (a pass
    a pixel: the export's)."""
    import zoo.families.pixelcnn as pixelcnn

    model = randomise(tiny(), scale=0.3)
    reference = tf.function(model._draw_by_passes)(tf.constant(3), tf.constant([5, 0]))[0]
    monkeypatch.setattr(pixelcnn, "SAMPLE_CHUNK", 3)
    assert not model.uses_row_cache(7)  # 8×8: a pass a pixel costs less than tracing the cache
    monkeypatch.setattr(pixelcnn, "CACHE_MIN_PIXELS", 64)
    monkeypatch.setattr(pixelcnn, "CACHE_MIN_IMAGES", 7)
    assert model.uses_row_cache(7) and not model.uses_row_cache(6)
    eager = np.asarray(model.sample(7, 5)[0])
    graph = tf.function(lambda n, seed: model.sample(n, seed)[0])(tf.constant(7), tf.constant(5))
    np.testing.assert_array_equal(eager[:3], reference)  # chunk 0 is seed pair [5, 0]
    np.testing.assert_array_equal(eager, graph)
    assert eager.shape == (7, 8, 8, 1) and not np.array_equal(eager[:3], eager[3:6])
    assert model.sample(0, 5)[0].shape == (0, 8, 8, 1)
    with pytest.raises(ValueError, match="n >= 0 images. Received: n=-1"):
        model.sample(-1, 5)


def test_a_network_the_row_cache_does_not_know_is_run_whole_for_each_pixel():
    from zoo.families._row_cache import RowPlan

    image = keras.Input((8, 8, 1))
    network = keras.Model(image, keras.layers.Conv2D(6, 3, padding="same")(image))  # not masked
    with pytest.raises(ValueError, match="masked 'same' convolutions"):
        RowPlan(network)
    model = PixelCNN(network, levels=17)
    assert model.row_plan is None
    assert model.sample(2, 0)[0].shape == (2, 8, 8, 1)
