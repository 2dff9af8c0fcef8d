"""The RBM family (Hinton 2002; PCD, Tieleman 2008): its free energy and gradient by hand, its Gibbs
sampler against the exact distribution of a tiny RBM, and what its export serves.

The contract (tests/test_contract.py) covers it too, on the rbm-digits row: one step moves the
weights, model.keras round-trips, the export samples alike without zoo, 2 replicas train as 1 device.
"""
import itertools
import math

import keras
import numpy as np
import pytest
import tensorflow as tf

from zoo.families import RBM
from zoo.families.rbm import DEFAULT_SAMPLE_STEPS, RBMWeights, rbm_weights
from zoo.metrics import ais


def tiny_rbm(visible_shape=(2, 2, 1), hidden=3, seed=0, scale=1.0, particles=4):
    """An RBM with N(0, scale²) weights and N(0, 1) biases drawn from ``seed``."""
    model = RBM(rbm_weights(visible_shape, hidden), particles=particles, seed=seed)
    rng = np.random.default_rng(seed)
    d = int(np.prod(visible_shape))
    model.rbm.kernel.assign(rng.normal(0.0, scale, (d, hidden)).astype(np.float32))
    model.rbm.visible_bias.assign(rng.normal(0.0, 1.0, d).astype(np.float32))
    model.rbm.hidden_bias.assign(rng.normal(0.0, 1.0, hidden).astype(np.float32))
    return model


def test_free_energy_by_hand():
    # D = 2, H = 1, W = [[1], [-2]], a = [0.5, 0], b = [0.25]; v = (1, 1):
    # F = -(0.5) - softplus(0.25 + 1 - 2) = -0.5 - log(1 + e^-0.75)
    model = RBM(rbm_weights((2,), 1), particles=2)
    model.rbm.kernel.assign([[1.0], [-2.0]])
    model.rbm.visible_bias.assign([0.5, 0.0])
    model.rbm.hidden_bias.assign([0.25])
    expected = -0.5 - math.log1p(math.exp(-0.75))
    assert float(model.free_energy(tf.constant([[1.0, 1.0]]))[0]) == pytest.approx(expected, rel=1e-6)
    # The served unnormalised log-probability takes images in {-1, +1}: x = (1, 1) is v = (1, 1).
    assert float(model.unnormalized_log_prob(tf.constant([[1.0, 1.0]]))[0]) == pytest.approx(-expected, rel=1e-6)
    assert float(model.unnormalized_log_prob(tf.constant([[-1.0, -1.0]]))[0]) == pytest.approx(math.log1p(math.exp(0.25)),
                                                                                                rel=1e-6)


def test_free_energy_gap_gradient_is_the_cd_estimate():
    # ∂/∂W [mean F(v_data) - mean F(v_model)] = -(<v σ(b + vW)ᵀ>_data - <v σ(b + vW)ᵀ>_model), and the
    # bias terms alike: autodiff of the gap is the CD/PCD update (Hinton 2002, eq. 5).
    model = tiny_rbm((4,), 3, seed=1)
    rng = np.random.default_rng(0)
    v_data = (rng.random((5, 4)) < 0.5).astype(np.float32)
    v_model = (rng.random((7, 4)) < 0.5).astype(np.float32)
    with tf.GradientTape() as tape:
        gap = tf.reduce_mean(model.free_energy(v_data)) - tf.reduce_mean(model.free_energy(v_model))
    grads = tape.gradient(gap, [model.rbm.kernel, model.rbm.visible_bias, model.rbm.hidden_bias])
    w, a, b = (v.numpy().astype(np.float64) for v in (model.rbm.kernel, model.rbm.visible_bias, model.rbm.hidden_bias))

    def statistics(v):
        h = 1.0 / (1.0 + np.exp(-(v @ w + b)))
        return v.T @ h / len(v), v.mean(axis=0), h.mean(axis=0)

    for grad, data, model_side in zip(grads, statistics(v_data), statistics(v_model)):
        np.testing.assert_allclose(grad.numpy(), -(data - model_side), rtol=1e-5, atol=1e-6)


def test_block_gibbs_samples_the_exact_distribution():
    # 8,000 chains of a 3-visible, 2-hidden RBM after 30 steps: the histogram of v matches
    # p(v) = exp(-F(v)) / Z summed exactly.
    model = tiny_rbm((3,), 2, seed=2)
    chains, steps = 8_000, 30
    v = tf.zeros([chains, 3])
    for step in range(steps):
        v, _ = model.gibbs_step(v, tf.random.stateless_uniform([chains, 2], seed=[step, 0]),
                                tf.random.stateless_uniform([chains, 3], seed=[step, 1]))
    codes = (v.numpy() @ np.array([4, 2, 1])).astype(int)
    empirical = np.bincount(codes, minlength=8) / chains
    kernel, a, b = ais.rbm_arrays(model)
    states = np.array(list(itertools.product([0.0, 1.0], repeat=3)))
    exact = np.exp(-ais.free_energy(kernel, a, b, states) - ais.exact_log_partition(kernel, a, b))
    np.testing.assert_allclose(empirical, exact, atol=0.02)  # 4.5 standard errors at p = 0.5


def test_pcd_raises_the_exact_likelihood_of_the_data():
    from zoo.data.binarized import binarized_split

    keras.utils.set_random_seed(0)
    x = binarized_split("digits")[0][:256]
    model = RBM(rbm_weights((8, 8, 1), 8), particles=32, seed=0)
    model.compile(rbm_optimizer=keras.optimizers.Adam(0.02))

    def log_likelihood():
        kernel, a, b = ais.rbm_arrays(model)
        return float(-ais.free_energy(kernel, a, b, ais.to_visible(x)).mean() - ais.exact_log_partition(kernel, a, b))

    before = log_likelihood()
    assert before == pytest.approx(-64 * math.log(2.0), abs=0.5)  # ≈ uniform at the start
    chains = model.chains.numpy().copy()
    history = model.fit(np.tile(x, (4, 1, 1, 1)), batch_size=32, epochs=1, verbose=0, shuffle=False)
    assert log_likelihood() > before + 10.0
    assert not np.array_equal(model.chains.numpy(), chains)  # the fantasy particles moved...
    assert set(np.unique(model.chains.numpy())) <= {0.0, 1.0}  # ...and stay binary states
    assert set(history.history) == {"free_energy_gap", "reconstruction"}
    assert 0.0 < history.history["reconstruction"][-1] < 0.25


def test_sample_chain_and_sample_steps_agree():
    model = tiny_rbm((2, 3, 1), 4, seed=3)
    states = model.sample_chain(5, 7, 6).numpy()
    assert states.shape == (6, 5, 2, 3, 1) and states.min() >= -1.0 and states.max() <= 1.0
    last, z = model.sample(5, 7, steps=6)
    np.testing.assert_allclose(last.numpy(), states[-1], atol=1e-6)  # the chain's last state is the sample
    assert z.shape == (5, 0)
    np.testing.assert_array_equal(model.sample(5, 7)[0].numpy(), model.sample(5, 7)[0].numpy())  # stateless
    assert not np.allclose(model.sample(5, 8)[0].numpy(), model.sample(5, 7)[0].numpy())
    # The image of a state is 2 p(v = 1 | h) - 1: mean-field values, not only ±1.
    assert np.any(np.abs(states) < 0.99)


def test_steps_are_checked_inside_the_graph():
    model = tiny_rbm()
    functions = model.serving_functions()
    chain, _ = functions["chain"]
    sample_steps, _ = functions["sample_steps"]
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"steps must be in \[1, 10000\]"):
        chain(tf.constant(2), tf.constant(0), tf.constant(0))
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"steps must be in \[1, 100000\]"):
        sample_steps(tf.constant(2), tf.constant(0), tf.constant(100_001))
    with pytest.raises(tf.errors.InvalidArgumentError, match="n × steps must be at most 131072"):
        chain(tf.constant(200), tf.constant(0), tf.constant(1000))
    assert chain(tf.constant(2), tf.constant(0), tf.constant(3))["x"].shape == (3, 2, 2, 2, 1)


def test_export_serves_the_chain_and_the_unnormalized_log_prob(tmp_path):
    from zoo import export, load

    model = tiny_rbm((2, 2, 1), 3, seed=4)
    model.compile(rbm_optimizer="sgd")
    path = export(model, "rbm-tiny", dataset="binarized_digits", out_dir=tmp_path, data_kind="images")
    loaded = load(path)
    card = loaded.card
    assert card.signatures == ["chain", "sample", "sample_steps", "serving_default", "unnormalized_log_prob"]
    assert card.latent_dim == 0 and card.parameters == 4 * 3 + 4 + 3
    # TFLite has no stateless random ops: of the four, only the free energy converts.
    assert card.runtimes["tflite"] == ["unnormalized_log_prob"]
    assert set(card.runtimes["session"]) == {"chain", "sample", "sample_steps", "unnormalized_log_prob"}
    np.testing.assert_allclose(loaded.sample(3, seed=1), model.sample(3, 1)[0].numpy(), atol=1e-5)
    signatures = loaded.saved_model.signatures
    chain = signatures["chain"](n=tf.constant(3), seed=tf.constant(1), steps=tf.constant(DEFAULT_SAMPLE_STEPS))["x"]
    np.testing.assert_allclose(chain[-1].numpy(), loaded.sample(3, seed=1), atol=1e-5)
    x = np.array([[[[1.0], [-1.0]], [[-1.0], [1.0]]]], np.float32)
    served = signatures["unnormalized_log_prob"](x=tf.constant(x))["unnormalized_log_prob"].numpy()
    np.testing.assert_allclose(served, model.unnormalized_log_prob(x).numpy(), rtol=1e-6)


def test_options_are_checked():
    with pytest.raises(ValueError, match="particles must be a positive integer. Received: particles=0"):
        RBM(rbm_weights((2,), 1), particles=0)
    with pytest.raises(ValueError, match="gibbs_steps must be a positive integer. Received: gibbs_steps=1.5"):
        RBM(rbm_weights((2,), 1), gibbs_steps=1.5)
    with pytest.raises(ValueError, match="hidden_units must be a positive integer"):
        RBMWeights((2,), 0)
    assert "rbm" in RBM.FAMILY and all("doi:" in p for p in RBM.PAPERS)
