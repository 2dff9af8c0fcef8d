"""The private Keras APIs zoo cannot do without, in this one module.

Each use says why no public API does, and ``tests/test_private_api.py`` checks every symbol
used here on the installed Keras, so an upgrade that moves one fails that test by name
instead of breaking a training run.  Checked with Keras 3.15 (``setup.cfg`` pins ``keras<4``).

- :func:`patch_multiworker_scalar_logs`: a work-around for a Keras bug under
  ``MultiWorkerMirroredStrategy`` (tensorflow/tensorflow#72388), in Keras' own trainer.
- :func:`adam_slots`: the moments of a Keras ``Adam`` for one variable (Unrolled GAN continues
  the discriminator's optimizer state inside its unrolled steps; Keras exposes the slots only
  as one flat ``optimizer.variables`` list).
"""
from __future__ import annotations


def keras_trainer():
    """``keras.src.backend.tensorflow.trainer``, or an error that names the Keras version."""
    import keras

    try:
        from keras.src.backend.tensorflow import trainer
    except ImportError as error:
        raise ImportError(f"zoo patches keras.src.backend.tensorflow.trainer (checked with Keras 3.15), which "
                          f"Keras {keras.__version__} does not have; see zoo/_private_api.py. ({error})") from None
    if not callable(getattr(trainer, "reduce_per_replica", None)):
        raise ImportError(f"keras.src.backend.tensorflow.trainer.reduce_per_replica is gone in Keras "
                          f"{keras.__version__}; see zoo/_private_api.py.")
    return trainer


def patch_multiworker_scalar_logs():
    """Let Keras 3 ``fit`` reduce scalar logs under ``MultiWorkerMirroredStrategy``.

    Keras reduces each log across workers with ``strategy.reduce("MEAN", v, axis=0)``, which
    fails on a scalar (every family's losses are) with ``Invalid reduction dimension 0 for
    input with 0 dimensions`` (https://github.com/tensorflow/tensorflow/issues/72388, seen
    with Keras 3.15).  Scalars are reduced with ``axis=None`` instead (the mean over the
    replicas); everything else goes to Keras unchanged.
    """
    trainer = keras_trainer()
    original = trainer.reduce_per_replica
    if getattr(original, "zoo_patched", False):
        return
    import tensorflow as tf

    def reduce_per_replica(values, strategy, reduction):
        if reduction not in ("auto", "mean") or not isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy):
            return original(values, strategy, reduction)

        def reduce(value):
            local = (strategy.experimental_local_results(value)[0]
                     if isinstance(value, tf.distribute.DistributedValues) else value)
            if getattr(local, "shape", None) is not None and local.shape.rank == 0:
                return strategy.reduce("MEAN", value, axis=None)
            return original(value, strategy, reduction)

        return tf.nest.map_structure(reduce, values)

    reduce_per_replica.zoo_patched = True
    trainer.reduce_per_replica = reduce_per_replica


def adam_slots(optimizer, variable):
    """``(m, v)``: the first and second moment variables of a Keras ``Adam`` for ``variable``."""
    index = optimizer._get_variable_index(variable)
    return optimizer._momentums[index], optimizer._velocities[index]
