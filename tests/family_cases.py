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


def digits_batch(n=16, seed=0, labels=False):
    """``n`` training digits ([n, 8, 8, 1] in [-1, 1]), with their int32 labels if asked."""
    from zoo.data import digits_split

    x, y, _, _ = digits_split()
    index = np.random.default_rng(seed).choice(len(x), n, replace=False)
    return (x[index], y[index]) if labels else x[index]


# Synchronized batch norm in the tiny image cases: per-replica statistics would make
# 2-replica training differ from 1-device training by design, not by a bug.
@case("dcgan")
def dcgan_case(seed=0):
    from zoo.families import DCGAN
    from zoo.networks import dcgan_discriminator, dcgan_generator

    keras.utils.set_random_seed(seed)
    model = DCGAN(dcgan_generator(4, 8, 1, filters=4, start_size=4, batch_norm="synchronized"),
                  dcgan_discriminator(8, 1, filters=4, start_size=4, batch_norm="synchronized"), seed=seed)
    model.compile(g_optimizer=keras.optimizers.SGD(0.05), d_optimizer=keras.optimizers.SGD(0.05))
    return model, digits_batch(seed=seed)


@case("cgan")
def cgan_case(seed=0):
    from zoo.families import ConditionalGAN
    from zoo.networks import dcgan_discriminator, dcgan_generator

    keras.utils.set_random_seed(seed)
    model = ConditionalGAN(
        dcgan_generator(4, 8, 1, filters=4, start_size=4, num_classes=10, batch_norm="synchronized"),
        dcgan_discriminator(8, 1, filters=4, start_size=4, num_classes=10, batch_norm="synchronized"),
        num_classes=10, seed=seed)
    model.compile(g_optimizer=keras.optimizers.SGD(0.05), d_optimizer=keras.optimizers.SGD(0.05))
    return model, digits_batch(seed=seed, labels=True)


@case("lapgan")
def lapgan_case(seed=0):
    from zoo.families import LAPGAN
    from zoo.networks import dcgan_discriminator, laplacian_generator, mlp_discriminator, mlp_generator

    keras.utils.set_random_seed(seed)
    generators = [mlp_generator(2, (4, 4, 1), hidden=(8,), name="generator_4"),
                  laplacian_generator(8, 1, noise_dim=2, filters=4, depth=2, batch_norm="synchronized",
                                      name="generator_8")]
    discriminators = [mlp_discriminator((4, 4, 1), hidden=(8,), name="discriminator_4"),
                      dcgan_discriminator(8, 1, filters=4, start_size=4, input_channels=2,
                                          batch_norm="synchronized", name="discriminator_8")]
    model = LAPGAN(generators, discriminators, seed=seed)
    model.compile(g_optimizer=keras.optimizers.SGD(0.05), d_optimizer=keras.optimizers.SGD(0.05))
    return model, digits_batch(seed=seed)
