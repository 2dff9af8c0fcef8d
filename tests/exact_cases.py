"""Tiny cases of the exact-likelihood families (PixelCNN, RealNVP, MAF), in the form of
tests/family_cases.py: each returns a compiled model on tiny networks and one training batch.

They live in their own ``CASES`` until they are folded into tests/family_cases.py (importing
this module does not add them to that registry, so tests over it are unchanged).
"""
import keras

from family_cases import digits_batch, points_batch

CASES = {}


def case(name):
    """Register a case under ``name`` (as ``family_cases.case``, in this module's CASES)."""
    return lambda fn: CASES.setdefault(name, fn)


@case("pixelcnn")
def pixelcnn_case(seed=0):
    from zoo.families import PixelCNN
    from zoo.families.pixelcnn import pixelcnn_network

    keras.utils.set_random_seed(seed)
    network = pixelcnn_network((8, 8, 1), num_resnet=1, num_hierarchies=2, num_filters=4, num_logistic_mix=2)
    model = PixelCNN(network, levels=17, seed=seed)
    model.compile(pixelcnn_optimizer=keras.optimizers.SGD(0.002))
    return model, digits_batch(seed=seed)


@case("realnvp")
def realnvp_case(seed=0):
    # On digits: the dequantisation noise is drawn in train_step (replica-consistently).
    from zoo.families import RealNVP
    from zoo.families.realnvp import coupling_network

    keras.utils.set_random_seed(seed)
    model = RealNVP([coupling_network(64, (8,), name=f"coupling{k}") for k in range(2)], data_shape=(8, 8, 1),
                    levels=17, seed=seed)
    model.compile(flow_optimizer=keras.optimizers.SGD(0.01))
    return model, digits_batch(seed=seed)


@case("maf")
def maf_case(seed=0):
    from zoo.families import MAF
    from zoo.families.maf import MADE

    keras.utils.set_random_seed(seed)
    model = MAF([MADE(2, (8, 8), name=f"made{k}") for k in range(2)], data_shape=(2,), seed=seed)
    model.compile(flow_optimizer=keras.optimizers.SGD(0.05))
    return model, points_batch(seed=seed)


def randomise(model, scale=0.3, seed=0):
    """Random weights everywhere (the flows' last layers start at zero, where every map is
    the identity and a test of the maps would prove little)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    model.set_weights([scale * rng.standard_normal(w.shape).astype("float32") for w in model.get_weights()])
    return model
