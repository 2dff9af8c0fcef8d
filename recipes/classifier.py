"""Train the digits classifier whose features the digits protocol measures (docs/protocols.md).

    python -m recipes.train digits-classifier               # 5 seeds, exports seed 0
    python -m recipes.train digits-classifier --seeds 1 --out /tmp/exports

A small CNN trained on the train split of scikit-learn's digits only (the test split is
never trained on); its card reports the test accuracy of each seed (mean ± s.e.) and the
export holds the seed-0 model.  FID and KID use its 64-d penultimate layer ``features``,
class coverage its softmax.  Deterministic: the same seed gives the same weights.
"""
from __future__ import annotations

import os
import time

from recipes.base import Recipe, register

NAME = "digits-classifier"
EPOCHS = 40
BATCH_SIZE = 64
STEPS_PER_EPOCH = -(-1437 // BATCH_SIZE)  # the 1,437-image train split, last batch partial
STEPS = EPOCHS * STEPS_PER_EPOCH
SEEDS = 5
FEATURE_LAYER = "features"
PROTOCOL = ("the digits protocol: accuracy on the digits test split (360 images, never trained on); "
            "trained on the 1,437-image train split")


def build_classifier(seed: int = 0):
    """8×8×1 in [-1, 1] -> class probabilities; the 64-unit layer ``features`` feeds FID/KID."""
    import keras
    from keras import layers

    keras.utils.set_random_seed(seed)
    inputs = keras.Input((8, 8, 1), name="x")
    h = layers.Conv2D(32, 3, padding="same", activation="relu", name="conv1")(inputs)
    h = layers.Conv2D(32, 3, padding="same", activation="relu", name="conv2")(h)
    h = layers.MaxPooling2D(name="pool1")(h)  # 4×4
    h = layers.Conv2D(64, 3, padding="same", activation="relu", name="conv3")(h)
    h = layers.MaxPooling2D(name="pool2")(h)  # 2×2
    h = layers.Flatten(name="flatten")(h)
    h = layers.Dropout(0.3, name="dropout1")(h)
    features = layers.Dense(64, activation="relu", name=FEATURE_LAYER)(h)
    h = layers.Dropout(0.3, name="dropout2")(features)
    probabilities = layers.Dense(10, activation="softmax", name="probabilities")(h)
    model = keras.Model(inputs, probabilities, name="digits_classifier")
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def train_classifier(seed: int = 0, epochs: int = EPOCHS, batch_size: int = BATCH_SIZE, verbose=0):
    """Fit on the train split only; return ``(model, test_accuracy)``."""
    import keras
    import numpy as np

    from zoo.data import digits_split

    x_train, y_train, x_test, y_test = digits_split()
    model = build_classifier(seed)
    model.fit(x_train, y_train, batch_size=batch_size, epochs=epochs, shuffle=True, verbose=verbose,
              callbacks=[keras.callbacks.TerminateOnNaN()])
    predicted = model.predict(x_test, batch_size=512, verbose=0).argmax(axis=1)
    return model, float(np.mean(predicted == y_test))


def serving_functions(model) -> dict:
    """``classify`` (= serving_default): ``x [N, 8, 8, 1]`` in [-1, 1] -> ``probabilities``, ``features``."""
    import keras
    import tensorflow as tf

    both = keras.Model(model.inputs, [model.get_layer(FEATURE_LAYER).output, model.outputs[0]])

    def classify(x):
        features, probabilities = both(x, training=False)
        return {"probabilities": probabilities, "features": features}

    return {"classify": (classify, [tf.TensorSpec([None, 8, 8, 1], tf.float32, name="x")])}


def export_classifier(model, metrics: dict, out_dir=None, recipe: str = "", steps: int = STEPS):
    """Write ``exports/digits-classifier`` (``keras.export.ExportArchive``, runtimes checked) atomically."""
    from zoo.exports import card_for, write_folder
    from zoo.exports.serving import check_runtimes, write_saved_model
    from zoo.registry import MODEL_FILE, SAVED_MODEL_DIR

    functions = serving_functions(model)
    card = card_for(
        name=NAME, family="classifier", dataset="digits", data_kind="images",
        description=("Small CNN classifier of scikit-learn's 8×8 digits, trained on the train split "
                     "only; its penultimate 64-d features give FID/KID on digits (the digits protocol)."),
        data_shape=[8, 8, 1], output_range=None, metrics=metrics, recipe=recipe, steps=steps,
        parameters=int(model.count_params()), signatures=sorted([*functions, "serving_default"]),
    )

    def fill(staging):
        write_saved_model([model], functions, staging / SAVED_MODEL_DIR)
        card.runtimes = check_runtimes(staging / SAVED_MODEL_DIR, functions, "images")
        model.save(staging / MODEL_FILE)

    return write_folder(card, fill, out_dir)


def drive(args):
    """Train ``args.seeds`` classifiers (default 5), export the first; ``recipes.train`` calls this."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import tensorflow as tf

    from zoo.metrics import summarize

    seeds = SEEDS if args.seeds is None else args.seeds
    if seeds < 1:
        raise SystemExit(f"error: --seeds must be at least 1. Received: --seeds {seeds}")
    steps = args.steps or STEPS
    batch_size = args.batch_size or BATCH_SIZE
    epochs = max(1, -(-steps // -(-1437 // batch_size)))
    first = getattr(args, "seed", 0)
    tf.config.experimental.enable_op_determinism()  # same seed, same weights
    exported, runs = None, []
    for seed in range(first, first + seeds):
        start = time.time()
        model, accuracy = train_classifier(seed, epochs, batch_size)
        print(f"[{NAME}] seed {seed}: test accuracy {accuracy:.4f} ({time.time() - start:.0f} s)", flush=True)
        runs.append({"test_accuracy": accuracy})
        if exported is None:
            exported = model
    metrics = {"protocol": PROTOCOL, "seeds": seeds, "exported_seed": first, **summarize(runs)}
    summary = metrics["test_accuracy"]
    print(f"[{NAME}] test accuracy {summary['mean']:.4f} ± {summary['se']:.4f} over {seeds} seeds")
    if getattr(args, "no_export", False):
        return None
    command = RECIPE.command(seeds) + "".join(
        f" --{flag} {value}" for flag, value, default in
        (("steps", steps, STEPS), ("batch-size", batch_size, BATCH_SIZE), ("seed", first, 0)) if value != default)
    from recipes.train import export_dir

    path = export_classifier(exported, metrics, export_dir(args.out), recipe=command, steps=epochs * -(-1437 // batch_size))
    print(f"[{NAME}] export written to {path}")
    return path


def _data(batch_size, seed):
    from zoo.data import digits_dataset

    return digits_dataset(batch_size, seed=seed, labels=True)


# Not a family: ``recipes.train`` hands the run to ``drive`` (the model is ``build_classifier``).
RECIPE = register(Recipe(
    name=NAME, dataset="digits", data=_data, steps=STEPS, batch_size=BATCH_SIZE,
    protocol=PROTOCOL, seeds=SEEDS, data_kind="images", driver=drive,
    description="The digits classifier of the digits protocol (docs/protocols.md): not a generative model.",
))

