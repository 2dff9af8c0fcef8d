"""Cramér GAN: its critic, surrogate and generator losses by hand; the family's critic loss
with an identity ``h`` against the closed-form gradient of ``f``; a few training steps."""
import keras
import numpy as np
import pytest
import tensorflow as tf
from family_cases import CASES

from zoo import losses
from zoo.families import CramerGAN
from zoo.networks import mlp


def test_critic_by_hand():
    h_x = tf.constant([[3.0, 4.0], [3.0, 4.0]])
    h_ref = tf.constant([[0.0, 0.0], [3.0, 0.0]])
    # ‖h(x) - h(x'_g)‖ - ‖h(x)‖ = 5 - 5, 4 - 5
    np.testing.assert_allclose(losses.cramer_critic(h_x, h_ref).numpy(), [0.0, -1.0], atol=1e-5)


def test_surrogate_and_generator_loss_by_hand():
    h_real = tf.constant([[3.0, 4.0]])
    h_fake = tf.constant([[0.0, 1.0]])
    h_fake_prime = tf.constant([[0.0, -1.0]])
    # f(x_r) = ‖(3, 5)‖ - 5 = √34 - 5;  f(x_g) = ‖(0, 2)‖ - 1 = 1
    surrogate = (np.sqrt(34.0) - 5.0) - 1.0
    assert float(losses.cramer_surrogate_loss(h_real, h_fake, h_fake_prime)) == pytest.approx(surrogate, rel=1e-5)
    # ‖r - g‖ + ‖r - g'‖ - ‖g - g'‖ = √18 + √34 - 2
    generator = np.sqrt(18.0) + np.sqrt(34.0) - 2.0
    assert float(losses.cramer_generator_loss(h_real, h_fake, h_fake_prime)) == pytest.approx(generator, rel=1e-5)


def test_generator_loss_is_zero_in_expectation_when_distributions_match():
    # Energy distance: E‖X - Y‖ + E‖X - Y'‖ - E‖Y - Y'‖ - E‖X - X'‖ = 0 for X ~ Y; our loss
    # omits the last term, so it equals E‖X - X'‖ (here Gaussian in 2-D: √π for N(0, I)).
    rng = np.random.default_rng(0)
    r, g, g2 = (tf.constant(rng.normal(size=(200_000, 2)), tf.float32) for _ in range(3))
    assert float(losses.cramer_generator_loss(r, g, g2)) == pytest.approx(np.sqrt(np.pi), rel=0.02)


def identity_model(penalty_weight=10.0):
    h = mlp(2, 2, hidden=(), name="discriminator")
    h.set_weights([np.eye(2, dtype=np.float32), np.zeros(2, np.float32)])
    model = CramerGAN(mlp(2, 2, hidden=(4,), name="generator"), h, penalty_weight=penalty_weight, seed=0)
    model.compile(g_optimizer=keras.optimizers.SGD(0.01), d_optimizer=keras.optimizers.SGD(0.01))
    return model


def test_family_critic_loss_with_identity_h_by_hand():
    real = np.array([[3.0, 4.0], [1.0, 1.0]], np.float32)
    fake = np.array([[0.0, 1.0], [1.0, -1.0]], np.float32)
    fake_prime = np.array([[0.0, -1.0], [-2.0, 0.0]], np.float32)
    eps = np.array([0.5, 0.25], np.float32)
    norm = lambda v: np.linalg.norm(v, axis=-1)  # noqa: E731
    f = lambda x: norm(x - fake_prime) - norm(x)  # noqa: E731
    surrogate = f(real).mean() - f(fake).mean()
    # ∇f(x̂) = (x̂ - x'_g)/‖x̂ - x'_g‖ - x̂/‖x̂‖ for h = identity.
    x_hat = eps[:, None] * real + (1 - eps[:, None]) * fake
    grad = (x_hat - fake_prime) / norm(x_hat - fake_prime)[:, None] - x_hat / norm(x_hat)[:, None]
    penalty = ((norm(grad) - 1.0) ** 2).mean()
    model = identity_model()
    model.uniform = lambda batch_size: tf.constant(eps)  # the interpolation weights ε of the penalty
    loss, logs = model.discriminator_cost(tf.constant(real), tf.constant(fake), tf.constant(fake_prime))
    got_surrogate, got_penalty = logs["surrogate"], logs["gradient_penalty"]
    assert float(got_surrogate) == pytest.approx(surrogate, rel=1e-5)
    assert float(got_penalty) == pytest.approx(penalty, rel=1e-4)
    assert float(loss) == pytest.approx(-surrogate + 10.0 * penalty, rel=1e-4)


def test_trains_a_few_steps_on_points():
    model, data = CASES["cramer"](seed=0)
    before = [w.copy() for w in model.get_weights()]
    history = model.fit(data, batch_size=8, epochs=2, verbose=0)
    assert all(np.isfinite(v[-1]) for v in history.history.values())
    assert model.d_optimizer.iterations.numpy() == model.n_critic * model.g_optimizer.iterations.numpy()
    assert any(not np.allclose(a, b) for a, b in zip(before, model.get_weights()))
