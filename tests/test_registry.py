"""Registry: discovery, patterns, lookup with suggestions, resolution order."""
import json
import os
from pathlib import Path
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


# --------------------------------------------------------------------------- nothing shadowed
def _card(folder, name, **fields):
    folder.mkdir(parents=True, exist_ok=True)
    card = zoo.ModelCard(name=name, family="gan", dataset="ring8", recipe=f"python -m recipes.train {name}", **fields)
    (folder / "card.json").write_text(card.to_json())
    return card


def test_dot_and_staging_folders_are_not_discovered(tmp_path, monkeypatch):
    for leftover in (".gan-mine.old", ".gan-mine.x1.partial", ".hidden"):
        _card(tmp_path / leftover, "gan-mine", description="leftover")
    _card(tmp_path / "copy-of-gan-mine", "gan-mine", description="a copy under another folder name")
    monkeypatch.setenv("ZOO_EXPORTS", str(tmp_path))
    with pytest.warns(UserWarning, match="copy-of-gan-mine"):
        assert "gan-mine" not in zoo.list_models()
    _card(tmp_path / "gan-mine", "gan-mine", description="the real one")
    with pytest.warns(UserWarning):
        assert zoo.info("gan-mine").description == "the real one"


@pytest.mark.parametrize("text", ["[1, 2]", '{"name": "gan-bad", "family": "gan", "dataset": "d", "files": null}',
                                  "{not json", '"a string"', '{"name": 3, "family": "gan", "dataset": "d"}'])
def test_malformed_card_warns_with_its_file_and_the_rest_still_lists(tmp_path, monkeypatch, text):
    (tmp_path / "gan-bad").mkdir()
    (tmp_path / "gan-bad" / "card.json").write_text(text)
    monkeypatch.setenv("ZOO_EXPORTS", str(tmp_path))
    with pytest.warns(UserWarning, match=r"gan-bad[/\\]card\.json"):
        names = zoo.list_models()
    assert "gan-bad" not in names and "gan-ring8" in names
    with pytest.warns(UserWarning):
        assert zoo.info("gan-ring8").name == "gan-ring8"


@pytest.mark.parametrize("variable", ["ZOO_EXPORTS", "ZOO_HOME"])
def test_bad_environment_folder_is_an_error_naming_the_variable(tmp_path, monkeypatch, variable):
    monkeypatch.setenv(variable, str(tmp_path / "missing" / "cache"))
    with pytest.raises(ValueError, match=rf"\${variable} names a folder that does not exist"):
        zoo.list_models()
    (tmp_path / "file").write_text("")
    monkeypatch.setenv(variable, str(tmp_path / "file"))
    with pytest.raises(ValueError, match=rf"\${variable} must name a folder"):
        zoo.list_models()


@pytest.mark.parametrize("variable", ["ZOO_EXPORTS", "ZOO_HOME"])
def test_empty_environment_folder_is_unset(monkeypatch, tmp_path, variable):
    monkeypatch.chdir(tmp_path)
    _card(tmp_path / "gan-cwd", "gan-cwd")  # would be found if "" meant the current folder
    monkeypatch.setenv(variable, "")
    assert "gan-cwd" not in zoo.list_models()
    if variable == "ZOO_HOME":
        assert registry.zoo_home() == Path.home() / ".cache" / "zoo"


def test_tilde_is_expanded(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    _card(tmp_path / "mine" / "gan-tilde", "gan-tilde")
    monkeypatch.setenv("ZOO_EXPORTS", "~/mine")
    monkeypatch.setenv("ZOO_HOME", "~")
    assert "gan-tilde" in zoo.list_models()
    assert registry.zoo_home() == tmp_path


def test_recipe_only_folder_path_gives_the_recipe_message(tmp_path):
    _card(tmp_path / "gan-nowhere", "gan-nowhere")
    with pytest.raises(FileNotFoundError, match="Train it with: python -m recipes.train gan-nowhere"):
        zoo.load(str(tmp_path / "gan-nowhere"))
    with pytest.raises(FileNotFoundError, match="Train it with"):
        zoo.load(tmp_path / "gan-nowhere")


@pytest.mark.parametrize("name", [None, 3, 2.5, ["gan-ring8"]])
def test_non_string_name_is_a_type_error(name):
    with pytest.raises(TypeError, match="must be a string"):
        zoo.info(name)


# --------------------------------------------------------------------------- trust
def test_every_shipped_name_is_pinned_recipe_only_ones_included():
    """51 of 56 names were pinned: a recipe-only card could be given a url to any archive."""
    index = registry.read_index()["exports"]
    shipped = {p.name for p in registry.REPO_EXPORTS.iterdir() if (p / "card.json").exists()}
    assert set(index) == shipped
    for name in shipped:
        entry = index[name]
        assert registry.sha256_file(registry.REPO_EXPORTS / name / "card.json") == entry["card"], name
        if zoo.ModelCard.read(registry.REPO_EXPORTS / name).trained:
            assert len(entry["archive"]) == 64 and entry["size"] > 0, name
            assert entry["url"] == f"{name}-{entry['card'][:16]}.tar.gz", name
        else:
            assert entry["archive"] is entry["size"] is entry["url"] is None, name


def test_pins_ship_as_package_data():
    import configparser

    config = configparser.ConfigParser()
    config.read(registry.REPO_EXPORTS.parent / "setup.cfg")
    assert registry.PINS_FILE.name in config["options.package_data"]["zoo"]


def test_every_trained_card_lists_every_file():
    from zoo.exports import manifest

    for name in zoo.list_models(pretrained=True):
        folder, card = registry.resolve(name)
        assert card.files == manifest(folder), name
        assert "model.keras" in card.files and "saved_model/saved_model.pb" in card.files, name
        assert any(f.startswith("saved_model/variables/") for f in card.files), name


def _swapped_shipped(tmp_path, monkeypatch):
    """A repository exports/ of one shipped name whose card was edited (and re-manifested)."""
    repo = tmp_path / "repo"
    shutil.copytree(registry.REPO_EXPORTS / "gan-ring8", repo / "gan-ring8")
    card = json.loads((repo / "gan-ring8" / "card.json").read_text())
    monkeypatch.setattr(registry.paths, "REPO_EXPORTS", repo)
    return repo, card


def test_shipped_name_whose_card_does_not_match_its_pin_is_refused(tmp_path, monkeypatch):
    repo, card = _swapped_shipped(tmp_path, monkeypatch)
    zoo.load("gan-ring8")  # the pinned card loads
    card["metrics"] = {"modes": 8, "high_quality": 99.9}  # a swap: the manifest still matches the files
    (repo / "gan-ring8" / "card.json").write_text(json.dumps(card))
    with pytest.raises(zoo.IntegrityError, match="does not match the sha256 its card is pinned to"):
        zoo.load("gan-ring8")
    with pytest.raises(zoo.IntegrityError, match="pinned"):
        zoo.load(str(repo / "gan-ring8"))


def test_unpinned_trained_export_in_the_repository_is_refused(tmp_path, monkeypatch):
    repo, card = _swapped_shipped(tmp_path, monkeypatch)
    shutil.copytree(repo / "gan-ring8", repo / "gan-extra")
    card["name"] = "gan-extra"
    (repo / "gan-extra" / "card.json").write_text(json.dumps(card))
    with pytest.raises(zoo.IntegrityError, match="not in the pinned index"):
        zoo.load("gan-extra")


def test_users_own_retrain_of_a_shipped_name_loads_with_a_notice(tmp_path, monkeypatch):
    """A retrain written under $ZOO_EXPORTS (first in the search path) is the user's: it loads,
    verified by its own manifest, and says it is not the shipped export."""
    mine = tmp_path / "mine"
    shutil.copytree(registry.REPO_EXPORTS / "gan-ring8", mine / "gan-ring8")
    card = json.loads((mine / "gan-ring8" / "card.json").read_text())
    card["description"] = "my retrain"
    (mine / "gan-ring8" / "card.json").write_text(json.dumps(card))
    monkeypatch.setenv("ZOO_EXPORTS", str(mine))
    with pytest.warns(UserWarning, match="not the shipped export"):
        model = zoo.load("gan-ring8")
    assert model.card.description == "my retrain" and model.path == mine / "gan-ring8"
    (mine / "gan-ring8" / "samples.png").write_bytes(b"tampered")
    with pytest.raises(zoo.IntegrityError, match="modified: samples.png"), pytest.warns(UserWarning):
        zoo.load("gan-ring8")


def test_every_recipe_has_a_card():
    """The registry and the recipes are one set (51 recipes against 39 cards before)."""
    from recipes import RECIPES

    assert set(RECIPES) == set(zoo.list_models())
    with pytest.raises(FileNotFoundError, match="Train it with: python -m recipes.train dcgan-celeba"):
        zoo.load("dcgan-celeba")  # no CelebA on the build machine: a recipe-only name


def test_a_developers_rewrite_in_the_repository_re_pins_the_name(tmp_path, monkeypatch):
    """Writing into the repository's exports/ (export, update_card, reexport) updates zoo/shipped.json."""
    from zoo.exports import update_card

    repo, _ = _swapped_shipped(tmp_path, monkeypatch)
    pins = tmp_path / "shipped.json"
    pins.write_text(registry.PINS_FILE.read_text())
    monkeypatch.setattr(registry.pins, "PINS_FILE", pins)
    update_card(repo / "gan-ring8", description="re-exported on purpose")
    assert registry.read_pins()["gan-ring8"] == registry.sha256_file(repo / "gan-ring8" / "card.json")
    assert zoo.load("gan-ring8").card.description == "re-exported on purpose"


# --------------------------------------------------------------------------- trust: no folder trick
def _foreign_export(tmp_path, name="gan-ring8"):
    """A self-consistent export of other weights under a shipped name: its card re-manifested."""
    from zoo.exports import manifest

    foreign = tmp_path / "foreign" / name
    shutil.copytree(registry.REPO_EXPORTS / "gan-ring8", foreign)
    (foreign / "samples.png").write_bytes(b"other weights")
    card = zoo.ModelCard.read(foreign)
    card.name, card.files, card.description = name, manifest(foreign), "foreign"
    (foreign / "card.json").write_text(card.to_json())
    return foreign


def _offline(tmp_path, monkeypatch):
    """No archive can be fetched: the url base is an empty folder, the cache a fresh one."""
    (tmp_path / "mirror").mkdir()
    monkeypatch.setenv("ZOO_URL_BASE", str(tmp_path / "mirror"))
    monkeypatch.setenv("ZOO_HOME", str(tmp_path / "home"))


def test_a_symlinked_shipped_folder_is_refused(tmp_path, monkeypatch):
    """exports/gan-ring8 replaced by a link to other weights loaded with a warning only before
    (the check compared resolved paths, so the folder looked like the user's own export)."""
    repo, _ = _swapped_shipped(tmp_path, monkeypatch)
    _offline(tmp_path, monkeypatch)
    shutil.rmtree(repo / "gan-ring8")
    (repo / "gan-ring8").symlink_to(_foreign_export(tmp_path))
    with pytest.warns(UserWarning, match="gan-ring8: it is a symbolic link"):
        with pytest.raises(registry.DownloadError, match="could not download"):
            registry.locate("gan-ring8")  # skipped: the name falls through to its pinned archive
    with pytest.raises(zoo.IntegrityError, match="is a symbolic link"):
        registry.locate(str(repo / "gan-ring8"))
    with pytest.raises(zoo.IntegrityError, match="is a symbolic link"):
        registry.locate(repo / "gan-ring8")
    (repo / "gan-ring8").unlink()
    (repo / "gan-ring8").symlink_to(registry.REPO_EXPORTS.resolve() / "gan-ring8")  # even the genuine files
    with pytest.raises(zoo.IntegrityError, match="is a symbolic link"):
        registry.locate(str(repo / "gan-ring8"))


def test_a_foreign_export_copied_over_a_shipped_folder_is_refused(tmp_path, monkeypatch):
    repo, _ = _swapped_shipped(tmp_path, monkeypatch)
    shutil.rmtree(repo / "gan-ring8")
    shutil.copytree(_foreign_export(tmp_path), repo / "gan-ring8")
    with pytest.raises(zoo.IntegrityError, match="does not match the sha256 its card is pinned to"):
        registry.locate("gan-ring8")


def test_a_recipe_only_card_given_a_url_is_refused_and_downloads_nothing(tmp_path, monkeypatch):
    """cgan-mnist's card given a url to any archive downloaded and loaded it, with no warning."""
    from zoo.exports.release import write_archive

    repo = tmp_path / "repo"
    shutil.copytree(registry.REPO_EXPORTS / "cgan-mnist", repo / "cgan-mnist")
    monkeypatch.setattr(registry.paths, "REPO_EXPORTS", repo)
    _offline(tmp_path, monkeypatch)
    foreign = _foreign_export(tmp_path, "cgan-mnist")
    with open(tmp_path / "foreign.tar.gz", "wb") as out:
        write_archive(foreign, out)
    card = zoo.ModelCard.read(repo / "cgan-mnist")
    card.url, card.sha256 = (tmp_path / "foreign.tar.gz").as_uri(), registry.sha256_file(tmp_path / "foreign.tar.gz")
    (repo / "cgan-mnist" / "card.json").write_text(card.to_json())
    with pytest.raises(zoo.IntegrityError, match="does not match the sha256 its card is pinned to"):
        registry.locate("cgan-mnist")
    assert not (tmp_path / "home").exists() or not any((tmp_path / "home").iterdir())


# --------------------------------------------------------------------------- cards read safely
def _run_list(tmp_path, setup: str):
    """``zoo.list_models()`` in a child process (memory capped, time bounded) over a $ZOO_EXPORTS
    whose gan-bad/card.json is prepared by ``setup``; returns the child's output."""
    import subprocess
    import sys
    import textwrap

    folder = tmp_path / "mine" / "gan-bad"
    folder.mkdir(parents=True)
    code = textwrap.dedent(f"""
        import os, resource, warnings
        from pathlib import Path
        resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))
        card = Path({str(folder / "card.json")!r})
        {setup}
        import zoo
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            names = zoo.list_models()
        print("gan-ring8" in names, "gan-bad" in names)
        print(*[str(w.message) for w in caught], sep="\\n")
    """)
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                         env={**os.environ, "ZOO_EXPORTS": str(tmp_path / "mine")})
    assert run.returncode == 0, run.stderr[-2000:]
    return run.stdout


@pytest.mark.parametrize("setup, reason", [
    ("os.mkfifo(card)", "is not a regular file"),  # hung `zoo list`
    ("card.symlink_to('/dev/zero')", "cannot be opened as a card"),  # MemoryError
    ("card.write_text('[' * 400_000)", "nested too deeply"),  # RecursionError for every list and load
    ("card.write_text(' ' * (2 << 20) + '{}')", "larger than 1,048,576 bytes"),
])
def test_a_card_that_is_not_a_small_regular_json_file_is_skipped_with_a_warning(tmp_path, setup, reason):
    out = _run_list(tmp_path, setup)
    assert out.splitlines()[0] == "True False"
    assert f"gan-bad{os.sep}card.json" in out and reason in out
