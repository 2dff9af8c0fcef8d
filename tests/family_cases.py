"""Tiny, fast instances of every family, for tests parametrised over the families.

Add one ``@case`` per family (or per family variant): it returns a compiled model on tiny
networks and one batch of training data (a NumPy array, or a tuple (x, labels) for
conditional families). Tests import ``CASES`` and so cover a new family by its being added.
"""
import keras
import numpy as np

CASES = {}


def case(name):
    def register(fn):
        CASES[name] = fn
        return fn

    return register


def points_batch(n=16, seed=0):
    from zoo.data import mixture_samples

    return mixture_samples("ring8", n, seed)


@case("gan")
def gan_case(seed=0, loss="non_saturating"):
    from zoo.families import GAN
    from zoo.networks import mlp

    keras.utils.set_random_seed(seed)
    model = GAN(mlp(2, 2, hidden=(8,), name="generator"), mlp(2, 1, hidden=(8,), name="discriminator"),
                loss=loss, seed=seed)
    model.compile(g_optimizer=keras.optimizers.SGD(0.1), d_optimizer=keras.optimizers.SGD(0.1))
    return model, points_batch(seed=seed)
