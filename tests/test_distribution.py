"""Weights that travel: reproducible archives, the pinned index, downloads into the cache.

The installed-wheel situation is set up in the process: the repository's exports/ replaced by
the cards alone (what a wheel carries), the archives served from 127.0.0.1.  test_wheel.py
does the same with a real wheel in a fresh virtualenv.
"""
import io
import shutil
import socket
import tarfile

import numpy as np
import pytest

import zoo
from _archive_server import ArchiveServer
from zoo import registry
from zoo.exports.publish import publish
from zoo.exports.release import archive_digest, write_archive
from zoo.registry import paths, pins

NAME = "gan-ring8"


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """The archives of gan-ring8 and gan-grid25, as a release holds them."""
    folder = tmp_path_factory.mktemp("release")
    publish(folder, [NAME, "gan-grid25"])
    return folder


@pytest.fixture
def server(published, tmp_path):
    """A copy of the release served on 127.0.0.1 (each test may break its files)."""
    shutil.copytree(published, tmp_path / "served")
    with ArchiveServer(tmp_path / "served") as running:
        yield running


@pytest.fixture
def wheel_like(tmp_path, monkeypatch):
    """No exports/ folder, the cards in the package, an empty cache: an installed wheel."""
    cards = tmp_path / "cards"
    for name in registry.read_pins():
        (cards / name).mkdir(parents=True)
        shutil.copy(registry.REPO_EXPORTS / name / "card.json", cards / name / "card.json")
    monkeypatch.setattr(paths, "REPO_EXPORTS", tmp_path / "no-checkout")
    monkeypatch.setattr(paths, "PACKAGE_CARDS", cards)
    monkeypatch.setenv("ZOO_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("ZOO_EXPORTS", raising=False)
    return tmp_path / "home"


def _entry(name=NAME):
    return pins.pinned(name)


def _left_in(home):
    """Every file in the cache but the lock files: what a failed download must not leave."""
    return sorted(str(p.relative_to(home)) for p in home.rglob("*") if p.is_file() and not p.name.endswith(".lock")) \
        + sorted(str(p.relative_to(home)) for p in home.glob(".*.partial"))


def _dead_url():
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"


# --------------------------------------------------------------------------- archives
def test_the_same_export_always_gives_the_same_archive(tmp_path):
    copy = tmp_path / NAME
    shutil.copytree(registry.REPO_EXPORTS / NAME, copy, copy_function=shutil.copy)  # new mtimes
    (copy / "card.json").touch()
    assert archive_digest(copy) == archive_digest(registry.REPO_EXPORTS / NAME) == (_entry()["archive"], _entry()["size"])


def test_archive_holds_the_card_and_its_manifest_only_with_fixed_metadata(tmp_path):
    copy = tmp_path / NAME
    shutil.copytree(registry.REPO_EXPORTS / NAME, copy)
    (copy / "notes.txt").write_text("not in the manifest")
    buffer = io.BytesIO()
    write_archive(copy, buffer)
    with tarfile.open(fileobj=io.BytesIO(buffer.getvalue())) as tar:
        members = tar.getmembers()
    card = zoo.ModelCard.read(copy)
    files = sorted(m.name for m in members if m.isfile())
    assert files == sorted(f"{NAME}/{f}" for f in ["card.json", *card.files])
    assert [m.name for m in members] == sorted(m.name for m in members)
    assert {(m.mtime, m.uid, m.gid, m.uname, m.gname) for m in members} == {(0, 0, 0, "", "")}
    assert buffer.getvalue()[4:8] == b"\0\0\0\0"  # no time in the gzip header


def test_every_pinned_archive_is_what_the_exports_give():
    for name, entry in registry.read_index()["exports"].items():
        if entry["archive"]:
            assert archive_digest(registry.REPO_EXPORTS / name) == (entry["archive"], entry["size"]), name


def test_publish_writes_the_pinned_archives_and_the_index_and_overwrites_nothing(published, tmp_path):
    assert registry.sha256_file(published / _entry()["url"]) == _entry()["archive"]
    assert registry.read_index(published / "shipped.json") == registry.read_index()
    clash = tmp_path / "out"
    clash.mkdir()
    (clash / _entry()["url"]).write_text("my file")
    with pytest.raises(FileExistsError, match="left as it is"):
        publish(clash, [NAME])
    assert (clash / _entry()["url"]).read_text() == "my file"


# --------------------------------------------------------------------------- downloads
def test_installed_lists_every_name_and_loads_by_download_then_offline(wheel_like, server, monkeypatch):
    monkeypatch.setenv("ZOO_URL_BASE", server.url)
    assert len(zoo.list_models()) == len(registry.read_pins())
    assert zoo.info(NAME).trained
    folder, card = registry.locate(NAME)
    assert folder == wheel_like / NAME and server.requests == [_entry()["url"]]
    assert (wheel_like / "archives" / _entry()["url"]).is_file()
    model = zoo.load(NAME)  # verified, and the same samples as the repository's export
    np.testing.assert_array_equal(model.sample(64, seed=3), zoo.load(str(registry.REPO_EXPORTS / NAME)).sample(64, seed=3))
    monkeypatch.setenv("ZOO_URL_BASE", _dead_url())  # offline: the cache answers
    assert registry.locate(NAME)[0] == wheel_like / NAME and len(server.requests) == 1


def test_no_network_names_the_url_and_how_to_provide_the_archive_by_hand(wheel_like, published, monkeypatch):
    url = _dead_url()
    monkeypatch.setenv("ZOO_URL_BASE", url)
    with pytest.raises(registry.DownloadError) as error:
        registry.locate(NAME)
    target = wheel_like / "archives" / _entry()["url"]
    assert f"{url}/{_entry()['url']}" in str(error.value) and f"save it as {target}" in str(error.value)
    assert _left_in(wheel_like) == []
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(published / _entry()["url"], target)  # by hand, as the message says
    assert registry.locate(NAME)[0] == wheel_like / NAME


def test_a_folder_as_url_base_serves_the_archives(wheel_like, published, monkeypatch):
    monkeypatch.setenv("ZOO_URL_BASE", str(published))
    assert registry.locate("gan-grid25")[1].name == "gan-grid25"


@pytest.mark.parametrize("fault", ["tampered", "truncate", "no-length", "wrong-pin"])
def test_a_bad_download_is_refused_and_leaves_nothing_in_the_cache(wheel_like, server, monkeypatch, fault):
    monkeypatch.setenv("ZOO_URL_BASE", server.url)
    served = server.folder / _entry()["url"]
    if fault == "tampered":
        data = bytearray(served.read_bytes())
        data[len(data) // 2] ^= 1
        served.write_bytes(bytes(data))
    elif fault == "wrong-pin":
        index = registry.read_index()
        index["exports"][NAME] = {**index["exports"][NAME], "archive": "0" * 64}
        monkeypatch.setattr(pins, "read_index", lambda path=None: index)
    else:
        server.faults[_entry()["url"]] = fault
    with pytest.raises((zoo.IntegrityError, registry.DownloadError)) as error:
        registry.locate(NAME)
    assert "sha256" in str(error.value) or "retrieval incomplete" in str(error.value)
    assert _left_in(wheel_like) == []
    assert server.requests == [_entry()["url"]]


def test_a_git_checkout_loads_from_exports_without_any_download(tmp_path, monkeypatch):
    monkeypatch.setenv("ZOO_URL_BASE", _dead_url())
    monkeypatch.setenv("ZOO_HOME", str(tmp_path / "home"))
    assert registry.locate(NAME)[0] == registry.REPO_EXPORTS / NAME
    assert not (tmp_path / "home").exists()


def test_a_cached_export_of_another_version_is_replaced_by_the_pinned_one(wheel_like, server, monkeypatch):
    monkeypatch.setenv("ZOO_URL_BASE", server.url)
    shutil.copytree(registry.REPO_EXPORTS / NAME, wheel_like / NAME)
    card = zoo.ModelCard.read(wheel_like / NAME)
    card.description = "an older version"
    (wheel_like / NAME / "card.json").write_text(card.to_json())
    folder, card = registry.locate(NAME)
    assert card.description == zoo.info(NAME).description and registry.sha256_file(folder / "card.json") == _entry()["card"]


@pytest.mark.parametrize("member", ["link", "escape"])
def test_an_archive_with_links_or_paths_outside_its_folder_is_refused(wheel_like, tmp_path, monkeypatch, member):
    bad = tmp_path / "bad.tar.gz"
    with tarfile.open(bad, "w:gz") as tar:
        info = tarfile.TarInfo(f"{NAME}/saved_model" if member == "link" else f"{NAME}/../../escaped")
        if member == "link":
            info.type, info.linkname = tarfile.SYMTYPE, "/etc"
        tar.addfile(info, io.BytesIO(b""))
    index = registry.read_index()
    index["exports"][NAME] = {**index["exports"][NAME], "url": "bad.tar.gz", "archive": registry.sha256_file(bad),
                              "size": bad.stat().st_size}
    monkeypatch.setattr(pins, "read_index", lambda path=None: index)
    monkeypatch.setenv("ZOO_URL_BASE", str(tmp_path))
    with pytest.raises(zoo.IntegrityError, match="holds only files and folders"):
        registry.locate(NAME)
    assert not (wheel_like / NAME).exists() and not (tmp_path / "escaped").exists()


def test_update_card_refuses_the_cache_where_the_pinned_card_would_come_back(wheel_like, published, monkeypatch):
    from zoo.exports import update_card

    monkeypatch.setenv("ZOO_URL_BASE", str(published))
    folder, _ = registry.locate(NAME)
    with pytest.raises(ValueError, match="holds pinned downloads only"):
        update_card(folder, description="my metrics")
    assert registry.sha256_file(folder / "card.json") == _entry()["card"]


def test_a_card_only_folder_in_exports_gets_its_weights_from_the_pinned_archive(wheel_like, published, monkeypatch,
                                                                                 tmp_path):
    """The documented way for weights to leave git: exports/<name>/ keeps its card alone."""
    repo = tmp_path / "checkout"
    (repo / NAME).mkdir(parents=True)
    shutil.copy(registry.REPO_EXPORTS / NAME / "card.json", repo / NAME / "card.json")
    monkeypatch.setattr(paths, "REPO_EXPORTS", repo)
    monkeypatch.setenv("ZOO_URL_BASE", str(published))
    assert registry.discover()[NAME][0] == repo / NAME
    assert registry.locate(NAME)[0] == wheel_like / NAME
