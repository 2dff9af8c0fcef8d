"""The one card builder (``zoo.exports.card_for``) and the re-export tool."""
import json
import shutil
import subprocess
import sys

import pytest

import zoo
from zoo import registry
from zoo.exports import card as card_module
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


# --------------------------------------------------------------------------- the card a person reads
from zoo.exports.card import README_FILE, README_MARKER, render_readme, write_readmes  # noqa: E402

EXPORT_FOLDERS = sorted(p.parent.name for p in registry.REPO_EXPORTS.glob("*/card.json"))


@pytest.mark.parametrize("name", EXPORT_FOLDERS)
def test_every_export_has_its_readme_rendered_from_its_card(name):
    """README.md is not in the sha256 manifest: it must be exactly the render of the pinned card.
    After changing a card: python -m zoo.exports.readmes"""
    folder = registry.REPO_EXPORTS / name
    assert (folder / README_FILE).read_text() == render_readme(zoo.ModelCard.read(folder))


def test_readme_says_what_a_person_needs():
    text = render_readme(zoo.ModelCard.read(registry.REPO_EXPORTS / "gan-ring8"))
    for heading in ("## Data", "## Intended use", "## Metrics", "## Limitations", "## Licence", "## Reproduce"):
        assert heading in text
    assert "![gan-ring8: samples drawn from the shipped SavedModel, seed 0](samples.png)" in text
    assert "| modes captured | 8 ± 0 | 8, 8, 8, 8, 8 |" in text  # the card's own numbers
    assert "python -m recipes.train gan-ring8" in text and "Apache-2.0" in text
    assert "the mixtures protocol" in text and "PROTOCOLS" not in text
    digits = render_readme(zoo.ModelCard.read(registry.REPO_EXPORTS / "vae-digits"))
    assert "values 0..16 scaled by v / 8 - 1" in digits and "CC BY 4.0" in digits and "the digits protocol" in digits


def test_metrics_measured_after_training_say_by_what():
    """A card whose likelihood comes from 3 training seeds and whose samples were measured later
    by ``zoo eval`` says which rows that command wrote, and its protocol names both."""
    from zoo.cli import with_protocol

    card = zoo.ModelCard.read(registry.REPO_EXPORTS / "gan-ring8")
    one = {"mean": 5.0, "se": 0.0, "per_seed": [5.0], "source": "zoo eval x --seeds 1 --keras: the export's model.keras"}
    card.metrics = {"protocol": "likelihood", "seeds": 3, "bits_per_dim": {"mean": 3.0, "se": 0.1, "per_seed": [3.0] * 3},
                    "fid": one, "kid": one}
    text = render_readme(card).split("## Limitations")[0]
    assert "- FID (lower is better), KID (lower is better): zoo eval x --seeds 1 --keras: the export's model.keras." in text
    card.metrics["precision"] = one
    assert "- The rows from FID (lower is better) to precision: zoo eval x" in render_readme(card)
    card.metrics = {"fid": one}
    assert "- Every row: zoo eval x --seeds 1 --keras" in render_readme(card)
    assert with_protocol("likelihood", "samples protocol") == "likelihood; samples: samples protocol"
    assert with_protocol("likelihood; samples: samples protocol", "samples protocol").count("samples protocol") == 1
    assert with_protocol(None, "samples protocol") == "samples protocol"


def test_a_status_shows_first_and_in_the_limitations():
    card = zoo.ModelCard.read(registry.REPO_EXPORTS / "gan-ring8")
    card.status = "below protocol: 1.0/8 modes, 2.0 % high quality"
    text = render_readme(card)
    assert "**Status: below protocol: 1.0/8 modes, 2.0 % high quality.**" in text.split("## Data")[0]
    assert "- Below protocol: 1.0/8 modes" in text.split("## Limitations")[1]
    assert '"status": "below protocol' in card.to_json()
    card.status = None
    assert '"status"' not in card.to_json()  # optional: cards without it stay byte for byte as they were


@pytest.mark.parametrize("name", [n for n in zoo.list_models(pretrained=True)
                                  if "sample" in zoo.info(n).signatures
                                  and "sample" not in zoo.info(n).runtimes.get("tflite", [])])
def test_limitations_say_what_tflite_can_do_instead_of_sampling(name):
    card = zoo.info(name)
    limits = render_readme(card).split("## Limitations")[1].split("## ")[0]
    # `generate` is offered only where the export has one; otherwise the line names what TFLite does run.
    assert ("call `generate`" in limits) == ("generate" in card.signatures), limits
    served = card.runtimes.get("tflite", [])
    if "generate" not in card.signatures:
        assert ("only." if served else "does not sample on TFLite") in limits, limits
        assert all(f"`{signature}`" in limits for signature in served), limits
    if card.family == "pixelcnn":
        h, w, _ = card.data_shape
        assert f"{h * w:,} passes a call" in limits
        assert ("zoo.load(name, trainable=True)" in limits) == (h * w >= card_module.ROW_CACHE_MIN_PIXELS), limits


def test_the_cards_row_cache_thresholds_are_the_familys():
    from zoo.families import pixelcnn

    assert (card_module.ROW_CACHE_MIN_PIXELS, card_module.ROW_CACHE_MIN_IMAGES) == (
        pixelcnn.CACHE_MIN_PIXELS, pixelcnn.CACHE_MIN_IMAGES)


def test_write_readmes_replaces_only_its_own_files(tmp_path):
    for name in ("gan-ring8", "dcgan-digits"):
        shutil.copytree(registry.REPO_EXPORTS / name, tmp_path / name)
    (tmp_path / "gan-ring8" / README_FILE).write_text(README_MARKER + "\nstale\n")
    (tmp_path / "dcgan-digits" / README_FILE).write_text("# my notes\n")  # a file a person wrote
    outcomes = dict((path.parent.name, outcome) for path, outcome in write_readmes(tmp_path))
    assert outcomes == {"gan-ring8": "written", "dcgan-digits": "kept: not generated"}
    assert (tmp_path / "dcgan-digits" / README_FILE).read_text() == "# my notes\n"
    assert (tmp_path / "gan-ring8" / README_FILE).read_text().startswith(README_MARKER + "\n\n# gan-ring8")
    zoo.load(str(tmp_path / "gan-ring8"))  # the README is outside the manifest: the export still verifies


def test_zoo_info_shows_the_readme_text(capsys):
    from zoo import cli

    assert cli.main(["info", "pixelcnn-digits"]) == 0
    assert capsys.readouterr().out == render_readme(zoo.ModelCard.read(registry.REPO_EXPORTS / "pixelcnn-digits"))
