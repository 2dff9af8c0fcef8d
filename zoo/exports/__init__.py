"""Exports: write one (``export``), build its card (``card_for``), load one (``load``, ``Pretrained``).

    writing.py     staging folder, lock, atomic exchange (``zoo.registry.folders``), update_card
    manifest.py    the sha256 manifest of every file, and ``verify`` (the reader's check)
    serving.py     the SavedModel's signatures (``keras.export.ExportArchive``) and the
                   runtime checks (eager, TF Serving's session loader, TFSMLayer, TFLite)
    card.py        ``card_for``: the one card builder (no TensorFlow without a model)
    pretrained.py  ``Pretrained``: inputs validated, NumPy in and out
    reexport.py    ``python -m zoo.exports.reexport``: rewrite exports from their model.keras
    release.py     reproducible .tar.gz archives (same export, same sha256) and ``pin``
    pin.py         ``python -m zoo.exports.pin NAME``: pin a card (and its archive) in zoo/shipped.json
    publish.py     ``python -m zoo.exports.publish DIR``: every shipped archive and the index

The SavedModel needs no zoo code: ``tf.saved_model.load(path).signatures["sample"](n=..., seed=...)``.
Name resolution (search path, cache, url) lives in ``zoo.registry``.
"""
from zoo.exports.card import card_for, default_signature, parameter_count
from zoo.exports.manifest import manifest, verify
from zoo.exports.release import pin
from zoo.exports.writing import PREVIEW_FILE, PREVIEW_SEED, export, update_card, write_folder
from zoo.registry import MODEL_FILE, IntegrityError, NotTrainedError, locate, sha256_file

_LAZY = {"Pretrained": "zoo.exports.pretrained", "load": "zoo.exports.pretrained",
         "check_array": "zoo.exports.pretrained"}

__all__ = ["card_for", "default_signature", "parameter_count", "PREVIEW_FILE", "PREVIEW_SEED", "export",
           "manifest", "pin", "update_card", "verify", "write_folder", "MODEL_FILE", "IntegrityError",
           "NotTrainedError", "locate", "sha256_file", *_LAZY]


def __getattr__(name):  # Pretrained imports NumPy only; kept lazy like the rest of zoo's API
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'zoo.exports' has no attribute {name!r}")
