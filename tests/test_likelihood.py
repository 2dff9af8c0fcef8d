"""zoo.metrics.likelihood against closed forms: the scale conversion of the exact-likelihood protocol, the
dequantised estimate, the grid integral and the true mixture density."""
import math

import numpy as np
import pytest

from zoo.data import mixture
from zoo.metrics.likelihood import (bits_per_dim, dataset_levels, dequantized_log_prob, density_integral,
                                    digits_log_likelihood, evaluate_log_prob, grid, likelihood_summary,
                                    mixture_log_density, points_log_likelihood)


def uniform_levels_log_prob(x):
    """Every one of the 17^64 level images equally likely, as a density on [-1, 1]:
    P = 17^-64 on each bin of volume 8^-64, so log p = 64 (log 8 - log 17) everywhere on the
    support [-1 - 1/16, 1 + 1/16]^64."""
    x = np.asarray(x)
    inside = np.all(np.abs(x.reshape(len(x), -1)) <= 1 + 1 / 16, axis=1)
    return np.where(inside, 64 * (math.log(8) - math.log(17)), -np.inf)


def test_summary_converts_the_density_to_bits_per_dimension_of_the_levels():
    log_p = np.full(10, 64 * (math.log(8) - math.log(17)))
    summary = likelihood_summary(log_p, dims=64, levels=17)
    assert summary["log_likelihood"] == pytest.approx(64 * math.log(8 / 17))
    assert summary["bits_per_dim"] == pytest.approx(math.log2(17))  # -log2 P / 64 with P = 17^-64
    assert summary["log_likelihood_se"] == pytest.approx(0.0, abs=1e-12)


def test_digits_log_likelihood_of_the_uniform_model():
    for dequantize in (False, True):  # the density is flat on each bin: both estimates are exact
        result = digits_log_likelihood(uniform_levels_log_prob, dequantize=dequantize, samples=2)
        assert result["bits_per_dim"] == pytest.approx(math.log2(17))


def test_dequantized_estimate_is_the_bin_average_from_below():
    # 1-D "image" with 3 levels (w = 1), density p(y) = 2y + ... : take p linear on the bin
    # around level 1 (x = 0): p(y) = 0.5 + 0.4 y on [-1/2, 1/2]; its mass there is 0.5, so
    # log P - log w = log 0.5; every K gives at most that in expectation, K large gives it.
    def log_prob(y):
        y = np.asarray(y)[:, 0]
        return np.log(0.5 + 0.4 * y)

    x = np.zeros((2000, 1), np.float32)
    one = dequantized_log_prob(log_prob, x, levels=3, samples=1, seed=0).mean()
    many = dequantized_log_prob(log_prob, x, levels=3, samples=64, seed=0).mean()
    exact = math.log(0.5)
    # E log p(U) = ∫ log(0.5 + 0.4u) du over [-1/2, 1/2], by hand:
    jensen = ((0.7 * math.log(0.7) - 0.3 * math.log(0.3)) / 0.4) - 1
    assert one == pytest.approx(jensen, abs=0.01)
    assert jensen < many < exact and many == pytest.approx(exact, abs=0.005)


def test_grid_integral_of_a_gaussian_is_one_and_of_a_cut_one_is_its_mass():
    def log_normal(points):
        points = np.asarray(points, np.float64)
        return -0.5 * np.sum(points ** 2, axis=1) - math.log(2 * math.pi)

    assert density_integral(log_normal, (-8, 8), resolution=400) == pytest.approx(1.0, abs=1e-6)
    # [0, 8]² holds a quarter of the mass
    assert density_integral(log_normal, (0, 8), resolution=400) == pytest.approx(0.25, abs=1e-4)
    points, area = grid((0, 1), 4)
    assert points.shape == (16, 2) and area == 1 / 16 and points.min() == 0.125


def test_mixture_log_density_at_a_mode_is_its_peak():
    # ring8's modes are ≥ 0.76 apart with σ = 0.01: at a mean the other components vanish,
    # log p = log(1/8) - log(2π σ²).
    m = mixture("ring8")
    value = mixture_log_density(m.means[:1], "ring8")[0]
    assert value == pytest.approx(-math.log(8) - math.log(2 * math.pi * 0.01 ** 2), rel=1e-9)


def test_points_log_likelihood_of_the_true_density_equals_it():
    result = points_log_likelihood(lambda p: mixture_log_density(p, "grid25"), "grid25", n=500)
    assert result["test_log_density"] == pytest.approx(result["true_log_density"], rel=1e-6)


def test_errors_say_what_was_expected():
    with pytest.raises(ValueError, match="Received: 0 examples"):
        evaluate_log_prob(np.log, np.zeros((0, 2)))
    with pytest.raises(ValueError, match="Received: samples=0"):
        dequantized_log_prob(np.log, np.zeros((1, 2)), samples=0)
    with pytest.raises(ValueError, match="Received: bounds=\\(1, 0\\)"):
        grid((1, 0), 10)


def test_bits_per_dim_of_the_uniform_8_bit_density_is_8():
    # Uniform on the bins' union [-1 - 1/255, 1 + 1/255]^D: log p = -D log(512/255), and every
    # 8-bit image has P = 256^-D, i.e. 8 bits per dimension (the papers' scale: y = (v + u) / 256
    # uniform on [0, 1]^D has log p(y) = 0, and -log2 p(y) / D + 8 = 8).
    dims = 784
    log_p = -dims * math.log(512 / 255)
    assert bits_per_dim(log_p, dims, 256) == pytest.approx(8.0, abs=1e-12)
    # A density twice as high on every pixel's bin is one bit per dimension better.
    assert bits_per_dim(log_p + dims * math.log(2), dims, 256) == pytest.approx(7.0, abs=1e-12)
    # Digits: 17 levels, w = 1/8; uniform gives log2 17 = 4.087 bits.
    np.testing.assert_allclose(bits_per_dim(np.full(3, 64 * math.log(8 / 17)), 64, 17), [math.log2(17)] * 3)


def test_bits_per_dim_equals_the_papers_dequantised_unit_scale():
    # The papers measure y = (v + u) / 256 on [0, 1]; zoo x = (2 y · 256 - 1) / 255 - 1 on
    # [-1 - 1/255, 1 + 1/255]: x = a y + b with a = 512/255, so log p_x = log p_y - D log a.
    # A Gaussian density in y (per pixel N(0.5, 0.1²)) at a point, both ways:
    dims, y = 4, np.array([0.1, 0.5, 0.7, 0.99])
    log_p_y = np.sum(-0.5 * ((y - 0.5) / 0.1) ** 2 - math.log(0.1 * math.sqrt(2 * math.pi)))
    papers = -log_p_y / (dims * math.log(2)) + 8
    log_p_x = log_p_y - dims * math.log(512 / 255)
    assert bits_per_dim(log_p_x, dims, 256) == pytest.approx(papers, abs=1e-12)


def test_export_signatures_returning_a_dict_are_accepted():
    x = np.zeros((3, 2), np.float32)
    values = evaluate_log_prob(lambda batch: {"log_prob": np.full(len(batch), -1.5)}, x)
    np.testing.assert_allclose(values, [-1.5] * 3)
    with pytest.raises(ValueError, match="Received: a dict with keys \\['x'\\]"):
        evaluate_log_prob(lambda batch: {"x": batch}, x)
    with pytest.raises(ValueError, match="Received: levels=1"):
        bits_per_dim(0.0, 4, 1)


def test_dataset_levels():
    assert dataset_levels("digits") == 17 and dataset_levels("fashion_mnist") == 256 and dataset_levels("mnist") == 256
