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


def test_errors():
    with pytest.raises(ValueError, match="implicit"):
        AVB(mlp_encoder((2,), 2, hidden=()), mlp_decoder(2, (2,), hidden=(), channels_multiplier=2),
            pair_discriminator((2,), 2, hidden=()))
