"""Training through faults: a SIGKILLed run resumes from its last epoch and ends where an
uninterrupted run ends; a NaN/Inf loss stops training with an error naming family, step and
loss; backups are never half-written."""
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import keras
import numpy as np
import pytest
import tensorflow as tf

from zoo.callbacks import METADATA_FILE, BackupAndRestore, NonFiniteGuard, NonFiniteLossError, read_backup

REPO = Path(__file__).resolve().parents[1]
EPOCHS = 8


def _train_command(run_dir):
    return [sys.executable, "-m", "recipes.train", "gan-ring8", "--seeds", "1", "--steps", str(EPOCHS * 15),
            "--steps-per-epoch", "15", "--batch-size", "64", "--deterministic", "--no-export", "--resume",
            "--run-dir", str(run_dir), "--verbose", "2"]


def _start(run_dir):
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
    return subprocess.Popen(_train_command(run_dir), cwd=REPO, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)


def _weights(run_dir):
    import zoo.families  # noqa: F401

    model = keras.saving.load_model(run_dir / "seed-0" / "model.keras")
    return model, [np.asarray(v) for v in model.weights] + [model.seed_generator.state.numpy()]


def test_killed_run_resumes_from_its_last_epoch_and_ends_like_an_uninterrupted_one(tmp_path):
    reference = _start(tmp_path / "uninterrupted")  # runs beside the victim (2 cores)
    victim = _start(tmp_path / "killed")
    backup = tmp_path / "killed" / "seed-0" / "backup" / METADATA_FILE
    deadline = time.time() + 600
    while not backup.exists() and victim.poll() is None and time.time() < deadline:
        time.sleep(0.02)
    victim.send_signal(signal.SIGKILL)
    first_log = victim.communicate(timeout=60)[0]
    assert victim.returncode == -signal.SIGKILL, f"the run ended before it could be killed:\n{first_log[-2000:]}"
    killed_after = json.loads(backup.read_text())["epoch"]
    assert 1 <= killed_after < EPOCHS

    rerun = subprocess.run(_train_command(tmp_path / "killed"), cwd=REPO, capture_output=True, text=True,
                           timeout=600, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"})
    assert rerun.returncode == 0, rerun.stdout[-3000:] + rerun.stderr[-3000:]
    log = rerun.stdout + rerun.stderr
    assert f"resuming after epoch {killed_after}/{EPOCHS}" in log
    assert "Epoch 1/" not in log and f"Epoch {killed_after + 1}/{EPOCHS}" in log  # not from scratch
    assert not (tmp_path / "killed" / "seed-0" / "backup").exists()  # deleted once finished

    reference_log = reference.communicate(timeout=600)[0]
    assert reference.returncode == 0, reference_log[-3000:]
    resumed_model, resumed = _weights(tmp_path / "killed")
    _, uninterrupted = _weights(tmp_path / "uninterrupted")
    assert int(resumed_model.g_optimizer.iterations.numpy()) == EPOCHS * 15
    for a, b in zip(resumed, uninterrupted):  # same weights, optimizer and noise state, bit for bit
        np.testing.assert_array_equal(a, b)


# --------------------------------------------------------------------------- NaN / Inf
def _tiny_gan():
    from family_cases import CASES

    return CASES["gan"](seed=0)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_guard_counts_steps_across_epochs(bad):
    guard = NonFiniteGuard("wgan-gp")
    guard.set_params({"steps": 100})
    guard.on_epoch_begin(2)
    guard.on_train_batch_end(40, {"d_loss": np.float32(0.5), "g_loss": np.float32(1.0)})  # finite: no-op
    with pytest.raises(NonFiniteLossError, match=rf"^wgan-gp: training loss g_loss = {bad} at step 242 "
                                                 r"\(epoch 3, batch 42\)"):
        guard.on_train_batch_end(41, {"d_loss": np.float32(0.5), "g_loss": np.float32(bad)})


def test_guard_names_the_steps_of_a_call_that_ran_several():
    guard = NonFiniteGuard("gan")
    guard.set_params({"steps": 500})
    guard.on_epoch_begin(1)
    guard.on_train_batch_begin(0)
    with pytest.raises(NonFiniteLossError, match=r"^gan: training loss d_loss = nan at one of steps 501-1000 "
                                                 r"\(epoch 2, batches 1-500, run as one call"):
        guard.on_train_batch_end(499, {"d_loss": np.float32(np.nan)})


def test_fit_stops_at_the_step_of_the_first_infinite_loss():
    model, data = _tiny_gan()
    poisoned = data.copy()
    poisoned[0] = np.inf  # an infinite data point: D's logit and so its loss become non-finite
    dataset = tf.data.Dataset.from_tensor_slices(np.stack([data, data, data, poisoned])).repeat()
    with pytest.raises(NonFiniteLossError, match=r"^gan: training loss d_loss = (nan|inf) at step 4 \(epoch 2, batch 2\)"):
        model.fit(dataset, steps_per_epoch=2, epochs=3, verbose=0, callbacks=[NonFiniteGuard("gan")])
    assert int(model.d_optimizer.iterations.numpy()) == 4  # stopped at that step


def test_driver_stops_on_a_non_finite_loss_and_exports_nothing(tmp_path, monkeypatch):
    from recipes import RECIPES, get_recipe, train

    base = get_recipe("gan-ring8")
    poisoned = type(base)(**{**base.__dict__, "name": "gan-poisoned",
                             "data": lambda batch, seed: base.data(batch, seed).map(lambda x: x + np.float32(np.inf))})
    monkeypatch.setitem(RECIPES, "gan-poisoned", poisoned)
    # The driver runs an epoch (here all 4 steps) per call, so the error names that call's steps.
    with pytest.raises(NonFiniteLossError, match=r"gan \(gan-poisoned, seed 0\): training loss \w+ = (nan|inf) at one of "
                                                 r"steps 1-4 \(epoch 1, batches 1-4, run as one call"):
        train.main(["gan-poisoned", "--seeds", "1", "--steps", "4", "--batch-size", "8", "--verbose", "0",
                    "--run-dir", str(tmp_path / "run"), "--out", str(tmp_path / "exports")])
    assert not (tmp_path / "exports").exists() or not any((tmp_path / "exports").iterdir())


# --------------------------------------------------------------------------- backups
def test_backup_is_committed_by_its_metadata(tmp_path):
    """Each epoch writes the checkpoint ``epoch-N`` completely, then swaps the metadata naming
    it: a partial checkpoint or metadata never becomes the backup."""
    model, data = _tiny_gan()
    callback = BackupAndRestore(tmp_path)
    callback.set_model(model)
    callback.save(1)
    assert read_backup(tmp_path) == {"epoch": 1, "batch": 0, "checkpoint": "epoch-0001"}
    # A crash while writing epoch 2 leaves its partial files; the backup is still epoch 1's.
    (tmp_path / "epoch-0002.data-00000-of-00001").write_bytes(b"truncated")
    (tmp_path / f"{METADATA_FILE}.partial").write_text('{"epoch": 2')
    assert read_backup(tmp_path)["epoch"] == 1
    callback.save(2)
    assert read_backup(tmp_path)["checkpoint"] == "epoch-0002"
    assert sorted({p.name.split(".")[0] for p in tmp_path.glob("epoch-*")}) == ["epoch-0002"]


def test_restore_brings_back_weights_optimizers_and_noise(tmp_path):
    model, data = _tiny_gan()
    model.fit(np.tile(data, (3, 1)), batch_size=len(data), epochs=1, verbose=0)
    callback = BackupAndRestore(tmp_path)
    callback.set_model(model)
    callback.save(1)

    fresh, _ = _tiny_gan()
    restore = BackupAndRestore(tmp_path)
    restore.set_model(fresh)
    assert restore.restore() == 1
    assert int(fresh.g_optimizer.iterations.numpy()) == int(fresh.d_optimizer.iterations.numpy()) == 3
    np.testing.assert_array_equal(fresh.seed_generator.state.numpy(), model.seed_generator.state.numpy())
    for a, b in zip(fresh.weights, model.weights):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
