"""Keras callbacks every recipe trains with: stop on a non-finite loss, back up and restore
atomically, and draw a sample grid per epoch (a PNG in the run folder and a TensorBoard
image summary).

    callbacks = [
        NonFiniteGuard("gan"),                       # error naming family, step and loss
        BackupAndRestore(run_dir / "backup"),        # resume after a crash
        keras.callbacks.TensorBoard(run_dir / "logs"),
        SampleGrid(run_dir / "samples", data_kind="points", dataset="ring8", log_dir=run_dir / "logs"),
    ]
"""
from __future__ import annotations

import gc
import json
import math
import os
import shutil
from pathlib import Path

import keras
import numpy as np

METADATA_FILE = "training_metadata.json"


# --------------------------------------------------------------------------- NaN / Inf
class NonFiniteLossError(FloatingPointError):
    """A training loss became NaN or infinite."""


class NonFiniteGuard(keras.callbacks.Callback):
    """Stop training with :class:`NonFiniteLossError` at the first call of the train function
    whose losses are NaN or ±Inf.

    ``keras.callbacks.TerminateOnNaN`` stops quietly and lets the run end as if it had
    succeeded (and be exported); this raises an error that names the family, the global
    step (counted across epochs, so also after a resume) and the loss.  It runs before the
    epoch's backup, so the backup keeps the last finite weights.

    With ``steps_per_execution > 1`` (the recipe driver runs a whole epoch per call) Keras
    reports once per call, so the error names the steps of that call: the first non-finite
    step is one of them.  One step per call (``recipes.train.train_one(..., steps_per_execution=1)``)
    finds it exactly.

    Args:
      family: the family's name, for the message (``"gan"``, ``"wgan-gp"``...).
    """

    def __init__(self, family: str):
        super().__init__()
        self.family = family
        self._epoch = 0
        self._first_batch = None

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_train_batch_begin(self, batch, logs=None):
        self._first_batch = batch  # the first step of this call of the train function

    def on_train_batch_end(self, batch, logs=None):
        for name, value in (logs or {}).items():
            value = np.asarray(value)
            if value.size == 1 and not np.isfinite(value):
                # The logs are the family's loss trackers, means over the epoch so far: the
                # first non-finite mean is at the step whose loss was non-finite.
                first = batch if self._first_batch is None else self._first_batch
                offset = self._epoch * (self.params.get("steps") or 0)
                where = (f"step {offset + batch + 1} (epoch {self._epoch + 1}, batch {batch + 1})" if first == batch
                         else f"one of steps {offset + first + 1}-{offset + batch + 1} (epoch {self._epoch + 1}, "
                              f"batches {first + 1}-{batch + 1}, run as one call: steps_per_execution)")
                raise NonFiniteLossError(
                    f"{self.family}: training loss {name} = {float(value)} at {where}; expected finite losses. "
                    "Training stopped; nothing was exported. Lower the learning rate, check the data "
                    "for NaN/Inf, or resume from the last backup (--resume) with changed settings."
                )


# --------------------------------------------------------------------------- backups
def read_backup(backup_dir) -> dict | None:
    """The metadata of the last complete backup in ``backup_dir`` (``None`` when there is none):
    ``{"epoch": epochs done, "checkpoint": checkpoint prefix}``."""
    path = Path(backup_dir) / METADATA_FILE
    if not path.exists():
        return None
    state = json.loads(path.read_text())
    if "checkpoint" not in state or not (Path(backup_dir) / f"{state['checkpoint']}.index").exists():
        return None  # not written by this callback
    return state


def _fsync(path):
    with open(path, "rb+") as f:
        os.fsync(f.fileno())


class BackupAndRestore(keras.callbacks.Callback):
    """Back up the training state after each epoch; restore it when training starts again.

    Written on public APIs (``tf.train.Checkpoint``, the ``keras.callbacks.Callback`` hooks
    and ``fit``'s ``initial_epoch``), unlike ``keras.callbacks.BackupAndRestore``, whose
    resumption sets a private attribute of the model; and it fixes three of that callback's
    faults:

    - **Atomic**: Keras overwrites ``latest.weights.h5`` and then ``training_metadata.json``
      in place: a kill during the first write leaves a truncated file, between the two the
      weights of epoch k+1 beside the epoch number k.  Here each backup is a new checkpoint
      ``epoch-NNNN`` (synced to disk), and the metadata naming it is replaced atomically
      afterwards (the commit point); older checkpoints are deleted only then.
    - **Flat memory**: Keras' ``save_weights`` (``.weights.h5``) kept ~0.2 MiB of native
      memory per call here (Keras 3.15, h5py 3.14: 0.17 MiB/epoch in
      ``benchmarks/memory.py``); a ``tf.train.Checkpoint`` write keeps none.
    - **Complete**: the checkpoint holds the model (every network, every player's optimizer
      and its step counter) and the position of the training noise stream
      (``seed_generator.state``), so a resumed run continues the uninterrupted one.

    Backups are taken at the end of each epoch and deleted when training ends.  The state
    comes back in ``on_train_begin``; ``fit`` must then start after the backed-up epoch::

        backup = read_backup(folder)
        model.fit(data, epochs=epochs, initial_epoch=backup["epoch"] if backup else 0,
                  callbacks=[BackupAndRestore(folder)])
    """

    def __init__(self, backup_dir):
        super().__init__()
        self.backup_dir = os.fspath(backup_dir)
        self._checkpoint = None

    def _state(self):
        import tensorflow as tf

        if self._checkpoint is None:
            noise = getattr(self.model, "seed_generator", None)
            extra = {"noise_state": noise.state} if noise is not None else {}
            self._checkpoint = tf.train.Checkpoint(model=self.model, **extra)
        return self._checkpoint

    def restore(self) -> int:
        """Bring the model's state back from the last backup; return its epoch (0: none)."""
        state = read_backup(self.backup_dir)
        if state is None:
            return 0
        status = self._state().read(os.path.join(self.backup_dir, state["checkpoint"]))
        status.assert_existing_objects_matched()  # every variable that exists now came back
        return state["epoch"]

    def on_train_begin(self, logs=None):
        self.restore()

    def on_epoch_end(self, epoch, logs=None):
        self.save(epoch + 1)

    def on_train_end(self, logs=None):
        shutil.rmtree(self.backup_dir, ignore_errors=True)

    def save(self, epoch: int):
        """Back up the state after ``epoch`` finished epochs (the commit point is the metadata)."""
        folder = Path(self.backup_dir)
        folder.mkdir(parents=True, exist_ok=True)
        name = f"epoch-{epoch:04d}"
        for stale in folder.glob(f"{name}.*"):  # left by a crash during this very epoch's backup
            stale.unlink()
        self._state().write(os.fspath(folder / name))
        for written in folder.glob(f"{name}.*"):
            _fsync(written)
        metadata = folder / f"{METADATA_FILE}.partial"
        metadata.write_text(json.dumps({"epoch": epoch, "batch": 0, "checkpoint": name}))
        _fsync(metadata)
        os.replace(metadata, folder / METADATA_FILE)  # the commit point
        for old in folder.glob("epoch-*"):
            if not old.name.startswith(f"{name}."):
                old.unlink(missing_ok=True)


# --------------------------------------------------------------------------- samples
class SampleGrid(keras.callbacks.Callback):
    """After each epoch, draw ``n`` samples from fixed noise and save them as
    ``<folder>/epoch-NNNN.png`` (a grid for images, a scatter over the modes for 2-D
    points) and, with ``log_dir``, as a TensorBoard image summary ``samples``.

    The noise is ``model.sample(n, seed)``'s stateless draw, the same every epoch, so the
    pictures show how one set of latent codes evolves.

    Args:
      folder: where the PNGs go.
      data_kind: ``"images"`` or ``"points"``.
      dataset: the mixture's name for points (its modes are drawn as crosses).
      n: samples per picture (default 64 images or 1,000 points).
      seed: the sample seed.
      log_dir: the TensorBoard log folder (summaries under ``<log_dir>/samples``).
      title: prefix of each picture's title.
    """

    def __init__(self, folder, data_kind="images", dataset=None, n=None, seed=0, log_dir=None, title=""):
        super().__init__()
        self.folder = Path(folder)
        self.data_kind = data_kind
        self.dataset = dataset
        self.n = n or (64 if data_kind == "images" else 1000)
        self.seed = seed
        self.log_dir = log_dir
        self.title = title
        self._writer = None

    def on_epoch_end(self, epoch, logs=None):
        import tensorflow as tf

        from zoo.plotting import grid_png, scatter_png

        samples = self.model.sample(self.n, self.seed)
        samples = np.asarray(samples[0] if isinstance(samples, (tuple, list)) else samples)
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"epoch-{epoch + 1:04d}.png"
        title = f"{self.title} epoch {epoch + 1}".strip()
        if self.data_kind == "points":
            scatter_png(samples, path, dataset=self.dataset, title=title)
        else:
            grid_png(samples, path, ncols=int(math.ceil(math.sqrt(self.n))), title=title)
        # A matplotlib figure is a web of reference cycles that only the cyclic collector
        # frees, and in a training process full collections are rare: without this the
        # resident memory grew ~0.6 MiB per epoch (benchmarks/memory.py); with it, flat.
        gc.collect()
        if self.log_dir is not None:
            if self._writer is None:
                self._writer = tf.summary.create_file_writer(os.path.join(os.fspath(self.log_dir), "samples"))
            image = tf.io.decode_png(tf.io.read_file(os.fspath(path)), channels=3)
            with self._writer.as_default():
                tf.summary.image("samples", image[None], step=epoch + 1)
            self._writer.flush()

    def on_train_end(self, logs=None):
        if self._writer is not None:
            self._writer.close()
            self._writer = None
