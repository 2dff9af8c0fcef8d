"""Reconstruction error on held-out data (the digits protocol), for encoders and by generator inversion.

- Families with an encoder: ``x̂ = decode(encode(x))``.
- Families without one: ``x̂ = G(ẑ)`` with ``ẑ = argmin_z ‖G(z) - x‖²`` found by gradient
  descent on z (latent optimisation), the measure of Metz et al. 2017 ("Unrolled Generative
  Adversarial Networks", arXiv:1611.02163, §3.3 and Table 1): a generator that dropped modes
  cannot reach the test images of those modes, so its error is high.

Both report the mean squared error per value, on the data's [-1, 1] scale.
"""
from __future__ import annotations

import numpy as np


def _as_numpy(value):
    return value.numpy() if hasattr(value, "numpy") else np.asarray(value)


def per_example_mse(x, x_hat) -> np.ndarray:
    """``[N]`` mean over values of ``(x - x̂)²``."""
    x, x_hat = np.asarray(x, np.float64), np.asarray(x_hat, np.float64)
    if x.shape != x_hat.shape:
        raise ValueError(f"reconstructions must have the data's shape {list(x.shape)}. Received: {list(x_hat.shape)}")
    return ((x - x_hat) ** 2).reshape(len(x), -1).mean(axis=1)


def reconstruct(encode, decode, x, batch_size: int = 256) -> np.ndarray:
    """``decode(encode(x))`` as an array, ``batch_size`` examples per call.

    Args:
      encode: callable ``x -> z`` (NumPy or tensors; a ``Pretrained.encode``, a model's ``encode``).
      decode: callable ``z -> x̂``.
      x: array ``[N, ...]``.
      batch_size: examples per call.
    """
    x = np.asarray(x, np.float32)
    return np.concatenate([_as_numpy(decode(encode(x[i: i + batch_size]))) for i in range(0, len(x), batch_size)])


def reconstruction_mse(encode, decode, x, batch_size: int = 256) -> float:
    """Mean over examples and values of ``(x - decode(encode(x)))²`` (:func:`reconstruct`)."""
    return float(per_example_mse(x, reconstruct(encode, decode, x, batch_size)).mean())


def label_kept(label_of, x, x_hat, batch_size: int = 1024) -> float:
    """The share of reconstructions ``x_hat`` that ``label_of`` gives the label it gives their
    input ``x``: whether a code keeps what an image *is* (its class, by a classifier) rather
    than its pixels, which the pixel error does not tell apart.

    Args:
      label_of: callable ``images [M, ...] -> labels [M]`` (a classifier's argmax).
      x, x_hat: arrays ``[N, ...]`` of one shape.
      batch_size: images per call of ``label_of``.
    """
    x, x_hat = np.asarray(x, np.float32), np.asarray(x_hat, np.float32)
    if x.shape != x_hat.shape:
        raise ValueError(f"reconstructions must have the data's shape {list(x.shape)}. Received: {list(x_hat.shape)}")

    def labels(images):
        return np.concatenate([np.asarray(label_of(images[i: i + batch_size])).reshape(-1)
                               for i in range(0, len(images), batch_size)])

    return float(np.mean(labels(x_hat) == labels(x)))


def invert_generator(generate_fn, x, latent_dim: int, steps: int = 500, restarts: int = 4,
                     learning_rate: float = 0.05, seed: int = 0):
    """Find ``ẑ = argmin_z ‖G(z) - x‖²`` per example by Adam on z from several random starts.

    Each of ``restarts`` starting points ``z₀ ~ N(0, I)`` is optimised for ``steps`` Adam
    steps; for each example the restart with the lowest final error wins (the objective is
    non-convex in z).

    Args:
      generate_fn: differentiable callable ``z [M, latent_dim] -> x̂ [M, ...]`` (a model's
        ``generate``, or the ``generate`` function of a loaded SavedModel).
      x: targets ``[N, ...]``.
      latent_dim: size of z.
      steps, restarts, learning_rate, seed: the optimisation.
    Returns:
      ``(z [N, latent_dim], per-example MSE [N])`` of the best restart.
    """
    import tensorflow as tf

    x = tf.convert_to_tensor(np.asarray(x, np.float32))
    n = int(x.shape[0])
    targets = tf.tile(x, [restarts] + [1] * (len(x.shape) - 1))  # restart r holds rows r*n .. r*n+n-1
    z = tf.Variable(tf.random.stateless_normal([restarts * n, latent_dim], seed=[seed, 0]))
    import keras

    optimizer = keras.optimizers.Adam(learning_rate)
    optimizer.build([z])
    axes = list(range(1, len(x.shape)))

    def errors():
        return tf.reduce_mean(tf.square(generate_fn(z) - targets), axis=axes)

    @tf.function
    def step():
        with tf.GradientTape() as tape:
            tape.watch(z)
            # Sum (not mean) over examples: each example's z gets the gradient of its own error.
            loss = tf.reduce_sum(errors())
        optimizer.apply_gradients([(tape.gradient(loss, z), z)])

    for _ in range(steps):
        step()
    final = tf.reshape(errors(), [restarts, n]).numpy()
    best = final.argmin(axis=0)
    z_all = z.numpy().reshape(restarts, n, latent_dim)
    return z_all[best, np.arange(n)], final[best, np.arange(n)].astype(np.float64)


def inversion_mse(generate_fn, x, latent_dim: int, batch_size: int = 512, **kwargs) -> float:
    """Mean squared error of the best latent-optimised reconstruction (:func:`invert_generator`)."""
    x = np.asarray(x, np.float32)
    errors = [invert_generator(generate_fn, x[i: i + batch_size], latent_dim, **kwargs)[1]
              for i in range(0, len(x), batch_size)]
    return float(np.concatenate(errors).mean())


def train_mean_mse(x_train, x_test) -> float:
    """Baseline: every test example predicted by the mean training image."""
    mean = np.asarray(x_train, np.float64).mean(axis=0, keepdims=True)
    return float(per_example_mse(x_test, np.broadcast_to(mean, np.shape(x_test))).mean())


def pca_reconstruction(x_train, x_test, components: int) -> np.ndarray:
    """Baseline: ``x_test`` through the best linear auto-encoder with ``components`` dimensions
    (PCA fitted on ``x_train``), in ``x_test``'s shape."""
    from sklearn.decomposition import PCA

    x_train = np.asarray(x_train, np.float64).reshape(len(x_train), -1)
    flat = np.asarray(x_test, np.float64).reshape(len(x_test), -1)
    pca = PCA(n_components=components).fit(x_train)
    return pca.inverse_transform(pca.transform(flat)).reshape(np.shape(x_test))


def pca_mse(x_train, x_test, components: int) -> float:
    """Mean squared error of :func:`pca_reconstruction`."""
    return float(per_example_mse(x_test, pca_reconstruction(x_train, x_test, components)).mean())
