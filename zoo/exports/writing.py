"""Writing an export: a staging folder, a sha256 manifest of every file, an atomic rename.

An export is the folder of docs/design.md::

    <out_dir>/<name>/
      card.json      the ModelCard, with the sha256 of every other file
      saved_model/   generate (= serving_default) or sample, and the family's other signatures
      model.keras    the trainable model
      samples.png    a preview drawn from the SavedModel itself
      README.md      the model card a person reads, rendered from card.json (not in the manifest)

The folder is assembled under ``.<name>.X.partial`` beside the target and renamed into place
under a file lock, so a crash leaves the previous export (or none), two processes exporting
one name both succeed, and the next export removes a crashed one's leftovers.
"""
from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import tempfile
from pathlib import Path

from zoo.exports.card import README_FILE, card_for, render_readme, versions
from zoo.registry import (
    CARD_FILE,
    MODEL_FILE,
    PINS_FILE,
    REPO_EXPORTS,
    SAVED_MODEL_DIR,
    IntegrityError,
    ModelCard,
    check_name,
    read_pins,
    sha256_file,
)

PREVIEW_FILE = "samples.png"
PREVIEW_SEED = 0


# --------------------------------------------------------------------------- manifest
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


def verify(folder: str | os.PathLike, card: ModelCard) -> None:
    """Raise ``IntegrityError`` unless the files on disk are exactly the card's manifest, and the
    manifest covers the whole export (``saved_model/saved_model.pb``, its variables, ``model.keras``)."""
    folder = Path(folder)
    uncovered = [f for f in (f"{SAVED_MODEL_DIR}/saved_model.pb", MODEL_FILE) if f not in card.files]
    if not any(f.startswith(f"{SAVED_MODEL_DIR}/variables/") for f in card.files):
        uncovered.append(f"{SAVED_MODEL_DIR}/variables/*")
    if uncovered:
        raise IntegrityError(f"the card of {card.name!r} at {folder} does not list {', '.join(uncovered)}: a card "
                             f"must give the sha256 of every file of its export. Re-export it.")
    actual = manifest(folder)
    if actual == card.files:
        return
    missing = sorted(set(card.files) - set(actual))
    extra = sorted(set(actual) - set(card.files))
    changed = sorted(k for k in set(actual) & set(card.files) if actual[k] != card.files[k])
    raise IntegrityError(
        f"export {card.name!r} at {folder} failed its sha256 check: "
        + "; ".join(f"{label}: {', '.join(items)}" for label, items in
                    (("modified", changed), ("missing", missing), ("unexpected", extra)) if items)
        + ". The files were corrupted or tampered with; delete the folder and re-download or "
        f"retrain it ({card.recipe or 'see the card'})."
    )


# --------------------------------------------------------------------------- the atomic folder
def _out_dir(out_dir) -> Path:
    return Path(out_dir).expanduser() if out_dir is not None else REPO_EXPORTS


@contextlib.contextmanager
def _locked(out_dir: Path, name: str):
    """An exclusive ``flock`` on ``<out_dir>/.<name>.lock`` for the whole write of one name."""
    with open(out_dir / f".{name}.lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _remove_leftovers(out_dir: Path, name: str) -> None:
    """Staging and swap folders of ``name`` that a crashed export left (we hold the lock)."""
    for leftover in [*out_dir.glob(f".{name}.*.partial"), out_dir / f".{name}.old"]:
        if leftover.is_dir():
            shutil.rmtree(leftover, ignore_errors=True)


def _open_permissions(folder: Path) -> None:
    """``mkdtemp`` makes 0700; give the export 0755 folders / 0644 files (under the usual umask 022)."""
    umask = os.umask(0)
    os.umask(umask)
    for path in [folder, *folder.rglob("*")]:
        os.chmod(path, (0o777 if path.is_dir() else 0o666) & ~umask)


def _swap_into_place(staging: Path, final: Path) -> None:
    old = None
    if final.exists():
        old = final.with_name(f".{final.name}.old")
        shutil.rmtree(old, ignore_errors=True)
        os.replace(final, old)
    os.replace(staging, final)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def write_folder(card: ModelCard, fill, out_dir: str | os.PathLike | None = None) -> Path:
    """Write the export ``<out_dir>/<card.name>``: ``fill(staging)`` writes the files, the card gets
    their sha256 manifest, and the folder is swapped into place atomically under a lock.

    Writing into the repository's ``exports/`` re-pins the name in ``zoo/shipped.json``
    (the developer's re-export of a shipped model; the change shows in ``git diff``).
    """
    check_name(card.name)
    out_dir = _out_dir(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    final = out_dir / card.name
    with _locked(out_dir, card.name):
        _remove_leftovers(out_dir, card.name)
        staging = Path(tempfile.mkdtemp(prefix=f".{card.name}.", suffix=".partial", dir=out_dir))
        try:
            fill(staging)
            card.versions = card.versions or versions()
            card.files = manifest(staging)
            (staging / CARD_FILE).write_text(card.to_json())
            (staging / README_FILE).write_text(render_readme(card))
            _open_permissions(staging)
            _swap_into_place(staging, final)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        if final.resolve().parent == REPO_EXPORTS.resolve():
            pin([card.name])
    return final


def pin(names, root: str | os.PathLike | None = None) -> dict[str, str]:
    """Pin the current ``card.json`` of each name under ``root`` (the repository's ``exports/``)
    in ``zoo/shipped.json``; returns the whole index.  Run after a deliberate re-export."""
    root = Path(root) if root is not None else REPO_EXPORTS
    with _locked(REPO_EXPORTS, "shipped-pins"):  # exports of several names may finish at once
        pins = read_pins()
        for name in names:
            if not (root / check_name(name) / CARD_FILE).exists():
                pins.pop(name, None)
                continue
            card = ModelCard.read(root / name)
            if card.trained:
                verify(root / name, card)
                pins[name] = sha256_file(root / name / CARD_FILE)
            else:
                pins.pop(name, None)
        partial = PINS_FILE.with_name(f".{PINS_FILE.name}.partial")
        partial.write_text(json.dumps(dict(sorted(pins.items())), indent=2) + "\n")
        os.replace(partial, PINS_FILE)
    return pins


# --------------------------------------------------------------------------- a family's export
def export(model, name: str, *, dataset: str, out_dir: str | os.PathLike | None = None,
           data_kind: str = "points", **card_fields) -> Path:
    """Write ``model`` as the export ``<out_dir>/<name>`` and return its folder.

    The SavedModel is written with ``keras.export.ExportArchive`` and each signature is run in
    every runtime (eager, the TF Serving session loader, ``TFSMLayer``, TFLite) before the
    folder is swapped into place; the card records which runtimes served which signature.

    Args:
      model: a trained family (``zoo.families``).
      name: registered name, ``family-dataset``, matching ``[a-z0-9]+(-[a-z0-9]+)*``.
      dataset: the data it was trained on (``"ring8"``, ``"digits"``...).
      out_dir: parent folder, the repository's ``exports/`` by default.
      data_kind: ``"points"`` or ``"images"``.
      **card_fields: other card fields (``description``, ``papers``, ``metrics``, ``recipe``,
        ``steps``, ``wall_time``...), passed to :func:`zoo.exports.card_for`.
    """
    from zoo.exports.serving import check_runtimes, write_saved_model

    check_name(name)
    card = card_for(model, name=name, family=card_fields.pop("family", getattr(model, "FAMILY", type(model).__name__.lower())),
                    dataset=dataset, data_kind=data_kind, **card_fields)

    def fill(staging: Path):
        functions = model.serving_functions()
        # the networks the functions read: NETWORKS and, with ema_decay, the averaged copies
        write_saved_model(model.serving_networks(), functions, staging / SAVED_MODEL_DIR)
        card.runtimes = check_runtimes(staging / SAVED_MODEL_DIR, functions, data_kind, getattr(model, "num_classes", None))
        model.save(staging / MODEL_FILE)
        _write_preview(staging, card)

    return write_folder(card, fill, out_dir)


def _write_preview(folder: Path, card: ModelCard) -> None:
    """The preview is drawn from the SavedModel just written, so it shows what users get."""
    from zoo.exports.pretrained import Pretrained
    from zoo.plotting import samples_png

    if "sample" not in card.signatures:
        return
    pretrained = Pretrained(folder, card, check=False)
    n = 2500 if card.data_kind == "points" else 64
    title = f"{card.name}: {n} samples, seed {PREVIEW_SEED}"
    samples_png(pretrained.sample(n, seed=PREVIEW_SEED), folder / PREVIEW_FILE, card, title=title)


def update_card(folder: str | os.PathLike, **fields) -> ModelCard:
    """Change fields of an export's card (``metrics=...``) and rewrite ``card.json`` atomically.

    The files are verified against the manifest first and the manifest is recomputed, so the
    card stays consistent with the folder.  A card in the repository's ``exports/`` is re-pinned.
    """
    folder = Path(folder)
    card = ModelCard.read(folder)
    verify(folder, card)
    for key, value in fields.items():
        if not hasattr(card, key):
            raise ValueError(f"ModelCard has no field {key!r}. Received: {key}={value!r}")
        setattr(card, key, value)
    card.files = manifest(folder)
    temporary = folder / f".{CARD_FILE}.partial"
    temporary.write_text(card.to_json())
    os.chmod(temporary, 0o644)
    os.replace(temporary, folder / CARD_FILE)
    (folder / README_FILE).write_text(render_readme(card))
    if folder.resolve().parent == REPO_EXPORTS.resolve():
        pin([card.name])
    return card
