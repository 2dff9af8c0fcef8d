"""scikit-learn's bundled 8×8 digits with the fixed split of the digits protocol (no download).

1,797 grey images, 10 classes, values 0..16 scaled to [-1, 1], NHWC ``[N, 8, 8, 1]`` float32.
Split: ``train_test_split(test_size=0.2, stratify=y, random_state=0)``; the test split is
never trained on.
"""
from __future__ import annotations

import functools

import numpy as np

DIGITS_SHAPE = (8, 8, 1)
NUM_CLASSES = 10


@functools.lru_cache(maxsize=1)
def digits_split():
    """``(x_train, y_train, x_test, y_test)``: images NHWC float32 in [-1, 1], labels int32."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    digits = load_digits()
    x = (digits.images.astype(np.float32) / 8.0 - 1.0)[..., None]  # 0..16 -> [-1, 1]
    y = digits.target.astype(np.int32)
    x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=0.2, stratify=y, random_state=0)
    for array in (x_train, y_train, x_test, y_test):
        array.setflags(write=False)  # cached: nobody may change the split in place
    return x_train, y_train, x_test, y_test


def digits_dataset(batch_size: int, seed: int = 0, split: str = "train", labels: bool = False):
    """An endless shuffled tf.data pipeline of digit batches (``(x, y)`` with ``labels=True``)."""
    import tensorflow as tf

    x_train, y_train, x_test, y_test = digits_split()
    if split not in ("train", "test"):
        raise ValueError(f"split must be 'train' or 'test'. Received: split={split!r}")
    x, y = (x_train, y_train) if split == "train" else (x_test, y_test)
    data = tf.data.Dataset.from_tensor_slices((x, y) if labels else x)
    return (
        data.cache()
        .shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
        .repeat()
        .batch(batch_size, drop_remainder=True)
        .prefetch(tf.data.AUTOTUNE)
    )
