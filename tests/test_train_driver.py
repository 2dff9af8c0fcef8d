"""recipes.train: the run folder (backups, TensorBoard, sample grids), --resume, and
continuing training from an export (zoo.load(name, trainable=True))."""
import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf

from recipes import train

ARGS = ["gan-ring8", "--seeds", "2", "--steps", "6", "--steps-per-epoch", "3", "--batch-size", "16",
        "--verbose", "0"]


@pytest.mark.parametrize("steps,per_epoch,plan", [(6000, None, (6, 1000)), (200, None, (1, 200)),
                                                    (3000, 500, (6, 500)), (2500, None, (4, 625)),
                                                    (1500, None, (2, 750))])
def test_epoch_plan_splits_the_steps_into_equal_epochs(steps, per_epoch, plan):
    assert train.epoch_plan(steps, per_epoch) == plan


def test_steps_that_split_badly_ask_for_steps_per_epoch():
    with pytest.raises(SystemExit, match="pass --steps-per-epoch. Received: --steps 1009"):
        train.epoch_plan(1009)


def test_steps_per_epoch_must_divide_steps():
    with pytest.raises(SystemExit, match="must divide --steps 100. Received: --steps-per-epoch 30"):
        train.epoch_plan(100, 30)


def test_run_folder_is_not_reused_without_resume(tmp_path, monkeypatch):
    (tmp_path / "r" / "seed-0").mkdir(parents=True)
    with pytest.raises(SystemExit, match="Pass --resume to continue it"):
        train.resolve_run_dir("gan-ring8", str(tmp_path / "r"), resume=False)
    assert train.resolve_run_dir("gan-ring8", str(tmp_path / "r"), resume=True) == tmp_path / "r"
    monkeypatch.setattr(train, "RUNS", tmp_path / "runs")
    for stamp in ("20250101-000000", "20250102-000000"):
        (tmp_path / "runs" / "gan-ring8" / stamp).mkdir(parents=True)
    assert train.resolve_run_dir("gan-ring8", None, resume=True).name == "20250102-000000"
    assert train.resolve_run_dir("gan-ring8", None, resume=False).parent == tmp_path / "runs" / "gan-ring8"


def _summary_tags(folder):
    tags = set()
    for path in folder.rglob("events.out.tfevents.*"):
        for event in tf.compat.v1.train.summary_iterator(str(path)):
            tags.update(value.tag for value in event.summary.value)
    return tags


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    root = tmp_path_factory.mktemp("driver")
    path = train.main(ARGS + ["--run-dir", str(root / "run"), "--out", str(root / "exports")])
    return root, path


def test_run_folder_holds_logs_sample_grids_and_models(trained):
    root, path = trained
    for seed in (0, 1):
        folder = root / "run" / f"seed-{seed}"
        assert sorted(p.name for p in (folder / "samples").iterdir()) == ["epoch-0001.png", "epoch-0002.png"]
        assert (folder / "model.keras").exists() and not (folder / "backup").exists()
        assert set(json.loads((folder / "metrics.json").read_text())) >= {"modes", "high_quality"}
        tags = _summary_tags(folder / "logs")
        assert {"epoch_d_loss", "epoch_g_loss", "samples"} <= tags, tags
    card = json.loads((path / "card.json").read_text())
    assert card["metrics"]["seeds"] == 2 and card["steps"] == 6
    seconds = [json.loads((root / "run" / f"seed-{seed}" / "seconds.json").read_text()) for seed in (0, 1)]
    assert all(s > 0 for s in seconds) and card["wall_time"] == pytest.approx(sum(seconds), abs=0.1)


def test_resume_of_a_finished_run_retrains_nothing(trained, capsys):
    root, _ = trained
    model_file = root / "run" / "seed-1" / "model.keras"
    before = model_file.stat().st_mtime_ns
    train.main(ARGS + ["--run-dir", str(root / "run"), "--resume", "--no-export"])
    assert capsys.readouterr().out.count("finished earlier") == 2
    assert model_file.stat().st_mtime_ns == before


def test_training_continues_from_an_export(trained):
    """``zoo.load(..., trainable=True)`` gives the recipe's model with its optimizer state: the
    optimizers' step counters, moments and the noise stream carry on."""
    import keras

    import zoo
    from recipes import get_recipe

    root, path = trained
    model = zoo.load(str(path), trainable=True)
    ran = keras.saving.load_model(root / "run" / "seed-0" / "model.keras")
    assert int(model.g_optimizer.iterations.numpy()) == int(model.d_optimizer.iterations.numpy()) == 6
    for a, b in zip(model.weights + model.g_optimizer.variables, ran.weights + ran.g_optimizer.variables):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    np.testing.assert_array_equal(model.seed_generator.state.numpy(), ran.seed_generator.state.numpy())
    model.fit(get_recipe("gan-ring8").data(16, 0), steps_per_epoch=3, epochs=1, verbose=0)
    assert int(model.g_optimizer.iterations.numpy()) == 9


ONE_SEED = [*ARGS[:2], "1", *ARGS[3:]]  # --seeds 1


def _files_but_the_card(path):
    return {p.relative_to(path): p.read_bytes() for p in path.rglob("*")
            if p.is_file() and p.name not in ("card.json", "README.md")}


@pytest.fixture(scope="module")
def one_seed_export(trained, tmp_path_factory):
    """The run's seed 0 exported alone (a one-seed card), made once."""
    root, _ = trained
    out = tmp_path_factory.mktemp("one-seed")
    return train.main(ONE_SEED + ["--run-dir", str(root / "run"), "--resume", "--out", str(out)])


@pytest.fixture
def one_seed_copy(one_seed_export, tmp_path):
    """A fresh copy of :func:`one_seed_export` in ``tmp_path``, for a test to write into."""
    return Path(shutil.copytree(one_seed_export, tmp_path / one_seed_export.name))


def test_more_seeds_go_into_the_card_of_an_export_without_touching_its_weights(trained, one_seed_copy, tmp_path):
    """``--into-card``: a one-seed export gains the metrics of the run's seeds 0-1 (mean ± se,
    summed wall time, the command) while its files other than the card stay byte for byte."""
    root, _ = trained
    resume = ["--run-dir", str(root / "run"), "--resume", "--out", str(tmp_path)]
    path = one_seed_copy
    weights = _files_but_the_card(path)
    assert json.loads((path / "card.json").read_text())["metrics"]["seeds"] == 1

    train.main(ARGS + resume + ["--into-card"])
    card = json.loads((path / "card.json").read_text())
    per_seed = [json.loads((root / "run" / f"seed-{s}" / "metrics.json").read_text())["modes"] for s in (0, 1)]
    assert card["metrics"]["seeds"] == 2 and card["metrics"]["modes"]["per_seed"] == per_seed
    assert card["recipe"].endswith("--seeds 2 --steps 6")
    seconds = [json.loads((root / "run" / f"seed-{s}" / "seconds.json").read_text()) for s in (0, 1)]
    assert card["wall_time"] == pytest.approx(sum(seconds), abs=0.1)
    assert _files_but_the_card(path) == weights

    with pytest.raises(SystemExit, match="other weights than the run's first seed"):
        train.main([ARGS[0], "--seed", "1", *ONE_SEED[1:]] + resume + ["--into-card"])
    with pytest.raises(SystemExit, match="holds no model.keras"):
        train.main(ARGS + ["--run-dir", str(root / "run"), "--resume", "--out", str(tmp_path / "none"),
                           "--into-card"])


def test_an_export_whose_run_is_gone_is_the_first_seed_of_a_new_run(trained, one_seed_copy, tmp_path):
    """``--into-card`` into a new run folder that holds only seed 1 (trained side by side, say):
    the one-seed export's weights, card metrics and wall time become its seed 0, and the
    export's files other than the card stay."""
    root, _ = trained
    path = one_seed_copy
    before = json.loads((path / "card.json").read_text())
    files = _files_but_the_card(path)
    shutil.copytree(root / "run" / "seed-1", tmp_path / "new" / "seed-1")

    train.main(ARGS + ["--run-dir", str(tmp_path / "new"), "--resume", "--out", str(tmp_path), "--into-card"])
    assert (tmp_path / "new" / "seed-0" / "model.keras").read_bytes() == (path / "model.keras").read_bytes()
    card = json.loads((path / "card.json").read_text())
    seed_1 = json.loads((tmp_path / "new" / "seed-1" / "metrics.json").read_text())
    assert card["metrics"]["seeds"] == 2
    assert card["metrics"]["modes"]["per_seed"] == [before["metrics"]["modes"]["per_seed"][0], seed_1["modes"]]
    assert card["wall_time"] == pytest.approx(
        before["wall_time"] + json.loads((tmp_path / "new" / "seed-1" / "seconds.json").read_text()), abs=0.1)
    assert _files_but_the_card(path) == files

    with pytest.raises(SystemExit, match="reports 2 seeds and the run folder holds none"):
        train.main(ARGS + ["--run-dir", str(tmp_path / "other"), "--out", str(tmp_path), "--into-card"])
    assert not (tmp_path / "other" / "seed-0").exists()


def test_resume_with_other_settings_is_refused(trained):
    root, _ = trained
    with pytest.raises(SystemExit, match=r"other settings.*steps=8 \(run: 6\)"):
        train.main(["gan-ring8", "--seeds", "2", "--steps", "8", "--steps-per-epoch", "4", "--batch-size", "16",
                    "--run-dir", str(root / "run"), "--resume", "--no-export"])


def test_fast_path_trains_the_same_trajectory_as_one_step_per_call():
    """The driver runs a whole epoch per call of the train function (steps_per_execution =
    steps per epoch); the batches, the noise and so the weights are those of one step per call."""
    from recipes import get_recipe

    recipe = get_recipe("gan-ring8")
    fast, _ = train.train_one(recipe, 0, 6, 16, 0, steps_per_epoch=3)
    slow, _ = train.train_one(recipe, 0, 6, 16, 0, steps_per_epoch=3, steps_per_execution=1)
    assert fast.steps_per_execution == 3 and slow.steps_per_execution == 1
    assert int(fast.g_optimizer.iterations.numpy()) == 6
    for a, b in zip(fast.weights + [fast.seed_generator.state], slow.weights + [slow.seed_generator.state]):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))


def test_fast_path_runs_an_epoch_per_call_on_one_device_only():
    """One device: a whole epoch per call; a mirrored strategy keeps one step per call (Keras
    3.15's multi-step loop fails there, see recipes.train.default_steps_per_execution)."""
    from recipes.train import default_steps_per_execution as steps_per_execution

    assert steps_per_execution(tf.distribute.get_strategy(), 500) == 500
    assert steps_per_execution(tf.distribute.OneDeviceStrategy("/cpu:0"), 500) == 500
    assert steps_per_execution(tf.distribute.MirroredStrategy(["/cpu:0"]), 500) == 1


def test_a_failing_evaluation_keeps_the_trained_model(tmp_path, monkeypatch):
    """model.keras is written before the evaluation: an evaluation that fails loses no training,
    and --resume evaluates the saved model without training it again."""
    import dataclasses

    import keras

    from recipes.base import RECIPES

    recipe = RECIPES["gan-ring8"]

    def failing(model, seed):
        raise RuntimeError("the evaluation failed")

    monkeypatch.setitem(RECIPES, "gan-ring8", dataclasses.replace(recipe, evaluate=failing))
    args = ["gan-ring8", "--seeds", "1", "--steps", "3", "--batch-size", "16", "--verbose", "0",
            "--run-dir", str(tmp_path / "run"), "--no-export"]
    with pytest.raises(RuntimeError, match="the evaluation failed"):
        train.main(args)
    folder = tmp_path / "run" / "seed-0"
    assert (folder / "seconds.json").exists() and not (folder / "metrics.json").exists()
    assert int(keras.saving.load_model(folder / "model.keras").g_optimizer.iterations.numpy()) == 3
    written = (folder / "model.keras").stat().st_mtime_ns

    evaluated = []  # the optimizer steps of each model the evaluation sees

    def evaluate(model, seed):
        evaluated.append(int(model.g_optimizer.iterations.numpy()))
        return {"modes": 8}

    monkeypatch.setitem(RECIPES, "gan-ring8", dataclasses.replace(recipe, evaluate=evaluate))
    train.main(args + ["--resume"])
    assert evaluated == [3] and (folder / "model.keras").stat().st_mtime_ns == written
    assert json.loads((folder / "metrics.json").read_text()) == {"modes": 8}
