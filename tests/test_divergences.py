"""The f-divergences of f-GAN: generator, conjugate, activation, optimal critic (their losses:
tests/test_losses.py)."""
import math

import numpy as np
import pytest
import tensorflow as tf
import tensorflow_probability as tfp

from zoo import divergences as fd

NAMES = sorted(fd.F_DIVERGENCES)

# For each divergence, points t inside dom f* where the supremum sup_u {u t − f(u)} over
# u > 0 is attained at an interior u* = (f′)⁻¹(t) within the grid below (u in [1e-4, 1e4]).
CONJUGATE_POINTS = {
    "kl": [-2.0, -0.5, 0.0, 1.0, 3.0],
    "reverse_kl": [-5.0, -1.0, -0.3, -0.05],
    "pearson": [-1.5, -0.5, 0.0, 2.0, 6.0],
    "neyman": [-20.0, -1.0, 0.0, 0.5, 0.9],
    "squared_hellinger": [-5.0, -1.0, 0.0, 0.5, 0.9],
    "jeffrey": [-3.0, -1.0, 0.0, 1.0, 4.0],
    "jensen_shannon": [-3.0, -0.5, 0.0, 0.5, 0.65],
    "gan": [-4.0, -1.0, -0.5, -0.1],
    "total_variation": [-0.5, -0.2, 0.0, 0.3, 0.5],
}


@pytest.mark.parametrize("name", NAMES)
def test_f_vanishes_at_one(name):
    # f-GAN's "GAN" generator is the one exception: f(1) = −log 4, so D_f(P‖P) = −log 4
    # (Table 1; the GAN game's value at the optimum, Goodfellow et al. 2014, Theorem 1).
    expected = -math.log(4.0) if name == "gan" else 0.0
    assert float(fd.get(name).f(tf.constant(1.0, tf.float64))) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("name", NAMES)
def test_f_is_convex_on_a_grid(name):
    u = np.linspace(0.05, 6.0, 400)
    values = fd.get(name).f(tf.constant(u, tf.float64)).numpy()
    second_difference = values[:-2] - 2 * values[1:-1] + values[2:]
    assert (second_difference >= -1e-12).all()


@pytest.mark.parametrize("name", NAMES)
def test_conjugate_is_the_supremum_over_a_grid(name):
    """f*(t) = sup_u {u t − f(u)}, the supremum taken numerically on a fine log grid."""
    d = fd.get(name)
    u = tf.constant(np.concatenate([np.logspace(-4, 4, 400_001), [1.0]]), tf.float64)
    f_u = d.f(u)
    for t in CONJUGATE_POINTS[name]:
        numeric = float(tf.reduce_max(u * t - f_u))
        closed_form = float(d.conjugate(tf.constant(t, tf.float64)))
        assert closed_form == pytest.approx(numeric, rel=1e-5, abs=1e-6), (name, t)


@pytest.mark.parametrize("name", NAMES)
def test_activation_maps_reals_into_the_conjugate_domain(name):
    d = fd.get(name)
    low, high = d.domain
    v = tf.constant(np.linspace(-30.0, 30.0, 2001), tf.float64)
    t = d.activation(v).numpy()
    assert np.isfinite(t).all()
    # Closed ends (total variation's ±½) may be reached; open ends must not be crossed.
    assert (t >= low).all() and (t <= high).all()
    if high == 0.0 or high == 1.0 or high == pytest.approx(math.log(2)):
        assert (t < high).all()
    # and the composition f*(g_f(v)) written in stable form equals f* applied to g_f(v)
    v_mid = tf.constant(np.linspace(-5.0, 5.0, 101), tf.float64)
    np.testing.assert_allclose(d.conjugate_activation(v_mid).numpy(),
                               d.conjugate(d.activation(v_mid)).numpy(), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("name", NAMES)
def test_optimal_critic_is_the_derivative_of_f(name):
    d = fd.get(name)
    u = tf.constant([0.3, 0.7, 1.5, 4.0], tf.float64)
    with tf.GradientTape() as tape:
        tape.watch(u)
        f_u = d.f(u)
    np.testing.assert_allclose(d.optimal_critic(u).numpy(), tape.gradient(f_u, u).numpy(), rtol=1e-10)


@pytest.mark.parametrize("name", NAMES)
def test_bound_at_the_optimal_critic_is_the_divergence(name):
    """Fenchel-Young equality: f*(f′(u)) = u f′(u) − f(u), so the bound is tight at T*."""
    d = fd.get(name)
    u = tf.constant([0.3, 0.7, 1.5, 4.0], tf.float64)
    t = d.optimal_critic(u)
    np.testing.assert_allclose(d.conjugate(t).numpy(), (u * t - d.f(u)).numpy(), rtol=1e-9, atol=1e-12)


# Where tfp.vi has the same Csiszár function (it takes log u): name -> (tfp function, scale).
TFP_EQUIVALENTS = {
    "kl": (tfp.vi.kl_forward, 1.0),
    "reverse_kl": (tfp.vi.kl_reverse, 1.0),
    "pearson": (tfp.vi.pearson, 1.0),
    "squared_hellinger": (tfp.vi.squared_hellinger, 1.0),
    "jeffrey": (tfp.vi.jeffreys, 2.0),  # tfp's Jeffreys is ½ (u − 1) log u
    "jensen_shannon": (lambda logu: tfp.vi.jensen_shannon(logu, self_normalized=True), 1.0),
    "gan": (tfp.vi.jensen_shannon, 1.0),  # tfp's un-normalised JS is f-GAN's GAN generator
    "total_variation": (tfp.vi.total_variation, 1.0),
}


@pytest.mark.parametrize("name", sorted(TFP_EQUIVALENTS))
def test_f_agrees_with_tfp_csiszar_functions(name):
    fn, scale = TFP_EQUIVALENTS[name]
    u = tf.constant([0.01, 0.5, 1.0, 2.0, 30.0], tf.float64)
    np.testing.assert_allclose(fd.get(name).f(u).numpy(), scale * fn(tf.math.log(u)).numpy(), rtol=1e-10, atol=1e-12)


def test_hand_computed_values():
    u = tf.constant(2.0, tf.float64)
    assert float(fd.kl_f(u)) == pytest.approx(2 * math.log(2))
    assert float(fd.neyman_f(u)) == pytest.approx(0.5)
    assert float(fd.squared_hellinger_f(u)) == pytest.approx((math.sqrt(2) - 1) ** 2)
    assert float(fd.jeffrey_conjugate(tf.constant(1.0, tf.float64))) == pytest.approx(
        0.5671432904097838 + 1 / 0.5671432904097838 - 1.0)  # Ω = W(1), the omega constant
    assert float(fd.gan_activation(tf.constant(0.0))) == pytest.approx(-math.log(2))
    assert float(fd.jensen_shannon_activation(tf.constant(0.0))) == pytest.approx(0.0)


def test_jeffrey_conjugate_is_finite_at_extreme_arguments():
    """W(e^{1−t}) is computed as the Wright ω function, so e^{1−t} never overflows."""
    from scipy.special import wrightomega

    t = np.array([-700.0, -50.0, 0.0, 50.0])
    omega = wrightomega(1.0 - t).real
    np.testing.assert_allclose(fd.jeffrey_conjugate(tf.constant(t, tf.float64)).numpy(),
                               omega + 1.0 / omega + t - 2.0, rtol=1e-10)


def test_get_accepts_aliases_and_rejects_unknown_names():
    assert fd.get("js") is fd.jensen_shannon
    assert fd.get("hellinger") is fd.squared_hellinger
    assert fd.get(fd.pearson) is fd.pearson
    with pytest.raises(ValueError, match="Received: divergence='kll'"):
        fd.get("kll")
