"""Fetching a shipped export: the pinned archive, downloaded once into ``$ZOO_HOME``.

``keras.utils.get_file`` downloads ``<url base>/<file>`` with a progress bar and checks its
sha256 against the pinned index; the archive is kept as ``$ZOO_HOME/archives/<file>`` (so a
file put there by hand is used without any network) and unpacked into ``$ZOO_HOME/<name>``
through the same staging folder and atomic exchange as an export.  A download goes into a
dot-folder of its own first: an interrupted, truncated or wrong file never lands in the cache.
"""
from __future__ import annotations

import shutil
import tarfile
from pathlib import Path, PurePosixPath

from zoo.registry import paths, pins
from zoo.registry.cards import CARD_FILE, IntegrityError, ModelCard, sha256_file
from zoo.registry.folders import (
    check_target,
    is_real_folder,
    locked,
    open_permissions,
    remove_leftovers,
    staging_folder,
    swap_into_place,
)

ARCHIVES = "archives"


class DownloadError(OSError):
    """An archive that could not be fetched (no network, a server error, a cut connection)."""


def _home() -> Path:
    home = paths.zoo_home()
    home.mkdir(parents=True, exist_ok=True)
    return home


def _by_hand(url: str, target: Path) -> str:
    return (f"To install it without network, download {url} on another machine and save it as {target} "
            f"(or set $ZOO_URL_BASE to a folder or mirror that holds {target.name}), then load again.")


def _get_file(url: str, fname: str, sha256: str | None, into: Path) -> Path:
    """``keras.utils.get_file`` into the folder ``into`` (progress bar, sha256 checked)."""
    import keras

    try:
        return Path(keras.utils.get_file(fname=fname, origin=url, file_hash=sha256, hash_algorithm="sha256",
                                         cache_dir=str(into), cache_subdir="", extract=False))
    except ValueError as e:  # get_file's hash mismatch
        raise IntegrityError(f"the archive downloaded from {url} does not match its pinned sha256 {sha256} "
                             f"({e}); it was not kept. The mirror serves another file: check $ZOO_URL_BASE.") from None
    except Exception as e:  # get_file turns every URL error into a bare Exception
        raise DownloadError(f"could not download {url}: {e}") from e


def fetch_archive(name: str, entry: dict) -> Path:
    """The pinned archive of ``name`` in ``$ZOO_HOME/archives``, downloaded if it is not there."""
    home = _home()
    url = pins.archive_url(entry)
    target = home / ARCHIVES / PurePosixPath(entry["url"]).name
    if target.exists():
        if target.stat().st_size == entry["size"] and sha256_file(target) == entry["archive"]:
            return target
        raise IntegrityError(f"{target} is not the archive pinned for {name!r} (sha256 {entry['archive']}, "
                             f"{entry['size']:,} bytes). Delete it to download the archive again. " + _by_hand(url, target))
    download = staging_folder(home, name)
    try:
        try:
            path = _get_file(url, target.name, entry["archive"], download)
        except DownloadError as e:
            raise DownloadError(f"{e}. " + _by_hand(url, target)) from None
        if path.stat().st_size != entry["size"] or sha256_file(path) != entry["archive"]:
            raise IntegrityError(f"the archive downloaded from {url} is not the pinned one (sha256 {entry['archive']}, "
                                 f"{entry['size']:,} bytes); it was not kept.")
        target.parent.mkdir(exist_ok=True)
        path.replace(target)
    finally:
        shutil.rmtree(download, ignore_errors=True)
    return target


def _members(tar: tarfile.TarFile, name: str, archive: Path) -> list[tarfile.TarInfo]:
    """The archive's members if each is a plain file or folder under ``<name>/``."""
    members = tar.getmembers()
    for member in members:
        parts = PurePosixPath(member.name).parts
        if (not parts or parts[0] != name or ".." in parts or member.name.startswith("/")
                or not (member.isfile() or member.isdir())):
            raise IntegrityError(f"{archive} holds {member.name!r}; an export archive holds only files and folders "
                                 f"under {name}/. Delete the archive.")
    return members


def unpack(archive: Path, name: str, into: Path) -> Path:
    """Unpack the export archive into the folder ``into``; returns ``into/<name>``."""
    with tarfile.open(archive, "r:gz") as tar:
        members = _members(tar, name, archive)
        extra = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}  # Python 3.11.4+
        tar.extractall(into, members=members, **extra)
    return into / name


def _cached(final: Path, entry: dict) -> bool:
    return is_real_folder(final) and (final / CARD_FILE).is_file() and sha256_file(final / CARD_FILE) == entry["card"]


def fetch(name: str, entry: dict) -> tuple[Path, ModelCard]:
    """``$ZOO_HOME/<name>``: the pinned export, unpacked from its archive and verified."""
    from zoo.registry.manifest import verify

    home = _home()
    final = home / name
    with locked(home, name):
        if not _cached(final, entry):  # another process may have fetched it meanwhile
            remove_leftovers(home, name)
            archive = fetch_archive(name, entry)
            staging = staging_folder(home, name)
            try:
                folder = unpack(archive, name, staging)
                card = ModelCard.read(folder)
                if sha256_file(folder / CARD_FILE) != entry["card"]:
                    raise IntegrityError(f"the card inside {archive} is not the one pinned for {name!r}; "
                                         f"delete the archive.")
                verify(folder, card)
                open_permissions(folder)
                check_target(final)
                swap_into_place(folder, final)
            finally:
                shutil.rmtree(staging, ignore_errors=True)
    return final, ModelCard.read(final)


def fetch_card_url(card: ModelCard) -> tuple[Path, ModelCard]:
    """A user's own card whose ``url`` and ``sha256`` name an archive (not a shipped name)."""
    if not card.sha256:
        raise IntegrityError(f"the card of {card.name!r} gives a url but no sha256 of the archive; zoo downloads "
                             f"only pinned archives. Add the archive's sha256 to the card. Received: url={card.url!r}")
    home = _home()
    entry = {"url": card.url, "archive": card.sha256}
    with locked(home, card.name):
        final = home / card.name
        if not is_real_folder(final):
            remove_leftovers(home, card.name)
            download = staging_folder(home, card.name)
            try:
                archive = _get_file(card.url, f"{card.name}.tar.gz", entry["archive"], download)
                folder = unpack(archive, card.name, download / "unpacked")
                check_target(final)
                swap_into_place(folder, final)
            finally:
                shutil.rmtree(download, ignore_errors=True)
    return final, ModelCard.read(final)
