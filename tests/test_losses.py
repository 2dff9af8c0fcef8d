"""GAN losses against values worked out by hand on fixed logits."""
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
