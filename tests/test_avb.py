"""AVB (zoo.families.avb): Algorithm 1's three updates and the adversary's optimum."""
import keras
import numpy as np
import pytest
import tensorflow as tf
import tensorflow_probability as tfp
from family_cases import CASES

from zoo.families import AVB
from zoo.networks import mlp_decoder, mlp_encoder, pair_discriminator

tfd = tfp.distributions


def test_three_updates_per_step():
    model, x = CASES["avb"](seed=0)
    before = {net: [w.numpy().copy() for w in getattr(model, net).trainable_variables]
              for net in model.NETWORKS}
    logs = model.train_step(tf.constant(x))
    for key in ("g_optimizer", "e_optimizer", "d_optimizer"):  # θ, φ, ψ
        assert getattr(model, key).iterations.numpy() == 1
    for net in model.NETWORKS:
        assert any(not np.allclose(b, a.numpy()) for b, a in zip(before[net], getattr(model, net).trainable_variables))
    np.testing.assert_allclose(float(logs["neg_elbo"]), float(logs["reconstruction"]) + float(logs["kl"]), rtol=1e-5)


def test_adversary_learns_the_log_density_ratio():
    # Proposition 1: T*(x, z) = log q(z|x) − log p(z).  With an implicit encoder that ignores x,
    # z = 0.5 ε + 1 (q = N(1, 0.25)), and frozen θ, φ, ψ's updates alone must approach
    # log N(z; 1, 0.5²) − log N(z; 0, 1).
    keras.utils.set_random_seed(0)
    encoder = mlp_encoder((2,), 1, hidden=(), noise_dim=1)
    encoder.set_weights([np.array([[0.0], [0.0], [0.5]], np.float32), np.array([1.0], np.float32)])
    decoder = mlp_decoder(1, (2,), hidden=(4,), channels_multiplier=2)
    model = AVB(encoder, decoder, pair_discriminator((2,), 1, hidden=(32, 32)), seed=0)
    model.compile(g_optimizer=keras.optimizers.SGD(0.0), e_optimizer=keras.optimizers.SGD(0.0),
                  d_optimizer=keras.optimizers.Adam(5e-3))
    x = np.random.default_rng(0).standard_normal((256, 2)).astype(np.float32)
    model.fit(tf.data.Dataset.from_tensor_slices(x).repeat().batch(256), steps_per_epoch=400, epochs=1, verbose=0)
    z = np.linspace(0.25, 1.75, 7, dtype=np.float32)[:, None]  # where q has its mass
    truth = (tfd.Normal(1.0, 0.5).log_prob(z) - tfd.Normal(0.0, 1.0).log_prob(z)).numpy()[:, 0]
    t = model.adversary([np.zeros((7, 2), np.float32), z]).numpy()[:, 0]
    np.testing.assert_allclose(t, truth, atol=0.35)


def test_encode_is_the_mean_over_noise_and_decode_the_likelihood_mean():
    model, x = CASES["avb"](seed=0)
    z = model.encode(x).numpy()
    draws = [model.encoder([x, np.full((16, 2), e, np.float32)]).numpy() for e in (-1.0, 1.0)]
    assert z.shape == (16, 2) and not np.allclose(draws[0], draws[1])  # the encoder uses ε
    assert np.all(np.isfinite(z))
    params = model.generator(z).numpy()
    np.testing.assert_allclose(model.decode(z).numpy(), params[:, :2], rtol=1e-6)


def _contrast_model(seed=0, draws=4):
    from zoo.families.avb import AVB as Family

    model, x = CASES["avb"](seed=seed)
    contrast = Family(model.encoder, model.generator, model.adversary, adaptive_contrast=True,
                      contrast_draws=draws, seed=seed)
    contrast.compile(g_optimizer=keras.optimizers.SGD(0.05), e_optimizer=keras.optimizers.SGD(0.05),
                     d_optimizer=keras.optimizers.SGD(0.05))
    return contrast, x


def test_adaptive_contrast_step():
    # §3.3: T judges (z − μ)/σ against N(0, I) and KL(r_α || p) enters in closed form; the three
    # players still update once per step and the logged ELBO still splits into its two terms.
    model, x = _contrast_model(draws=4)
    before = {net: [w.numpy().copy() for w in getattr(model, net).trainable_variables] for net in model.NETWORKS}
    logs = model.train_step(tf.constant(x))
    for key in ("g_optimizer", "e_optimizer", "d_optimizer"):
        assert getattr(model, key).iterations.numpy() == 1
    for net in model.NETWORKS:
        assert any(not np.allclose(b, a.numpy()) for b, a in zip(before[net], getattr(model, net).trainable_variables))
    np.testing.assert_allclose(float(logs["neg_elbo"]), float(logs["reconstruction"]) + float(logs["kl"]), rtol=1e-5)
    assert np.isfinite(float(logs["d_loss"]))


def test_adaptive_contrast_penalises_a_collapsed_encoder():
    # An encoder that ignores ε (q a point mass) has σ² = the variance floor: the closed-form
    # KL(r_α || p) is then large, whatever T says — the collapse plain AVB's T fails to price.
    from zoo.families.avb import CONTRAST_VARIANCE_FLOOR

    encoder = mlp_encoder((2,), 1, hidden=(), noise_dim=1)
    encoder.set_weights([np.array([[0.0], [0.0], [0.0]], np.float32), np.array([0.0], np.float32)])
    decoder = mlp_decoder(1, (2,), hidden=(4,), channels_multiplier=2)
    adversary = pair_discriminator((2,), 1, hidden=(4,))
    adversary.set_weights([np.zeros_like(w) for w in adversary.get_weights()])  # T ≡ 0
    model = AVB(encoder, decoder, adversary, adaptive_contrast=True, contrast_draws=8, seed=0)
    model.compile(g_optimizer=keras.optimizers.SGD(0.0), e_optimizer=keras.optimizers.SGD(0.0),
                  d_optimizer=keras.optimizers.SGD(0.0))
    logs = model.train_step(tf.zeros((4, 2)))
    expected = 0.5 * (CONTRAST_VARIANCE_FLOOR - 1.0 - np.log(CONTRAST_VARIANCE_FLOOR))  # μ = 0, one dimension
    np.testing.assert_allclose(float(logs["kl"]), expected, rtol=1e-4)


def test_adaptive_contrast_round_trips_through_the_config():
    # model.keras (weights, optimizers, resuming) is the contract's (tests/test_contract.py).
    model, _ = _contrast_model(draws=3)
    restored = AVB.from_config(model.get_config())
    assert restored.adaptive_contrast and restored.contrast_draws == 3


def test_errors():
    with pytest.raises(ValueError, match="implicit"):
        AVB(mlp_encoder((2,), 2, hidden=()), mlp_decoder(2, (2,), hidden=(), channels_multiplier=2),
            pair_discriminator((2,), 2, hidden=()))
    encoder, decoder, adversary = (mlp_encoder((2,), 2, hidden=(), noise_dim=2),
                                   mlp_decoder(2, (2,), hidden=(), channels_multiplier=2),
                                   pair_discriminator((2,), 2, hidden=()))
    with pytest.raises(ValueError, match="contrast_draws"):
        AVB(encoder, decoder, adversary, adaptive_contrast=True, contrast_draws=1)
    # T estimates a density ratio on single pairs: the adversarial options would bias it.
    with pytest.raises(ValueError, match="Received: instance_noise=0.1"):
        AVB(encoder, decoder, adversary, instance_noise=0.1)
    with pytest.raises(ValueError, match="packing does not apply to AVB"):
        AVB(encoder, decoder, adversary, packing=2)
