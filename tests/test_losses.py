"""Every loss of zoo.losses against values worked out by hand on fixed inputs (the Wasserstein
and gradient-penalty ones: tests/test_losses_wasserstein.py)."""
import math

import numpy as np
import pytest
import tensorflow as tf

from zoo import losses

REAL = tf.constant([2.0, -1.0])
FAKE = tf.constant([0.0, 1.0])


def softplus(x):
    return math.log1p(math.exp(x))


def sigmoid(x):
    return 1 / (1 + math.exp(-x))


def test_discriminator_loss_by_hand():
    # -mean(log σ(real)) - mean(log(1 - σ(fake)))
    expected = -(math.log(sigmoid(2.0)) + math.log(sigmoid(-1.0))) / 2 - (
        math.log(1 - sigmoid(0.0)) + math.log(1 - sigmoid(1.0))
    ) / 2
    assert float(losses.gan_discriminator_loss(REAL, FAKE)) == pytest.approx(expected, rel=1e-6)
    # and in the softplus form: softplus(-2)+softplus(1) over 2, plus softplus(0)+softplus(1) over 2
    assert expected == pytest.approx((softplus(-2) + softplus(1)) / 2 + (softplus(0) + softplus(1)) / 2)


def test_one_sided_label_smoothing_by_hand():
    alpha = 0.1
    real_term = -np.mean([(1 - alpha) * math.log(sigmoid(r)) + alpha * math.log(1 - sigmoid(r)) for r in (2.0, -1.0)])
    fake_term = -np.mean([math.log(1 - sigmoid(f)) for f in (0.0, 1.0)])
    got = float(losses.gan_discriminator_loss(REAL, FAKE, label_smoothing=alpha))
    assert got == pytest.approx(real_term + fake_term, rel=1e-6)


def test_minimax_generator_loss_by_hand():
    expected = (math.log(1 - sigmoid(0.0)) + math.log(1 - sigmoid(1.0))) / 2
    assert float(losses.minimax_generator_loss(FAKE)) == pytest.approx(expected, rel=1e-6)
    assert expected == pytest.approx(-(math.log(2) + softplus(1.0)) / 2)


def test_non_saturating_generator_loss_by_hand():
    expected = -(math.log(sigmoid(0.0)) + math.log(sigmoid(1.0))) / 2
    assert float(losses.non_saturating_generator_loss(FAKE)) == pytest.approx(expected, rel=1e-6)


def test_optimal_discriminator_value_is_minus_log4():
    # Goodfellow et al. 2014, Theorem 1: at p_g = p_data, D* = 1/2 and the value is -log 4,
    # so the discriminator loss (its negation) is log 4.
    zeros = tf.zeros([5])
    assert float(losses.gan_discriminator_loss(zeros, zeros)) == pytest.approx(math.log(4.0), rel=1e-6)


def test_minimax_saturates_where_non_saturating_does_not():
    # The reason for the log trick (§3): d/dl of the minimax loss vanishes as D rejects fakes.
    logits = tf.Variable([-10.0])
    with tf.GradientTape(persistent=True) as tape:
        minimax = losses.minimax_generator_loss(logits)
        non_saturating = losses.non_saturating_generator_loss(logits)
    assert abs(float(tape.gradient(minimax, logits)[0])) < 1e-4
    assert abs(float(tape.gradient(non_saturating, logits)[0])) > 0.99


# ----------------------------------------------------------------- f-divergence losses
def test_fgan_losses_on_fixed_inputs():
    real = tf.constant([0.0, 1.0])
    fake = tf.constant([-1.0, 2.0])
    # KL: g = v, f*(v) = e^{v−1}: L_V = −(0.5 − (e^{−2} + e^{1})/2)
    expected = -(0.5 - (math.exp(-2) + math.exp(1)) / 2)
    assert float(losses.fgan_discriminator_loss("kl", real, fake)) == pytest.approx(expected, rel=1e-6)
    # Pearson alternative generator loss: −mean(v) = −0.5; saddle: −mean(v²/4 + v) = −(1.25 + 1 ... )/2
    assert float(losses.fgan_generator_loss("pearson", fake)) == pytest.approx(-0.5)
    assert float(losses.fgan_generator_loss("pearson", fake, "saddle")) == pytest.approx(-((0.25 - 1) + (1 + 2)) / 2)
    # GAN: the critic loss is the GAN discriminator loss mean softplus(−real) + mean softplus(fake)
    sp = lambda x: math.log1p(math.exp(x))  # noqa: E731
    assert float(losses.fgan_discriminator_loss("gan", real, fake)) == pytest.approx(
        (sp(0.0) + sp(-1.0)) / 2 + (sp(-1.0) + sp(2.0)) / 2, rel=1e-6)


def test_ratio_losses_on_fixed_inputs():
    r_p = tf.constant([1.0, 3.0])
    r_q = tf.constant([0.5, 2.0])
    assert float(losses.ratio_discriminator_loss(r_p, r_q)) == pytest.approx(0.5 * (0.25 + 4.0) / 2 - 2.0)
    assert float(losses.ratio_generator_loss("reverse_kl", r_q)) == pytest.approx(1 - (math.log(0.5) + math.log(2.0)) / 2)
    assert float(losses.ratio_generator_loss("kl", r_q)) == pytest.approx(-1.25)
    assert float(losses.ratio_generator_loss("pearson", r_q)) == pytest.approx(1 - (0.25 + 4.0) / 2)


def test_log_softplus_is_stable():
    v = tf.constant([-200.0, -31.0, -29.0, 0.0, 50.0])
    np.testing.assert_allclose(losses.log_softplus(v).numpy(),
                               [-200.0, -31.0, -29.0, math.log(math.log(2)), math.log(50.0)], rtol=1e-5)


# ----------------------------------------------------------------- stabilisation tricks
def test_feature_matching_generator_loss_by_hand():
    real = tf.constant([[1.0, 2.0], [3.0, 4.0]])  # mean (2, 3)
    fake = tf.constant([[0.0, 0.0], [2.0, 2.0]])  # mean (1, 1)
    assert float(losses.feature_matching_generator_loss(real, fake)) == pytest.approx(1.0 + 4.0)


def test_historical_averaging_penalty_by_hand():
    variables = [tf.constant([1.0, 2.0]), tf.constant([[3.0]])]
    averages = [tf.constant([0.0, 0.0]), tf.constant([[1.0]])]
    assert float(losses.historical_averaging_penalty(variables, averages)) == pytest.approx(1 + 4 + 4)


# ----------------------------------------------------------------- auto-encoders
def test_squared_l2_cost_by_hand():
    x = np.array([[[1.0, 2.0]], [[0.0, 0.0]]], np.float32)  # [2, 1, 2]
    y = np.array([[[0.0, 0.0]], [[3.0, -4.0]]], np.float32)
    np.testing.assert_allclose(losses.squared_l2_cost(x, y).numpy(), [5.0, 25.0])


def test_mean_squared_error_cost_by_hand():
    x = np.array([[1.0, 2.0], [0.0, 0.0]], np.float32)
    y = np.array([[0.0, 0.0], [3.0, -4.0]], np.float32)
    assert float(losses.mean_squared_error_cost(x, y)) == pytest.approx((1 + 4 + 9 + 16) / 4)


def test_gaussian_kl_to_standard_normal_by_hand():
    # ½ Σ (μ² + σ² − 1 − log σ²): (1 + 1 − 1 − 0)/2 + (0 + e − 1 − 1)/2 per row.
    mean = tf.constant([[1.0, 0.0]])
    variance = tf.constant([[1.0, math.e]])
    assert float(losses.gaussian_kl_to_standard_normal(mean, variance)[0]) == pytest.approx(
        0.5 + (math.e - 2.0) / 2, rel=1e-6)
    assert float(losses.gaussian_kl_to_standard_normal(tf.zeros([1, 3]), tf.ones([1, 3]))[0]) == 0.0
