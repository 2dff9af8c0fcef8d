"""VAE: the closed-form KL through tfp, the bounds, the reparameterisation, Gumbel-softmax."""
import math

import keras
import numpy as np
import pytest
import tensorflow as tf
import tensorflow_probability as tfp
from family_cases import CASES

from zoo.families import VAE
from zoo.distributions import gumbel_softmax, likelihood_distribution
from zoo.networks import mlp_decoder, mlp_encoder

tfd = tfp.distributions


def test_kl_term_is_the_gaussian_closed_form():
    model, x = CASES["vae"](seed=0)
    q, _ = model.posterior(x)
    mu, sigma = q.mean().numpy().astype(np.float64), q.stddev().numpy().astype(np.float64)
    # Kingma & Welling 2013, Appendix B: KL(N(μ, σ²) ‖ N(0, 1)) = ½ Σ (σ² + μ² − 1 − log σ²).
    by_hand = 0.5 * np.sum(sigma**2 + mu**2 - 1.0 - np.log(sigma**2), axis=1)
    per_dim = tfd.kl_divergence(tfd.Normal(q.mean(), q.stddev()), tfd.Normal(0.0, 1.0))
    np.testing.assert_allclose(model.kl(q).numpy(), by_hand, rtol=1e-5)
    np.testing.assert_allclose(model.kl(q).numpy(), tf.reduce_sum(per_dim, axis=1).numpy(), rtol=1e-5)


def test_gaussian_likelihood_log_prob_by_hand():
    params = np.array([[0.5, -1.0, 0.0, 1.0]], np.float32)  # loc (0.5, -1), raw scale (0, 1)
    x = np.array([[0.0, 0.0]], np.float32)
    scale = np.log1p(np.exp([0.0, 1.0])) + 1e-3
    by_hand = np.sum(-0.5 * ((x[0] - [0.5, -1.0]) / scale) ** 2 - np.log(scale) - 0.5 * math.log(2 * math.pi))
    np.testing.assert_allclose(likelihood_distribution(params, "gaussian").log_prob(x).numpy(), [by_hand], rtol=1e-5)


def test_elbo_never_exceeds_the_importance_weighted_bound():
    model, x = CASES["vae"](seed=0)
    # On the same draws, mean(log w) <= log mean(w) (Jensen): the Monte-Carlo ELBO is below IWAE_k.
    log_w = model.importance_log_weights(x, k=50, seed=(1, 2)).numpy().astype(np.float64)
    mc_elbo = log_w.mean(axis=0)
    iwae = np.log(np.mean(np.exp(log_w - log_w.max(0)), axis=0)) + log_w.max(0)
    np.testing.assert_allclose(model.iwae_bound(x, k=50, seed=(1, 2)).numpy(), iwae, rtol=1e-5, atol=1e-5)
    assert np.all(mc_elbo <= iwae + 1e-6)
    # And the closed-form-KL ELBO of the family is below the k = 1000 bound on the batch.
    assert float(tf.reduce_mean(model.elbo(x, k=500, seed=(3, 4)))) <= float(
        tf.reduce_mean(model.iwae_bound(x, k=1000, seed=(5, 6))))
    # With k = 1 the importance-weighted bound *is* the one-sample ELBO.
    np.testing.assert_allclose(model.iwae_bound(x, k=1, seed=(7, 8)).numpy(),
                               model.importance_log_weights(x, k=1, seed=(7, 8)).numpy()[0], rtol=1e-6)


def test_elbo_with_exact_posterior_equals_log_likelihood():
    # Linear-Gaussian model: p(z) = N(0, 1), p(x|z) = N(z, s²) ⇒ p(x) = N(0, 1 + s²) and the
    # exact posterior is N(x / (1 + s²), s² / (1 + s²)); with it ELBO = IWAE = log p(x).
    s = 0.5
    raw = float(np.log(np.expm1(s - 1e-3)))  # softplus(raw) + 1e-3 = s
    post_std = math.sqrt(s**2 / (1 + s**2))
    raw_q = float(np.log(np.expm1(post_std - 1e-3)))
    encoder = mlp_encoder((1,), 2, hidden=())
    encoder.set_weights([np.array([[1 / (1 + s**2), 0.0]], np.float32), np.array([0.0, raw_q], np.float32)])
    decoder = mlp_decoder(1, (1,), hidden=(), channels_multiplier=2)
    decoder.set_weights([np.array([[1.0, 0.0]], np.float32), np.array([0.0, raw], np.float32)])
    model = VAE(encoder, decoder)
    x = np.array([[0.3], [-1.2]], np.float32)
    log_px = tfd.Normal(0.0, math.sqrt(1 + s**2)).log_prob(x[:, 0]).numpy()
    np.testing.assert_allclose(model.elbo(x, k=2000, seed=(0, 1)).numpy(), log_px, atol=0.05)
    np.testing.assert_allclose(model.iwae_bound(x, k=10, seed=(0, 1)).numpy(), log_px, atol=1e-4)


def test_reparameterised_gradients_reach_the_encoder_and_training_lowers_the_loss():
    model, x = CASES["vae"](seed=0)
    with tf.GradientTape() as tape:
        reconstruction, kl = model.negative_elbo_terms(x, training=True)
        loss = tf.reduce_mean(reconstruction + kl)
    grads = tape.gradient(loss, model.encoder.trainable_variables)
    assert all(g is not None for g in grads) and sum(float(tf.reduce_sum(tf.abs(g))) for g in grads) > 0
    model.compile(vae_optimizer=keras.optimizers.Adam(1e-2))
    before = float(tf.reduce_mean(model.elbo(x, k=64, seed=(0, 0))))
    model.fit(tf.data.Dataset.from_tensors(x).repeat(), steps_per_epoch=60, epochs=1, verbose=0)
    assert float(tf.reduce_mean(model.elbo(x, k=64, seed=(0, 0)))) > before


def test_gumbel_softmax_matches_tfp_relaxed_one_hot_categorical():
    logits = tf.constant([[2.0, 0.0, -1.0]])
    u = tf.random.stateless_uniform([20000, 3], seed=[0, 1])
    ours = gumbel_softmax(tf.tile(logits, [20000, 1]), u, 0.5).numpy()
    np.testing.assert_allclose(ours.sum(axis=1), 1.0, rtol=1e-5)
    theirs = tfd.RelaxedOneHotCategorical(0.5, logits=logits[0]).sample(20000, seed=[2, 3]).numpy()
    np.testing.assert_allclose(ours.mean(axis=0), theirs.mean(axis=0), atol=0.02)
    # As τ → 0 a draw becomes one-hot at argmax(logits + g).
    cold = gumbel_softmax(logits, u[:1], 1e-3).numpy()[0]
    gumbel = -np.log(-np.log(u[0].numpy()))
    assert cold.argmax() == np.argmax(logits.numpy()[0] + gumbel) and cold.max() > 0.999


def test_discrete_latent_trains_and_samples_one_hot_classes():
    model, x = CASES["vae-gumbel"](seed=0)
    history = model.fit(x, batch_size=8, epochs=2, verbose=0)
    assert all(np.isfinite(v[-1]) for v in history.history.values())
    samples, z = model.sample(6, 0)
    assert samples.shape == (6, 2) and np.all(np.abs(samples.numpy()) <= 1.0)
    np.testing.assert_array_equal(np.sort(z.numpy()[:, 1:], axis=1)[:, -1], 1.0)  # one-hot class part
    q, logits = model.posterior(x)
    uniform = tfd.OneHotCategorical(logits=tf.zeros([3]))
    expected = model.kl(q).numpy() + tfd.kl_divergence(tfd.OneHotCategorical(logits=logits), uniform).numpy()
    np.testing.assert_allclose(model.kl(q, logits).numpy(), expected, rtol=1e-5)
    with pytest.raises(ValueError, match="purely Gaussian latent"):
        model.iwae_bound(x, k=2)


def test_encode_outputs_are_posterior_mean_and_stddev():
    model, x = CASES["vae"](seed=0)
    outputs = model.encode_outputs(x)
    q, _ = model.posterior(x)
    np.testing.assert_allclose(outputs["z"], q.mean())
    np.testing.assert_allclose(outputs["stddev"], q.stddev())
    assert model.decode(outputs["z"]).shape == x.shape


def test_argument_errors():
    encoder, decoder = mlp_encoder((2,), 3, hidden=()), mlp_decoder(2, (2,), hidden=(), channels_multiplier=2)
    with pytest.raises(ValueError, match="Received: encoder output size 3"):
        VAE(encoder, decoder)
    with pytest.raises(ValueError, match="likelihood must be one of"):
        VAE(mlp_encoder((2,), 4, hidden=()), decoder, likelihood="poisson")


def test_log_prob_is_the_importance_weighted_bound_over_its_chunks():
    from zoo.networks import conv_decoder, conv_encoder

    def networks():  # a 2-d code; the decoder gives a Gaussian's location and scale per value
        return conv_encoder((8, 8, 1), 4, filters=4), conv_decoder(2, (8, 8, 1), filters=4, channels_multiplier=2)

    keras.utils.set_random_seed(0)
    model = VAE(*networks(), log_prob_samples=200)
    x = np.random.default_rng(0).uniform(-1, 1, (3, 8, 8, 1)).astype("float32")
    # k = 200 drawn as two chunks of 100 from the seeds (0, 0) and (0, 1): log 1/k Σ w_i over both.
    log_w = np.concatenate([model.importance_log_weights(x, 100, seed=(0, i)).numpy() for i in (0, 1)]).astype(np.float64)
    top = log_w.max(axis=0)
    expected = top + np.log(np.exp(log_w - top).sum(axis=0)) - math.log(200)
    np.testing.assert_allclose(model.log_prob(x), expected, rtol=1e-5, atol=1e-4)
    assert "log_prob" in model.serving_functions()
    config = model.get_config()
    assert config["log_prob_samples"] == 200
    plain = VAE(*networks())
    assert "log_prob" not in plain.serving_functions()  # the digits VAE's signatures are unchanged
    with pytest.raises(ValueError, match="Received: log_prob_samples=0"):
        plain.log_prob(x)
    with pytest.raises(ValueError, match="Received: log_prob_samples=150"):
        VAE(*networks(), log_prob_samples=150)
