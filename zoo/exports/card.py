"""The one card builder: ``card_for`` stamps a ``ModelCard`` for an export or a recipe-only name.

As timm's ``build_model_with_cfg`` stamps every model's pretrained config, every card is built
here: ``export`` calls it with the trained model, the recipes call it with ``model=None`` to
write the card of a name that has no weights yet.  With ``model=None`` nothing imports
TensorFlow, so writing every recipe-only card takes no time.
"""
from __future__ import annotations

import platform

from zoo.registry import ModelCard, check_name

SERVING_DEFAULT = "serving_default"


def default_signature(signatures) -> str:
    """The signature ``serving_default`` aliases: ``generate`` when the family has one, else
    ``sample`` (PixelCNN has no latent), else the first (the classifier's ``classify``)."""
    names = sorted(set(signatures) - {SERVING_DEFAULT})
    for preferred in ("generate", "sample"):
        if preferred in names:
            return preferred
    if not names:
        raise ValueError(f"a SavedModel needs at least one signature. Received: signatures={list(signatures)}")
    return names[0]


def parameter_count(model) -> int:
    """Weights of the networks the export serves (``model.NETWORKS``), optimizer state excluded."""
    import numpy as np

    return int(sum(np.prod(v.shape) for net in model.NETWORKS for v in getattr(model, net).weights))


def versions() -> dict[str, str]:
    """The library versions an export was written with, and the interpreter its TFLite
    signatures were checked with (goes into the card)."""
    import keras
    import tensorflow as tf

    from zoo import __version__
    from zoo.exports.serving import tflite_interpreter

    return {"zoo": __version__, "tensorflow": tf.__version__, "keras": keras.__version__,
            "python": platform.python_version(), "tflite_interpreter": tflite_interpreter()[1]}


def _merge_papers(*groups) -> list[str]:
    """Papers in order, each once (the family's own first, then the recipe's)."""
    merged: list[str] = []
    for group in groups:
        for paper in group or ():
            if paper not in merged:
                merged.append(paper)
    return merged


def card_for(model=None, *, name: str, family: str, dataset: str, data_kind: str = "points",
             description: str = "", papers=(), recipe: str = "", steps: int = 0, metrics=None,
             **extra) -> ModelCard:
    """The ``ModelCard`` of ``name``: from the trained ``model``, or recipe-only when ``model=None``.

    Args:
      model: a family instance (``zoo.families``), or None for a name registered by its recipe
        only (the card then has no files and ``zoo.load`` answers with ``recipe``).
      name: registered name, ``[a-z0-9]+(-[a-z0-9]+)*``.
      family, dataset, data_kind: what and on which data (``"points"`` or ``"images"``).
      description, papers, recipe, steps, metrics: from the recipe and its training run.
      **extra: any other ``ModelCard`` field (``wall_time``, ``data_shape``, ``latent_dim``,
        ``conditioning``, ``signatures``, ``parameters``...); with a model these override what
        is read from it.
    Returns:
      The card, with ``files`` empty (the writer fills in the manifest).
    """
    check_name(name)
    if data_kind not in ("points", "images"):
        raise ValueError(f"data_kind must be 'points' or 'images'. Received: data_kind={data_kind!r}")
    ModelCard.check_fields(extra, f"card_for({name!r}, ...)")
    fields = dict(name=name, family=family, dataset=dataset, data_kind=data_kind, description=description,
                  papers=_merge_papers(getattr(model, "PAPERS", ()), papers), recipe=recipe, steps=int(steps),
                  metrics=dict(metrics or {}),
                  output_range=[-1.0, 1.0] if data_kind == "images" else None)
    if model is not None:
        signatures = list(model.serving_functions())
        num_classes = getattr(model, "num_classes", None)
        fields.update(
            data_shape=[int(d) for d in model.data_shape], latent_dim=int(model.latent_dim),
            conditioning={"num_classes": int(num_classes)} if num_classes else None,
            signatures=sorted([*signatures, SERVING_DEFAULT]),
            parameters=parameter_count(model), versions=versions(),
            weights=getattr(model, "served_weights", "raw"),
        )
    fields.update(extra)
    return ModelCard(**fields)
