"""The `zoo` command as a user types it."""
import json
import subprocess
import sys

import numpy as np
import pytest

from zoo import cli


def run(*args):
    return subprocess.run([sys.executable, "-m", "zoo.cli", *args], capture_output=True, text=True, timeout=300)


def test_help_does_not_import_tensorflow():
    code = "import sys; from zoo import cli\ntry:\n    cli.main(['--help'])\nexcept SystemExit: pass\nprint('tensorflow' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.stdout.strip().endswith("False")


def test_list_and_info(capsys):
    assert cli.main(["list", "gan-*"]) == 0
    out = capsys.readouterr().out
    assert "gan-ring8" in out and "trained" in out
    assert cli.main(["info", "gan-ring8"]) == 0
    out = capsys.readouterr().out
    assert "python -m recipes.train gan-ring8" in out and "modes:" in out
    assert cli.main(["info", "gan-ring8", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["name"] == "gan-ring8"


def test_unknown_name_exits_2_with_suggestion(capsys):
    assert cli.main(["info", "gan-rign8"]) == 2
    assert "Did you mean 'gan-ring8'" in capsys.readouterr().err


def test_sample_writes_png_and_npy(tmp_path, capsys):
    png, npy = tmp_path / "ring8.png", tmp_path / "ring8.npy"
    assert cli.main(["sample", "gan-ring8", "-n", "300", "--seed", "4", "-o", str(png), "--npy", str(npy)]) == 0
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    samples = np.load(npy)
    assert samples.shape == (300, 2)
    import zoo

    np.testing.assert_allclose(samples, zoo.load("gan-ring8").sample(300, seed=4))


@pytest.mark.parametrize("n", ["0", "-5", "2.5", "many"])
def test_sample_refuses_bad_n(n):
    result = run("sample", "gan-ring8", "-n", n, "-o", "x.png")
    assert result.returncode == 2
    assert "expected a positive integer" in result.stderr


def test_sample_from_a_classifier_says_it_is_not_generative(capsys, tmp_path):
    assert cli.main(["sample", "digits-classifier", "-o", str(tmp_path / "x.png")]) == 2
    assert "not a generative model" in capsys.readouterr().err


# --------------------------------------------------------------------------- issue 9
def test_missing_output_folders_are_refused_before_any_work(tmp_path):
    png = tmp_path / "x.png"
    for args in (["-o", str(tmp_path / "missing" / "x.png")], ["-o", str(png), "--npy", str(tmp_path / "no" / "x.npy")]):
        result = run("sample", "gan-ring8", "-n", "10", *args)
        assert result.returncode == 2
        assert "does not exist; create it first" in result.stderr
        assert not png.exists()  # nothing written: the check comes before sampling


def test_sample_prints_the_file_actually_written(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert cli.main(["sample", "gan-ring8", "-n", "10", "-o", "noext", "--npy", "arr"]) == 0
    out = capsys.readouterr().out
    assert "to noext.png and arr.npy" in out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["arr.npy", "noext.png"]


def test_model_commands_keep_tensorflow_start_up_quiet(tmp_path):
    env = {k: v for k, v in __import__("os").environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    result = subprocess.run([sys.executable, "-m", "zoo.cli", "sample", "gan-ring8", "-n", "10", "-o",
                             str(tmp_path / "x.png")], capture_output=True, text=True, timeout=300, env=env)
    assert result.returncode == 0, result.stderr
    for noise in ("cuInit", "cuda", "I0000", "E0000", "absl", "oneDNN"):
        assert noise not in result.stderr, result.stderr


def test_eval_write_puts_the_pure_metric_into_the_card(tmp_path, monkeypatch, capsys):
    """`evaluate_export` only measures; `zoo eval NAME --write` rewrites the card (manifest re-verified)."""
    import inspect
    import shutil

    import zoo
    from zoo.metrics import digits

    assert "write" not in inspect.signature(digits.evaluate_export).parameters
    folder = tmp_path / "vae-digits"
    shutil.copytree(zoo.registry.REPO_EXPORTS / "vae-digits", folder)
    summary = {key: {"mean": 1.0, "se": 0.0, "per_seed": [1.0], "source": "test"} for key in digits.digits_baselines()["gaussian"]}
    monkeypatch.setattr(digits, "evaluate_export", lambda name, seeds: summary)
    assert cli.main(["eval", str(folder), "--seeds", "1", "--write"]) == 0
    assert f"metrics written to {folder / 'card.json'}" in capsys.readouterr().out
    card = zoo.ModelCard.read(folder)
    assert all(card.metrics[key] == value for key, value in summary.items())
    zoo.load(str(folder))  # the manifest still verifies
