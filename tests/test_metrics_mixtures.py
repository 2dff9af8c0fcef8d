"""Mode coverage (the mixtures protocol) on constructed samples with known answers."""
import math

import numpy as np
import pytest

from zoo.data import MIXTURES, mixture_samples
from zoo.metrics import mode_coverage, summarize


@pytest.mark.parametrize("name, modes", [("ring8", 8), ("grid25", 25)])
def test_all_modes(name, modes):
    result = mode_coverage(MIXTURES[name].means.repeat(10, axis=0), name)
    assert result == {"modes": modes, "high_quality": 100.0, "reverse_kl": 0.0}


def test_data_itself_covers_every_mode_with_high_quality():
    result = mode_coverage(mixture_samples("grid25", 2500, seed=1), "grid25")
    assert result["modes"] == 25
    # In 2-D the distance to the mean is Rayleigh: P(r <= 3σ) = 1 - exp(-9/2) = 98.89 %.
    assert result["high_quality"] == pytest.approx(100 * (1 - math.exp(-4.5)), abs=0.5)
    assert result["reverse_kl"] < 0.02


def test_one_mode():
    means = MIXTURES["ring8"].means
    result = mode_coverage(np.repeat(means[:1], 100, axis=0), "ring8")
    assert result["modes"] == 1
    assert result["high_quality"] == 100.0
    assert result["reverse_kl"] == pytest.approx(math.log(8))  # KL(δ_k ‖ uniform over 8)


def test_two_modes_uneven_by_hand():
    means = MIXTURES["ring8"].means
    samples = np.concatenate([np.repeat(means[:1], 30, axis=0), np.repeat(means[1:2], 10, axis=0)])
    q = np.array([0.75, 0.25])
    assert mode_coverage(samples, "ring8")["reverse_kl"] == pytest.approx(float(np.sum(q * np.log(8 * q))))


def test_samples_off_every_mode():
    # The origin is 1 away from every ring8 mean: far beyond 3σ = 0.03.
    result = mode_coverage(np.zeros((50, 2)), "ring8")
    assert result["modes"] == 0
    assert result["high_quality"] == 0.0
    assert math.isnan(result["reverse_kl"])


def test_high_quality_threshold_is_three_sigma():
    mean = MIXTURES["grid25"].means[0]
    inside = mean + np.array([0.149, 0.0])
    outside = mean + np.array([0.151, 0.0])
    result = mode_coverage(np.stack([inside, outside]), "grid25")
    assert result["high_quality"] == 50.0 and result["modes"] == 1


def test_bad_shape_is_refused():
    with pytest.raises(ValueError, match=r"shape \[N, 2\]"):
        mode_coverage(np.zeros((5, 3)), "ring8")


def test_unknown_mixture_is_refused():
    with pytest.raises(ValueError, match="ring8"):
        mode_coverage(np.zeros((5, 2)), "ring9")


def test_summarize_mean_and_standard_error():
    summary = summarize([{"modes": 8}, {"modes": 6}, {"modes": 7}])
    assert summary["modes"]["mean"] == pytest.approx(7.0)
    assert summary["modes"]["se"] == pytest.approx(1.0 / math.sqrt(3))
    assert summary["modes"]["per_seed"] == [8.0, 6.0, 7.0]
