"""MMD and its kernels (zoo.kernels) against hand computations."""
import math

import numpy as np
import pytest
import tensorflow as tf

from zoo import kernels


def test_squared_distances_by_hand():
    x = np.array([[0.0, 0.0], [1.0, 2.0]], np.float32)
    y = np.array([[3.0, 4.0]], np.float32)
    np.testing.assert_allclose(kernels.squared_distances(x, y).numpy(), [[25.0], [8.0]], rtol=1e-6)


def test_imq_kernel_by_hand():
    # d = 2, σ² = 1: C = 2 d σ² = 4; k = Σ_s 4s / (4s + ‖x − y‖²) with ‖x − y‖² = 4.
    x = np.array([[0.0, 0.0]], np.float32)
    y = np.array([[2.0, 0.0]], np.float32)
    expected = sum(4 * s / (4 * s + 4.0) for s in kernels.WAE_SCALES)
    np.testing.assert_allclose(kernels.inverse_multiquadratic_kernel(x, y).numpy(), [[expected]], rtol=1e-6)
    # Each scale contributes 1 on the diagonal.
    np.testing.assert_allclose(kernels.inverse_multiquadratic_kernel(x, x).numpy(), [[len(kernels.WAE_SCALES)]])


def test_mmd_on_three_points_by_hand():
    # x = {0, 1}, y = {2} in 1-D, RBF with σ = 1: k(a, b) = exp(-(a − b)² / 2).
    x = np.array([[0.0], [1.0]], np.float32)
    y = np.array([[2.0]], np.float32)
    e = math.exp
    k_xx = (1 + e(-0.5) + e(-0.5) + 1) / 4
    k_yy = 1.0
    k_xy = (e(-2.0) + e(-0.5)) / 2
    biased = k_xx + k_yy - 2 * k_xy
    np.testing.assert_allclose(kernels.mmd(x, y, kernel="rbf", unbiased=False, scales=(1.0,)).numpy(), biased,
                               rtol=1e-6)
    # Unbiased with y = {2, 2}: the off-diagonal means are e^{-1/2} (x) and 1 (y).
    y2 = np.array([[2.0], [2.0]], np.float32)
    unbiased = e(-0.5) + 1.0 - 2 * k_xy
    np.testing.assert_allclose(kernels.mmd(x, y2, kernel="rbf", unbiased=True, scales=(1.0,)).numpy(), unbiased,
                               rtol=1e-6)


@pytest.mark.parametrize("kernel", ["imq", "rbf"])
def test_mmd_identical_zero_shifted_positive(kernel):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((300, 4)).astype(np.float32)
    assert abs(float(kernels.mmd(x, x, kernel=kernel, unbiased=False))) < 1e-5  # V-statistic: exactly 0
    other = rng.standard_normal((300, 4)).astype(np.float32)
    same_law = float(kernels.mmd(x, other, kernel=kernel, unbiased=True))
    shifted = float(kernels.mmd(x, other + 1.0, kernel=kernel, unbiased=True))
    assert abs(same_law) < 0.02  # U-statistic: ≈ 0 for two samples of one law
    assert shifted > 10 * max(abs(same_law), 1e-3)


def test_unbiased_estimator_is_unbiased():
    # Mean of the U-statistic over many small independent pairs of N(0, I) samples ≈ 0,
    # while the V-statistic's is positive (its bias is (E k(x,x) - E k(x,x'))·(1/n + 1/m)).
    rng = np.random.default_rng(1)
    u, v = [], []
    for _ in range(200):
        x = rng.standard_normal((8, 2)).astype(np.float32)
        y = rng.standard_normal((8, 2)).astype(np.float32)
        u.append(float(kernels.mmd(x, y, kernel="rbf", unbiased=True)))
        v.append(float(kernels.mmd(x, y, kernel="rbf", unbiased=False)))
    assert abs(np.mean(u)) < 3 * np.std(u) / np.sqrt(len(u))
    assert np.mean(v) > 0.05


def test_mmd_is_differentiable():
    x = tf.Variable(np.zeros((4, 2), np.float32) + [[0.0, 0.0], [0.1, 0.0], [0.0, 0.1], [0.2, 0.1]])
    y = np.random.default_rng(2).standard_normal((16, 2)).astype(np.float32)
    with tf.GradientTape() as tape:
        value = kernels.mmd(x, y)
    grad = tape.gradient(value, x)
    assert np.all(np.isfinite(grad.numpy())) and np.abs(grad.numpy()).sum() > 0


def test_errors_name_what_was_received():
    with pytest.raises(ValueError, match="kernel must be one of"):
        kernels.mmd(np.zeros((2, 1)), np.zeros((2, 1)), kernel="cosine")
    with pytest.raises(ValueError, match="Received: shapes"):
        kernels.mmd(np.zeros((2,)), np.zeros((2, 1)))
