"""The feature classifiers of the image protocols: how one is served and exported.

A classifier trained on a dataset's train split gives the protocols their features (FID, KID,
precision/recall on its penultimate layer ``features``) and their class measures (its
softmax).  Its export serves one signature, ``classify`` (= ``serving_default``):
``x [N, H, W, C]`` in [-1, 1] -> ``{"probabilities", "features"}``.  The recipes that train
them live in ``recipes/classifier.py``; the protocols load them by name through the registry.
"""
from __future__ import annotations

FEATURE_LAYER = "features"
FAMILY = "classifier"


def feature_model(model):
    """``x -> [features, probabilities]`` of a classifier with a layer named ``features``."""
    import keras

    return keras.Model(model.inputs, [model.get_layer(FEATURE_LAYER).output, model.outputs[0]])


def serving_functions(model) -> dict:
    """``classify``: ``x [N, H, W, C]`` in [-1, 1] -> ``probabilities``, ``features``."""
    import tensorflow as tf

    both = feature_model(model)
    shape = [None, *(int(d) for d in model.input_shape[1:])]

    def classify(x):
        features, probabilities = both(x, training=False)
        return {"probabilities": probabilities, "features": features}

    return {"classify": (classify, [tf.TensorSpec(shape, tf.float32, name="x")])}


def export_classifier(model, *, name: str, dataset: str, description: str, metrics: dict, out_dir=None,
                      recipe: str = "", steps: int = 0):
    """Write the export ``<out_dir>/<name>`` (``keras.export.ExportArchive``, runtimes checked) atomically."""
    from zoo.exports import card_for, write_folder
    from zoo.exports.serving import check_runtimes, write_saved_model
    from zoo.registry import MODEL_FILE, SAVED_MODEL_DIR

    functions = serving_functions(model)
    card = card_for(
        name=name, family=FAMILY, dataset=dataset, data_kind="images", description=description,
        data_shape=[int(d) for d in model.input_shape[1:]], output_range=None, metrics=metrics, recipe=recipe,
        steps=steps, parameters=int(model.count_params()), signatures=sorted([*functions, "serving_default"]),
    )

    def fill(staging):
        write_saved_model([model], functions, staging / SAVED_MODEL_DIR)
        card.runtimes = check_runtimes(staging / SAVED_MODEL_DIR, functions, "images")
        model.save(staging / MODEL_FILE)

    return write_folder(card, fill, out_dir)
