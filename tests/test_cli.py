"""The `zoo` command as a user types it."""
import json
import os
import subprocess
import sys
from pathlib import Path

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
    assert "python -m recipes.train gan-ring8" in out and "| modes captured |" in out
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


# --------------------------------------------------------------------------- output paths
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
    assert f"metrics and status written to {folder / 'card.json'}" in capsys.readouterr().out
    card = zoo.ModelCard.read(folder)
    assert all(card.metrics[key] == value for key, value in summary.items())
    zoo.load(str(folder))  # the manifest still verifies


# --------------------------------------------------------------------------- refused before any work
@pytest.fixture
def no_model(monkeypatch):
    """Fails the test if the command gets as far as importing TensorFlow (i.e. would sample)."""
    def reached():
        raise AssertionError("the command reached TensorFlow before refusing its arguments")

    monkeypatch.setattr(cli, "_import_tensorflow", reached)


def _read_only_folder(tmp_path):
    """A folder no file can be created in: permission bits for a user, /sys for root (who ignores them)."""
    if os.geteuid() == 0:
        return Path("/sys")
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o555)
    return folder


@pytest.mark.parametrize("case", ["txt", "read-only", "npy-read-only", "existing-dir", "same-file", "npy-not-npy"])
def test_output_paths_are_refused_before_any_sampling(case, tmp_path, capsys, no_model):
    png = tmp_path / "x.png"
    (tmp_path / "existing").mkdir()
    read_only = _read_only_folder(tmp_path)
    args, message = {
        "txt": (["-o", str(tmp_path / "x.txt")], "must name a .png or .pdf or .svg file"),
        "read-only": (["-o", str(read_only / "x.png")], "permission denied"),
        "npy-read-only": (["-o", str(png), "--npy", str(read_only / "x.npy")], "--npy: cannot write"),
        "existing-dir": (["-o", str(tmp_path / "existing")], "must name a file, not a folder"),
        "same-file": (["-o", str(png), "--npy", str(png)], "--npy must name a .npy file"),
        "npy-not-npy": (["-o", str(png), "--npy", str(tmp_path / "x.txt")], "--npy must name a .npy file"),
    }[case]
    assert cli.main(["sample", "gan-ring8", "-n", "10", *args]) == 2
    assert message in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["existing", *(["read-only"] if read_only.parent == tmp_path else [])]
    assert not list((tmp_path / "existing").iterdir())


@pytest.mark.parametrize("args", [["gan-ring8"], ["vae-digits", "--card"]])
def test_eval_keras_is_refused_where_nothing_samples_a_keras_model(args, capsys, no_model):
    assert cli.main(["eval", *args, "--keras"]) == 2
    assert "--keras samples the Keras model for an image protocol" in capsys.readouterr().err


def test_the_keras_sampler_of_an_export(tmp_path):
    """``zoo eval --keras`` samples the model.keras saved beside the SavedModel: the same shapes and
    levels; an export without one is refused with what to do."""
    import shutil

    import zoo
    from zoo.exports.pretrained import load_sampler

    for keras_model in (False, True):
        card, sample = load_sampler("pixelcnn-digits", keras_model)
        x = sample(3, 0)
        assert card.name == "pixelcnn-digits" and x.shape == (3, 8, 8, 1)
        np.testing.assert_allclose((x + 1) * 8, np.round((x + 1) * 8), atol=1e-4)  # the 17 levels
    folder = tmp_path / "vae-digits"
    shutil.copytree(zoo.registry.REPO_EXPORTS / "vae-digits", folder)
    (folder / "model.keras").unlink()
    with pytest.raises(FileNotFoundError, match="ships no model.keras"):
        load_sampler(str(folder), keras_model=True)


def test_unknown_user_in_a_path_is_an_error_not_a_traceback(capsys, no_model):
    assert cli.main(["sample", "~nosuchuser-zoo/x"]) == 2
    assert "cannot expand '~nosuchuser-zoo': no such user" in capsys.readouterr().err
    assert cli.main(["sample", "gan-ring8", "-o", "~nosuchuser-zoo/x.png"]) == 2
    assert "-o/--output: cannot expand" in capsys.readouterr().err


def test_npy_is_written_under_the_name_given(tmp_path, capsys):
    npy = tmp_path / "walk.npy"
    assert cli.main(["sample", "dcgan-digits", "--interpolate", "-n", "2", "--steps", "3", "-o", str(tmp_path / "w.png"),
                     "--npy", str(npy)]) == 0
    assert np.load(npy).shape == (2, 3, 8, 8, 1)


def test_version(capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["--version"])
    assert exit_.value.code == 0
    from zoo import __version__

    assert capsys.readouterr().out.strip() == f"zoo {__version__}"


def test_list_into_a_closed_pipe_says_nothing():
    """`zoo list | head -1`: the reader leaves early; no BrokenPipeError traceback."""
    process = subprocess.Popen([sys.executable, "-m", "zoo.cli", "list"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    process.stdout.close()  # the reader is gone before the first line is written
    stderr = process.stderr.read().decode()
    assert process.wait(timeout=60) == 1
    assert "Traceback" not in stderr and "BrokenPipe" not in stderr, stderr


def test_license_is_the_apache_2_text_setup_cfg_names():
    root = Path(__file__).resolve().parent.parent
    assert "license = Apache-2.0" in (root / "setup.cfg").read_text()
    text = (root / "LICENSE").read_text()
    assert "Apache License\n                           Version 2.0, January 2004" in text
    assert "END OF TERMS AND CONDITIONS" in text
