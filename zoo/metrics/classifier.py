"""The protocols' feature classifiers, loaded from their exports (sha256-verified once per
process) as Keras models ``x -> [features, probabilities]``.

The protocols take the network as an argument where a caller has its own; by default they
load the shipped one by name.
"""
from __future__ import annotations

import functools

import numpy as np

_verified: set[str] = set()  # manifests already checked in this process


@functools.lru_cache(maxsize=4)
def _feature_model(folder: str, manifest_key: str):
    import keras

    from zoo.classifiers import feature_model
    from zoo.exports import MODEL_FILE

    return feature_model(keras.saving.load_model(f"{folder}/{MODEL_FILE}"))


def load_classifier(name: str, recipe: str):
    """The classifier export ``name`` as ``x -> [features, probabilities]``.

    Raises:
      FileNotFoundError: no export of that name; the message gives ``recipe``, the command
        that trains it.
    """
    from zoo.exports import locate, verify
    from zoo.registry import UnknownModelError

    try:
        folder, card = locate(name)
    except (UnknownModelError, FileNotFoundError):
        raise FileNotFoundError(
            f"this protocol needs the classifier export {name!r} (its features give FID/KID), and none was "
            f"found. Train it with: {recipe}") from None
    key = ",".join(f"{k}={v}" for k, v in sorted(card.files.items()))
    if key not in _verified:
        verify(folder, card)
        _verified.add(key)
    return _feature_model(str(folder), key)


def classify_with(network, images, batch_size: int = 1024) -> tuple[np.ndarray, np.ndarray]:
    """``(features, probabilities)`` of ``images`` by ``network`` (``x -> [features, probabilities]``), float64."""
    features, probabilities = network.predict(np.asarray(images, np.float32), batch_size=batch_size, verbose=0)
    return np.asarray(features, np.float64), np.asarray(probabilities, np.float64)
