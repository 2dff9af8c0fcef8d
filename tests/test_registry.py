"""Registry: discovery, patterns, lookup with suggestions, resolution order."""
import json
import shutil

import pytest

import zoo
from zoo import registry


def test_shipped_gan_exports_are_registered():
    names = zoo.list_models("gan-*")
    assert {"gan-ring8", "gan-grid25"} <= set(names)
    assert names == sorted(names)
    assert "gan-ring8" in zoo.list_models(pretrained=True)


def test_every_card_is_complete():
    """Every registered card names its recipe; a trained one carries its metrics and manifest."""
    for name in zoo.list_models():
        card = zoo.info(name)
        assert card.name == name and card.recipe.startswith("python -m recipes.train"), name
        if card.trained and card.family != "classifier":
            assert card.metrics.get("seeds", 0) >= 1, name
            assert "saved_model/saved_model.pb" in card.files, name


def test_info_unknown_name_suggests():
    with pytest.raises(zoo.UnknownModelError) as error:
        zoo.info("gan-grid52")
    assert "Did you mean 'gan-grid25'" in str(error.value)


def test_env_folder_comes_first(tmp_path, monkeypatch):
    folder = registry.REPO_EXPORTS / "gan-ring8"
    copy = tmp_path / "gan-ring8"
    shutil.copytree(folder, copy)
    card = json.loads((copy / "card.json").read_text())
    card["description"] = "my own copy"
    (copy / "card.json").write_text(json.dumps(card))
    monkeypatch.setenv("ZOO_EXPORTS", str(tmp_path))
    assert zoo.info("gan-ring8").description == "my own copy"


def test_recipe_only_card_says_how_to_train(tmp_path, monkeypatch):
    card = zoo.ModelCard(name="gan-nowhere", family="gan", dataset="ring8",
                         recipe="python -m recipes.train gan-nowhere")
    (tmp_path / "gan-nowhere").mkdir()
    (tmp_path / "gan-nowhere" / "card.json").write_text(card.to_json())
    monkeypatch.setenv("ZOO_EXPORTS", str(tmp_path))
    assert "gan-nowhere" in zoo.list_models(pretrained=False)
    with pytest.raises(FileNotFoundError, match="Train it with: python -m recipes.train gan-nowhere"):
        zoo.load("gan-nowhere")


def test_card_with_unknown_field_is_refused(tmp_path):
    (tmp_path / "card.json").write_text(json.dumps({"name": "x", "family": "gan", "dataset": "d", "colour": 1}))
    with pytest.raises(ValueError, match="unknown fields"):
        zoo.ModelCard.read(tmp_path)
