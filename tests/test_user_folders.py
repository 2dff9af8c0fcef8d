"""Following the docs never overwrites shipped files: a recipe writes into a user folder unless told."""
from pathlib import Path

from recipes import train
from zoo.registry import REPO_EXPORTS


def test_recipes_export_into_a_user_folder_by_default(monkeypatch, tmp_path):
    monkeypatch.delenv("ZOO_EXPORTS", raising=False)
    assert train.export_dir(None) == Path("runs/exports")
    monkeypatch.setenv("ZOO_EXPORTS", str(tmp_path))
    assert train.export_dir(None) == tmp_path  # where zoo.load looks first
    assert train.export_dir("exports") == Path("exports")  # the shipped folder only when named
    assert train.parse_args(["gan-ring8"]).out is None


def test_the_classifier_driver_uses_the_same_default():
    """The digits classifier is the feature network behind every digits FID: never replaced by default."""
    source = (Path(train.__file__).parent / "classifier.py").read_text()
    assert "export_dir(args.out)" in source and REPO_EXPORTS.name == "exports"


def test_readme_commands_write_only_to_user_or_temporary_folders():
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    assert "--out exports" not in readme.split("## Train")[0]  # the user-facing part
    for line in readme.splitlines():
        if line.lstrip().startswith("zoo sample"):
            assert " -o " not in line or "exports/" not in line.split(" -o ")[1].split()[0], line
