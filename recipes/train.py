"""Train a registered recipe, measure it over seeds, and write its export.

    python -m recipes.train gan-ring8                 # 5 seeds, export seed 0, metrics in the card
    python -m recipes.train gan-ring8 --seeds 1 --steps 200 --out /tmp/exports

Each seed trains from scratch; the card reports each metric as mean ± standard error over
the seeds, and the export holds the model of the first seed (``--seed``).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path


def parse_args(argv=None):
    parser = argparse.ArgumentParser(prog="python -m recipes.train", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("name", help="registered recipe name, e.g. gan-ring8 (`zoo list`)")
    parser.add_argument("--seed", type=int, default=0, help="first training seed (its model is exported)")
    parser.add_argument("--seeds", type=int, default=None,
                        help="independent runs measured for the card (default: the recipe's, 5)")
    parser.add_argument("--steps", type=int, default=None, help="training steps (default: the recipe's)")
    parser.add_argument("--batch-size", type=int, default=None, help="global batch size")
    parser.add_argument("--out", default=None, help="parent folder of the export (default: exports/)")
    parser.add_argument("--no-export", action="store_true", help="train and measure only")
    parser.add_argument("--verbose", type=int, default=None, help="Keras fit verbosity (default: bar on a terminal)")
    return parser.parse_args(argv)


def train_one(recipe, seed, steps, batch_size, verbose):
    """Build, fit and evaluate one seeded run; return (model, metrics)."""
    import keras

    model = recipe.build(seed)
    dataset = recipe.data(batch_size, seed)
    steps_per_epoch = min(steps, 1000)
    epochs = max(1, steps // steps_per_epoch)
    model.fit(dataset, steps_per_epoch=steps_per_epoch, epochs=epochs, verbose=verbose,
              callbacks=[keras.callbacks.TerminateOnNaN()])
    metrics = recipe.evaluate(model, seed) if recipe.evaluate else {}
    return model, metrics


def main(argv=None):
    args = parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # keep TF's start-up chatter out of the log
    from recipes import get_recipe

    recipe = get_recipe(args.name)
    seeds = recipe.seeds if args.seeds is None else args.seeds
    if seeds < 1:
        raise SystemExit(f"error: --seeds must be at least 1. Received: --seeds {seeds}")
    steps = args.steps or recipe.steps
    batch_size = args.batch_size or recipe.batch_size
    verbose = args.verbose if args.verbose is not None else ("auto" if sys.stdout.isatty() else 2)

    from zoo import export
    from zoo.metrics import summarize

    exported, runs = None, []
    for seed in range(args.seed, args.seed + seeds):
        start = time.time()
        print(f"[{recipe.name}] seed {seed}: {steps} steps, batch {batch_size}", flush=True)
        model, metrics = train_one(recipe, seed, steps, batch_size, verbose)
        print(f"[{recipe.name}] seed {seed}: {json.dumps(metrics)} ({time.time() - start:.0f} s)", flush=True)
        runs.append(metrics)
        if exported is None:
            exported = model

    card_metrics = {}
    if runs and runs[0]:
        card_metrics = {"protocol": recipe.protocol, "seeds": seeds, **summarize(runs)}
        for key, value in card_metrics.items():
            if isinstance(value, dict):
                print(f"[{recipe.name}] {key}: {value['mean']:.3f} ± {value['se']:.3f} over {seeds} seeds")
    if args.no_export:
        return None
    command = recipe.command(seeds) + (f" --steps {steps}" if steps != recipe.steps else "")
    path = export(
        exported, recipe.name, dataset=recipe.dataset, out_dir=Path(args.out) if args.out else None,
        data_kind=recipe.data_kind, description=recipe.description, papers=recipe.papers,
        metrics=card_metrics, recipe=command, steps=steps,
    )
    print(f"[{recipe.name}] export written to {path}")
    return path


if __name__ == "__main__":
    main()
