"""Rewrite exports from their ``model.keras`` in the current export format, without retraining.

    python -m zoo.exports.reexport gan-ring8 vae-digits      # the repository's exports/, in place
    python -m zoo.exports.reexport --all                     # every trained export there
    python -m zoo.exports.reexport --all --source exports --out /tmp/exports   # a copy elsewhere

The card's metrics, recipe, steps, wall time, description and papers carry over.  The model is
reloaded with its players' optimizers (``g_optimizer``, ``d_optimizer``...: training resumes
where the recipe stopped) through the families' current ``compile``, which passes
``optimizer=None``, so the unused default RMSprop that older files carry is dropped.  Writing
into the repository's ``exports/`` re-pins each name in ``zoo/shipped.json``.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from zoo.exports.writing import export, verify
from zoo.registry import MODEL_FILE, REPO_EXPORTS, ModelCard, check_name

CARRIED = ("description", "papers", "metrics", "recipe", "steps", "wall_time", "optimizer_state", "status")


def reexport(name: str, source: str | os.PathLike | None = None, out_dir: str | os.PathLike | None = None,
             optimizer_state: bool | None = None) -> Path:
    """Re-export ``<source>/<name>`` (verified first) into ``<out_dir>/<name>``; returns the new folder.

    ``optimizer_state=False`` leaves the optimizers' state out of ``model.keras`` (default: as the
    source card says)."""
    import keras

    import zoo.families  # noqa: F401  (registers the families with Keras)

    source = Path(source) if source is not None else REPO_EXPORTS
    folder = source / check_name(name)
    card = ModelCard.read(folder)
    if not card.trained:
        raise ValueError(f"{folder} is recipe-only: there is no model.keras to re-export. Received: name={name!r}")
    verify(folder, card)
    model = keras.saving.load_model(folder / MODEL_FILE, safe_mode=True)
    fields = {key: getattr(card, key) for key in CARRIED}
    if optimizer_state is not None:
        fields["optimizer_state"] = optimizer_state
    out_dir = Path(out_dir) if out_dir is not None else source
    if card.family == "classifier":  # a plain Keras model: the protocols' feature network
        from zoo.classifiers import export_classifier

        return export_classifier(model, name=card.name, dataset=card.dataset, description=card.description,
                                 metrics=card.metrics, out_dir=out_dir, recipe=card.recipe, steps=card.steps)
    return export(model, name, dataset=card.dataset, out_dir=out_dir, data_kind=card.data_kind, **fields)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m zoo.exports.reexport", description=__doc__.split("\n")[0])
    parser.add_argument("names", nargs="*", help="export names (default with --all: every trained one)")
    parser.add_argument("--all", action="store_true", help="every trained export in --source")
    parser.add_argument("--source", default=None, help="folder of the exports to read (default: the repository's exports/)")
    parser.add_argument("--out", default=None, help="folder to write into (default: --source, in place)")
    parser.add_argument("--no-optimizer-state", action="store_true",
                        help="leave the optimizers' state out of model.keras (a third of its size with Adam)")
    args = parser.parse_args(argv)
    source = Path(args.source) if args.source else REPO_EXPORTS
    names = list(args.names)
    if args.all:
        names += [p.name for p in sorted(source.iterdir())
                  if (p / "card.json").exists() and ModelCard.read(p).trained and p.name not in names]
    if not names:
        parser.error("name at least one export, or pass --all")
    for name in names:
        before = (source / name / MODEL_FILE).stat().st_size
        path = reexport(name, source, args.out, optimizer_state=False if args.no_optimizer_state else None)
        after = (path / MODEL_FILE).stat().st_size
        runtimes = ModelCard.read(path).runtimes
        print(f"{name}: re-exported to {path} (model.keras {before:,} -> {after:,} bytes; tflite: "
              f"{', '.join(runtimes.get('tflite', []))})", flush=True)
    return 0


if __name__ == "__main__":
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    sys.exit(main())
