"""Train every family case a few steps on 1 device and under ``MirroredStrategy`` on 2
logical CPU devices with the same global batch; print, per case, how far apart the weights
end up (JSON on the last line).  Run by tests/test_distribute.py in its own process,
because the CPU must be split before any TensorFlow op runs.

    python tests/_mirrored_check.py [case ...]
"""
import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
STEPS = int(os.environ.get("ZOO_MIRRORED_STEPS", 3))

import tensorflow as tf  # noqa: E402

tf.config.set_logical_device_configuration(
    tf.config.list_physical_devices("CPU")[0], [tf.config.LogicalDeviceConfiguration()] * 2
)
# The two trajectories are compared to float32 round-off, so every kernel must be
# deterministic: one full run of the suite saw the 1-device fgan-kl case end 2e-4 away from
# its usual weights (8e-4 from the mirrored run), which no isolated rerun reproduced.
tf.config.experimental.enable_op_determinism()

import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from family_cases import CASES  # noqa: E402

from zoo.distribute import get_strategy, prepare_dataset  # noqa: E402


def dataset(data):
    batch = len(data[0] if isinstance(data, tuple) else data)
    return tf.data.Dataset.from_tensor_slices(data).repeat().batch(batch, drop_remainder=True)


def train(name, strategy):
    """Weights before and after STEPS steps of ``fit`` on the case's batch (the global batch)."""
    with strategy.scope():
        model, data = CASES[name](seed=0)
    before = [np.array(w) for w in model.get_weights()]
    model.fit(prepare_dataset(dataset(data), strategy), steps_per_epoch=STEPS, epochs=1, verbose=0)
    return before, [np.array(w) for w in model.get_weights()]


def noise_slices(strategy):
    """Max |difference| between the per-replica rows of ``normal``/``uniform`` stacked in
    replica order and the same draws on one device for the global batch."""
    with strategy.scope():
        model, _ = CASES["gan"](seed=0)
    per_replica = strategy.run(tf.function(lambda: (model.normal(4, (3,)), model.uniform(4, (), -1.0, 1.0))))
    stacked = [np.concatenate([np.asarray(v) for v in strategy.experimental_local_results(draw)])
               for draw in per_replica]
    single, _ = CASES["gan"](seed=0)
    expected = [np.asarray(single.normal(8, (3,))), np.asarray(single.uniform(8, (), -1.0, 1.0))]
    return {"shape": list(stacked[0].shape),
            "max_abs_diff": max(float(np.max(np.abs(a - b))) for a, b in zip(stacked, expected))}


def main(names):
    mirrored = get_strategy("mirrored")
    one = get_strategy("auto")
    results = {"replicas": mirrored.num_replicas_in_sync, "noise": noise_slices(mirrored)}
    for name in names:
        try:
            start, single = train(name, one)
            _, replicated = train(name, mirrored)
            results[name] = {
                "max_abs_diff": max(float(np.max(np.abs(a - b))) for a, b in zip(single, replicated)),
                "max_abs_update": max(float(np.max(np.abs(a - b))) for a, b in zip(single, start)),
                "max_abs_weight": max(float(np.max(np.abs(a))) for a in single),
            }
        except Exception as error:  # reported per case by the test
            results[name] = {"error": f"{type(error).__name__}: {error}"}
    print(json.dumps(results))


if __name__ == "__main__":
    main(sys.argv[1:] or sorted(CASES))
