"""A ``tf.distribute`` strategy from a name, and what every family needs to train under it.

    strategy = zoo.distribute.get_strategy("auto")
    with strategy.scope():
        model = recipe.build(seed)          # variables (and optimizers) mirrored
    model.fit(zoo.distribute.prepare_dataset(dataset, strategy), ...)

Names:

- ``auto``: what the machine has: ``multiworker`` when ``TF_CONFIG`` names a cluster of
  several tasks, ``tpu`` when a TPU address is set (``TPU_NAME``), ``mirrored`` with 2+
  GPUs, else the default strategy (one device, no distribution overhead).
- ``one``: :class:`tf.distribute.OneDeviceStrategy` on the first GPU, or the CPU.
- ``mirrored``: :class:`tf.distribute.MirroredStrategy` on all local GPUs; without GPUs on
  all *logical* CPU devices (tests split the CPU in two with
  ``tf.config.set_logical_device_configuration`` before any op runs).
- ``multiworker``: :class:`tf.distribute.MultiWorkerMirroredStrategy`, the workers read
  from ``TF_CONFIG``; every worker runs the same command.
- ``tpu``: :class:`tf.distribute.TPUStrategy` on ``TPU_NAME`` (or the local TPU).

Done once here and in :mod:`zoo.families._base`, for every family:

- **global batch size**: datasets are batched with the *global* batch; ``fit`` splits each
  batch into ``batch / num_replicas_in_sync`` rows per replica (:func:`replica_batch_size`
  checks that it divides; ``recipes.train.plan_run`` lays out a run's epochs, batches and
  steps per call in one place);
- **per-replica loss scaling**: gradients are *summed* across replicas, so each family
  divides its per-replica mean loss by ``num_replicas_in_sync``
  (:func:`zoo.families._base.replica_scale`);
- **dataset distribution**: :func:`prepare_dataset` shards in-memory pipelines by element
  across workers (``AutoShardPolicy.DATA``): they have no files to shard by;
- **noise**: each replica draws the global batch's noise statelessly and keeps its slice
  (``GenerativeModel.normal`` / ``uniform``), so N replicas train exactly as one device.
"""
from __future__ import annotations

import json
import os

from zoo import _private_api

STRATEGIES = ("auto", "one", "mirrored", "multiworker", "tpu")


def cluster_spec() -> dict:
    """The ``cluster`` of ``TF_CONFIG`` (``{}`` when unset)."""
    raw = os.environ.get("TF_CONFIG", "")
    if not raw:
        return {}
    try:
        return json.loads(raw).get("cluster", {})
    except (ValueError, AttributeError):
        raise ValueError(
            "TF_CONFIG must be JSON like "
            '{"cluster": {"worker": ["host1:port", "host2:port"]}, "task": {"type": "worker", "index": 0}}. '
            f"Received: TF_CONFIG={raw!r}"
        ) from None


def task() -> tuple[str, int]:
    """``(type, index)`` of this process in ``TF_CONFIG`` (``("worker", 0)`` when unset)."""
    raw = os.environ.get("TF_CONFIG", "")
    task_ = json.loads(raw).get("task", {}) if raw else {}
    return task_.get("type", "worker"), int(task_.get("index", 0))


def is_chief() -> bool:
    """Whether this process writes the shared outputs (the export): the ``chief`` task, or
    worker 0 of a cluster without one.  True outside a cluster."""
    kind, index = task()
    if kind == "chief":
        return True
    return "chief" not in cluster_spec() and kind == "worker" and index == 0


def _cluster_size() -> int:
    return sum(len(tasks) for kind, tasks in cluster_spec().items() if kind in ("chief", "worker"))


def resolve_name(name: str) -> str:
    """The concrete strategy ``auto`` stands for on this machine (other names unchanged)."""
    if name not in STRATEGIES:
        raise ValueError(f"strategy must be one of {', '.join(STRATEGIES)}. Received: strategy={name!r}")
    if name != "auto":
        return name
    if _cluster_size() > 1:
        return "multiworker"
    if os.environ.get("TPU_NAME") or os.environ.get("COLAB_TPU_ADDR"):
        return "tpu"
    import tensorflow as tf

    return "mirrored" if len(tf.config.list_logical_devices("GPU")) > 1 else "default"


def get_strategy(name: str = "auto", devices: list[str] | None = None):
    """A ``tf.distribute.Strategy`` from its name (see the module docstring).

    Call it first thing in the program: ``multiworker`` and ``tpu`` must be created before
    any other TensorFlow op runs.

    Args:
      name: ``auto``, ``one``, ``mirrored``, ``multiworker`` or ``tpu``.
      devices: for ``mirrored``, the devices to mirror on (default: all GPUs, else all
        logical CPUs).
    """
    import tensorflow as tf

    concrete = resolve_name(name)
    if concrete == "default":
        return tf.distribute.get_strategy()
    if concrete == "one":
        gpus = tf.config.list_logical_devices("GPU")
        return tf.distribute.OneDeviceStrategy(gpus[0].name if gpus else "/cpu:0")
    if concrete == "mirrored":
        if devices is None:
            gpus = tf.config.list_logical_devices("GPU")
            devices = [d.name for d in (gpus or tf.config.list_logical_devices("CPU"))]
        return tf.distribute.MirroredStrategy(devices)
    if concrete == "multiworker":
        if _cluster_size() < 1:
            raise ValueError(
                "strategy 'multiworker' reads the workers from TF_CONFIG, which names none. "
                "Set it on every worker, e.g. TF_CONFIG='{\"cluster\": {\"worker\": [\"10.0.0.1:12345\", "
                "\"10.0.0.2:12345\"]}, \"task\": {\"type\": \"worker\", \"index\": 0}}' (index 1 on the second). "
                f"Received: TF_CONFIG={os.environ.get('TF_CONFIG')!r}"
            )
        _private_api.patch_multiworker_scalar_logs()
        return tf.distribute.MultiWorkerMirroredStrategy()
    # tpu
    try:
        resolver = tf.distribute.cluster_resolver.TPUClusterResolver(tpu=os.environ.get("TPU_NAME", ""))
        tf.config.experimental_connect_to_cluster(resolver)
        tf.tpu.experimental.initialize_tpu_system(resolver)
    except (ValueError, tf.errors.NotFoundError) as error:
        raise ValueError(
            "strategy 'tpu' found no TPU. Run on a TPU VM, or set TPU_NAME to the TPU's name or "
            f"grpc:// address; use --strategy auto elsewhere. Received: {error}"
        ) from error
    return tf.distribute.TPUStrategy(resolver)


def replica_batch_size(global_batch_size: int, strategy) -> int:
    """Rows each replica trains on per step; the global batch must split evenly."""
    replicas = strategy.num_replicas_in_sync
    if global_batch_size % replicas:
        raise ValueError(
            f"the global batch size must be a multiple of the {replicas} replicas in sync, so that every "
            f"replica trains on the same number of rows. Received: batch_size={global_batch_size}; "
            f"use e.g. {max(replicas, global_batch_size // replicas * replicas)}."
        )
    return global_batch_size // replicas


def prepare_dataset(dataset, strategy):
    """``dataset`` (batched with the global batch) made ready for ``fit`` under ``strategy``.

    Keras distributes it (``experimental_distribute_dataset``): each global batch is split
    across replicas in order.  Across workers, in-memory pipelines are sharded by element
    (``DATA``); the default policy would first look for files, warn and fall back.
    """
    import tensorflow as tf

    batch = tf.nest.flatten(dataset.element_spec)[0].shape[0]
    if batch is not None:  # known when batched with drop_remainder, as the recipes do
        replica_batch_size(int(batch), strategy)
    options = tf.data.Options()  # a no-op on one worker
    options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
    return dataset.with_options(options)
