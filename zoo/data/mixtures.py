"""2-D Gaussian mixtures for measuring mode collapse (the mixtures protocol).

Protocol of VEEGAN (Srivastava et al. 2017) as reproduced by PacGAN (Lin et al. 2018):
``ring8`` has 8 modes on the unit circle with std 0.01, ``grid25`` 25 modes on
``{-4, -2, 0, 2, 4}²`` with std 0.05; components are equally weighted.
"""
from __future__ import annotations

import dataclasses

import numpy as np


@dataclasses.dataclass(frozen=True)
class Mixture:
    name: str
    means: np.ndarray  # [K, 2]
    std: float

    @property
    def num_modes(self) -> int:
        return len(self.means)


def _ring8() -> Mixture:
    angles = 2 * np.pi * np.arange(8) / 8
    return Mixture("ring8", np.stack([np.cos(angles), np.sin(angles)], axis=1), 0.01)


def _grid25() -> Mixture:
    ticks = -4.0 + 2.0 * np.arange(5)
    return Mixture("grid25", np.array([(x, y) for x in ticks for y in ticks]), 0.05)


MIXTURES = {"ring8": _ring8(), "grid25": _grid25()}


def mixture(name: str) -> Mixture:
    try:
        return MIXTURES[name]
    except KeyError:
        raise ValueError(f"unknown 2-D mixture {name!r}; expected one of {sorted(MIXTURES)}.") from None


def mixture_samples(name: str, n: int, seed: int = 0) -> np.ndarray:
    """``n`` points of the mixture, float32 ``[n, 2]``, reproducible from ``seed``."""
    m = mixture(name)
    rng = np.random.default_rng(seed)
    modes = rng.integers(m.num_modes, size=n)
    points = m.means[modes] + m.std * rng.standard_normal((n, 2))
    return points.astype(np.float32)


def mixture_dataset(name: str, batch_size: int, num_points: int = 100_000, seed: int = 0):
    """An endless, shuffled, batched tf.data pipeline over ``num_points`` fixed points.

    PacGAN trains on a fixed set of 100,000 points; we keep that and repeat it.
    """
    import tensorflow as tf

    points = mixture_samples(name, num_points, seed)
    return (
        tf.data.Dataset.from_tensor_slices(points)
        .shuffle(num_points, seed=seed, reshuffle_each_iteration=True)
        .repeat()
        .batch(batch_size, drop_remainder=True)
        .prefetch(tf.data.AUTOTUNE)
    )
