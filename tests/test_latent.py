"""Latent-space walks (zoo.latent): lerp / slerp against hand values, vector arithmetic."""
import numpy as np
import pytest

from zoo.latent import interpolate, lerp, slerp, vector_arithmetic


def test_lerp_hand_values():
    np.testing.assert_allclose(lerp([1.0, 0.0], [0.0, 1.0], 0.5), [0.5, 0.5])
    np.testing.assert_allclose(lerp([2.0, -2.0], [4.0, 2.0], [0.0, 0.25, 1.0]), [[2, -2], [2.5, -1], [4, 2]])


def test_slerp_quarter_circle_hand_values():
    # Ω = 90°: slerp(e1, e2; t) = (cos(tπ/2), sin(tπ/2)); at t = 1/2 both are 1/√2 (lerp gives 1/2).
    np.testing.assert_allclose(slerp([1.0, 0.0], [0.0, 1.0], 0.5), [2**-0.5, 2**-0.5], rtol=1e-12)
    t = np.array([0.0, 1 / 3, 2 / 3, 1.0])
    expected = 3.0 * np.stack([np.cos(t * np.pi / 2), np.sin(t * np.pi / 2)], axis=1)
    np.testing.assert_allclose(slerp([3.0, 0.0], [0.0, 3.0], t), expected, atol=1e-12)


def test_slerp_60_degrees_hand_value():
    # Ω = 60°, t = 1/2: weights sin(30°)/sin(60°) = 1/√3 each -> (1 + 1/2, √3/2)/√3 = (√3/2, 1/2).
    z1 = [0.5, np.sqrt(3) / 2]
    np.testing.assert_allclose(slerp([1.0, 0.0], z1, 0.5), [np.sqrt(3) / 2, 0.5], atol=1e-12)


def test_slerp_keeps_the_norm_of_equal_norm_endpoints_and_lerp_does_not():
    rng = np.random.default_rng(0)
    z0, z1 = rng.standard_normal(64), rng.standard_normal(64)
    z1 *= np.linalg.norm(z0) / np.linalg.norm(z1)
    path = interpolate(z0, z1, steps=9, method="slerp")
    np.testing.assert_allclose(np.linalg.norm(path, axis=1), np.linalg.norm(z0), rtol=1e-10)
    linear = interpolate(z0, z1, steps=9, method="linear")
    assert np.linalg.norm(linear[4]) < 0.9 * np.linalg.norm(z0)  # the chord dips inside the sphere


@pytest.mark.parametrize("method", ["slerp", "linear"])
def test_endpoints_are_exact(method):
    rng = np.random.default_rng(1)
    z0, z1 = rng.standard_normal((3, 5)), rng.standard_normal((3, 5))
    path = interpolate(z0, z1, steps=4, method=method)
    assert path.shape == (3, 4, 5)
    np.testing.assert_array_equal(path[:, 0], z0)
    np.testing.assert_array_equal(path[:, -1], z1)
    for i in range(3):  # batched pairs = pair by pair
        np.testing.assert_allclose(path[i], interpolate(z0[i], z1[i], steps=4, method=method), atol=1e-12)


def test_slerp_of_parallel_codes_falls_back_to_lerp():
    np.testing.assert_allclose(slerp([1.0, 1.0], [2.0, 2.0], [0.5]), [[1.5, 1.5]])


def test_vector_arithmetic_averages_each_term():
    # mean([0,0],[2,2]) = [1,1]; [1,2] + [1,1] - [1,1] = [1,2]
    np.testing.assert_allclose(vector_arithmetic([[1, 2], [[0, 0], [2, 2]]], [[1, 1]]), [1, 2])
    np.testing.assert_allclose(vector_arithmetic([[[1.0, 3.0], [3.0, 5.0]]]), [2, 4])


def test_bad_inputs_say_what_was_expected():
    with pytest.raises(ValueError, match="same shape"):
        lerp([1, 2], [1, 2, 3], 0.5)
    with pytest.raises(ValueError, match="steps must be an integer >= 2"):
        interpolate([1, 0], [0, 1], steps=1)
    with pytest.raises(ValueError, match="method must be one of"):
        interpolate([1, 0], [0, 1], method="cubic")
    with pytest.raises(ValueError, match="one dimension D"):
        vector_arithmetic([[1, 2]], [[1, 2, 3]])
