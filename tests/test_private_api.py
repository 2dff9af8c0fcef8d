"""The private Keras APIs of zoo/_private_api.py on the installed Keras: an upgrade that moves
one fails here, by name, instead of inside a training run."""
import inspect

import keras
import numpy as np
import pytest

from zoo import _private_api


def test_keras_is_the_major_version_checked():
    assert int(keras.__version__.split(".")[0]) == 3, (
        f"zoo/_private_api.py was checked with Keras 3 (3.15); Received: keras {keras.__version__}")


def test_the_trainer_reduction_the_multiworker_patch_wraps_is_there():
    trainer = _private_api.keras_trainer()
    assert list(inspect.signature(trainer.reduce_per_replica).parameters) == ["values", "strategy", "reduction"]


def test_patched_reduction_leaves_other_strategies_to_keras():
    import tensorflow as tf

    trainer = _private_api.keras_trainer()
    original = trainer.reduce_per_replica
    try:
        _private_api.patch_multiworker_scalar_logs()
        assert trainer.reduce_per_replica.zoo_patched
        values = {"loss": tf.constant(2.0)}
        out = trainer.reduce_per_replica(values, tf.distribute.get_strategy(), "auto")
        assert float(out["loss"]) == 2.0
    finally:
        trainer.reduce_per_replica = original


def test_adam_slots_are_the_moments_by_hand():
    # One Adam step on w with gradient g: m = (1 − β₁) g, v = (1 − β₂) g².
    w = keras.Variable(np.array([1.0, -2.0], np.float32))
    optimizer = keras.optimizers.Adam(0.1, beta_1=0.9, beta_2=0.99)
    optimizer.build([w])
    optimizer.apply_gradients([(np.array([0.5, -1.0], np.float32), w)])
    m, v = _private_api.adam_slots(optimizer, w)
    np.testing.assert_allclose(np.asarray(m), [0.05, -0.1], rtol=1e-6)
    np.testing.assert_allclose(np.asarray(v), [0.0025, 0.01], rtol=1e-5)


def test_adam_slots_of_an_unknown_variable_fail():
    optimizer = keras.optimizers.Adam()
    optimizer.build([keras.Variable(np.zeros(2, np.float32))])
    with pytest.raises(Exception):
        _private_api.adam_slots(optimizer, keras.Variable(np.zeros(3, np.float32)))
