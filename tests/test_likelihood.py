"""zoo.metrics.likelihood against closed forms: the scale conversion of the exact-likelihood protocol, the
dequantised estimate, the grid integral and the true mixture density."""
import math

import numpy as np
import pytest

from zoo.data import mixture
from zoo.metrics.likelihood import (dequantized_log_prob, density_integral, digits_log_likelihood,
                                    evaluate_log_prob, grid, likelihood_summary, mixture_log_density,
                                    points_log_likelihood)


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
