"""Wasserstein losses and the gradient penalty against values worked out by hand."""
import math

import numpy as np
import pytest
import tensorflow as tf

from zoo import losses


def test_critic_and_generator_losses_by_hand():
    real, fake = tf.constant([[1.0], [2.0], [3.0]]), tf.constant([[0.5], [1.5]])
    # E f(G(z)) - E f(x) = 1.0 - 2.0
    assert float(losses.wasserstein_discriminator_loss(real, fake)) == pytest.approx(-1.0)
    assert float(losses.wasserstein_generator_loss(fake)) == pytest.approx(-1.0)


def test_critic_loss_at_the_optimum_is_minus_w1():
    # P = δ_0, Q = δ_3 on the line: W1 = 3, attained by the 1-Lipschitz f(x) = -x.
    real, fake = tf.zeros([4, 1]), 3.0 * tf.ones([4, 1])
    f = lambda x: -x  # noqa: E731
    assert float(losses.wasserstein_discriminator_loss(f(real), f(fake))) == pytest.approx(-3.0)


def linear_critic(w, b=0.5):
    w = tf.constant(w, tf.float32)[:, None]
    return lambda x, training=True: tf.matmul(x, w) + b


def test_penalty_vanishes_for_a_linear_critic_with_unit_gradient():
    rng = np.random.default_rng(0)
    real, fake = (tf.constant(rng.normal(size=(16, 2)), tf.float32) for _ in range(2))
    critic = linear_critic([0.6, 0.8])  # ‖w‖ = 1 everywhere
    assert float(losses.gradient_penalty(critic, real, fake)) == pytest.approx(0.0, abs=1e-10)


def test_penalty_of_a_linear_critic_is_the_squared_norm_gap():
    critic = linear_critic([3.0, 4.0])  # ‖∇f‖ = 5 everywhere: (5 - 1)² = 16
    real, fake = tf.ones([3, 2]), tf.zeros([3, 2])
    assert float(losses.gradient_penalty(critic, real, fake)) == pytest.approx(16.0, rel=1e-6)
    assert float(losses.gradient_penalty(critic, real, fake, target=2.0)) == pytest.approx(9.0, rel=1e-6)


def test_penalty_on_interpolates_of_a_quadratic_critic_by_hand():
    # f(x) = ‖x‖²: ∇f(x̂) = 2x̂ with x̂ = ε x + (1 - ε) x̃.
    critic = lambda x, training=True: tf.reduce_sum(x**2, axis=1, keepdims=True)  # noqa: E731
    real = tf.constant([[2.0, 0.0], [1.0, 0.0]])
    fake = tf.constant([[0.0, 2.0], [0.0, 0.0]])
    epsilon = tf.constant([0.25, 0.5])
    # x̂₁ = (0.5, 1.5): ‖∇f‖ = 2√2.5;  x̂₂ = (0.5, 0): ‖∇f‖ = 1.
    expected = ((2 * math.sqrt(2.5) - 1) ** 2 + 0.0) / 2
    got = losses.gradient_penalty(critic, real, fake, epsilon=epsilon)
    assert float(got) == pytest.approx(expected, rel=1e-6)


def test_penalty_is_differentiable_for_the_critic():
    # WGAN-GP backpropagates the penalty into the critic (a second-order gradient).
    w = tf.Variable([[3.0], [4.0]])
    critic = lambda x, training=True: tf.matmul(x, w)  # noqa: E731
    with tf.GradientTape() as tape:
        penalty = losses.gradient_penalty(critic, tf.ones([2, 2]), tf.zeros([2, 2]))
    # d/dw (‖w‖ - 1)² = 2(‖w‖ - 1) w/‖w‖ = 2·4·(0.6, 0.8)
    np.testing.assert_allclose(tape.gradient(penalty, w).numpy().ravel(), [4.8, 6.4], rtol=1e-5)
