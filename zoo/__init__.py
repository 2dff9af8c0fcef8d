"""zoo: generative models (GANs, VAEs and relatives) for TensorFlow/Keras, with exports.

Public API (re-exports only)::

    zoo.list_models("gan*")        # registered names
    zoo.info("gan-ring8")          # its ModelCard
    model = zoo.load("gan-ring8")  # a Pretrained export
    zoo.export(trained, "gan-ring8", dataset="ring8")

TensorFlow is imported only when ``load`` or ``export`` is first used, so ``zoo list`` and
``zoo --help`` answer at once.
"""
__version__ = "0.1.0"

from zoo.registry import ModelCard, UnknownModelError, info, list_models

_LAZY = {"load": "zoo.exports", "export": "zoo.exports", "Pretrained": "zoo.exports",
         "IntegrityError": "zoo.exports"}

__all__ = ["ModelCard", "UnknownModelError", "info", "list_models", *_LAZY]


def __getattr__(name):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'zoo' has no attribute {name!r}")
