"""Reconstruction error (zoo.metrics.reconstruction): encoders, generator inversion, baselines."""
import numpy as np
import pytest
import tensorflow as tf

from zoo.metrics.reconstruction import (
    invert_generator,
    inversion_mse,
    label_kept,
    pca_mse,
    pca_reconstruction,
    per_example_mse,
    reconstruct,
    reconstruction_mse,
    train_mean_mse,
)


def test_reconstruction_mse_by_hand():
    x = np.array([[1.0, -1.0], [0.5, 0.0], [0.0, 2.0]], np.float32)
    assert reconstruction_mse(lambda v: v, lambda z: z, x) == 0.0
    # Decoding everything to 0: the mean of x² = (1 + 1 + 0.25 + 0 + 0 + 4) / 6.
    assert reconstruction_mse(lambda v: v[:, :1], lambda z: np.zeros((len(z), 2)), x, batch_size=2) == \
        pytest.approx(6.25 / 6)
    with pytest.raises(ValueError, match="Received"):
        per_example_mse(x, x[:, :1])
    np.testing.assert_array_equal(reconstruct(lambda v: v, lambda z: 2 * z, x, batch_size=2), 2 * x)


def test_baselines_by_hand():
    x_train = np.array([[0.0, 0.0], [2.0, 4.0]])
    x_test = np.array([[1.0, 1.0], [1.0, 3.0]])
    # Train mean (1, 2): errors (0 + 1) / 2 and (0 + 1) / 2.
    assert train_mean_mse(x_train, x_test) == pytest.approx(0.5)
    rng = np.random.default_rng(0)
    data = rng.standard_normal((200, 5)) @ rng.standard_normal((5, 5))
    assert pca_mse(data[:150], data[150:], components=5) == pytest.approx(0.0, abs=1e-10)  # full rank: exact
    assert pca_mse(data[:150], data[150:], 1) > pca_mse(data[:150], data[150:], 3)
    images = data.reshape(200, 5, 1)  # any shape: flattened for the fit, restored after
    assert pca_reconstruction(images[:150], images[150:], 5).shape == (50, 5, 1)
    np.testing.assert_allclose(pca_reconstruction(images[:150], images[150:], 5), images[150:], atol=1e-9)


def test_inversion_recovers_codes_of_a_linear_generator():
    # G(z) = A z with A of full column rank: for x = A z* the optimum is z* (error 0), and
    # for any x the optimal error is the least-squares residual ‖(I − A A⁺) x‖² / D.
    rng = np.random.default_rng(1)
    a = rng.standard_normal((6, 2)).astype(np.float32)
    generate = lambda z: tf.matmul(z, a, transpose_b=True)  # noqa: E731
    z_true = rng.standard_normal((5, 2)).astype(np.float32)
    z_hat, errors = invert_generator(generate, z_true @ a.T, latent_dim=2, steps=300, restarts=2, learning_rate=0.1)
    np.testing.assert_allclose(z_hat, z_true, atol=1e-2)
    assert errors.max() < 1e-4
    x = rng.standard_normal((5, 6)).astype(np.float32)
    residual = x - x @ np.linalg.pinv(a).T @ a.T
    expected = (residual**2).mean(axis=1)
    _, errors = invert_generator(generate, x, latent_dim=2, steps=300, restarts=2, learning_rate=0.1)
    np.testing.assert_allclose(errors, expected, rtol=1e-3, atol=1e-6)
    assert inversion_mse(generate, x, 2, batch_size=2, steps=300, restarts=2, learning_rate=0.1) == \
        pytest.approx(expected.mean(), rel=1e-3)


def test_restarts_keep_the_best_start_per_example():
    # G(z) = z² per coordinate has two optima ±√x; any restart reaches one: error ≈ 0, and the
    # best restart is never worse than the first.
    generate = lambda z: tf.square(z)  # noqa: E731
    x = np.array([[0.25, 1.0], [4.0, 0.0]], np.float32)
    _, one = invert_generator(generate, x, 2, steps=400, restarts=1, learning_rate=0.05, seed=3)
    _, four = invert_generator(generate, x, 2, steps=400, restarts=4, learning_rate=0.05, seed=3)
    assert np.all(four <= one + 1e-7) and four.max() < 1e-3


def test_label_kept_by_hand():
    # The "classifier" calls an image 1 when its mean is positive.  Inputs' labels 1, 0, 1, 0;
    # reconstructions' 1, 1, 0, 0: two of four kept, whatever the pixel error.
    label_of = lambda images: (images.reshape(len(images), -1).mean(axis=1) > 0).astype(int)  # noqa: E731
    x = np.array([[0.5, 0.5], [-0.5, -0.5], [1.0, 0.0], [-1.0, 0.0]])
    x_hat = np.array([[0.1, 0.1], [0.1, 0.0], [-0.1, 0.0], [-0.9, 0.0]])
    assert label_kept(label_of, x, x_hat) == 0.5
    assert label_kept(label_of, x, x_hat, batch_size=3) == 0.5  # batches of 3 and 1
    assert label_kept(label_of, x, x) == 1.0
    with pytest.raises(ValueError, match="Received"):
        label_kept(label_of, x, x[:, :1])
