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


# --------------------------------------------------------------------------- export folders
# Each case below was a probe that failed before: the old swap renamed the export away and then
# the new one in (a crash between left no export, and the next export deleted the only copy).
from _fake_export import fake_card, fake_export, fill_with  # noqa: E402

import zoo  # noqa: E402
from zoo.exports import update_card, verify, write_folder  # noqa: E402

FAKE = Path(__file__).resolve().parent / "_fake_export.py"


def _label(folder):
    """The label of the complete export at ``folder`` (verified), or what is wrong with it."""
    try:
        card = zoo.ModelCard.read(folder)
        verify(folder, card)
        return card.description
    except (OSError, ValueError) as e:
        return f"broken: {e}"


def _killed_export(root, step, *mode):
    return subprocess.run([sys.executable, str(FAKE), str(root), "gan-kill", str(step), *mode],
                          capture_output=True, text=True, timeout=60, cwd=FAKE.parent,
                          env={**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), str(FAKE.parent)])})


@pytest.mark.parametrize("step", [1, 2, 3, 4])
def test_an_export_killed_after_any_step_leaves_the_old_or_the_new_one(tmp_path, step):
    fake_export(tmp_path, "gan-kill", "old")
    run = _killed_export(tmp_path, step)
    assert run.returncode in (0, -signal.SIGKILL), run.stderr[-2000:]
    assert _label(tmp_path / "gan-kill") in ("old", "new")
    fake_export(tmp_path, "gan-kill", "next")  # the next export cleans up and succeeds
    assert _label(tmp_path / "gan-kill") == "next"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".gan-kill.lock", "gan-kill"]


def test_without_rename_exchange_the_only_copy_is_restored_never_deleted(tmp_path):
    """The fallback swap (two renames) killed between them: the next writer puts the old copy back."""
    fake_export(tmp_path, "gan-kill", "old")
    run = _killed_export(tmp_path, 1, "fallback")  # killed after moving the export to .gan-kill.old
    assert run.returncode == -signal.SIGKILL, run.stderr[-2000:]
    with pytest.raises(ZeroDivisionError):  # the next export crashes too, before its swap
        write_folder(fake_card("gan-kill", "never"), lambda staging: 1 / 0, tmp_path)
    assert _label(tmp_path / "gan-kill") == "old"


def test_folders_swap_with_one_exchange_here():
    """This machine (Linux, glibc 2.28+) exchanges in one step; the fallback is for the others."""
    from zoo.registry import folders

    if sys.platform != "linux":
        pytest.skip("renameat2 is Linux-only")
    assert folders._RENAMEAT2 is not None


def test_a_load_during_re_exports_sees_the_old_or_the_new_export_never_tampering(tmp_path):
    """6 of 2,271 loads during a re-export reported false tampering before."""
    fake_export(tmp_path, "gan-race", "a", size=1 << 20)
    writer = subprocess.Popen([sys.executable, str(FAKE), str(tmp_path), "gan-race", "loop", "30"], cwd=FAKE.parent,
                              env={**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), str(FAKE.parent)])},
                              stderr=subprocess.PIPE, text=True)
    seen, deadline = [], time.time() + 120
    while writer.poll() is None and time.time() < deadline:
        seen.append(_label(tmp_path / "gan-race"))
    assert writer.wait(timeout=60) == 0, writer.stderr.read()[-2000:]
    assert set(seen) <= {"a", "b"}, [s for s in seen if s not in ("a", "b")][:3]
    assert len(seen) > 20 and set(seen) == {"a", "b"}


def test_an_interrupted_card_update_leaves_the_export_loadable(tmp_path, monkeypatch):
    """Killed mid-write or out of disk space, update_card left .card.json.partial inside the
    export: that export, and every later update_card, were refused as tampered."""
    folder = fake_export(tmp_path, "gan-card", "before")
    real_write_text = Path.write_text

    def disk_full(self, text, *args, **kwargs):
        real_write_text(self, text[: len(text) // 2], *args, **kwargs)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Path, "write_text", disk_full)
    with pytest.raises(OSError, match="No space left"):
        update_card(folder, description="after")
    monkeypatch.undo()
    assert _label(folder) == "before"
    assert update_card(folder, description="after").description == "after"
    assert _label(folder) == "after"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".gan-card.lock", "gan-card"]


def test_export_target_that_is_a_file_or_a_link_is_left_alone(tmp_path):
    """A target that was a file, or a link, left .name.old behind (and a .name.old that was not
    a folder then broke every later export with NotADirectoryError)."""
    (tmp_path / "gan-file").write_text("my notes")
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "gan-link").symlink_to(tmp_path / "elsewhere")
    for name in ("gan-file", "gan-link"):
        with pytest.raises(FileExistsError, match="not an export folder. Nothing was changed"):
            fake_export(tmp_path, name, "new")
    assert (tmp_path / "gan-file").read_text() == "my notes" and (tmp_path / "gan-link").is_symlink()
    (tmp_path / ".gan-dot.old").write_text("a file under the swap name")
    fake_export(tmp_path, "gan-dot", "new")
    assert _label(tmp_path / "gan-dot") == "new" and (tmp_path / ".gan-dot.old").read_text()
    assert not list(tmp_path.glob("*.partial"))


def test_a_long_name_is_refused_before_touching_disk(tmp_path):
    """A valid 240-character name failed with ENAMETOOLONG and left a lock file."""
    name = "gan-" + "a" * 236
    with pytest.raises(ValueError, match="at most 128 characters"):
        fake_export(tmp_path, name, "new")
    with pytest.raises(ValueError, match="at most 128 characters"):
        zoo.info(name)
    assert list(tmp_path.iterdir()) == []
    assert fake_export(tmp_path, "gan-" + "a" * 124, "new").name == "gan-" + "a" * 124


def test_out_dir_inside_another_export_is_refused(tmp_path):
    """An out_dir inside an export wrote into it, and that export then failed its sha256 check."""
    outer = fake_export(tmp_path, "gan-outer", "outer")
    for inside in (outer, outer / "saved_model", outer / "sub" / "folder"):
        with pytest.raises(ValueError, match="is inside the export"):
            fake_export(inside, "gan-inner", "inner")
    assert _label(outer) == "outer" and not (outer / "sub").exists()


def test_a_model_named_shipped_pins_does_not_deadlock(tmp_path, monkeypatch):
    """Exporting `shipped-pins` into the repository took the pin lock's file as its own lock."""
    import threading

    from zoo.registry import paths, pins

    monkeypatch.setattr(paths, "REPO_EXPORTS", tmp_path / "exports")
    monkeypatch.setattr(pins, "PINS_FILE", tmp_path / "zoo" / "shipped.json")
    (tmp_path / "zoo").mkdir()
    done = []
    thread = threading.Thread(target=lambda: done.append(fake_export(None, "shipped-pins", "new")), daemon=True)
    thread.start()
    thread.join(timeout=30)
    assert done, "the export of 'shipped-pins' deadlocked on its own lock"
    assert pins.read_pins()["shipped-pins"] == zoo.registry.sha256_file(done[0] / "card.json")
