"""The one card builder (``zoo.exports.card_for``) and the re-export tool."""
import json
import shutil
import subprocess
import sys

import pytest

import zoo
from zoo import registry
from zoo.exports import card_for


def test_recipe_only_card_does_not_import_tensorflow():
    code = ("import sys; from zoo.exports import card_for\n"
            "card = card_for(name='fgan-tv-ring8', family='fgan', dataset='ring8', recipe='python -m recipes.train "
            "fgan-tv-ring8', steps=100)\nprint(card.trained, 'tensorflow' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.stdout.split() == ["False", "False"], result.stderr[-2000:]


def test_card_fields_pass_through_and_papers_appear_once():
    card = card_for(name="gan-ring8", family="gan", dataset="ring8", papers=["A 2014", "B 2016", "A 2014"],
                    recipe="python -m recipes.train gan-ring8", steps=5000, wall_time=12.5,
                    metrics={"modes": 8}, data_kind="images")
    assert card.papers == ["A 2014", "B 2016"] and card.wall_time == 12.5 and card.steps == 5000
    assert card.output_range == [-1.0, 1.0] and card.metrics == {"modes": 8} and card.files == {}


@pytest.mark.parametrize("fields, error, message", [
    ({"colour": "red"}, ValueError, r"unknown fields \['colour'\]"),
    ({"data_kind": "pixels"}, ValueError, "data_kind must be 'points' or 'images'"),
    ({"name": "Gan"}, ValueError, "must match"),
    ({"name": 7}, TypeError, "must be a string"),
])
def test_card_for_refuses_bad_fields(fields, error, message):
    arguments = {"name": "gan-x", "family": "gan", "dataset": "ring8", **fields}
    with pytest.raises(error, match=message):
        card_for(**arguments)


def test_old_cards_without_the_new_fields_still_read(tmp_path):
    old = {k: v for k, v in zoo.ModelCard(name="gan-old", family="gan", dataset="ring8").to_dict().items()
           if k not in ("wall_time", "weights", "runtimes")}
    (tmp_path / "card.json").write_text(json.dumps(old))
    card = zoo.ModelCard.read(tmp_path)
    assert card.wall_time is None and card.weights is None and card.runtimes == {}


def _weight_groups(keras_file) -> list[str]:
    """Top-level groups of a .keras file's weights (one per network and optimizer)."""
    import io
    import zipfile

    import h5py

    with zipfile.ZipFile(keras_file) as archive, h5py.File(io.BytesIO(archive.read("model.weights.h5"))) as weights:
        return sorted(weights)


def test_reexport_rewrites_a_shipped_export_from_its_model_keras(tmp_path):
    """On a copy: metrics and recipe carried over, the players' optimizer state kept (Keras's unused
    default RMSprop dropped), every runtime served."""
    from zoo.exports import serving
    from zoo.exports.reexport import reexport

    source, out = tmp_path / "source", tmp_path / "out"
    shutil.copytree(registry.REPO_EXPORTS / "gan-ring8", source / "gan-ring8")
    before = zoo.ModelCard.read(source / "gan-ring8")
    path = reexport("gan-ring8", source, out)
    card = zoo.ModelCard.read(path)
    for key in ("metrics", "recipe", "steps", "description", "dataset", "family"):
        assert getattr(card, key) == getattr(before, key), key
    assert set(before.papers) <= set(card.papers)  # the family's own papers are merged in
    assert "optimizer" not in _weight_groups(path / "model.keras")  # no RMSprop group
    assert (path / "model.keras").stat().st_size <= (source / "gan-ring8" / "model.keras").stat().st_size
    resumed = zoo.load(str(path), trainable=True)
    assert resumed.optimizer is None and int(resumed.g_optimizer.iterations) == before.steps
    # gan-ring8's PacGAN2 discriminator judges pairs: no discriminate signature to serve.
    assert card.runtimes["session"] == ["generate", "sample"] == card.runtimes["eager"]
    assert "generate" in card.runtimes["tflite"]
    old, new = zoo.load(str(source / "gan-ring8")), zoo.load(str(path))
    z = old.latent(16, seed=3)
    assert (abs(old.generate(z) - new.generate(z)) < 1e-5).all()
    session = serving.run_session(path / "saved_model", {"serving_default": {"z": z}})
    assert (abs(session["serving_default"]["x"] - new.generate(z)) < 1e-5).all()
