"""Train a registered recipe, measure it over seeds, and write its export.

    python -m recipes.train gan-ring8                 # 5 seeds, export seed 0 into runs/exports/gan-ring8
    python -m recipes.train gan-ring8 --seeds 1 --steps 200 --out /tmp/exports
    python -m recipes.train gan-ring8 --strategy mirrored          # all local GPUs
    python -m recipes.train gan-ring8 --run-dir runs/r8 --resume   # continue after a crash
    python -m recipes.train --list                    # every recipe, and whether its export is trained
    python -m recipes.train --write-cards             # card.json of every recipe without weights

Each seed trains from scratch; the card reports each metric as mean ± standard error over
the seeds, and the export holds the model of the first seed (``--seed``).

The run folder (``--run-dir``, default ``runs/<name>/<date-time>``) holds, per seed::

    seed-<k>/backup/       BackupAndRestore state of the last finished epoch (until the seed ends)
    seed-<k>/logs/         TensorBoard: loss scalars per epoch, sample images
    seed-<k>/samples/      epoch-NNNN.png, a sample grid (or scatter) per epoch
    seed-<k>/model.keras   the trained model, written before it is measured
    seed-<k>/metrics.json  its measures, written last: the seed is done

``--resume`` continues the run in ``--run-dir`` (or the latest under ``runs/<name>/``):
finished seeds are not retrained, a trained seed whose evaluation failed is evaluated again,
an interrupted seed restarts from its last epoch and, under ``--deterministic``, ends with the
weights an uninterrupted run would have.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import math
import os
import sys
import time
from pathlib import Path

MAX_STEPS_PER_EPOCH = 1000
RUNS = Path("runs")
USER_EXPORTS = RUNS / "exports"  # the shipped exports/ is written only when asked: --out exports


def export_dir(out=None) -> Path:
    """Where a trained export goes: ``--out``, else ``$ZOO_EXPORTS``, else ``runs/exports``; never the
    repository's shipped ``exports/`` unless ``--out`` names it."""
    if out:
        return Path(out).expanduser()
    variable = os.environ.get("ZOO_EXPORTS", "").strip()
    return Path(variable).expanduser() if variable else USER_EXPORTS


def parse_args(argv=None):
    """The driver's arguments; imports no TensorFlow (``--help`` and ``--list`` answer at once)."""
    from zoo.distribute import STRATEGIES

    parser = argparse.ArgumentParser(prog="python -m recipes.train", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("name", nargs="?", help="registered recipe name, e.g. gan-ring8 (--list shows them)")
    parser.add_argument("--list", action="store_true", help="list the recipes and whether each export is trained")
    parser.add_argument("--write-cards", action="store_true",
                        help="(re)write the card.json of every recipe without weights (or of NAME) into "
                             "--out (default exports/); trained exports are never touched")
    parser.add_argument("--seed", type=int, default=0, help="first training seed (its model is exported)")
    parser.add_argument("--seeds", type=int, default=None,
                        help="independent runs measured for the card (default: the recipe's, 5)")
    parser.add_argument("--steps", type=int, default=None, help="training steps (default: the recipe's)")
    parser.add_argument("--steps-per-epoch", type=int, default=None,
                        help=f"steps between backups, sample grids and log lines (default: at most {MAX_STEPS_PER_EPOCH})")
    parser.add_argument("--batch-size", type=int, default=None, help="global batch size (split across replicas)")
    parser.add_argument("--strategy", default="auto", choices=STRATEGIES,
                        help="tf.distribute strategy (default auto: what the machine has; "
                             "multiworker reads the workers from TF_CONFIG)")
    parser.add_argument("--run-dir", default=None,
                        help="run folder: backups, TensorBoard logs, sample grids (default runs/<name>/<date-time>)")
    parser.add_argument("--resume", action="store_true",
                        help="continue the run in --run-dir (default: the latest under runs/<name>/)")
    parser.add_argument("--deterministic", action="store_true",
                        help="enable TensorFlow op determinism (bit-identical reruns, slower on GPU)")
    parser.add_argument("--out", default=None,
                        help="parent folder of the export (default: $ZOO_EXPORTS, else runs/exports; "
                             "`--out exports` replaces the shipped export, for maintainers)")
    parser.add_argument("--no-export", action="store_true", help="train and measure only")
    parser.add_argument("--into-card", action="store_true",
                        help="instead of exporting, put the seeds' metrics and wall time into the card of the "
                             "export in --out, whose weights must be those of --seed (checked): more training "
                             "seeds for a shipped export without replacing its weights (a one-seed export whose run "
                             "folder is gone starts a new --run-dir as its seed)")
    parser.add_argument("--threads", type=int, default=None,
                        help="CPU threads TensorFlow may use (default: all). The 2-D recipes' small networks gain "
                             "little from a second thread: on a 2-core machine, two recipes with --threads 1 "
                             "each finish sooner than one after the other")
    parser.add_argument("--verbose", type=int, default=None, help="Keras fit verbosity (default: bar on a terminal)")
    args = parser.parse_args(argv)
    if args.name is None and not (args.list or args.write_cards):
        parser.error("a recipe name is required (python -m recipes.train --list shows them). Received: no NAME")
    return args


def list_recipes(exports_dir=None) -> str:
    """One line per recipe: name, family, dataset, steps, batch size, seeds, trained or recipe-only."""
    from recipes import RECIPES
    from recipes.base import is_trained

    rows = [(r.name, r.family or "-", r.dataset, str(r.steps), str(r.batch_size), str(r.seeds),
             "trained" if is_trained(r.name, exports_dir) else "recipe only") for r in RECIPES.values()]
    header = ("name", "family", "dataset", "steps", "batch", "seeds", "export")
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    return "\n".join("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip()
                     for row in [header, *sorted(rows)])


def epoch_plan(steps: int, steps_per_epoch: int | None = None) -> tuple[int, int]:
    """``(epochs, steps_per_epoch)`` covering ``steps``: epochs of at most 1,000 steps by default."""
    if steps < 1:
        raise SystemExit(f"error: --steps must be at least 1. Received: --steps {steps}")
    if steps_per_epoch is None:
        fewest = math.ceil(steps / MAX_STEPS_PER_EPOCH)
        for epochs in range(fewest, 4 * fewest + 1):  # equal epochs of 250..1,000 steps
            if steps % epochs == 0:
                return epochs, steps // epochs
        raise SystemExit(f"error: {steps} steps do not split into equal epochs of at most "
                         f"{MAX_STEPS_PER_EPOCH} steps; pass --steps-per-epoch. Received: --steps {steps}")
    if steps_per_epoch < 1 or steps % steps_per_epoch:
        raise SystemExit(f"error: --steps-per-epoch must divide --steps {steps}. "
                         f"Received: --steps-per-epoch {steps_per_epoch}")
    return steps // steps_per_epoch, steps_per_epoch


@dataclasses.dataclass(frozen=True)
class Plan:
    """How a run lays out its steps: every number ``fit`` is given, worked out in one place.

    ``steps`` = ``epochs`` × ``steps_per_epoch``; each step trains on the global
    ``batch_size``, ``replica_batch_size`` rows on each replica; ``steps_per_execution``
    steps run per call of the compiled train function."""

    steps: int
    epochs: int
    steps_per_epoch: int
    batch_size: int
    replica_batch_size: int
    steps_per_execution: int


def plan_run(steps: int, batch_size: int, strategy, steps_per_epoch: int | None = None,
             steps_per_execution: int | None = None) -> Plan:
    """The :class:`Plan` of ``steps`` steps of ``batch_size`` under ``strategy``.

    Epochs: :func:`epoch_plan`.  Replicas: the global batch must split evenly
    (:func:`zoo.distribute.replica_batch_size`).  Steps per call: ``steps_per_execution`` if
    given (``1``: the step-by-step loop, e.g. to see each step's losses in the progress bar),
    else :func:`default_steps_per_execution`.  The steps, batches and noise are those of one
    step per call whatever the plan: the trajectory does not depend on it.
    """
    from zoo.distribute import replica_batch_size

    epochs, steps_per_epoch = epoch_plan(steps, steps_per_epoch)
    return Plan(steps=steps, epochs=epochs, steps_per_epoch=steps_per_epoch, batch_size=batch_size,
                replica_batch_size=replica_batch_size(batch_size, strategy),
                steps_per_execution=steps_per_execution or default_steps_per_execution(strategy, steps_per_epoch))


def default_steps_per_execution(strategy, steps_per_epoch: int) -> int:
    """Train steps per call of the compiled train function under ``strategy``.

    On one device a whole epoch (the recipes' fast path): Keras runs the steps in a
    ``tf.while_loop``, so no Python runs between them, and every callback works at epoch
    granularity.  Small models, where per-step overhead sets the speed, gain most
    (``benchmarks/train_throughput.py``).  Under ``MirroredStrategy`` and
    ``MultiWorkerMirroredStrategy`` (and, untested, ``TPUStrategy``) one step per call: there
    Keras 3.15's multi-step loop around a two-optimizer ``train_step`` fails inside the first
    call with ``INVALID_ARGUMENT: You must feed a value for placeholder tensor
    '.../while/cond/Placeholder_3'`` (seen on 2 logical CPUs and on two workers), the failure
    of unbuilt optimizers, back inside the loop's ``tf.cond``.
    """
    import tensorflow as tf

    one_device = isinstance(strategy, tf.distribute.OneDeviceStrategy) or (
        not tf.distribute.has_strategy() and strategy is tf.distribute.get_strategy())
    return steps_per_epoch if one_device else 1


def resolve_run_dir(name: str, run_dir: str | None, resume: bool) -> Path:
    """The run folder: given, the latest of ``runs/<name>/`` (``--resume``), or a new one."""
    if run_dir is not None:
        folder = Path(run_dir)
        if not resume and folder.exists() and any(folder.glob("seed-*")):
            raise SystemExit(
                f"error: the run folder {folder} already holds a run. Pass --resume to continue it, "
                f"or choose another --run-dir (or delete {folder})."
            )
        return folder
    previous = sorted(p for p in (RUNS / name).glob("*") if p.is_dir()) if resume else []
    if previous:
        return previous[-1]
    return RUNS / name / time.strftime("%Y%m%d-%H%M%S")


def check_run_settings(run_dir: Path, args):
    """Record what the run trains (``run.json``); a resume must train the same thing, or its
    backups (counted in epochs) would continue a different schedule."""
    _, steps_per_epoch = epoch_plan(args.steps, args.steps_per_epoch)
    settings = {"name": args.name, "steps": args.steps, "steps_per_epoch": steps_per_epoch,
                "batch_size": args.batch_size}
    path = run_dir / "run.json"
    if path.exists():
        recorded = json.loads(path.read_text())
        changed = {k: (recorded.get(k), v) for k, v in settings.items() if recorded.get(k) != v}
        if changed:
            raise SystemExit(
                f"error: the run in {run_dir} was started with other settings; resume it with the same ones "
                "or choose another --run-dir. Received: "
                + ", ".join(f"{k}={new!r} (run: {old!r})" for k, (old, new) in changed.items())
            )
    else:
        _write_atomic(path, json.dumps(settings))


def set_threads(threads: int):
    """Let TensorFlow use ``threads`` CPU threads, within and across ops."""
    import tensorflow as tf

    if threads < 1:
        raise SystemExit(f"error: --threads must be at least 1. Received: --threads {threads}")
    tf.config.threading.set_intra_op_parallelism_threads(threads)
    tf.config.threading.set_inter_op_parallelism_threads(threads)


def _write_atomic(path: Path, text: str):
    partial = path.with_name(path.name + ".partial")
    partial.write_text(text)
    os.replace(partial, path)


def train_one(recipe, seed, steps, batch_size, verbose, *, chief=True, **fit_options):
    """Build, fit and evaluate one seeded run; return (model, metrics).  ``fit_options``: those of
    :func:`fit_one`."""
    model = fit_one(recipe, seed, steps, batch_size, verbose, chief=chief, **fit_options)
    return model, evaluate_one(recipe, model, seed, chief)


def evaluate_one(recipe, model, seed, chief=True) -> dict:
    """The recipe's metrics of a trained model (the chief's; ``{}`` without an evaluation)."""
    return recipe.evaluate(model, seed) if recipe.evaluate and chief else {}


def fit_one(recipe, seed, steps, batch_size, verbose, *, strategy=None, run_dir=None,
            steps_per_epoch=None, chief=True, callbacks=(), steps_per_execution=None):
    """Build and fit one seeded run; return the model.

    With ``run_dir`` the run is backed up each epoch (and restored from its last backup),
    logs to TensorBoard and draws a sample grid per epoch (the chief only).  ``callbacks``
    are added to those.

    Epochs, replica batches and steps per compiled call come from :func:`plan_run`: a whole
    epoch per call on one device, one step per call under a distribution strategy;
    ``steps_per_execution`` overrides it.
    """
    import keras
    import tensorflow as tf

    from zoo.callbacks import BackupAndRestore, NonFiniteGuard, SampleGrid, read_backup
    from zoo.distribute import prepare_dataset

    strategy = strategy or tf.distribute.get_strategy()
    plan = plan_run(steps, batch_size, strategy, steps_per_epoch, steps_per_execution)
    with strategy.scope():
        model = recipe.build(seed)
    family = getattr(model, "FAMILY", type(model).__name__.lower())
    dataset = recipe.data(batch_size, seed)
    callbacks = [NonFiniteGuard(f"{family} ({recipe.name}, seed {seed})"), *callbacks]
    initial_epoch = 0
    if run_dir is not None:
        run_dir = Path(run_dir)
        backup = read_backup(run_dir / "backup")
        if backup is not None:
            # The model's state comes back through BackupAndRestore; the data stream is
            # advanced past the batches already trained on, so the run continues exactly.
            print(f"[{recipe.name}] seed {seed}: resuming after epoch {backup['epoch']}/{plan.epochs} "
                  f"from {run_dir / 'backup'}", flush=True)
            initial_epoch = backup["epoch"]
            dataset = dataset.skip(initial_epoch * plan.steps_per_epoch)
        callbacks.append(BackupAndRestore(run_dir / "backup"))
        if chief:
            callbacks += [
                keras.callbacks.TensorBoard(os.fspath(run_dir / "logs"), write_graph=False),
                SampleGrid(run_dir / "samples", data_kind=recipe.data_kind, dataset=recipe.dataset,
                           log_dir=run_dir / "logs", title=f"{recipe.name} seed {seed}"),
            ]
    # Read by Keras when fit makes the train function (the model is fresh: none is cached).
    model.steps_per_execution = plan.steps_per_execution
    model.fit(prepare_dataset(dataset, strategy), steps_per_epoch=plan.steps_per_epoch, epochs=plan.epochs,
              initial_epoch=initial_epoch, verbose=verbose, callbacks=callbacks,
              shuffle=False)  # the pipeline shuffles
    return model


def run_seed(recipe, seed, args, strategy, run_dir: Path, chief: bool):
    """One seed in its folder of the run: trained (or resumed), or read back when finished.

    ``model.keras`` is written before the evaluation and ``metrics.json`` after it (the seed's
    commit point): an evaluation that fails loses no training, and ``--resume`` then evaluates
    the saved model without training it again.
    """
    folder = run_dir / f"seed-{seed}"
    done, trained = folder / "metrics.json", folder / "model.keras"
    if args.resume and done.exists():
        print(f"[{recipe.name}] seed {seed}: finished earlier, read from {folder}", flush=True)
        return _load_trained(trained, strategy), json.loads(done.read_text())
    seconds = folder / "seconds.json"
    if args.resume and trained.exists() and seconds.exists():
        print(f"[{recipe.name}] seed {seed}: trained earlier, not yet evaluated: evaluating {trained}", flush=True)
        model, trained_seconds = _load_trained(trained, strategy), json.loads(seconds.read_text())
    else:
        folder.mkdir(parents=True, exist_ok=True)
        start = time.time()
        model = fit_one(recipe, seed, args.steps, args.batch_size, args.verbose, strategy=strategy,
                        run_dir=folder, steps_per_epoch=args.steps_per_epoch, chief=chief)
        trained_seconds = time.time() - start
        partial = folder / "partial.keras"
        model.save(partial)
        os.replace(partial, trained)
        _write_atomic(seconds, json.dumps(trained_seconds))
    start = time.time()
    metrics = evaluate_one(recipe, model, seed, chief)
    # Training and evaluation time of this seed (an interrupted seed counts its last attempt).
    _write_atomic(seconds, json.dumps(trained_seconds + time.time() - start))
    _write_atomic(done, json.dumps(metrics))  # the seed's commit point
    return model, metrics


def _load_trained(path: Path, strategy):
    import keras

    with strategy.scope():
        import zoo.families  # noqa: F401  (registers the families with Keras)

        return keras.saving.load_model(path, safe_mode=True)


def seed_seconds(run_dir: Path, seeds) -> float | None:
    """Seconds the seeds of a run trained and were measured (None if one was not timed)."""
    paths = [run_dir / f"seed-{seed}" / "seconds.json" for seed in seeds]
    if not all(path.exists() for path in paths):
        return None
    return round(sum(json.loads(path.read_text()) for path in paths), 1)


def same_weights(a, b) -> bool:
    """Whether two models hold the same variables with equal values (names and shapes in order)."""
    import numpy as np

    if len(a.weights) != len(b.weights):
        return False
    return all(x.path == y.path and x.shape == y.shape and np.array_equal(np.asarray(x), np.asarray(y))
               for x, y in zip(a.weights, b.weights))


def check_steps(card, folder: Path, steps: int):
    """Refuse a run of other ``steps`` than the export in ``folder`` was trained for."""
    if card.steps != steps:
        raise SystemExit(f"error: the export in {folder} was trained for {card.steps} steps and this run for {steps}: "
                         f"its seeds would not describe the export. Received: --steps {steps}")


def check_into_card(folder: Path, model, steps: int):
    """Refuse ``--into-card`` unless ``folder`` holds an export of ``steps`` steps whose weights
    are ``model``'s (the run's first seed), before any further seed trains."""
    import tensorflow as tf

    from zoo.registry import ModelCard

    if not (folder / "model.keras").is_file():
        raise SystemExit(f"error: --into-card writes into an existing export's card, and {folder} holds no "
                         f"model.keras. Export the run first (without --into-card), or pass the --out that holds it.")
    card = ModelCard.read(folder)
    check_steps(card, folder, steps)
    if not same_weights(_load_trained(folder / "model.keras", tf.distribute.get_strategy()), model):
        raise SystemExit(f"error: the export in {folder} holds other weights than the run's first seed, so the "
                         f"seeds' metrics would describe another model. Resume the run that trained the export "
                         f"(its seed folder under --run-dir) or export this run without --into-card.")


def seed_from_export(folder: Path, seed_folder: Path, steps: int) -> bool:
    """Start ``seed_folder`` from the one-seed export in ``folder`` when the run that trained it
    is gone (another machine, a deleted ``runs/``): its ``model.keras``, the card's metrics of
    that seed and its wall time become the seed's finished files, so ``--into-card`` trains only
    the further seeds.  True if it did; a seed folder that exists is never touched."""
    import shutil

    from zoo.registry import ModelCard

    if seed_folder.exists() or not (folder / "model.keras").is_file():
        return False  # a seed of this run (check_into_card judges it), or no export to start from
    card = ModelCard.read(folder)
    seeds = card.metrics.get("seeds")
    if seeds != 1:
        raise SystemExit(f"error: the card in {folder} reports {seeds} seeds and the run folder holds none of them: "
                         f"only a one-seed export can start a run. Resume the run that measured its seeds "
                         f"(--run-dir).")
    check_steps(card, folder, steps)
    metrics = {key: value["per_seed"][0] for key, value in card.metrics.items()
               if isinstance(value, dict) and "per_seed" in value}
    seed_folder.mkdir(parents=True)
    shutil.copyfile(folder / "model.keras", seed_folder / "model.keras")
    if card.wall_time is not None:
        _write_atomic(seed_folder / "seconds.json", json.dumps(card.wall_time))
    _write_atomic(seed_folder / "metrics.json", json.dumps(metrics))
    print(f"[{card.name}] {seed_folder.name}: started from the export in {folder} (its weights, card metrics and "
          f"wall time)", flush=True)
    return True


def seeds_into_card(folder: Path, metrics: dict, command: str, wall_time) -> Path:
    """Write the metrics of a run's seeds (mean ± se over them) into the card of the export in
    ``folder``, checked by :func:`check_into_card` to hold the run's first seed: the card then
    reports the recipe's spread over training seeds while the shipped weights stay byte for byte.

    The metrics the card has and the run has not (e.g. a through-the-export measurement under
    another name) are kept; the card is replaced atomically (``zoo.exports.update_card``)."""
    from zoo.exports import update_card
    from zoo.registry import ModelCard

    card = ModelCard.read(folder)
    update_card(folder, metrics={**card.metrics, **metrics}, recipe=command, wall_time=wall_time)
    print(f"[{card.name}] the metrics of {metrics.get('seeds', '?')} training seeds written into {folder / 'card.json'}")
    return folder


def main(argv=None):
    args = parse_args(argv)
    out = Path(args.out) if args.out else None
    if args.list:
        print(list_recipes(out))
        return None
    from recipes import get_recipe
    from recipes.base import write_cards

    recipe = get_recipe(args.name) if args.name else None  # an unknown name fails before TF starts
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # keep TF's start-up chatter out of the log
    if args.write_cards:
        try:
            written = write_cards([args.name] if args.name else None, out)
        except ValueError as error:  # a trained export's card is the export's to write
            raise SystemExit(f"error: {error}") from None
        for path in written:
            print(f"wrote {path}")
        return None
    from zoo.distribute import get_strategy, is_chief, resolve_name

    if args.threads is not None:  # before TensorFlow's runtime starts
        set_threads(args.threads)
    # The strategy comes first: multiworker and tpu must start before any other op runs.
    strategy = get_strategy(args.strategy)
    if args.deterministic:
        import tensorflow as tf

        tf.config.experimental.enable_op_determinism()

    if recipe.driver is not None:  # not a generative family (digits-classifier): its own loop
        return recipe.driver(args)
    seeds = recipe.seeds if args.seeds is None else args.seeds
    if seeds < 1:
        raise SystemExit(f"error: --seeds must be at least 1. Received: --seeds {seeds}")
    args.steps = args.steps or recipe.steps
    args.batch_size = args.batch_size or recipe.batch_size
    plan_run(args.steps, args.batch_size, strategy, args.steps_per_epoch)  # fail before training
    if args.verbose is None:
        args.verbose = "auto" if sys.stdout.isatty() else 2
    chief = is_chief()
    run_dir = resolve_run_dir(recipe.name, args.run_dir, args.resume)
    run_dir.mkdir(parents=True, exist_ok=True)
    check_run_settings(run_dir, args)
    print(f"[{recipe.name}] strategy {resolve_name(args.strategy)} ({strategy.num_replicas_in_sync} replica(s)"
          f"{'' if chief else ', non-chief worker'}), run folder {run_dir}", flush=True)

    from zoo import export
    from zoo.metrics import summarize

    if args.into_card:  # a shipped export whose run folder is gone is its first seed
        args.resume |= seed_from_export(export_dir(args.out) / recipe.name, run_dir / f"seed-{args.seed}", args.steps)
    exported, runs = None, []
    for seed in range(args.seed, args.seed + seeds):
        start = time.time()
        print(f"[{recipe.name}] seed {seed}: {args.steps} steps, batch {args.batch_size}", flush=True)
        model, metrics = run_seed(recipe, seed, args, strategy, run_dir, chief)
        print(f"[{recipe.name}] seed {seed}: {json.dumps(metrics)} ({time.time() - start:.0f} s)", flush=True)
        runs.append(metrics)
        if exported is None:
            exported = model
            if args.into_card and chief:
                check_into_card(export_dir(args.out) / recipe.name, model, args.steps)

    card_metrics = {}
    if runs and runs[0]:
        card_metrics = {"protocol": recipe.protocol_text(), "seeds": seeds, **summarize(runs)}
        for key, value in card_metrics.items():
            if isinstance(value, dict):
                print(f"[{recipe.name}] {key}: {value['mean']:.3f} ± {value['se']:.3f} over {seeds} seeds")
    if args.no_export or not chief:  # one export per cluster: the chief's
        return None
    command = recipe.command(seeds) + (f" --steps {args.steps}" if args.steps != recipe.steps else "")
    wall_time = seed_seconds(run_dir, range(args.seed, args.seed + seeds))
    if args.into_card:
        return seeds_into_card(export_dir(args.out) / recipe.name, card_metrics, command, wall_time)
    path = export(
        exported, recipe.name, dataset=recipe.dataset, out_dir=export_dir(args.out),
        data_kind=recipe.data_kind, description=recipe.description, papers=recipe.papers,
        metrics=card_metrics, recipe=command, steps=args.steps, optimizer_state=recipe.optimizer_state,
        wall_time=wall_time,
    )
    print(f"[{recipe.name}] export written to {path}; load it with zoo.load({str(path)!r})")
    return path


if __name__ == "__main__":
    try:
        main()
    except FloatingPointError as error:  # zoo.callbacks.NonFiniteLossError: the message says it all
        sys.exit(f"error: {error}")
