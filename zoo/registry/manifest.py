"""The sha256 manifest of an export, and its verification (a reader's only check of the files).

Kept apart from the writer so the reader (``zoo.exports.pretrained``) and the downloader
import it without the writing machinery, and in the registry so that the downloader's check
needs nothing from ``zoo.exports`` (no import circle).
"""
from __future__ import annotations

import os
from pathlib import Path

from zoo.registry.cards import (CARD_FILE, MODEL_FILE, README_FILE, SAVED_MODEL_DIR, IntegrityError, ModelCard,
                                sha256_file)
from zoo.registry.folders import wait_for_writer
from zoo.registry.pins import check_pin

RETRIES = 3  # re-reads when the export is swapped under a reader (each waits for the writer)


def manifest(folder: str | os.PathLike) -> dict[str, str]:
    """relative path -> sha256 of every file in ``folder`` except the card itself and its
    ``README.md`` (rendered from the card, so the card cannot list its hash).

    An export holds no symbolic links: a link could point ``saved_model/`` at another
    export's weights behind a manifest that looks complete.
    """
    folder = Path(folder)
    files = {}
    for path in sorted(folder.rglob("*")):
        if path.is_symlink():
            raise IntegrityError(f"{path} is a symbolic link; an export holds only regular files.")
        if path.is_file() and path.relative_to(folder).as_posix() not in (CARD_FILE, README_FILE):
            files[path.relative_to(folder).as_posix()] = sha256_file(path)
    return files


def check_coverage(folder: Path, card: ModelCard) -> None:
    """The card must list the whole export: ``saved_model/saved_model.pb``, its variables, ``model.keras``."""
    uncovered = [f for f in (f"{SAVED_MODEL_DIR}/saved_model.pb", MODEL_FILE) if f not in card.files]
    if not any(f.startswith(f"{SAVED_MODEL_DIR}/variables/") for f in card.files):
        uncovered.append(f"{SAVED_MODEL_DIR}/variables/*")
    if uncovered:
        raise IntegrityError(f"the card of {card.name!r} at {folder} does not list {', '.join(uncovered)}: a card "
                             f"must give the sha256 of every file of its export. Re-export it.")


def _compare(folder: Path, card: ModelCard) -> None:
    actual = manifest(folder)
    if actual == card.files:
        return
    missing = sorted(set(card.files) - set(actual))
    extra = sorted(set(actual) - set(card.files))
    changed = sorted(k for k in set(actual) & set(card.files) if actual[k] != card.files[k])
    hint = (" (.card.json.partial is what an interrupted card update of zoo 0.1 left: delete it)"
            if ".card.json.partial" in extra else "")
    raise IntegrityError(
        f"export {card.name!r} at {folder} failed its sha256 check: "
        + "; ".join(f"{label}: {', '.join(items)}" for label, items in
                    (("modified", changed), ("missing", missing), ("unexpected", extra)) if items)
        + f"{hint}. The files were corrupted or tampered with; delete the folder and re-download or "
        f"retrain it ({card.recipe or 'see the card'})."
    )


def folder_identity(folder: Path):
    """Which folder is at ``folder`` now: each version of an export is a folder of its own (the
    change time tells a folder from a later one that reuses the freed inode number)."""
    try:
        info = os.stat(folder)
        return info.st_dev, info.st_ino, info.st_ctime_ns
    except OSError:
        return None


def verify(folder: str | os.PathLike, card: ModelCard, wait: bool = True) -> ModelCard:
    """Raise ``IntegrityError`` unless the files on disk are exactly the card's manifest, and the
    manifest covers the whole export; returns the card verified.

    When the files stop matching because the export was replaced while they were read (a
    re-export of the name: another folder is at ``folder`` now, or another card), the check
    waits for the writer and verifies the export now there instead, after its pin check;
    ``card`` is then updated in place, so the caller holds the card of the files it loads.
    ``wait=False`` for a caller that holds the export's lock itself (``update_card``): no other
    writer can be at work then, and waiting for one would wait for the caller.
    """
    folder, current = Path(folder), card
    for attempt in range(RETRIES + 1):
        before = folder_identity(folder)
        try:
            check_coverage(folder, current)
            _compare(folder, current)
        except (IntegrityError, OSError) as e:
            error = e
        else:
            if current is not card:
                check_pin(folder, current)
                vars(card).update(vars(current))
            return card
        if attempt == RETRIES or not wait:
            raise error
        wait_for_writer(folder)
        try:
            fresh = ModelCard.read(folder)
        except (OSError, ValueError):
            raise error from None
        if fresh == current and folder_identity(folder) == before:  # nothing moved: the mismatch is real
            raise error
        current = fresh
