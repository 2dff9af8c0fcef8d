"""Train the classifiers whose features the image protocols measure (docs/protocols.md).

    python -m recipes.train digits-classifier                # 5 seeds, exports seed 0
    python -m recipes.train fashion-mnist-classifier         # 1 seed, about 6 minutes on 2 cores
    python -m recipes.train digits-classifier --seeds 1 --out /tmp/exports

Each is a small CNN trained on its dataset's train split only (the test split is never
trained on); its card reports the test accuracy of each seed (mean ± s.e.) and the export
holds the first seed's model.  FID, KID and precision/recall use its penultimate layer
``features``, the class measures its softmax (``zoo.classifiers`` serves and exports it).
Deterministic: the same seed gives the same weights.
"""
from __future__ import annotations

import dataclasses
import functools
import os
import time
from typing import Callable

from recipes.base import Recipe, register
from zoo.classifiers import FEATURE_LAYER, export_classifier


@dataclasses.dataclass(frozen=True)
class ClassifierSpec:
    """One protocol's classifier: its data, network, schedule and card text."""

    name: str
    dataset: str
    split: str  # "module:function" returning (x_train, y_train, x_test, y_test)
    train_size: int  # images in the train split (the schedule, without loading the data)
    build: Callable[[int], object]
    epochs: int
    batch_size: int
    seeds: int
    protocol: str
    description: str

    def data(self):
        import importlib

        module, _, function = self.split.partition(":")
        return getattr(importlib.import_module(module), function)()

    def steps_per_epoch(self, batch_size: int) -> int:
        return -(-self.train_size // batch_size)  # the last batch partial


def _compile(model, learning_rate=1e-3):
    import keras

    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def build_digits_classifier(seed: int = 0, steps: int = 0):
    """8×8×1 in [-1, 1] -> class probabilities; the 64-unit layer ``features`` feeds FID/KID.
    Adam at a constant 1e-3 (``steps`` is not used)."""
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
    return _compile(keras.Model(inputs, probabilities, name="digits_classifier"))


def build_fashion_mnist_classifier(seed: int = 0, steps: int = 12 * 469):
    """28×28×1 in [-1, 1] -> class probabilities; the 128-unit layer ``features`` feeds FID/KID.

    Four 3×3 convolutions in two blocks with batch norm, max pooling and dropout: the usual
    small CNN of the Fashion-MNIST benchmark tables (about 92-93 % test accuracy; Xiao et al.
    2017 list classical models at 84-90 %).  Adam's rate decays from 1e-3 to 0 over the
    ``steps`` of training (cosine; at a constant rate 10 epochs reached 91.7 % here)."""
    import keras
    from keras import layers

    keras.utils.set_random_seed(seed)
    inputs = keras.Input((28, 28, 1), name="x")
    h = inputs
    for block, filters in enumerate((32, 64), start=1):
        for k in (1, 2):
            h = layers.Conv2D(filters, 3, padding="same", use_bias=False, name=f"conv{block}_{k}")(h)
            h = layers.BatchNormalization(name=f"bn{block}_{k}")(h)
            h = layers.ReLU(name=f"relu{block}_{k}")(h)
        h = layers.MaxPooling2D(name=f"pool{block}")(h)  # 14×14, then 7×7
        h = layers.Dropout(0.25, name=f"dropout{block}")(h)
    h = layers.Flatten(name="flatten")(h)
    features = layers.Dense(128, activation="relu", name=FEATURE_LAYER)(h)
    h = layers.Dropout(0.5, name="dropout3")(features)
    probabilities = layers.Dense(10, activation="softmax", name="probabilities")(h)
    return _compile(keras.Model(inputs, probabilities, name="fashion_mnist_classifier"),
                    keras.optimizers.schedules.CosineDecay(1e-3, decay_steps=steps))


def train_classifier(spec: ClassifierSpec, seed: int = 0, epochs: int | None = None, batch_size: int | None = None,
                     verbose=0):
    """Fit on the train split only; return ``(model, test_accuracy)``."""
    import keras
    import numpy as np

    x_train, y_train, x_test, y_test = spec.data()
    batch_size, epochs = batch_size or spec.batch_size, epochs or spec.epochs
    model = spec.build(seed, epochs * spec.steps_per_epoch(batch_size))
    model.fit(x_train, y_train, batch_size=batch_size, epochs=epochs,
              shuffle=True, verbose=verbose, callbacks=[keras.callbacks.TerminateOnNaN()])
    predicted = model.predict(x_test, batch_size=512, verbose=0).argmax(axis=1)
    return model, float(np.mean(predicted == y_test))


def drive(spec: ClassifierSpec, args):
    """Train ``args.seeds`` classifiers (default the spec's), export the first; ``recipes.train`` calls this."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import tensorflow as tf

    from zoo.metrics import summarize

    seeds = spec.seeds if args.seeds is None else args.seeds
    if seeds < 1:
        raise SystemExit(f"error: --seeds must be at least 1. Received: --seeds {seeds}")
    batch_size = args.batch_size or spec.batch_size
    default_steps = spec.epochs * spec.steps_per_epoch(spec.batch_size)
    steps = args.steps or default_steps
    epochs = max(1, -(-steps // spec.steps_per_epoch(batch_size)))
    first = getattr(args, "seed", 0)
    tf.config.experimental.enable_op_determinism()  # same seed, same weights
    exported, runs = None, []
    for seed in range(first, first + seeds):
        start = time.time()
        model, accuracy = train_classifier(spec, seed, epochs, batch_size, verbose=getattr(args, "verbose", 0) or 0)
        print(f"[{spec.name}] seed {seed}: test accuracy {accuracy:.4f} ({time.time() - start:.0f} s)", flush=True)
        runs.append({"test_accuracy": accuracy})
        if exported is None:
            exported = model
    metrics = {"protocol": spec.protocol, "seeds": seeds, "exported_seed": first, **summarize(runs)}
    summary = metrics["test_accuracy"]
    print(f"[{spec.name}] test accuracy {summary['mean']:.4f} ± {summary['se']:.4f} over {seeds} seeds")
    if getattr(args, "no_export", False):
        return None
    command = f"python -m recipes.train {spec.name} --seeds {seeds}" + "".join(
        f" --{flag} {value}" for flag, value, default in
        (("steps", steps, default_steps), ("batch-size", batch_size, spec.batch_size), ("seed", first, 0))
        if value != default)
    from recipes.train import export_dir

    path = export_classifier(exported, name=spec.name, dataset=spec.dataset, description=spec.description,
                             metrics=metrics, out_dir=export_dir(args.out), recipe=command,
                             steps=epochs * spec.steps_per_epoch(batch_size))
    print(f"[{spec.name}] export written to {path}")
    return path


SPECS = {spec.name: spec for spec in (
    ClassifierSpec(
        name="digits-classifier", dataset="digits", split="zoo.data.digits:digits_split", train_size=1437,
        build=build_digits_classifier, epochs=40, batch_size=64, seeds=5,
        protocol=("the digits protocol: accuracy on the digits test split (360 images, never trained on); "
                  "trained on the 1,437-image train split"),
        description=("Small CNN classifier of scikit-learn's 8×8 digits, trained on the train split "
                     "only; its penultimate 64-d features give FID/KID on digits (the digits protocol)."),
    ),
    ClassifierSpec(
        name="fashion-mnist-classifier", dataset="fashion_mnist", split="zoo.data.fashion_mnist:fashion_mnist_split",
        train_size=60_000,
        build=build_fashion_mnist_classifier, epochs=12, batch_size=128, seeds=1,
        protocol=("accuracy on the 10,000 Fashion-MNIST test images (never trained on); trained on the 60,000 "
                  "train images"),
        description=("CNN classifier of Fashion-MNIST (4 convolutions with batch norm, 128-d features), trained on "
                     "the train split only; its penultimate 128-d features give FID, KID and precision/recall in "
                     "the Fashion-MNIST protocol. Not a generative model."),
    ),
)}


def _data(spec: ClassifierSpec):
    def data(batch_size, seed):
        import tensorflow as tf

        x, y, _, _ = spec.data()
        return (tf.data.Dataset.from_tensor_slices((x, y)).shuffle(len(x), seed=seed).repeat()
                .batch(batch_size, drop_remainder=True))

    return data


# Not families: ``recipes.train`` hands the run to ``drive`` (the model is ``spec.build``).
for _spec in SPECS.values():
    register(Recipe(
        name=_spec.name, dataset=_spec.dataset, data=_data(_spec), steps=_spec.epochs * _spec.steps_per_epoch(_spec.batch_size),
        batch_size=_spec.batch_size, protocol=_spec.protocol, seeds=_spec.seeds, data_kind="images",
        driver=functools.partial(drive, _spec),
        description=f"The {_spec.dataset} classifier of its protocol: not a generative model.",
    ))
