"""Inputs a user can get wrong, refused before they reach the graph or allocate anything."""
import time
import tracemalloc

import numpy as np
import pytest

import zoo
from zoo.exports.pretrained import check_array


@pytest.fixture(scope="module")
def gan():
    return zoo.load("gan-ring8")


@pytest.fixture(scope="module")
def vae():
    return zoo.load("vae-digits")


def _peak_bytes(call):
    """The peak of Python/NumPy allocations while ``call`` runs (it must raise ValueError)."""
    tracemalloc.start()
    try:
        with pytest.raises(ValueError) as error:
            call()
        return tracemalloc.get_traced_memory()[1], str(error.value)
    finally:
        tracemalloc.stop()


def test_interpolate_checks_its_size_before_building_the_path(gan):
    # 2**20 + 1 steps of a 2-d code: the path alone is 16 MB in float64; the check comes first.
    peak, message = _peak_bytes(lambda: gan.interpolate(np.zeros(2), np.ones(2), steps=2**20 + 1))
    assert peak < 1_000_000
    assert "steps must be at most 1,048,576" in message and "Received: steps=1048577" in message
    # several paths share the budget of one generate call
    _, message = _peak_bytes(lambda: gan.interpolate(np.zeros([4, 2]), np.ones([4, 2]), steps=2**18 + 1))
    assert "steps must be at most 262,144" in message and "4 path(s)" in message


def test_interpolate_refuses_a_billion_steps_at_once(gan):
    start = time.perf_counter()
    with pytest.raises(ValueError, match="steps must be at most"):
        gan.interpolate(np.zeros(2), np.ones(2), steps=10**9)
    assert time.perf_counter() - start < 1.0
    assert gan.interpolate(np.zeros(2), np.ones(2), steps=3).shape == (3, 2)


def test_pixelcnn_sample_budget_is_checked_before_any_work():
    pixelcnn = zoo.load("pixelcnn-digits")
    assert pixelcnn.max_samples == 2**14
    start = time.perf_counter()
    with pytest.raises(ValueError, match=r"n must be at most 16,384 per call; sample in batches, "
                                         r"e.g. \[model.sample\(16384, seed=s\)"):
        pixelcnn.sample(2**14 + 1, seed=0)
    assert time.perf_counter() - start < 1.0


@pytest.mark.parametrize("value", [1e300, -1e39])
def test_float64_beyond_float32_is_refused(gan, vae, value):
    """float32(1e300) is inf: the graph would return NaN or inf samples without a word."""
    z = np.zeros([2, 2])
    z[1, 1] = value
    with pytest.raises(ValueError, match=r"z must hold values float32 can represent .*Received: z with max \|v\|"):
        gan.generate(z)
    z = np.zeros([2, vae.latent_dim])
    z[0, 0] = value
    with pytest.raises(ValueError, match="float32 can represent"):
        vae.decode(z)
    assert np.isfinite(check_array(np.full([1, 2], 3e38), [None, 2], "z")).all()  # in range: accepted


def _digits(vae):
    return np.clip(vae.sample(4, seed=0), -1, 1)


@pytest.mark.parametrize("to_unit", [lambda x: (x + 1) / 2, lambda x: (x > 0).astype(np.float32)],
                         ids=["unit-interval", "binary"])
def test_unit_and_binary_images_are_refused_with_the_digits_scaling(vae, to_unit):
    x = to_unit(_digits(vae))
    for call in (vae.encode, vae.reconstruct):
        with pytest.raises(ValueError, match=r"no value is below 0.*v / 8 - 1.*2 \* x - 1.*Received: min=0"):
            call(x)
    vae.encode(_digits(vae))  # the same images on [-1, 1] still encode


def test_pixelcnn_log_prob_refuses_unit_images():
    pixelcnn = zoo.load("pixelcnn-digits")
    x = np.zeros([2, 8, 8, 1], np.float32)
    x[:, 2:6, 3:5] = 1.0  # a binary stroke on a 0 background
    with pytest.raises(ValueError, match=r"v / 8 - 1"):
        pixelcnn.log_prob(x)
    assert np.isfinite(pixelcnn.log_prob(2 * x - 1)).all()


def test_raw_digits_get_their_own_scaling_and_other_data_the_8_bit_one(vae):
    raw = (_digits(vae) + 1) * 8  # load_digits' own 0..16
    with pytest.raises(ValueError, match=r"images in \[-1, 1\].*load_digits pixels, 0..16\) as v / 8 - 1") as error:
        vae.encode(raw)
    assert "127.5" not in str(error.value)
    with pytest.raises(ValueError, match=r"8-bit images \(uint8, 0..255\) as x / 127.5 - 1"):
        check_array(np.full([1, 28, 28, 1], 200.0), [None, 28, 28, 1], "x", [-1.0, 1.0], "fashion-mnist")


def test_decode_on_a_gan_says_to_use_generate(gan):
    with pytest.raises(AttributeError, match=r"'gan-ring8' \(gan\) has no decoder.*use generate\(z\)") as error:
        gan.decode(np.zeros([1, 2], np.float32))
    assert "'encode'" not in str(error.value)
