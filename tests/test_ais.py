"""AIS of an RBM's log partition function (Salakhutdinov & Murray 2008) against the exact sum.

The exact log Z of small RBMs (≤ 20 hidden units) sums the visible units out in closed form; it is
checked against brute force over both layers, and AIS's ±3σ bars must hold it, over several seeds,
for random and for trained weights.
"""
import itertools
import math

import keras
import numpy as np
import pytest

from zoo.metrics import ais


def brute_force_log_partition(kernel, visible_bias, hidden_bias):
    """log Σ_v Σ_h exp(a·v + b·h + vᵀWh), every configuration of both layers enumerated."""
    d, h = kernel.shape
    terms = [np.dot(a_v, visible_bias) + np.dot(h_v, hidden_bias) + a_v @ kernel @ h_v
             for a_v in itertools.product([0.0, 1.0], repeat=d) for h_v in itertools.product([0.0, 1.0], repeat=h)]
    return float(np.logaddexp.reduce(np.array(terms)))


def random_rbm(visible, hidden, seed, scale=0.5):
    rng = np.random.default_rng(seed)
    return (rng.normal(0.0, scale, (visible, hidden)), rng.normal(0.0, 1.0, visible), rng.normal(0.0, 1.0, hidden))


def test_exact_sum_over_hidden_units_equals_brute_force_over_both_layers():
    for seed in range(3):
        kernel, a, b = random_rbm(5, 4, seed, scale=1.0)
        assert ais.exact_log_partition(kernel, a, b) == pytest.approx(brute_force_log_partition(kernel, a, b), abs=1e-10)
    # In chunks smaller than 2^H: the same sum.
    kernel, a, b = random_rbm(6, 7, 3)
    assert ais.exact_log_partition(kernel, a, b, chunk=16) == pytest.approx(ais.exact_log_partition(kernel, a, b),
                                                                             abs=1e-10)


def test_exact_sum_of_a_zero_weight_rbm_by_hand():
    # W = 0: Z = Π_i (1 + e^{a_i}) Π_j (1 + e^{b_j}).
    a, b = np.array([0.0, 1.0, -2.0]), np.array([0.5, 0.0])
    expected = sum(math.log1p(math.exp(x)) for x in [*a, *b])
    assert ais.exact_log_partition(np.zeros((3, 2)), a, b) == pytest.approx(expected, abs=1e-12)
    with pytest.raises(ValueError, match="H must be at most 20.*Received: H=21"):
        ais.exact_log_partition(np.zeros((2, 21)), np.zeros(2), np.zeros(21))


def test_log_likelihood_is_minus_free_energy_minus_log_z():
    # log p(v) = −F(v) − log Z against brute force: log Σ_h exp(−E(v, h)) − log Z.
    kernel, a, b = random_rbm(4, 3, 1, scale=1.0)
    log_z = ais.exact_log_partition(kernel, a, b)
    visible = np.array(list(itertools.product([0.0, 1.0], repeat=4)))
    log_p = -ais.free_energy(kernel, a, b, visible) - log_z
    for v, value in zip(visible, log_p):
        joint = [v @ a + np.dot(h, b) + v @ kernel @ np.array(h) for h in itertools.product([0.0, 1.0], repeat=3)]
        assert value == pytest.approx(np.logaddexp.reduce(joint) - log_z, abs=1e-10)
    assert np.exp(log_p).sum() == pytest.approx(1.0, abs=1e-12)


def test_beta_schedule_is_the_papers():
    betas = ais.beta_schedule()
    assert len(betas) == 14_501 and betas[0] == 0.0 and betas[-1] == 1.0
    assert betas[500] == pytest.approx(0.5) and betas[4_500] == pytest.approx(0.9)
    steps = np.diff(betas)
    np.testing.assert_allclose(steps[:500], 1e-3)
    np.testing.assert_allclose(steps[500:4_500], 1e-4)
    np.testing.assert_allclose(steps[4_500:], 1e-5)
    with pytest.raises(ValueError, match="end at β = 1"):
        ais.beta_schedule(((0.5, 10),))


def test_base_rate_bias_by_hand():
    v = np.array([[1, 0], [1, 0], [1, 1], [0, 0]])
    # pixel 0: (3 + 1) / (4 + 2) = 2/3 -> log 2; pixel 1: (1 + 1) / 6 = 1/3 -> -log 2
    np.testing.assert_allclose(ais.base_rate_bias(v), [math.log(2.0), -math.log(2.0)])


def test_summary_of_weights_by_hand():
    # weights 1 and 3: mean 2, standard error std([1, 3]) / sqrt(2) = 1
    summary = ais.summarize_weights(np.log([1.0, 3.0]), log_z_base=0.5)
    assert summary["log_z"] == pytest.approx(0.5 + math.log(2.0))
    assert summary["log_z_high"] == pytest.approx(0.5 + math.log(5.0))
    assert summary["log_z_low"] == -math.inf  # 2 - 3·1 <= 0
    summary = ais.summarize_weights(np.log([2.0, 2.0, 2.0]), log_z_base=0.0)
    assert summary["log_z"] == summary["log_z_low"] == summary["log_z_high"] == pytest.approx(math.log(2.0))


def test_ais_is_exact_when_the_base_rate_is_the_model():
    # W = 0 and a_A = a: every intermediate distribution is p_A, every weight is 1.
    a, b = np.array([0.3, -1.0, 2.0]), np.array([0.5, -0.5])
    estimate = ais.ais_log_partition(np.zeros((3, 2)), a, b, base_bias=a, betas=np.linspace(0, 1, 11), runs=5)
    exact = ais.exact_log_partition(np.zeros((3, 2)), a, b)
    assert estimate["log_z"] == pytest.approx(exact, abs=1e-9)
    assert estimate["log_z_high"] - estimate["log_z_low"] < 1e-9


@pytest.mark.parametrize("seed", range(4))
def test_exact_log_z_of_random_rbms_lies_within_ais_error_bars(seed):
    kernel, a, b = random_rbm(20, 10, seed)
    exact = ais.exact_log_partition(kernel, a, b)
    base = ais.base_rate_bias(np.random.default_rng(seed).random((50, 20)) < 0.3)
    estimate = ais.ais_log_partition(kernel, a, b, base, betas=np.linspace(0.0, 1.0, 2_001), runs=100, seed=seed)
    assert estimate["log_z_low"] <= exact <= estimate["log_z_high"], (exact, estimate)
    assert estimate["log_z_high"] - estimate["log_z_low"] < 0.5  # bars tight enough to mean something
    assert estimate["steps"] == 2_000 and estimate["runs"] == 100


@pytest.fixture(scope="module")
def trained_rbm():
    """An RBM with 12 hidden units trained 600 PCD steps on the binarised digits."""
    from zoo.data.binarized import binarized_split
    from zoo.families.rbm import RBM, rbm_weights

    keras.utils.set_random_seed(0)
    x_train = binarized_split("digits")[0]
    model = RBM(rbm_weights((8, 8, 1), 12), particles=64, seed=0)
    model.compile(rbm_optimizer=keras.optimizers.Adam(0.01))
    model.fit(x_train, batch_size=64, epochs=1, steps_per_epoch=20, verbose=0)  # warms the chains up
    model.fit(np.tile(x_train, (30, 1, 1, 1)), batch_size=64, epochs=1, steps_per_epoch=600, verbose=0, shuffle=False)
    return model, x_train


@pytest.mark.parametrize("seed", range(3))
def test_exact_log_z_of_a_trained_rbm_lies_within_ais_error_bars(trained_rbm, seed):
    model, x_train = trained_rbm
    kernel, a, b = ais.rbm_arrays(model)
    assert np.abs(kernel).max() > 0.5  # trained: far from the N(0, 0.01²) start
    exact = ais.exact_log_partition(kernel, a, b)
    base = ais.base_rate_bias(ais.to_visible(x_train))
    estimate = ais.ais_log_partition(kernel, a, b, base, runs=100, seed=seed)  # the paper's schedule
    assert estimate["log_z_low"] <= exact <= estimate["log_z_high"], (exact, estimate)
    assert estimate["log_z_high"] - estimate["log_z_low"] < 0.5


def test_rbm_log_likelihood_against_the_exact_one(trained_rbm):
    from zoo.data.binarized import binarized_split

    model, x_train = trained_rbm
    x_test = binarized_split("digits")[2]
    kernel, a, b = ais.rbm_arrays(model)
    exact = float(-ais.free_energy(kernel, a, b, ais.to_visible(x_test)).mean() - ais.exact_log_partition(kernel, a, b))
    estimate = ais.rbm_log_likelihood(model, x_test, x_train, betas=np.linspace(0, 1, 3_001), seed=1)
    assert estimate["log_likelihood_low"] <= exact <= estimate["log_likelihood_high"], (exact, estimate)
    assert estimate["log_likelihood"] == pytest.approx(exact, abs=0.1)
    # The uniform model scores -64 log 2 = -44.4 nats; 12 trained hidden units do much better.
    assert exact > -40.0


def test_ais_arguments_are_checked():
    kernel, a, b = random_rbm(3, 2, 0)
    with pytest.raises(ValueError, match="increase strictly from 0 to 1"):
        ais.ais_log_partition(kernel, a, b, a, betas=[0.0, 0.5, 0.5, 1.0])
    with pytest.raises(ValueError, match="runs must be an integer >= 2.*Received: runs=1"):
        ais.ais_log_partition(kernel, a, b, a, runs=1)
    with pytest.raises(ValueError, match=r"shape \[3\].*Received: shape=\[2\]"):
        ais.ais_log_partition(kernel, a, b, np.zeros(2))
