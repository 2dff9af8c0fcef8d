"""The density-ratio-matching GAN: its losses are ratio matching and the f-divergence's
functional derivative, its step is one SGD step per player, and it round-trips."""
import math

import numpy as np
import pytest
import tensorflow as tf

from family_cases import ratio_case
from zoo import divergences, losses
from zoo.families import RatioMatchingGAN
from zoo.networks import mlp

REAL_V = tf.constant([[0.5], [-1.0]])
FAKE_V = tf.constant([[2.0], [0.0]])


def _sp(x):
    return math.log1p(math.exp(x))


def test_losses_equal_hand_computed_values():
    model, _ = ratio_case()
    # r = softplus(V); ratio matching ½ mean r_fake² − mean r_real
    expected_d = 0.5 * (_sp(2.0) ** 2 + _sp(0.0) ** 2) / 2 - (_sp(0.5) + _sp(-1.0)) / 2
    assert float(model.discriminator_loss(REAL_V, FAKE_V)) == pytest.approx(expected_d, rel=1e-6)
    # reverse KL: f(r) − r f′(r) = −log r + 1
    expected_g = 1 - (math.log(_sp(2.0)) + math.log(_sp(0.0))) / 2
    assert float(model.generator_loss(FAKE_V)) == pytest.approx(expected_g, rel=1e-6)
    # Pearson: f(r) − r f′(r) = 1 − r²
    model.divergence = divergences.pearson
    assert float(model.generator_loss(FAKE_V)) == pytest.approx(1 - (_sp(2.0) ** 2 + _sp(0.0) ** 2) / 2, rel=1e-6)


def test_generator_loss_is_stable_where_the_ratio_underflows():
    model, _ = ratio_case()
    loss = model.generator_loss(tf.constant([[-200.0], [-120.0]]))
    assert float(loss) == pytest.approx(1 + 160.0, rel=1e-5)


def test_ratio_matching_minimiser_is_the_density_ratio():
    """Over a free r on two atoms, ½ E_q[r²] − E_p[r] is minimised at r = p/q."""
    p, q = np.array([0.2, 0.8]), np.array([0.5, 0.5])
    r = tf.Variable([1.0, 1.0], dtype=tf.float64)
    for _ in range(40):  # gradient q r − p contracts the error by (1 − q·lr) = ½ per step
        with tf.GradientTape() as tape:
            # expectations over the atoms written as weighted sums
            loss = 0.5 * tf.reduce_sum(q * r ** 2) - tf.reduce_sum(p * r)
        r.assign_sub(1.0 * tape.gradient(loss, r))
    np.testing.assert_allclose(r.numpy(), p / q, rtol=1e-6)
    # and the minimum is −½ (1 + χ²(P‖Q)), which the family logs as its Pearson estimate
    chi2 = np.sum((p - q) ** 2 / q)
    assert float(loss) == pytest.approx(-0.5 * (1 + chi2), rel=1e-6)


def test_train_step_is_one_sgd_step_per_player():
    model, x = ratio_case(seed=1)
    x = tf.constant(x)
    state = model.seed_generator.state.numpy()
    z_d = model.sample_latent(tf.shape(x)[0])
    z_g = model.sample_latent(tf.shape(x)[0])
    model.seed_generator.state.assign(state)
    lr = 0.05

    d_vars = model.discriminator.trainable_variables
    with tf.GradientTape() as tape:
        d_loss = losses.ratio_discriminator_loss(tf.nn.softplus(model.discriminator(x)),
                                                 tf.nn.softplus(model.discriminator(model.generator(z_d))))
    expected_d = [v.numpy() - lr * g.numpy() for v, g in zip(d_vars, tape.gradient(d_loss, d_vars))]
    g_before = model.generator.get_weights()

    logs = model.train_step(x)
    assert float(logs["d_loss"]) == pytest.approx(float(d_loss), rel=1e-5)
    assert float(logs["pearson"]) == pytest.approx(-2 * float(d_loss) - 1, rel=1e-5)
    for v, e in zip(model.discriminator.trainable_variables, expected_d):
        np.testing.assert_allclose(v.numpy(), e, rtol=1e-5, atol=1e-6)

    g_after = model.generator.get_weights()
    model.generator.set_weights(g_before)
    g_vars = model.generator.trainable_variables
    with tf.GradientTape() as tape:
        g_loss = 1 - tf.reduce_mean(tf.math.log(tf.nn.softplus(model.discriminator(model.generator(z_g)))))
    expected_g = [v.numpy() - lr * g.numpy() for v, g in zip(g_vars, tape.gradient(g_loss, g_vars))]
    assert float(logs["g_loss"]) == pytest.approx(float(g_loss), rel=1e-5)
    for got, e in zip(g_after, expected_g):
        np.testing.assert_allclose(got, e, rtol=1e-5, atol=1e-6)


def test_fit_trains_a_few_steps_on_2d_data():
    model, x = ratio_case(seed=2)
    history = model.fit(np.tile(x, (4, 1)), batch_size=16, epochs=2, verbose=0)
    assert set(history.history) == {"d_loss", "g_loss", "pearson"}
    assert all(np.isfinite(v).all() for v in history.history.values())
    assert int(model.d_optimizer.iterations) == int(model.g_optimizer.iterations) == 8


def test_config_round_trip():
    # model.keras (weights, optimizers, resuming) is the contract's (tests/test_contract.py).
    model = RatioMatchingGAN(mlp(2, 2, hidden=(8,), name="generator"), mlp(2, 1, hidden=(8,), name="discriminator"),
                             divergence="pearson", seed=3)
    assert RatioMatchingGAN.from_config(model.get_config()).divergence is divergences.pearson


def test_unknown_divergence_is_refused():
    with pytest.raises(ValueError, match="Received: divergence='rkl2'"):
        RatioMatchingGAN(mlp(2, 2, hidden=(4,)), mlp(2, 1, hidden=(4,)), divergence="rkl2")
