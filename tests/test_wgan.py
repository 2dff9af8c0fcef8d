"""WGAN and WGAN-GP: losses by hand on a linear critic, clipping, a few training steps."""
import math

import keras
import numpy as np
import pytest
import tensorflow as tf
from family_cases import CASES

from zoo.families import WGAN, WGANGP
from zoo.networks import mlp


def linear_models(family, **kwargs):
    """A generator and a linear critic f(x) = 1·x₁ + 2·x₂ + 0.5."""
    generator = mlp(2, 2, hidden=(4,), name="generator")
    critic = mlp(2, 1, hidden=(), name="discriminator")
    critic.set_weights([np.array([[1.0], [2.0]], np.float32), np.array([0.5], np.float32)])
    model = family(generator, critic, seed=0, **kwargs)
    model.compile(g_optimizer=keras.optimizers.SGD(0.01), d_optimizer=keras.optimizers.SGD(0.01))
    return model


REAL = tf.constant([[1.0, 1.0], [0.0, 2.0]])  # f = 3.5, 4.5
FAKE = tf.constant([[0.0, 1.0], [1.0, 0.0]])  # f = 2.5, 1.5


def test_wgan_critic_loss_by_hand():
    loss, logs = linear_models(WGAN).discriminator_cost(REAL, FAKE)
    # E f(G(z)) - E f(x) = 2.0 - 4.0
    assert float(loss) == pytest.approx(-2.0)
    assert float(logs["wasserstein"]) == pytest.approx(2.0)


def test_wgan_gp_critic_loss_adds_lambda_times_penalty():
    model = linear_models(WGANGP, penalty_weight=10.0)
    tf.random.set_seed(0)
    loss, logs = model.discriminator_cost(REAL, FAKE)
    # ‖∇f‖ = ‖(1, 2)‖ = √5 at every interpolate: penalty (√5 - 1)².
    penalty = (math.sqrt(5.0) - 1.0) ** 2
    assert float(logs["gradient_penalty"]) == pytest.approx(penalty, rel=1e-5)
    assert float(loss) == pytest.approx(-2.0 + 10.0 * penalty, rel=1e-5)


def test_clipping_keeps_every_critic_weight_in_range():
    model, data = CASES["wgan"](seed=0)
    c = model.clip_value
    # A large learning rate so that unclipped updates would leave [-c, c].
    model.compile(g_optimizer=keras.optimizers.SGD(0.1), d_optimizer=keras.optimizers.SGD(5.0))
    model.fit(data, batch_size=len(data), epochs=3, verbose=0)
    weights = np.concatenate([v.numpy().ravel() for v in model.discriminator.trainable_variables])
    assert np.all(np.abs(weights) <= c + 1e-7)
    assert np.isclose(np.abs(weights), c).mean() > 0.25  # the clipping did act


@pytest.mark.parametrize("name", ["wgan", "wgan-gp"])
def test_trains_a_few_steps_on_points(name):
    model, data = CASES[name](seed=0)
    before = [w.copy() for w in model.get_weights()]
    history = model.fit(data, batch_size=8, epochs=2, verbose=0)
    assert all(np.isfinite(v[-1]) for v in history.history.values())
    assert model.d_optimizer.iterations.numpy() == model.n_critic * model.g_optimizer.iterations.numpy()
    assert any(not np.allclose(a, b) for a, b in zip(before, model.get_weights()))


def test_argument_errors():
    with pytest.raises(ValueError, match="clip_value"):
        linear_models(WGAN, clip_value=0.0)
    with pytest.raises(ValueError, match="n_critic"):
        linear_models(WGANGP, n_critic=0)
    with pytest.raises(ValueError, match="feature_matching"):
        linear_models(WGANGP, feature_matching=True)
