"""Network builders: DCGAN by resolution, conditional inputs, MLP image nets, LAPGAN levels."""
import keras
import numpy as np
import pytest
from keras import layers

from zoo import networks as N


@pytest.mark.parametrize("resolution, start", [(8, 4), (28, 7), (32, 4), (64, 4), (4, 4), (6, 3)])
def test_start_size_halves_while_even_and_above_four(resolution, start):
    assert N.dcgan_start_size(resolution) == start


@pytest.mark.parametrize("resolution, channels", [(8, 1), (28, 1), (32, 3), (64, 3)])
def test_dcgan_shapes_by_resolution(resolution, channels):
    g = N.dcgan_generator(10, resolution, channels, filters=4)
    d = N.dcgan_discriminator(resolution, channels, filters=4)
    x = g(np.random.default_rng(0).standard_normal((2, 10)).astype("float32"))
    assert x.shape == (2, resolution, resolution, channels)
    assert d(x).shape == (2, 1)
    assert np.all(np.abs(x.numpy()) <= 1.0)  # tanh output


def test_dcgan_64_is_the_papers_layer_plan():
    """Figure 1 (scaled by filters/128): project to 4×4×8f, then 8f/2 ... f/… -> 64×64×3; D mirrors
    it with strides 2, no BN on its input layer, no fully connected hidden layer."""
    f = 8
    g = N.dcgan_generator(100, 64, 3, filters=f)
    deconvs = [l for l in g.layers if isinstance(l, layers.Conv2DTranspose)]
    assert [l.filters for l in deconvs] == [4 * f, 2 * f, f, 3]
    assert all(l.strides == (2, 2) for l in deconvs)
    assert g.get_layer("generator_reshape").output.shape[1:] == (4, 4, 8 * f)
    assert sum(isinstance(l, layers.Dense) for l in g.layers) == 1  # the projection of z only
    d = N.dcgan_discriminator(64, 3, filters=f)
    convs = [l for l in d.layers if isinstance(l, layers.Conv2D)]
    assert [l.filters for l in convs] == [f, 2 * f, 4 * f, 8 * f]
    assert "discriminator_bn0" not in [l.name for l in d.layers]
    assert sum(isinstance(l, layers.BatchNormalization) for l in d.layers) == 3
    assert sum(isinstance(l, layers.Dense) for l in d.layers) == 1  # the logit only
    assert all(l.negative_slope == pytest.approx(0.2) for l in d.layers if isinstance(l, layers.LeakyReLU))


def test_weights_start_from_normal_002():
    g = N.dcgan_generator(100, 32, 3, filters=32)
    kernel = g.get_layer("generator_deconv1").kernel.numpy()
    assert kernel.mean() == pytest.approx(0.0, abs=1e-3)
    assert kernel.std() == pytest.approx(0.02, rel=0.05)


def test_start_size_picks_the_depth():
    g = N.dcgan_generator(8, 8, 1, filters=4, start_size=2)
    assert g.get_layer("generator_reshape").output.shape[1:] == (2, 2, 8)
    with pytest.raises(ValueError, match="start_size must be resolution / 2\\*\\*k"):
        N.dcgan_generator(8, 8, 1, start_size=3)


def test_batch_norm_options():
    plain = N.dcgan_generator(4, 8, 1, filters=4, batch_norm=False)
    assert not any(isinstance(l, layers.BatchNormalization) for l in plain.layers)
    assert plain.get_layer("generator_project").use_bias  # the bias BN would have replaced
    synced = N.dcgan_discriminator(8, 1, filters=4, start_size=2, batch_norm="synchronized")
    assert all(l.synchronized for l in synced.layers if isinstance(l, layers.BatchNormalization))
    with pytest.raises(ValueError, match="batch_norm must be True, False or 'synchronized'"):
        N.dcgan_generator(4, 8, 1, batch_norm="yes")


@pytest.mark.parametrize("conditioning", ["one_hot", "embedding"])
def test_conditional_generator_depends_on_the_label(conditioning):
    g = N.dcgan_generator(4, 8, 1, filters=4, num_classes=10, conditioning=conditioning)
    z = np.repeat(np.random.default_rng(0).standard_normal((1, 4)).astype("float32"), 2, axis=0)
    x = g([z, np.array([3, 7], dtype="int32")]).numpy()
    assert not np.allclose(x[0], x[1])
    same = g([z, np.array([3, 3], dtype="int32")]).numpy()
    np.testing.assert_allclose(same[0], same[1], atol=1e-6)


def test_conditional_discriminator_sees_one_hot_planes():
    """Mirza & Osindero: y is concatenated to D's input; here as 10 constant planes."""
    d = N.dcgan_discriminator(8, 1, filters=4, num_classes=10)
    probe = keras.Model(d.inputs, d.get_layer("discriminator_concat").output)
    x = np.zeros((2, 8, 8, 1), "float32")
    planes = probe([x, np.array([2, 9], "int32")]).numpy()
    assert planes.shape == (2, 8, 8, 11)
    np.testing.assert_array_equal(planes[0, :, :, 1 + 2], np.ones((8, 8)))
    np.testing.assert_array_equal(planes[1, 3, 5, 1:], np.eye(10)[9])


def test_num_classes_is_validated():
    with pytest.raises(ValueError, match="num_classes must be an integer >= 2"):
        N.dcgan_generator(4, 8, 1, num_classes=1)
    with pytest.raises(ValueError, match="conditioning must be 'one_hot' or 'embedding'"):
        N.dcgan_generator(4, 8, 1, num_classes=3, conditioning="film")


def test_mlp_image_networks():
    g = N.mlp_generator(5, (8, 8, 1), hidden=(16,))
    d = N.mlp_discriminator((8, 8, 1), hidden=(16,), dropout=0.5)
    x = g(np.zeros((3, 5), "float32"))
    assert x.shape == (3, 8, 8, 1) and d(x).shape == (3, 1)
    cond = N.mlp_generator(5, (4, 4, 1), hidden=(16,), num_classes=3)
    assert cond([np.zeros((2, 5), "float32"), np.array([0, 2], "int32")]).shape == (2, 4, 4, 1)


def test_laplacian_generator_is_a_residual_given_the_low_pass_image():
    g = N.laplacian_generator(8, 3, noise_dim=6, filters=4, depth=2)
    rng = np.random.default_rng(0)
    z, low = rng.standard_normal((2, 6)).astype("float32"), rng.standard_normal((2, 8, 8, 3)).astype("float32")
    h = g([z, low]).numpy()
    assert h.shape == (2, 8, 8, 3)
    assert not np.allclose(h, g([z, 0 * low]).numpy())  # it conditions on the low-pass image
    assert g.get_layer("level_generator_out").activation.__name__ == "linear"  # signed residuals


def test_convolutional_auto_encoder_networks_by_hand():
    # Encoder on 28×28×1, 32 filters, 8 outputs: 4·4·1·32 + 32, 4·4·32·64 + 64, 7·7·64·8 + 8.
    encoder = N.conv_encoder((28, 28, 1), 8)
    assert encoder.count_params() == 544 + 32_832 + 25_096
    # Decoder from 8 codes, 64 filters: 8·3136 + 3136, 4·4·64·32 + 32, 4·4·32·1 + 1 (two per
    # value with channels_multiplier=2: 4·4·32·2 + 2).
    assert N.conv_decoder(8, (28, 28, 1), filters=64).count_params() == 28_224 + 32_800 + 513
    decoder = N.conv_decoder(8, (28, 28, 1), filters=64, output_activation="tanh", channels_multiplier=2)
    x_hat = decoder(np.full((3, 8), 50.0, "float32"))
    assert x_hat.shape == (3, 28, 28, 2) and np.abs(np.asarray(x_hat)).max() <= 1.0
    with pytest.raises(ValueError, match="multiples of 4.*Received: data_shape=\\(30, 30, 1\\)"):
        N.conv_decoder(8, (30, 30, 1))
    # AVB's implicit encoder: ε joins the 3,136 features before the hidden layer.
    implicit = N.conv_encoder((28, 28, 1), 8, hidden=(16,), noise_dim=3)
    assert len(implicit.inputs) == 2
    assert implicit.count_params() == 544 + 32_832 + (3_136 + 3) * 16 + 16 + 16 * 8 + 8
    x = np.zeros((2, 28, 28, 1), "float32")
    z0, z1 = (np.asarray(implicit([x, np.full((2, 3), v, "float32")])) for v in (0.0, 5.0))
    assert z0.shape == (2, 8) and not np.allclose(z0, z1)
    # ALI's joint critic: x through the convolutions, z joins before the dense layers.
    critic = N.conv_pair_discriminator((28, 28, 1), 8, hidden=(16,))
    assert critic.count_params() == 544 + 32_832 + (3_136 + 8) * 16 + 16 + 17
    assert critic([x, np.zeros((2, 8), "float32")]).shape == (2, 1)
