"""Writing an export: a staging folder, a sha256 manifest of every file, an atomic exchange.

An export is the folder of docs/design.md::

    <out_dir>/<name>/
      card.json      the ModelCard, with the sha256 of every other file
      saved_model/   generate (= serving_default) or sample, and the family's other signatures
      model.keras    the trainable model
      samples.png    a preview drawn from the SavedModel itself
      README.md      the model card a person reads, rendered from card.json (not in the manifest)

The folder is assembled under ``.<name>.X.partial`` beside the target and exchanged with the
old one in one atomic step under a file lock (``zoo.registry.folders``): a crash at any
point leaves the old export or the new one under the name, two processes exporting one name
both succeed, and the next export removes a crashed one's leftovers.  ``update_card`` goes
the same way, so an interrupted update leaves nothing inside the export.
"""
from __future__ import annotations

import os
import platform
import shutil
from pathlib import Path

from zoo.exports.card import PIXEL_BY_PIXEL, README_FILE, card_for, render_readme
from zoo.exports.manifest import manifest, verify
from zoo.exports.release import pin
from zoo.registry import CARD_FILE, MODEL_FILE, SAVED_MODEL_DIR, ModelCard, check_name, paths
from zoo.registry.folders import (
    check_target,
    locked,
    open_permissions,
    remove_leftovers,
    staging_folder,
    swap_into_place,
)

PREVIEW_FILE = "samples.png"
PREVIEW_SEED = 0

__all__ = ["PREVIEW_FILE", "PREVIEW_SEED", "export", "manifest", "pin", "update_card", "verify", "write_folder"]


# --------------------------------------------------------------------------- the atomic folder
def _out_dir(out_dir) -> Path:
    return Path(out_dir).expanduser() if out_dir is not None else paths.REPO_EXPORTS


def _check_out_dir(out_dir: Path) -> None:
    """An export is never written inside another export (it would fail that export's sha256
    check), nor into a file."""
    for folder in [out_dir, *out_dir.absolute().parents]:
        if os.path.lexists(folder / CARD_FILE):
            raise ValueError(f"out_dir {out_dir} is inside the export {folder} (it holds a {CARD_FILE}); writing there "
                             f"would change that export. Choose a folder outside every export, e.g. {folder.parent}. "
                             f"Received: out_dir={os.fspath(out_dir)!r}")
    if out_dir.exists() and not out_dir.is_dir():
        raise NotADirectoryError(f"out_dir must be a folder. Received: out_dir={os.fspath(out_dir)!r}, a file")


def _in_repository(out_dir: Path) -> bool:
    return out_dir.resolve() == paths.REPO_EXPORTS.resolve()


def _replace(out_dir: Path, name: str, build) -> Path:
    """Under the lock of ``name``: ``build(staging) -> card`` fills a staging folder, the card gets
    the sha256 manifest of its files, and the folder is exchanged with ``<out_dir>/<name>``."""
    final = out_dir / name
    with locked(out_dir, name):
        check_target(final)
        remove_leftovers(out_dir, name)
        staging = staging_folder(out_dir, name)
        try:
            card = build(staging)
            card.files = manifest(staging)
            (staging / CARD_FILE).write_text(card.to_json())
            (staging / README_FILE).write_text(render_readme(card))
            open_permissions(staging)
            swap_into_place(staging, final)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        if _in_repository(out_dir):  # a developer's re-export of a shipped model: re-pin it
            pin([name], out_dir)
    return final


def versions() -> dict[str, str]:
    """The library versions an export was written with, and the interpreter its TFLite
    signatures were checked with (goes into the card)."""
    import keras
    import tensorflow as tf

    from zoo import __version__
    from zoo.exports.serving import tflite_interpreter

    return {"zoo": __version__, "tensorflow": tf.__version__, "keras": keras.__version__,
            "python": platform.python_version(), "tflite_interpreter": tflite_interpreter()[1]}


def write_folder(card: ModelCard, fill, out_dir: str | os.PathLike | None = None) -> Path:
    """Write the export ``<out_dir>/<card.name>``: ``fill(staging)`` writes the files, the card gets
    their sha256 manifest, and the folder is swapped into place atomically under a lock.

    Writing into the repository's ``exports/`` re-pins the name in ``zoo/shipped.json``
    (the developer's re-export of a shipped model; the change shows in ``git diff``).
    """
    check_name(card.name)
    out_dir = _out_dir(out_dir)
    _check_out_dir(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)

    def build(staging: Path) -> ModelCard:
        fill(staging)
        card.versions = card.versions or versions()
        return card

    return _replace(out_dir, card.name, build)


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
        save_trainable(model, staging / MODEL_FILE, card.optimizer_state)
        _write_preview(staging, card, model)

    return write_folder(card, fill, out_dir)


def save_trainable(model, path: Path, optimizer_state: bool = True) -> None:
    """``model.keras``, with the optimizers' state or, ``optimizer_state=False``, without it.

    Adam keeps two slots per weight, so its state is twice the model: a 28×28 DCGAN's
    model.keras is 10.9 MB with it and 3.7 MB without.  Without it the file still loads and
    trains (``zoo.load(name, trainable=True)``): its optimizers are rebuilt from the compile
    configuration with fresh moments.  ``model`` itself is left as it was.
    """
    import keras

    if optimizer_state:
        model.save(path)
        return
    detached = {key: value for key, value in vars(model).items() if isinstance(value, keras.optimizers.Optimizer)}
    for key in detached:  # the saver writes every optimizer it finds among the attributes
        setattr(model, key, None)
    try:
        model.save(path)
    finally:
        for key, optimizer in detached.items():
            setattr(model, key, optimizer)


def _write_preview(folder: Path, card: ModelCard, model) -> None:
    """The preview is drawn from the SavedModel just written, so it shows what users get.

    A pixel-by-pixel sampler is the exception: its SavedModel runs the whole network for each
    pixel (64 images of 28×28 took 5.4 of pixelcnn-fashion-mnist's 6.5 export minutes), while
    ``model`` caches the network's rows and draws the same images for the seed in about a
    minute (tests/test_pixelcnn.py holds the cached sampler equal to the pass-a-pixel one that
    the SavedModel serves, and tests/test_shipped_exports.py each shipped SavedModel to its
    model).
    """
    import numpy as np

    from zoo.exports.pretrained import Pretrained
    from zoo.plotting import samples_png

    if "sample" not in card.signatures:
        return
    n = 2500 if card.data_kind == "points" else 64
    if card.family in PIXEL_BY_PIXEL:
        images = np.asarray(model.sample(n, PREVIEW_SEED)[0])
    else:
        images = Pretrained(folder, card, check=False).sample(n, seed=PREVIEW_SEED)
    title = f"{card.name}: {n} samples, seed {PREVIEW_SEED}"
    samples_png(images, folder / PREVIEW_FILE, card, title=title)


def update_card(folder: str | os.PathLike, **fields) -> ModelCard:
    """Change fields of an export's card (``metrics=...``) and replace the export atomically.

    The files are verified against the manifest first and copied with the new card into a
    staging folder that is exchanged with the export, as a new export is: killed at any
    point, or out of disk space, it leaves the export as it was.  A card in the repository's
    ``exports/`` is re-pinned.
    """
    folder = Path(folder)
    root = paths.root_of(folder)
    if root is not None and root != paths.REPO_EXPORTS:
        raise ValueError(f"{folder} is in {root}, which holds pinned downloads only: a changed card there would be "
                         f"replaced by the pinned one on the next load. Copy the export under $ZOO_EXPORTS and "
                         f"update the copy. Received: folder={os.fspath(folder)!r}")
    card = ModelCard.read(folder)
    for key, value in fields.items():
        if not hasattr(card, key):
            raise ValueError(f"ModelCard has no field {key!r}. Received: {key}={value!r}")
    if folder.name != card.name:
        raise ValueError(f"{folder} holds the card of {card.name!r}; an export lives in a folder of its own name, "
                         f"so update it there. Received: folder={os.fspath(folder)!r}")

    def build(staging: Path) -> ModelCard:
        current = ModelCard.read(folder)  # under the lock: the latest version, verified
        verify(folder, current, wait=False)
        for relative in current.files:
            (staging / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(folder / relative, staging / relative)
        for key, value in fields.items():
            setattr(current, key, value)
        return current

    _replace(folder.parent, card.name, build)
    return ModelCard.read(folder)
