"""ALI / BiGAN (zoo.families.ali): the joint (x, z) game."""
import keras
import numpy as np
import pytest
import tensorflow as tf
from family_cases import CASES

from zoo.families import ALI
from zoo.networks import mlp_decoder, mlp_encoder, pair_discriminator


@pytest.mark.parametrize("name", ["ali", "bigan"])
def test_losses_at_an_undecided_discriminator(name):
    # D(x, z) = σ(0) = ½ for every pair: both players' losses are 2 log 2.
    model, x = CASES[name](seed=0)
    model.discriminator.set_weights([np.zeros_like(w) for w in model.discriminator.get_weights()])
    logs = model.train_step(tf.constant(x))
    np.testing.assert_allclose(float(logs["d_loss"]), 2 * np.log(2.0), rtol=1e-6)
    np.testing.assert_allclose(float(logs["g_loss"]), 2 * np.log(2.0), rtol=1e-6)


def test_joint_update_of_generator_and_encoder():
    model, x = CASES["ali"](seed=0)
    model.compile(g_optimizer=keras.optimizers.SGD(0.1), d_optimizer=keras.optimizers.SGD(0.0))
    before = {net: [w.numpy().copy() for w in getattr(model, net).trainable_variables] for net in model.NETWORKS}
    model.train_step(tf.constant(x))
    moved = {net: any(not np.allclose(b, a.numpy()) for b, a in zip(before[net], getattr(model, net).trainable_variables))
             for net in model.NETWORKS}
    assert moved == {"encoder": True, "generator": True, "discriminator": False}


def test_encoders():
    model, x = CASES["ali"](seed=0)
    loc = model.encoder(x).numpy()[:, :2]
    np.testing.assert_allclose(model.encode(x).numpy(), loc, rtol=1e-6)  # the posterior mean
    draws = model.infer(x).numpy()
    assert not np.allclose(draws, loc)  # reparameterised draws around it
    bigan, x = CASES["bigan"](seed=0)
    np.testing.assert_allclose(bigan.infer(x).numpy(), bigan.encode(x).numpy(), rtol=1e-6)  # deterministic
    assert set(model.serving_functions()) == {"generate", "sample", "encode", "decode"}
    assert ALI.from_config(bigan.get_config()).stochastic_encoder is False


def test_encoder_size_error():
    with pytest.raises(ValueError, match="Received: encoder output size 2"):
        ALI(mlp_encoder((2,), 2, hidden=()), mlp_decoder(2, (2,), hidden=()), pair_discriminator((2,), 2, hidden=()))
