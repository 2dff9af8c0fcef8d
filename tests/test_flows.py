"""RealNVP and MAF: exact inverses, exact densities (by hand and against TFP's own layers),
normalisation on a grid, the logit pre-processing of discrete data, and the .keras round trip."""
import math

import keras
import numpy as np
import pytest
import tensorflow as tf
import tensorflow_probability as tfp
from family_cases import randomise

from zoo.data import digits_split, mixture_samples
from zoo.families import MAF, RealNVP
from zoo.families._exact import LOGIT_ALPHA
from zoo.families.maf import MADE, made_masks
from zoo.families.realnvp import coupling_network
from zoo.metrics.likelihood import density_integral

tfb, tfd = tfp.bijectors, tfp.distributions


def flow(family, data_shape=(2,), levels=None, data_scale=1.0, layers=3, seed=0):
    keras.utils.set_random_seed(seed)
    d = int(np.prod(data_shape))
    if family == "realnvp":
        model = RealNVP([coupling_network(d, (16,), name=f"c{k}") for k in range(layers)], data_shape=data_shape,
                        levels=levels, data_scale=data_scale, seed=seed)
    else:
        model = MAF([MADE(d, (16, 16), name=f"m{k}") for k in range(layers)], data_shape=data_shape, levels=levels,
                    data_scale=data_scale, seed=seed)
    model.compile(flow_optimizer=keras.optimizers.Adam(1e-3))
    return model


FAMILIES = ["realnvp", "maf"]


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("data_shape,levels", [((2,), None), ((8, 8, 1), 17)])
def test_inverse_of_forward_is_the_identity(family, data_shape, levels):
    model = randomise(flow(family, data_shape, levels), scale=0.2)
    z = np.random.default_rng(1).standard_normal((16, model.latent_dim)).astype("float32")
    x = model.generate(z)
    assert x.shape == (16, *data_shape)
    np.testing.assert_allclose(model.encode(x), z, atol=2e-4)
    if levels:
        data = digits_split()[0][:16] + np.float32(1 / 32)  # inside the bins, off the bin edges
    else:
        data = mixture_samples("ring8", 16, 0)
    np.testing.assert_allclose(model.generate(model.encode(data)), data, atol=2e-4)


@pytest.mark.parametrize("family", FAMILIES)
def test_two_d_density_integrates_to_one(family):
    # The exact-likelihood protocol: within 1 % on a fine grid (spacing 0.04 over [-20, 20]²: random weights
    # give heavy tails, with ~8 % of the MAF's mass outside [-8, 8]²).
    model = randomise(flow(family, data_scale=1.5), scale=0.3)
    assert density_integral(model.log_prob, (-20.0, 20.0), resolution=1000) == pytest.approx(1.0, abs=0.01)


def test_realnvp_log_prob_equals_the_change_of_variables_by_hand():
    model = randomise(flow("realnvp", data_scale=2.0, layers=2), scale=0.5)
    x = mixture_samples("ring8", 8, 3).astype(np.float64)
    bound = model.log_scale_bound
    y = x / 2.0  # the fixed data scale
    log_det = -2 * math.log(2.0) * np.ones(len(x))
    # Data side to latent side: coupling 0 (inverse), swap the halves, coupling 1 (inverse).
    for k, net in enumerate(model.couplings):
        if k:
            y = y[:, ::-1]
        out = np.asarray(net(y[:, :1].astype("float32")), np.float64)
        shift, log_scale = out[:, :1], bound * np.tanh(out[:, 1:] / bound)
        y = np.concatenate([y[:, :1], (y[:, 1:] - shift) * np.exp(-log_scale)], axis=1)
        log_det -= log_scale[:, 0]
    expected = -0.5 * np.sum(y ** 2, axis=1) - math.log(2 * math.pi) + log_det
    np.testing.assert_allclose(model.log_prob(x.astype("float32")), expected, rtol=1e-5, atol=1e-5)


def test_maf_log_prob_equals_tfp_autoregressive_network_with_the_same_weights():
    model = randomise(flow("maf", data_shape=(3,), data_scale=2.0, layers=2), scale=0.5)
    x = np.random.default_rng(0).standard_normal((10, 3)).astype("float32")
    bijectors = []
    for k, made in enumerate(model.mades):
        theirs = tfb.AutoregressiveNetwork(params=2, event_shape=[3], hidden_units=[16, 16], activation="relu")
        theirs.build((None, 3))
        # TFP masks its kernels by initialisation and constraint, not in the forward pass.
        kernels, biases = made.get_weights()[0::2], made.get_weights()[1::2]
        theirs.set_weights([v for w, b, m in zip(kernels, biases, made.masks) for v in (w * m, b)])

        def shift_and_log_scale(y, net=theirs):
            shift, log_scale = tf.unstack(net(y), num=2, axis=-1)
            return shift, model.soft_clip(log_scale)

        if k:
            bijectors.append(tfb.Permute([2, 1, 0]))
        bijectors.append(tfb.MaskedAutoregressiveFlow(shift_and_log_scale_fn=shift_and_log_scale))
    tfp_flow = tfd.TransformedDistribution(tfd.MultivariateNormalDiag(loc=tf.zeros(3)),
                                           tfb.Chain([tfb.Scale(2.0), *bijectors]))
    np.testing.assert_allclose(model.log_prob(x), tfp_flow.log_prob(x), rtol=1e-5, atol=1e-5)


def test_made_masks_are_tfps():
    theirs = tfb.AutoregressiveNetwork(params=2, event_shape=[5], hidden_units=[7, 4])
    theirs.build((None, 5))
    kernels = [layer.kernel for layer in theirs._network.layers if hasattr(layer, "kernel")]
    # TFP's masked initializer zeroes exactly the masked entries (its glorot draws are never 0).
    for mask, kernel in zip(made_masks(5, [7, 4], 2), kernels):
        np.testing.assert_array_equal(mask, (np.asarray(kernel) != 0).astype("float32"))


def test_made_is_autoregressive():
    made = randomise(keras.Sequential([keras.Input((4,)), MADE(4, (8,))]), scale=1.0).layers[0]
    x = np.random.default_rng(0).standard_normal((1, 4)).astype("float32")
    # Output i depends on inputs < i only: perturbing input j moves outputs > j alone.
    for j in range(4):
        moved = x.copy()
        moved[0, j] += 1.0
        changed = np.abs(np.asarray(made(moved) - made(x))[0]).max(axis=-1) > 1e-6
        assert not changed[: j + 1].any()
        assert changed[j + 1:].all()  # random weights: every later output does move


@pytest.mark.parametrize("family", FAMILIES)
def test_logit_preprocessing_of_discrete_data_matches_the_formula(family):
    # An untrained flow is the identity (its last layers start at zero), so log p(x) is the
    # Gaussian density of y = logit(α + (1 − 2α)(x − low)/(high − low)) times |dy/dx|
    # (Dinh et al. 2017 §4.1), on the support [-1 − 1/16, 1 + 1/16] of the dequantised levels.
    model = flow(family, data_shape=(8, 8, 1), levels=17, layers=1)
    x = (digits_split()[2][:4] + np.float32(0.03)).astype(np.float64)
    low, high = -1 - 1 / 16, 1 + 1 / 16
    s = LOGIT_ALPHA + (1 - 2 * LOGIT_ALPHA) * (x - low) / (high - low)
    y = np.log(s) - np.log1p(-s)
    log_dy_dx = np.log((1 - 2 * LOGIT_ALPHA) / (high - low)) - np.log(s * (1 - s))
    expected = np.sum(-0.5 * y ** 2 - 0.5 * math.log(2 * math.pi) + log_dy_dx, axis=(1, 2, 3))
    np.testing.assert_allclose(model.log_prob(x.astype("float32")), expected, rtol=1e-5)


@pytest.mark.parametrize("family", FAMILIES)
def test_training_raises_the_likelihood(family):
    model = flow(family)
    model.compile(flow_optimizer=keras.optimizers.Adam(1e-2))
    x = mixture_samples("ring8", 512, 0)
    before = float(np.mean(model.log_prob(x)))
    # the flow starts as the identity: log N(x; 0, I) = -log 2π - |x|²/2 on the unit ring
    assert before == pytest.approx(-math.log(2 * math.pi) - 0.5, abs=0.01)
    model.fit(x, batch_size=64, epochs=3, verbose=0)
    assert float(np.mean(model.log_prob(x))) > before + 0.3


def test_sample_is_stateless_and_the_latent_is_returned():
    model = randomise(flow("realnvp"), scale=0.2)
    x, z = model.sample(5, 3)
    np.testing.assert_allclose(x, model.sample(5, 3)[0])
    np.testing.assert_allclose(x, model.generate(z), atol=1e-6)
    assert not np.allclose(x, model.sample(5, 4)[0])


@pytest.mark.parametrize("family", FAMILIES)
def test_samples_of_discrete_data_are_the_levels_their_point_falls_on(family):
    model = randomise(flow(family, data_shape=(8, 8, 1), levels=17, layers=2), scale=0.1)
    x, z = model.sample(6, 0)
    levels = (np.asarray(x) + 1) * 8
    np.testing.assert_allclose(levels, np.round(levels), atol=1e-5)
    assert levels.min() >= 0 and levels.max() <= 16
    # the bin of g(z) (points beyond the edge bins go to the edge levels)
    expected = np.clip(np.round((np.asarray(model.generate(z)) + 1) * 8), 0, 16)
    np.testing.assert_allclose(levels, expected, atol=1e-5)


def test_errors_say_what_was_expected():
    with pytest.raises(ValueError, match="coupling 0 must map 1 values to 2.*Received: 1 -> 4"):
        RealNVP([coupling_network(3, (4,))], data_shape=(2,))
    with pytest.raises(ValueError, match="event_size=2.*Received"):
        MAF([MADE(3, (4,))], data_shape=(2,))
    with pytest.raises(ValueError, match="Received: levels=1"):
        RealNVP([coupling_network(2, (4,))], data_shape=(2,), levels=1)
    with pytest.raises(ValueError, match="data_scale applies to continuous data"):
        MAF([MADE(64, (4,))], data_shape=(8, 8, 1), levels=17, data_scale=2.0)


# ------------------------------------------------------------ multi-scale RealNVP (Dinh et al. 2017 §3.6)
def multiscale_flow(data_shape=(4, 4, 1), num_scales=1, levels=None, seed=0):
    from zoo.families.realnvp import conv_coupling_network, multiscale_shapes

    keras.utils.set_random_seed(seed)
    nets = [conv_coupling_network(shape, filters=4, blocks=1, name=f"c{k}")
            for k, shape in enumerate(multiscale_shapes(data_shape, num_scales))]
    model = RealNVP(nets, data_shape=data_shape, levels=levels, num_scales=num_scales, seed=seed)
    model.compile(flow_optimizer=keras.optimizers.Adam(1e-3))
    return model


def test_multiscale_layout_squeezes_and_factors_out_half_the_channels():
    from zoo.families.realnvp import multiscale_layout

    layout = multiscale_layout((4, 4, 1), 1)
    assert [grid.shape for grid, _ in layout] == [(4, 4, 1)] * 3 + [(2, 2, 4)] * 3 + [(2, 2, 2)] * 4
    grid, mask = layout[3]
    # the squeeze: position (0, 0) holds the 2×2 block of pixels 0, 1, 4, 5 (raster order of 4×4)
    assert grid[0, 0].tolist() == [0, 1, 4, 5]
    assert mask[0, 0].tolist() == [True, True, False, False] and layout[4][1][0, 0].tolist() == [False, False, True, True]
    # factored out: pixels 4 and 5 of the first block never appear again
    assert all(4 not in g and 5 not in g for g, _ in layout[6:])
    assert layout[0][1][:, :, 0].astype(int).tolist()[:2] == [[1, 0, 1, 0], [0, 1, 0, 1]]
    with pytest.raises(ValueError, match="each side must be even"):
        multiscale_layout((6, 6, 1), 2)


def test_multiscale_realnvp_is_invertible_and_its_density_is_the_change_of_variables():
    model = randomise(multiscale_flow(), scale=0.1)  # larger weights blow z up past float32 round trips
    x = tf.constant(np.random.default_rng(0).uniform(-1, 1, (3, 4, 4, 1)).astype("float32"))
    z = model.encode(x)
    np.testing.assert_allclose(model.generate(z), x, atol=1e-4)
    x = tf.identity(x)  # a new tensor: TFP's bijector cache would return the z above, without a gradient
    with tf.GradientTape() as tape:
        tape.watch(x)
        z = tf.reshape(model.encode(x), [3, 16])
    jacobian = tape.batch_jacobian(z, x)  # [3, 16, 4, 4, 1]
    log_det = np.linalg.slogdet(np.asarray(jacobian, np.float64).reshape(3, 16, 16))[1]
    expected = -0.5 * np.sum(np.asarray(z, np.float64) ** 2, axis=1) - 8 * math.log(2 * math.pi) + log_det
    np.testing.assert_allclose(model.log_prob(x), expected, rtol=1e-4, atol=1e-3)
    # a coupling never reads the values it transforms: the Jacobian is triangular up to the order,
    # so a random-weight flow is not the identity, yet its determinant is the product of scales
    assert not np.allclose(np.asarray(z), np.asarray(x).reshape(3, 16), atol=1e-3)


def test_multiscale_realnvp_round_trips_through_keras(tmp_path):
    model = randomise(multiscale_flow(levels=256), scale=0.2)
    x = np.random.default_rng(1).integers(0, 256, (2, 4, 4, 1)).astype("float32") / 127.5 - 1
    model.save(tmp_path / "m.keras")
    loaded = keras.saving.load_model(tmp_path / "m.keras")
    assert loaded.num_scales == 1
    np.testing.assert_allclose(loaded.log_prob(x), model.log_prob(x), rtol=1e-5)
    with pytest.raises(ValueError, match="has 10 couplings. Received: 9 networks"):
        RealNVP(model.couplings[:9], data_shape=(4, 4, 1), num_scales=1)
