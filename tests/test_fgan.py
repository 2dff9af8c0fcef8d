"""The f-GAN family: its losses are eq. 6 of the paper, its step is one SGD step per player,
FGAN("gan") plays exactly the GAN game, and it round-trips."""
import math

import keras
import numpy as np
import pytest
import tensorflow as tf

from family_cases import fgan_kl_case, gan_case, points_batch
from zoo import divergences
from zoo.families import FGAN
from zoo.networks import mlp

REAL_V = tf.constant([[0.5], [-1.0]])
FAKE_V = tf.constant([[2.0], [0.0]])


def _sp(x):
    return math.log1p(math.exp(x))


# Critic loss −(mean g_f(V_real) − mean f*(g_f(V_fake))) and the alternative generator loss
# −mean g_f(V_fake), worked out by hand on REAL_V, FAKE_V.
HAND = {
    "kl": (-((0.5 - 1.0) / 2 - (math.exp(1.0) + math.exp(-1.0)) / 2), -(2.0 + 0.0) / 2),
    "pearson": (-((0.5 - 1.0) / 2 - ((1.0 + 2.0) + 0.0) / 2), -1.0),
    "reverse_kl": (-((-math.exp(-0.5) - math.exp(1.0)) / 2 - ((2.0 - 1) + (0.0 - 1)) / 2),
                   (math.exp(-2.0) + 1.0) / 2),
    "squared_hellinger": (-(((1 - math.exp(-0.5)) + (1 - math.exp(1.0))) / 2 - (math.expm1(2.0) + 0.0) / 2),
                          -((1 - math.exp(-2.0)) + 0.0) / 2),
    "jensen_shannon": (-((2 * math.log(2) - _sp(-0.5) - _sp(1.0)) / 2 - (_sp(2.0) + _sp(0.0) - 2 * math.log(2)) / 2),
                       -(2 * math.log(2) - _sp(-2.0) - _sp(0.0)) / 2),
    "gan": ((_sp(-0.5) + _sp(1.0)) / 2 + (_sp(2.0) + _sp(0.0)) / 2, (_sp(-2.0) + _sp(0.0)) / 2),
    "total_variation": (-((math.tanh(0.5) + math.tanh(-1.0)) / 4 - (math.tanh(2.0) + 0.0) / 4),
                        -(math.tanh(2.0) + 0.0) / 4),
}


@pytest.mark.parametrize("divergence", sorted(HAND))
def test_losses_equal_hand_computed_values(divergence):
    model, _ = fgan_kl_case(divergence=divergence)
    critic_loss, generator_loss = HAND[divergence]
    assert float(model.discriminator_loss(REAL_V, FAKE_V)) == pytest.approx(critic_loss, rel=1e-5)
    assert float(model.generator_loss(FAKE_V)) == pytest.approx(generator_loss, rel=1e-5)


def test_saddle_generator_objective():
    model, _ = fgan_kl_case(divergence="kl")
    model.generator_objective = "saddle"
    # −mean f*(g_f(V)) = −mean exp(V − 1)
    assert float(model.generator_loss(FAKE_V)) == pytest.approx(-(math.exp(1.0) + math.exp(-1.0)) / 2, rel=1e-6)


@pytest.mark.parametrize("divergence", ["kl", "pearson", "neyman"])
def test_train_step_is_one_sgd_step_per_player(divergence):
    model, x = fgan_kl_case(seed=1, divergence=divergence)
    x = tf.constant(x)
    state = model.seed_generator.state.numpy()
    z_d = model.sample_latent(tf.shape(x)[0])
    z_g = model.sample_latent(tf.shape(x)[0])
    model.seed_generator.state.assign(state)
    lr = 0.05

    d_vars = model.discriminator.trainable_variables
    with tf.GradientTape() as tape:
        bound = divergences.get(divergence).variational_bound(
            model.discriminator(x), model.discriminator(model.generator(z_d)))
        d_loss = -bound
    expected_d = [v.numpy() - lr * g.numpy() for v, g in zip(d_vars, tape.gradient(d_loss, d_vars))]
    g_before = model.generator.get_weights()

    logs = model.train_step(x)
    assert float(logs["d_loss"]) == pytest.approx(float(d_loss), rel=1e-5)
    assert float(logs["divergence"]) == pytest.approx(float(bound), rel=1e-5)
    for v, e in zip(model.discriminator.trainable_variables, expected_d):
        np.testing.assert_allclose(v.numpy(), e, rtol=1e-5, atol=1e-6)

    g_after = model.generator.get_weights()
    model.generator.set_weights(g_before)
    g_vars = model.generator.trainable_variables
    with tf.GradientTape() as tape:
        g_loss = -tf.reduce_mean(divergences.get(divergence).activation(model.discriminator(model.generator(z_g))))
    expected_g = [v.numpy() - lr * g.numpy() for v, g in zip(g_vars, tape.gradient(g_loss, g_vars))]
    assert float(logs["g_loss"]) == pytest.approx(float(g_loss), rel=1e-5)
    for got, e in zip(g_after, expected_g):
        np.testing.assert_allclose(got, e, rtol=1e-5, atol=1e-6)


def test_fgan_gan_takes_the_same_steps_as_gan():
    """f-GAN §2.4: with f(u) = u log u − (u + 1) log(u + 1) the critic objective is the GAN
    discriminator's, and the alternative generator loss the non-saturating one.  Same
    networks, weights, noise and data -> the same two updates, step after step."""
    gan, x = gan_case(seed=4, loss="non_saturating")
    generator = keras.models.clone_model(gan.generator)
    discriminator = keras.models.clone_model(gan.discriminator)
    generator.set_weights(gan.generator.get_weights())
    discriminator.set_weights(gan.discriminator.get_weights())
    fgan = FGAN(generator, discriminator, divergence="gan", seed=gan.seed)
    fgan.compile(g_optimizer=keras.optimizers.SGD(0.1), d_optimizer=keras.optimizers.SGD(0.1))
    x = tf.constant(x)
    for _ in range(3):
        gan_logs, fgan_logs = gan.train_step(x), fgan.train_step(x)
        assert float(fgan_logs["d_loss"]) == pytest.approx(float(gan_logs["d_loss"]), rel=1e-6)
        assert float(fgan_logs["g_loss"]) == pytest.approx(float(gan_logs["g_loss"]), rel=1e-6)
        for a, b in zip(gan.discriminator.get_weights(), fgan.discriminator.get_weights()):
            np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)
        for a, b in zip(gan.generator.get_weights(), fgan.generator.get_weights()):
            np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)


def test_jensen_shannon_and_gan_rows_take_the_same_steps():
    """With the paper's output activations (Table 2) the JS losses are the GAN ones minus
    constants: the critic's by 2 log 2, the generator's by log 2.  So ``fgan-js-*`` and
    ``fgan-gan-*`` (same rate) train through the same weights; their cards agree."""
    gan, _ = gan_case(seed=4, loss="non_saturating")
    x = tf.constant(points_batch(seed=4))
    models = {}
    for divergence in ("gan", "jensen_shannon"):
        generator, discriminator = (keras.models.clone_model(gan.generator), keras.models.clone_model(gan.discriminator))
        generator.set_weights(gan.generator.get_weights())
        discriminator.set_weights(gan.discriminator.get_weights())
        models[divergence] = FGAN(generator, discriminator, divergence=divergence, seed=gan.seed)
        models[divergence].compile(g_optimizer=keras.optimizers.SGD(0.1), d_optimizer=keras.optimizers.SGD(0.1))
    for _ in range(3):
        gan_logs, js_logs = models["gan"].train_step(x), models["jensen_shannon"].train_step(x)
        assert float(js_logs["d_loss"]) == pytest.approx(float(gan_logs["d_loss"]) - 2 * math.log(2), abs=1e-5)
        assert float(js_logs["g_loss"]) == pytest.approx(float(gan_logs["g_loss"]) - math.log(2), abs=1e-5)
    for network in ("generator", "discriminator"):
        for a, b in zip(getattr(models["gan"], network).get_weights(), getattr(models["jensen_shannon"], network).get_weights()):
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("divergence", sorted(divergences.F_DIVERGENCES))
def test_every_divergence_trains_a_few_steps_on_2d_data(divergence):
    keras.utils.set_random_seed(0)
    model = FGAN(mlp(2, 2, hidden=(8,), name="generator"), mlp(2, 1, hidden=(8,), name="discriminator"),
                 divergence=divergence, seed=0)
    model.compile(g_optimizer=keras.optimizers.Adam(1e-3), d_optimizer=keras.optimizers.Adam(1e-3))
    x = tf.constant(points_batch(n=64))
    before = model.discriminator.get_weights()[0].copy()
    for _ in range(3):
        logs = model.train_step(x)  # eagerly: fit's compilation is covered below
    assert all(np.isfinite(float(v)) for v in logs.values())
    assert not np.allclose(before, model.discriminator.get_weights()[0])
    assert int(model.d_optimizer.iterations) == int(model.g_optimizer.iterations) == 3


def test_fit_trains_and_logs_the_divergence_estimate():
    model, x = fgan_kl_case(seed=2, divergence="pearson")
    history = model.fit(np.tile(x, (4, 1)), batch_size=16, epochs=2, verbose=0)
    assert set(history.history) == {"d_loss", "g_loss", "divergence"}
    np.testing.assert_allclose(history.history["divergence"], -np.array(history.history["d_loss"]))
    assert int(model.d_optimizer.iterations) == 8


def test_config_round_trip():
    # model.keras (weights, optimizers, resuming) is the contract's (tests/test_contract.py).
    model, _ = fgan_kl_case(seed=3, divergence="js")
    model.generator_objective = "saddle"
    clone = FGAN.from_config(model.get_config())
    assert clone.divergence is divergences.jensen_shannon and clone.generator_objective == "saddle"


def test_bad_options_are_refused_with_the_received_value():
    g, d = mlp(2, 2, hidden=(4,)), mlp(2, 1, hidden=(4,))
    with pytest.raises(ValueError, match="Received: divergence='kld'"):
        FGAN(g, d, divergence="kld")
    with pytest.raises(ValueError, match="Received: generator_objective='minimax'"):
        FGAN(g, d, divergence="kl", generator_objective="minimax")
