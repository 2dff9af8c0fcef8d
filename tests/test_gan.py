"""The GAN family: its step is the step of the paper, it round-trips, it refuses bad options."""
import numpy as np
import pytest
import tensorflow as tf

from family_cases import gan_case
from zoo import losses
from zoo.families import GAN


def _sgd_step_by_hand(model, x, z_d, z_g, lr):
    """The same update written out: D descends L_D, then G descends L_G with the new D."""
    d_vars = model.discriminator.trainable_variables
    with tf.GradientTape() as tape:
        d_loss = losses.gan_discriminator_loss(model.discriminator(x), model.discriminator(model.generator(z_d)))
    expected_d = [v - lr * g for v, g in zip(d_vars, tape.gradient(d_loss, d_vars))]
    return d_loss, expected_d


@pytest.mark.parametrize("loss", ["minimax", "non_saturating"])
def test_train_step_is_one_sgd_step_per_player(loss):
    model, x = gan_case(seed=1, loss=loss)
    x = tf.constant(x)
    # Replay the noise the step will draw: same seed generator state.
    state = model.seed_generator.state.numpy()
    z_d = model.sample_latent(tf.shape(x)[0])
    z_g = model.sample_latent(tf.shape(x)[0])
    model.seed_generator.state.assign(state)

    d_loss, expected_d = _sgd_step_by_hand(model, x, z_d, z_g, lr=0.1)
    g_before = model.generator.get_weights()
    d_before = model.discriminator.get_weights()

    logs = model.train_step(x)
    for v, e in zip(model.discriminator.trainable_variables, expected_d):
        np.testing.assert_allclose(v.numpy(), e.numpy(), rtol=1e-5, atol=1e-6)
    assert float(logs["d_loss"]) == pytest.approx(float(d_loss), rel=1e-5)

    # The generator step used the updated discriminator, the old generator and the second
    # noise draw, and moved G by one SGD step on L_G.
    g_after = model.generator.get_weights()
    model.generator.set_weights(g_before)
    g_vars = model.generator.trainable_variables
    with tf.GradientTape() as tape:
        g_loss = losses.GENERATOR_LOSSES[loss](model.discriminator(model.generator(z_g)))
    expected_g = [v.numpy() - 0.1 * g.numpy() for v, g in zip(g_vars, tape.gradient(g_loss, g_vars))]
    assert float(logs["g_loss"]) == pytest.approx(float(g_loss), rel=1e-5)
    for got, e in zip(g_after, expected_g):
        np.testing.assert_allclose(got, e, rtol=1e-5, atol=1e-6)
    assert any(not np.allclose(a, b) for a, b in zip(d_before, model.discriminator.get_weights()))


def test_fit_trains_and_logs_both_losses():
    model, x = gan_case(seed=2)
    history = model.fit(np.tile(x, (8, 1)), batch_size=16, epochs=2, verbose=0)
    assert set(history.history) == {"d_loss", "g_loss"}
    assert all(np.isfinite(history.history["d_loss"]))
    assert int(model.d_optimizer.iterations) == int(model.g_optimizer.iterations) == 16


def test_model_call_generates():
    model, _ = gan_case()
    z = np.random.default_rng(0).standard_normal((4, 2)).astype("float32")
    np.testing.assert_allclose(model(z).numpy(), model.generator(z).numpy())
    assert model.latent_dim == 2 and model.data_shape == (2,)


def test_config_round_trip():
    # model.keras (weights, optimizers, resuming) is the contract's (tests/test_contract.py).
    model, _ = gan_case(seed=3, loss="minimax")
    clone = GAN.from_config(model.get_config())
    assert clone.objective == "minimax" and clone.latent_dim == 2
    assert model.get_compile_config()["g_optimizer"]["class_name"] == "SGD"


def test_unknown_loss_is_refused():
    model, _ = gan_case()
    with pytest.raises(ValueError, match=r"one of \['minimax', 'non_saturating'\]. Received: loss='wasserstein'"):
        GAN(model.generator, model.discriminator, loss="wasserstein")


def test_compile_without_an_optimizer_says_which():
    model, _ = gan_case()
    with pytest.raises(ValueError, match="Missing: g_optimizer"):
        model.compile(d_optimizer="adam")
