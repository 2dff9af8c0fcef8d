"""Stochastically binarised images, the data of the binary-unit models (NADE, RBM, GSN).

Salakhutdinov & Murray (2008, "On the quantitative analysis of deep belief networks") binarised
MNIST by drawing each pixel once from a Bernoulli with the grey level as its probability; NADE
(Larochelle & Murray 2011) and most later binary-likelihood papers use that convention.  zoo does
the same, once per split, with a fixed seed, so every run and every evaluation sees the same
binary images:

    p = (x + 1) / 2              # the grey level of an image in [-1, 1], in [0, 1]
    b ~ Bernoulli(p)             # numpy's default_rng(BINARIZATION_SEEDS[split])
    x_binary = 2 b - 1           # back to zoo's pixel convention: -1 black, +1 white

The images stay in zoo's pixel range [-1, 1] (every tool of the project, the plots, the
classifier and the exports' checks expect it); the families read ``v = (x + 1) / 2`` in {0, 1}.

    from zoo.data.binarized import binarized_split, binarized_dataset
    x_train, y_train, x_test, y_test = binarized_split("fashion-mnist")   # values in {-1, +1}
    binarized_dataset("digits", 64)                                       # endless batches
"""
from __future__ import annotations

import functools

import numpy as np

# One seed per split, so that the test images do not depend on the size of the train split.
BINARIZATION_SEEDS = {"train": 20080701, "test": 20080702}  # the year of Salakhutdinov & Murray
BINARIZED_DATASETS = ("fashion-mnist", "digits")


def binarize(images, seed: int) -> np.ndarray:
    """Images in [-1, 1] -> float32 images in {-1, +1}, each pixel white with probability (x + 1) / 2."""
    images = np.asarray(images, np.float32)
    if images.size and (not np.all(np.isfinite(images)) or images.min() < -1.0 or images.max() > 1.0):
        raise ValueError("binarize expects finite images in [-1, 1]. "
                         f"Received: values in [{np.nanmin(images)}, {np.nanmax(images)}]")
    p = (images + 1.0) / 2.0
    draws = np.random.default_rng(seed).random(images.shape, dtype=np.float32)
    return np.where(draws < p, 1.0, -1.0).astype(np.float32)


def _grey_split(dataset: str):
    if dataset == "fashion-mnist":
        from zoo.data.fashion_mnist import fashion_mnist_split
        return fashion_mnist_split()
    if dataset == "digits":
        from zoo.data.digits import digits_split
        return digits_split()
    raise ValueError(f"dataset must be one of {BINARIZED_DATASETS}. Received: dataset={dataset!r}")


@functools.lru_cache(maxsize=2)
def binarized_split(dataset: str):
    """``(x_train, y_train, x_test, y_test)`` of ``dataset``, images binarised once (values in {-1, +1}).

    Read-only arrays, cached per process.
    """
    x_train, y_train, x_test, y_test = _grey_split(dataset)
    out = (binarize(x_train, BINARIZATION_SEEDS["train"]), y_train,
           binarize(x_test, BINARIZATION_SEEDS["test"]), y_test)
    for array in out:
        array.setflags(write=False)
    return out


def binarized_dataset(dataset: str, batch_size: int, seed: int = 0, split: str = "train", labels: bool = False,
                      repeat: bool = True):
    """Shuffled tf.data batches of the binarised ``dataset`` (``(x, y)`` with ``labels=True``).

    cache -> shuffle (the whole split) -> repeat -> batch (drop_remainder, so every replica of a
    ``tf.distribute`` strategy gets an equal share) -> prefetch.
    """
    import tensorflow as tf

    from zoo.data.images import _check_batch_size

    _check_batch_size(batch_size)
    if split not in ("train", "test"):
        raise ValueError(f"split must be 'train' or 'test'. Received: split={split!r}")
    x_train, y_train, x_test, y_test = binarized_split(dataset)
    x, y = (x_train, y_train) if split == "train" else (x_test, y_test)
    data = tf.data.Dataset.from_tensor_slices((x, y) if labels else x)
    data = data.cache().shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
    if repeat:
        data = data.repeat()
    return data.batch(batch_size, drop_remainder=True).prefetch(tf.data.AUTOTUNE)
