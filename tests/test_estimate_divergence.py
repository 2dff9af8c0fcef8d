"""Divergence and density-ratio estimation (the divergence-estimation protocol) on P = N(0, 1), Q = N(1, 1).

Closed forms: KL = 0.5 (tfp), Pearson χ² = e − 1, squared Hellinger = 2(1 − e^{−1/8}),
W1 = 1; each also checked against scipy's quadrature.
"""
import math

import numpy as np
import pytest
import tensorflow_probability as tfp

from zoo.metrics import (
    classifier_density_ratio, estimate_divergence, f_divergence_1d, ratio_matching_density_ratio,
    wasserstein1_1d,
)

tfd = tfp.distributions
P = tfd.Normal(np.float64(0.0), np.float64(1.0))
Q = tfd.Normal(np.float64(1.0), np.float64(1.0))
N = 20_000


@pytest.fixture(scope="module")
def samples():
    rng = np.random.default_rng(0)
    return rng.normal(0.0, 1.0, N), rng.normal(1.0, 1.0, N)


def true_log_ratio(x):
    return 0.5 - x  # log N(x; 0, 1) − log N(x; 1, 1)


def test_ground_truth_by_quadrature_matches_closed_forms():
    assert float(tfd.kl_divergence(P, Q)) == pytest.approx(0.5)
    assert f_divergence_1d("kl", P, Q) == pytest.approx(float(tfd.kl_divergence(P, Q)), rel=1e-8)
    assert f_divergence_1d("pearson", P, Q) == pytest.approx(math.e - 1, rel=1e-8)
    assert f_divergence_1d("squared_hellinger", P, Q) == pytest.approx(2 * (1 - math.exp(-1 / 8)), rel=1e-8)
    assert wasserstein1_1d(P, Q) == pytest.approx(1.0, rel=1e-8)


@pytest.mark.parametrize("divergence, truth", [
    ("kl", 0.5),
    ("squared_hellinger", 2 * (1 - math.exp(-1 / 8))),
    ("w1", 1.0),
])
def test_estimate_within_five_percent(samples, divergence, truth):
    p, q = samples
    assert estimate_divergence(p, q, divergence) == pytest.approx(truth, rel=0.05)


def test_pearson_estimate(samples):
    """Pearson χ² from 20k samples is limited by sampling noise, not by the critic.

    At the optimal critic T* = 2(r − 1) the bound is E_P[2r − 2] − E_Q[r² − 1] with
    r = e^{½−x}, whose standard error over 20k samples a side is
    √((Var_P(2r) + Var_Q(r²)) / N) = √((4(e³ − e²) + e⁶ − e²) / N) ≈ 0.15, i.e. 8.7 % of
    e − 1.  So the test holds the trained critic within 5 % of the optimal critic *on the
    same samples* (what the critic controls) and within 3 standard errors of the truth.
    """
    p, q = samples
    estimate = estimate_divergence(p, q, "pearson")
    r_p, r_q = np.exp(true_log_ratio(p)), np.exp(true_log_ratio(q))
    oracle = np.mean(2 * r_p - 2) - np.mean(r_q ** 2 - 1)
    standard_error = math.sqrt((4 * (math.e ** 3 - math.e ** 2) + math.e ** 6 - math.e ** 2) / N)
    assert estimate == pytest.approx(oracle, rel=0.05)
    assert abs(estimate - (math.e - 1)) < 3 * standard_error


def test_w1_estimate_does_not_lock_in_the_wrong_sign(samples):
    """From a random critic the two-sided gradient penalty can stabilise f ≈ +x (a value
    near −W1); the estimator starts from V ≡ 0 so every seed finds f ≈ −x."""
    p, q = samples
    assert estimate_divergence(p[:4000], q[:4000], "w1", steps=150, batch_size=1024, seed=1) > 0.9


@pytest.mark.parametrize("estimator", [classifier_density_ratio, ratio_matching_density_ratio])
def test_density_ratio_estimators_recover_p_over_q(samples, estimator):
    """Both estimators recover r = e^{½−x} where both densities have mass (within ~1σ of
    either mean), to 15 %, and their plug-in Pearson bound 2E_P[r̂] − E_Q[r̂²] − 1 lands
    within 5 % of the optimal critic's on the same samples."""
    p, q = samples
    ratio = estimator(p, q)
    x = np.linspace(-1.0, 1.5, 26)
    np.testing.assert_allclose(ratio(x).numpy(), np.exp(true_log_ratio(x)), rtol=0.15)
    np.testing.assert_allclose(ratio.log_ratio(x).numpy(), true_log_ratio(x), atol=0.15)
    r_p, r_q = ratio(p).numpy(), ratio(q).numpy()
    oracle_p, oracle_q = np.exp(true_log_ratio(p)), np.exp(true_log_ratio(q))
    oracle = 2 * oracle_p.mean() - (oracle_q ** 2).mean() - 1
    assert 2 * r_p.mean() - (r_q ** 2).mean() - 1 == pytest.approx(oracle, rel=0.05)


def test_classifier_ratio_plug_in_kl(samples):
    """KL(P‖Q) = E_P[log r̂] through the classifier's logit, within 10 % here (the README's
    benchmark: −6 % ± 3 % over 3 draws; ratio matching, whose least squares are weighted
    by Q, fits log r poorly in P's tail and is not used for this plug-in)."""
    p, q = samples
    ratio = classifier_density_ratio(p, q)
    assert float(np.mean(ratio.log_ratio(p))) == pytest.approx(0.5, rel=0.1)


def test_estimate_divergence_rejects_mismatched_inputs():
    with pytest.raises(ValueError, match="same dimension"):
        estimate_divergence(np.zeros((10, 2)), np.zeros((10, 3)), "kl")
    with pytest.raises(ValueError, match="Received: divergence='kll'"):
        estimate_divergence(np.zeros(10), np.zeros(10), "kll", steps=1)
