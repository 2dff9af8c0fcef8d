"""DCGAN: the GAN game on DCGAN networks, one family for 8×8 digits and 64×64 faces."""
import keras
import numpy as np
import tensorflow as tf

import zoo
from family_cases import dcgan_case
from zoo.families import DCGAN, GAN
from zoo.networks import dcgan_discriminator, dcgan_generator


def test_one_step_is_exactly_the_gan_step():
    """DCGAN changes the networks, not the game: from the same weights and noise, one step
    of DCGAN and of GAN land on the same weights."""
    dcgan, x = dcgan_case(seed=4)
    gan = GAN(keras.models.clone_model(dcgan.generator), keras.models.clone_model(dcgan.discriminator), seed=4)
    gan.generator.set_weights(dcgan.generator.get_weights())
    gan.discriminator.set_weights(dcgan.discriminator.get_weights())
    gan.compile(g_optimizer=keras.optimizers.SGD(0.05), d_optimizer=keras.optimizers.SGD(0.05))
    gan.seed_generator.state.assign(dcgan.seed_generator.state)
    a, b = dcgan.train_step(tf.constant(x)), gan.train_step(tf.constant(x))
    assert float(a["d_loss"]) == float(b["d_loss"]) and float(a["g_loss"]) == float(b["g_loss"])
    for u, v in zip(dcgan.weights, gan.weights):
        np.testing.assert_array_equal(u.numpy(), v.numpy())


def test_same_family_trains_at_64x64_unchanged():
    keras.utils.set_random_seed(0)
    model = DCGAN(dcgan_generator(8, 64, 3, filters=2), dcgan_discriminator(64, 3, filters=2), seed=0)
    model.compile(g_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5), d_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5))
    before = model.generator.get_layer("generator_out").kernel.numpy().copy()
    x = np.random.default_rng(0).uniform(-1, 1, (4, 64, 64, 3)).astype("float32")
    for _ in range(2):
        logs = model.train_step(tf.constant(x))
    assert np.isfinite(float(logs["d_loss"])) and np.isfinite(float(logs["g_loss"]))
    assert not np.allclose(before, model.generator.get_layer("generator_out").kernel.numpy())
    assert model.sample(2, 0)[0].shape == (2, 64, 64, 3)


def test_export_names_the_family_and_papers(tmp_path):
    model, x = dcgan_case(seed=1)
    model.fit(x, batch_size=16, epochs=1, verbose=0)
    path = zoo.export(model, "dcgan-test", dataset="digits", out_dir=tmp_path, data_kind="images")
    card = zoo.ModelCard.read(path)
    assert card.family == "dcgan" and any("1511.06434" in p for p in card.papers)
    assert card.output_range == [-1.0, 1.0] and card.conditioning is None
    pretrained = zoo.load(str(path))
    z = pretrained.latent(3, seed=5)
    np.testing.assert_allclose(pretrained.generate(z), model.generate(z).numpy(), atol=1e-5)
