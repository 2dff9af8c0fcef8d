"""Stabilisation tricks: the pure parts by hand (their losses: tests/test_losses.py), and each
option inside a family."""
import keras
import numpy as np
import pytest
import tensorflow as tf
from family_cases import CASES

from zoo import tricks
from zoo.families import GAN, WGANGP
from zoo.networks import mlp


@pytest.mark.parametrize("step, expected", [(0, 0.2), (50, 0.1), (100, 0.0), (150, 0.0)])
def test_instance_noise_anneals_linearly_to_zero(step, expected):
    assert float(tricks.instance_noise_stddev(step, 0.2, 100)) == pytest.approx(expected, abs=1e-7)
    assert float(tricks.instance_noise_stddev(step, 0.2, 0)) == pytest.approx(0.2)  # no annealing


def gan(**kwargs):
    keras.utils.set_random_seed(0)
    model = GAN(mlp(2, 2, hidden=(8,), name="generator"), mlp(2, 1, hidden=(8, 8), name="discriminator"),
                seed=0, **kwargs)
    model.compile(g_optimizer=keras.optimizers.SGD(0.5), d_optimizer=keras.optimizers.SGD(0.5))
    return model


def test_instance_noise_has_the_annealed_stddev_on_both_inputs():
    model = gan(instance_noise=0.2, noise_anneal_steps=100)
    model.d_optimizer.iterations.assign(50)  # σ = 0.1
    x = tf.zeros([20_000, 2])
    real, fake = model.discriminator_inputs(x, x + 1.0)
    assert float(tf.math.reduce_std(real)) == pytest.approx(0.1, rel=0.03)
    assert float(tf.math.reduce_std(fake - 1.0)) == pytest.approx(0.1, rel=0.03)
    assert not np.allclose(real.numpy(), (fake - 1.0).numpy())  # independent draws
    assert gan().discriminator_inputs(x)[0] is x  # off: untouched


def test_historical_averaging_pulls_towards_the_running_mean_by_hand():
    lam, lr = 0.25, 0.5
    model = gan(historical_averaging=lam)
    variables = model.player_variables("d_optimizer")
    theta0 = [v.numpy() for v in variables]

    def step():  # a loss with zero gradient: only the penalty moves the weights
        with tf.GradientTape() as tape:
            loss = 0.0 * tf.add_n([tf.reduce_sum(v) for v in variables])
        model.apply_update(tape, loss, "d_optimizer")

    step()  # θ̄ = θ0: no pull
    for v, t in zip(variables, theta0):
        np.testing.assert_allclose(v.numpy(), t, atol=1e-7)
    delta = 0.3
    for v, t in zip(variables, theta0):
        v.assign(t + delta)
    step()  # θ̄ = θ0 + δ/2; ∇ = 2λ(θ - θ̄) = λδ; θ ← θ0 + δ - lr·λδ
    for v, t in zip(variables, theta0):
        np.testing.assert_allclose(v.numpy(), t + delta - lr * lam * delta, rtol=1e-5, atol=1e-6)


def test_feature_matching_uses_the_penultimate_layer():
    model = gan(feature_matching=True)
    d = model.discriminator
    real, fake = CASES["gan"](seed=0)[1], CASES["gan"](seed=1)[1]

    def features(x):  # the last hidden activation, by hand from the weights
        h = x
        for layer in d.layers[1:-1]:
            h = layer(h)
        return h.numpy()

    expected = np.sum((features(real).mean(0) - features(fake).mean(0)) ** 2)
    assert float(model.matching_loss(real, fake)) == pytest.approx(expected, rel=1e-5)


@pytest.mark.parametrize("name", ["gan-tricks", "gan-feature-matching"])
def test_gan_with_tricks_trains_a_few_steps(name):
    model, data = CASES[name](seed=0)
    history = model.fit(data, batch_size=8, epochs=2, verbose=0)
    assert all(np.isfinite(v[-1]) for v in history.history.values())


def test_tricks_round_trip_through_the_config():
    model = gan(instance_noise=0.1, noise_anneal_steps=7, historical_averaging=0.01)
    clone = GAN.from_config(model.get_config())
    assert (clone.instance_noise, clone.noise_anneal_steps, clone.historical_averaging) == (0.1, 7, 0.01)


def test_option_errors():
    with pytest.raises(ValueError, match="instance_noise"):
        gan(instance_noise=-1.0)
    with pytest.raises(ValueError, match="feature_matching"):
        WGANGP(mlp(2, 2, hidden=(4,)), mlp(2, 1, hidden=(4,)), feature_matching=True)
