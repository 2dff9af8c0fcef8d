"""Releases: reproducible export archives and their entries in the pinned index (``pin``).

An archive holds ``<name>/card.json`` and every file of the card's manifest, in sorted order, with fixed
times, owners and modes, in a gzip stream without a time or a file name in its header (the
habits of reproducible-builds.org).  The bytes also depend on zlib's compressor, so the
pinned sha256 is reproduced by the same zlib (Python's, on the machine that pins).
"""
from __future__ import annotations

import gzip
import hashlib
import io
import os
import tarfile
from pathlib import Path, PurePosixPath

from zoo.exports.manifest import verify
from zoo.registry import CARD_FILE, ModelCard, check_name, paths, pins, sha256_file
from zoo.registry.folders import is_real_folder, locked

MTIME = 0
LEVEL = 9


def _entries(card: ModelCard) -> list[str]:
    """Every folder and file of the export, relative, sorted (folders before their files)."""
    files = [CARD_FILE, *card.files]
    folders = {str(parent) for f in files for parent in PurePosixPath(f).parents if str(parent) != "."}
    return sorted(["", *folders, *files])


def _info(arcname: str, size: int | None) -> tarfile.TarInfo:
    info = tarfile.TarInfo(arcname)
    info.mtime, info.uid, info.gid, info.uname, info.gname = MTIME, 0, 0, "", ""
    if size is None:
        info.type, info.mode = tarfile.DIRTYPE, 0o755
    else:
        info.type, info.mode, info.size = tarfile.REGTYPE, 0o644, size
    return info


def write_archive(folder: str | os.PathLike, out) -> None:
    """Write the export ``folder`` (verified by the caller) as a .tar.gz to the binary file ``out``."""
    folder = Path(folder)
    card = ModelCard.read(folder)
    with gzip.GzipFile(filename="", mode="wb", fileobj=out, mtime=MTIME, compresslevel=LEVEL) as stream:
        with tarfile.open(fileobj=stream, mode="w", format=tarfile.PAX_FORMAT) as tar:
            for entry in _entries(card):
                arcname = f"{card.name}/{entry}".rstrip("/")
                path = folder / entry
                if entry in card.files or entry == CARD_FILE:
                    with open(path, "rb") as f:
                        tar.addfile(_info(arcname, os.fstat(f.fileno()).st_size), f)
                else:
                    tar.addfile(_info(arcname, None))


class _Digest(io.RawIOBase):
    """A write-only sink that keeps the sha256 and the length of what passes."""

    def __init__(self):
        self.sha256, self.size = hashlib.sha256(), 0

    def writable(self):
        return True

    def write(self, data):
        self.sha256.update(data)
        self.size += len(data)
        return len(data)


def archive_digest(folder: str | os.PathLike) -> tuple[str, int]:
    """(sha256, size) of the archive of ``folder``, without writing it."""
    sink = _Digest()
    write_archive(folder, sink)
    return sink.sha256.hexdigest(), sink.size


def archive_name(name: str, card_sha256: str) -> str:
    """The archive's file name: the name and its card's version, so versions sit side by side."""
    return f"{name}-{card_sha256[:16]}.tar.gz"


# --------------------------------------------------------------------------- the pinned index
def entry_for(folder: Path) -> dict:
    """The index entry of the export (or recipe-only card) ``folder``."""
    if not is_real_folder(folder):
        raise ValueError(f"{folder} is a symbolic link or not a folder; a shipped export is a real folder.")
    card = ModelCard.read(folder)
    card_sha = sha256_file(folder / CARD_FILE)
    if not card.trained:
        return {"card": card_sha, "archive": None, "size": None, "url": None}
    verify(folder, card)
    sha, size = archive_digest(folder)
    return {"card": card_sha, "archive": sha, "size": size, "url": archive_name(card.name, card_sha)}


def pin(names, root: str | os.PathLike | None = None) -> dict:
    """Pin the current card (and archive) of each name under ``root`` (the repository's
    ``exports/``) in ``zoo/shipped.json``; a name whose folder is gone leaves the index.
    Returns the index's exports."""
    root = Path(root) if root is not None else paths.REPO_EXPORTS
    entries = {}
    for name in names:
        folder = root / check_name(name)
        entries[name] = entry_for(folder) if os.path.lexists(folder / CARD_FILE) else None
    # The lock file's name has a dot inside, so it is never the lock of an export's name.
    with locked(pins.PINS_FILE.parent, pins.PINS_FILE.name):
        index = pins.read_index()
        for name, entry in entries.items():
            if entry is None:
                index["exports"].pop(name, None)
            else:
                index["exports"][name] = entry
        pins.write_index(index)
    return index["exports"]
