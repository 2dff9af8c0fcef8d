"""AAE (zoo.families.aae): the reconstruction and regularisation phases."""
import keras
import numpy as np
import tensorflow as tf
from family_cases import CASES


def _weights(network):
    return [w.numpy().copy() for w in network.trainable_variables]


def _changed(before, network):
    return any(not np.allclose(b, a.numpy()) for b, a in zip(before, network.trainable_variables))


def test_each_phase_updates_only_its_players():
    model, x = CASES["aae"](seed=0)
    # Regularisation only (reconstruction learning rate 0): the decoder must not move.
    model.compile(ae_optimizer=keras.optimizers.SGD(0.0), d_optimizer=keras.optimizers.SGD(0.1),
                  e_optimizer=keras.optimizers.SGD(0.1))
    enc, dec, disc = _weights(model.encoder), _weights(model.generator), _weights(model.discriminator)
    model.train_step(tf.constant(x))
    assert _changed(enc, model.encoder) and _changed(disc, model.discriminator)
    assert not _changed(dec, model.generator)
    # Reconstruction only: the discriminator must not move.
    model.compile(ae_optimizer=keras.optimizers.SGD(0.1), d_optimizer=keras.optimizers.SGD(0.0),
                  e_optimizer=keras.optimizers.SGD(0.0))
    dec, disc = _weights(model.generator), _weights(model.discriminator)
    model.train_step(tf.constant(x))
    assert _changed(dec, model.generator) and not _changed(disc, model.discriminator)


def test_losses_at_an_undecided_discriminator():
    # A discriminator whose logits are 0 everywhere: d_loss = 2 log 2, e_loss = log 2.
    model, x = CASES["aae"](seed=0)
    model.discriminator.set_weights([np.zeros_like(w) for w in model.discriminator.get_weights()])
    model.compile(ae_optimizer=keras.optimizers.SGD(0.0), d_optimizer=keras.optimizers.SGD(0.0),
                  e_optimizer=keras.optimizers.SGD(0.0))
    logs = model.train_step(tf.constant(x))
    np.testing.assert_allclose(float(logs["d_loss"]), 2 * np.log(2.0), rtol=1e-6)
    np.testing.assert_allclose(float(logs["e_loss"]), np.log(2.0), rtol=1e-6)
    codes = model.encoder(x)
    expected = np.mean((x - model.generator(codes).numpy()) ** 2)
    np.testing.assert_allclose(float(logs["reconstruction"]), expected, rtol=1e-5)


def test_training_reconstructs_and_serves_encode_decode():
    model, x = CASES["aae"](seed=0)
    model.compile(ae_optimizer=keras.optimizers.Adam(1e-2), d_optimizer=keras.optimizers.Adam(1e-3),
                  e_optimizer=keras.optimizers.Adam(1e-3))
    start = float(np.mean((model.decode(model.encode(x)).numpy() - x) ** 2))
    model.fit(tf.data.Dataset.from_tensors(x).repeat(), steps_per_epoch=150, epochs=1, verbose=0)
    assert float(np.mean((model.decode(model.encode(x)).numpy() - x) ** 2)) < 0.5 * start
    assert set(model.serving_functions()) == {"generate", "sample", "encode", "decode"}
