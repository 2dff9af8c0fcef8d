"""zoo: generative models (GANs, VAEs and relatives) for TensorFlow/Keras, with exports.

Public API (re-exports only)::

    zoo.list_models("gan*")        # registered names
    zoo.info("gan-ring8")          # its ModelCard
    model = zoo.load("gan-ring8")  # a Pretrained export
    zoo.export(trained, "my-gan", dataset="ring8", out_dir="runs/exports")   # SavedModel, card, manifest

TensorFlow is imported only when ``load`` or ``export`` is first used, so ``zoo list`` and
``zoo --help`` answer at once; it is imported then without its C++ start-up lines, unless
``TF_CPP_MIN_LOG_LEVEL`` is set (``zoo.quiet``).
"""
__version__ = "0.1.0"

from zoo.registry import IntegrityError, ModelCard, UnknownModelError, info, list_models

_LAZY = {"load": "zoo.exports.pretrained", "Pretrained": "zoo.exports.pretrained", "export": "zoo.exports",
         "card_for": "zoo.exports"}

__all__ = ["IntegrityError", "ModelCard", "UnknownModelError", "info", "list_models", *_LAZY]


def __getattr__(name):
    if name in _LAZY:
        import importlib

        from zoo.quiet import import_tensorflow

        import_tensorflow()

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'zoo' has no attribute {name!r}")
