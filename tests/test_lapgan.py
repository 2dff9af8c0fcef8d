"""LAPGAN: the Laplacian pyramid by hand, coarse-to-fine sampling, one GAN per level."""
import keras
import numpy as np
import pytest
import tensorflow as tf

import zoo
from family_cases import lapgan_case
from zoo import losses
from zoo.families import LAPGAN
from zoo.families.lapgan import downsample, laplacian_pyramid, reconstruct, upsample
from zoo.networks import mlp_discriminator, mlp_generator


def test_pyramid_hand_values():
    image = np.array([[1.0, 2.0], [3.0, 4.0]]).reshape(1, 2, 2, 1)
    bands, lows = laplacian_pyramid(image, 2)
    np.testing.assert_allclose(bands[0].numpy().ravel(), [2.5])  # the 2×2 mean
    np.testing.assert_allclose(lows[1].numpy().ravel(), [2.5] * 4)  # nearest upsampling
    np.testing.assert_allclose(bands[1].numpy().ravel(), [-1.5, -0.5, 0.5, 1.5])
    assert lows[0] is None


def test_pyramid_rebuilds_exactly_and_residuals_have_no_low_pass():
    x = np.random.default_rng(0).uniform(-1, 1, (3, 8, 8, 2)).astype("float32")
    bands, _ = laplacian_pyramid(x, 3)
    assert [b.shape[1] for b in bands] == [2, 4, 8]
    np.testing.assert_allclose(reconstruct(bands).numpy(), x, atol=1e-6)
    for band in bands[1:]:
        np.testing.assert_allclose(downsample(band).numpy(), 0.0, atol=1e-6)
    np.testing.assert_array_equal(downsample(upsample(x)).numpy(), x)


def test_sampling_runs_coarse_to_fine():
    model, _ = lapgan_case()
    assert model.latent_dim == 4 and model.level_latent_dims == [2, 2] and model.data_shape == (8, 8, 1)
    z = np.random.default_rng(1).standard_normal((5, 4)).astype("float32")
    coarse = model.generators[0](z[:, :2])
    low = np.repeat(np.repeat(coarse.numpy(), 2, axis=1), 2, axis=2)
    h = model.generators[1]([z[:, 2:], low]).numpy()
    block_means = h.reshape(5, 4, 2, 4, 2, 1).mean(axis=(2, 4))
    h -= np.repeat(np.repeat(block_means, 2, axis=1), 2, axis=2)  # band_pass: d(h) = 0, as real residuals
    expected = np.clip(low + h, -1, 1)
    np.testing.assert_allclose(model(z).numpy(), expected, atol=1e-6)
    np.testing.assert_allclose(downsample(model._residual(tf.constant(h + 3.0))).numpy(), 0.0, atol=1e-6)
    model.band_pass = False  # the paper's unconstrained residual
    np.testing.assert_allclose(model(z).numpy(), np.clip(low + model.generators[1]([z[:, 2:], low]).numpy(), -1, 1),
                               atol=1e-6)


def test_each_level_is_a_gan_on_real_low_pass_images():
    """D's loss is the sum over levels of the GAN loss of D_k on (h, l) pairs, real h vs G_k(z_k, l)
    with the real l; one SGD step on it moves each D_k by its own level's gradient."""
    model, x = lapgan_case(seed=3)
    x = tf.constant(x)
    state = model.seed_generator.state.numpy()
    z = model.sample_latent(tf.shape(x)[0])
    model.seed_generator.state.assign(state)
    bands, lows = laplacian_pyramid(x, 2)
    g0, g1 = model.generators
    d0, d1 = model.discriminators
    with tf.GradientTape(persistent=True) as tape:
        level0 = losses.gan_discriminator_loss(d0(bands[0], training=True), d0(g0(z[:, :2], training=True), training=True))
        fake_h = g1([z[:, 2:], lows[1]], training=True)
        fake_h -= upsample(downsample(fake_h))  # band_pass
        level1 = losses.gan_discriminator_loss(d1(tf.concat([bands[1], lows[1]], -1), training=True),
                                               d1(tf.concat([fake_h, lows[1]], -1), training=True))
    expected = {
        0: [v.numpy() - 0.05 * g.numpy() for v, g in zip(d0.trainable_variables, tape.gradient(level0, d0.trainable_variables))],
        1: [v.numpy() - 0.05 * g.numpy() for v, g in zip(d1.trainable_variables, tape.gradient(level1, d1.trainable_variables))],
    }
    logs = model.train_step(x)
    assert float(logs["d_loss"]) == pytest.approx(float(level0 + level1), rel=1e-5)
    for k, d in enumerate(model.discriminators):
        for v, e in zip(d.trainable_variables, expected[k]):
            np.testing.assert_allclose(v.numpy(), e, rtol=1e-4, atol=1e-6)


def test_levels_must_double_the_resolution():
    g = [mlp_generator(2, (4, 4, 1), hidden=(4,), name="a"), mlp_generator(2, (4, 4, 1), hidden=(4,), name="b")]
    d = [mlp_discriminator((4, 4, 1), hidden=(4,), name="c"), mlp_discriminator((4, 4, 1), hidden=(4,), name="e")]
    with pytest.raises(ValueError, match="level 1 must output 8×8. Received: 4×4"):
        LAPGAN(g, d)
    with pytest.raises(ValueError, match="one generator and one discriminator per pyramid level"):
        LAPGAN(g, d[:1])


def test_export(tmp_path):
    # model.keras (weights, optimizers, resuming) is the contract's (tests/test_contract.py).
    model, x = lapgan_case(seed=2)
    model.fit(x, batch_size=16, epochs=1, verbose=0)
    z = np.random.default_rng(0).standard_normal((3, 4)).astype("float32")
    path = zoo.export(model, "lapgan-test", dataset="digits", out_dir=tmp_path, data_kind="images")
    card = zoo.ModelCard.read(path)
    assert card.family == "lapgan" and card.latent_dim == 4 and model.band_pass
    assert card.parameters == sum(int(np.prod(v.shape)) for v in model.weights if "seed_generator" not in v.path)
    pretrained = zoo.load(str(path))
    np.testing.assert_allclose(pretrained.generate(z), model.generate(z).numpy(), atol=1e-5)


def test_three_level_pyramid_converts_to_tflite(tmp_path):
    """A conv level after two upsamplings (2 -> 4 -> 8, as 7 -> 14 -> 28) runs in native TFLite:
    with ``tf.repeat`` alone the converter lost the height (``?x?x8x1``) and kept the 8×8 level's
    first Conv2D as a flex op ("neither a custom op nor a flex op")."""
    from zoo.exports.serving import run_tflite, tflite_model, write_saved_model
    from zoo.networks import laplacian_generator

    keras.utils.set_random_seed(0)
    generators = [mlp_generator(2, (2, 2, 1), hidden=(8,), name="generator_2"),
                  laplacian_generator(4, 1, noise_dim=2, filters=4, depth=2, name="generator_4"),
                  laplacian_generator(8, 1, noise_dim=2, filters=4, depth=2, name="generator_8")]
    discriminators = [mlp_discriminator(shape, hidden=(8,), name=f"discriminator_{shape[0]}")
                      for shape in [(2, 2, 1), (4, 4, 2), (8, 8, 2)]]
    model = LAPGAN(generators, discriminators)
    path = tmp_path / "saved_model"
    write_saved_model(model.serving_networks(), {"generate": model.serving_functions()["generate"]}, path)
    z = np.random.default_rng(0).standard_normal((3, 6)).astype("float32")
    converted = run_tflite(tflite_model(path, "generate"), "generate", {"z": z})
    np.testing.assert_allclose(converted["x"], model.generate(z).numpy(), atol=1e-5)


def test_upsample_states_its_static_shape_and_keeps_dynamic_ones():
    x = np.arange(4, dtype="float32").reshape(1, 2, 2, 1)
    np.testing.assert_array_equal(upsample(x).numpy().ravel(), [0, 0, 1, 1, 0, 0, 1, 1, 2, 2, 3, 3, 2, 2, 3, 3])
    traced = tf.function(upsample).get_concrete_function(tf.TensorSpec([None, None, 3, 1]))
    assert traced.output_shapes.as_list() == [None, None, 6, 1]
