"""The ``zoo`` command: list, info, sample, eval.

    zoo list 'gan*'                      registered names (``--pretrained`` for trained ones)
    zoo info gan-ring8                   the model card
    zoo sample gan-ring8 -n 2500 -o ring8.png [--seed 0] [--npy samples.npy]
    zoo sample dcgan-digits --interpolate [--steps 8 --method slerp]   latent walks (DCGAN §6.1)
    zoo eval dcgan-digits [--seeds 5] [--write]   digits protocol (PROTOCOLS.md §3) on an export

TensorFlow is imported only by commands that run a model, so ``zoo --help`` and
``zoo list`` answer at once.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from pathlib import Path


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {value}")
    return value


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer seed in [0, 2**31), got {text!r}") from None
    if not 0 <= value < 2**31:
        raise argparse.ArgumentTypeError(f"expected an integer seed in [0, 2**31), got {value}")
    return value


@contextlib.contextmanager
def _stderr_silenced():
    """File descriptor 2 to /dev/null: TensorFlow's C++ start-up lines are written before
    ``TF_CPP_MIN_LOG_LEVEL`` takes effect (absl's "before InitializeLog" notice, oneDNN, CUDA)."""
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def _import_tensorflow() -> None:
    """Import TensorFlow quietly unless the user set ``TF_CPP_MIN_LOG_LEVEL`` (then their level holds)."""
    if "TF_CPP_MIN_LOG_LEVEL" in os.environ:
        return
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"  # also hides the cuInit error of the first op on a CPU machine
    with _stderr_silenced():
        import keras  # noqa: F401
        import tensorflow  # noqa: F401


def _output_path(text: str, suffix: str, option: str) -> Path:
    """The file that will actually be written for ``text`` (``suffix`` added when it has none, as
    matplotlib and NumPy do), checked before any work: its folder must exist."""
    path = Path(text).expanduser()
    if not path.suffix:
        path = path.with_suffix(suffix)
    if path.is_dir():
        raise ValueError(f"{option} must name a file, not a folder. Received: {option} {text}")
    if not path.parent.is_dir():
        raise ValueError(f"{option}: the folder {path.parent} does not exist; create it first. Received: {option} {text}")
    return path


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="zoo", description="Generative models with pretrained exports.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = commands.add_parser("list", help="registered model names")
    p.add_argument("pattern", nargs="?", default="*", help="fnmatch pattern, e.g. 'wgan*'")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--pretrained", action="store_true", help="only names with trained weights")
    group.add_argument("--recipe-only", action="store_true", help="only names without trained weights")
    p.set_defaults(run=cmd_list)

    p = commands.add_parser("info", help="show a model card")
    p.add_argument("name")
    p.add_argument("--json", action="store_true", help="the raw card.json")
    p.set_defaults(run=cmd_info)

    p = commands.add_parser("sample", help="draw samples from an export into a PNG")
    p.add_argument("name", help="registered name or export folder")
    p.add_argument("-n", "--num", type=_positive_int, default=None,
                   help="number of samples (default: 2500 for 2-D points, 64 for images)")
    p.add_argument("--seed", type=_seed, default=0, help="sampling seed (same seed, same samples)")
    p.add_argument("-o", "--output", default="samples.png", help="PNG to write")
    p.add_argument("--npy", default=None, help="also save the samples as a .npy array")
    p.add_argument("--label", type=int, default=None, help="conditional exports: draw only this class")
    p.add_argument("--interpolate", action="store_true",
                   help="image exports: a grid of latent walks, one row per pair of codes (-n rows, default 8)")
    p.add_argument("--steps", type=_positive_int, default=8, help="--interpolate: images per row (default 8)")
    p.add_argument("--method", choices=("slerp", "linear"), default="slerp",
                   help="--interpolate: great circle (default) or straight line between the codes")
    p.set_defaults(run=cmd_sample)

    p = commands.add_parser("eval", help="measure a digits export by PROTOCOLS.md §3 (FID, KID, Parzen...)")
    p.add_argument("name", help="registered name or export folder of a model trained on digits")
    p.add_argument("--seeds", type=_positive_int, default=5, help="sampling seeds, 10,000 samples each (default 5)")
    p.add_argument("--write", action="store_true", help="put the metrics into the card (re-verifying its sha256 manifest)")
    p.set_defaults(run=cmd_eval)
    return parser


def cmd_list(args) -> int:
    from zoo.registry import discover

    pretrained = True if args.pretrained else (False if args.recipe_only else None)
    cards = discover(args.pattern, pretrained=pretrained)
    if not cards:
        print(f"no registered model matches {args.pattern!r}", file=sys.stderr)
        return 1
    width = max(len(n) for n in cards)
    for name, (_, card) in cards.items():
        status = "trained" if card.trained else "recipe only"
        print(f"{name:<{width}}  {card.family:<10} {card.dataset:<10} {status}")
    return 0


def _format_metric(value) -> str:
    if isinstance(value, dict) and "mean" in value:
        return f"{value['mean']:.3f} ± {value['se']:.3f}"
    return str(value)


def cmd_info(args) -> int:
    from zoo.registry import info

    card = info(args.name)
    if args.json:
        print(card.to_json(), end="")
        return 0
    rows = [
        ("name", card.name), ("family", card.family), ("dataset", card.dataset),
        ("description", card.description), ("trained", "yes" if card.trained else "no (recipe only)"),
        ("data shape", card.data_shape), ("latent", f"{card.latent_dim}-d {card.latent_distribution}"),
        ("output range", card.output_range or "unbounded"), ("conditioning", card.conditioning or "none"),
        ("signatures", ", ".join(card.signatures)), ("parameters", f"{card.parameters:,}"),
        ("steps trained", card.steps), ("recipe", card.recipe), ("papers", "; ".join(card.papers)),
    ]
    for key, value in rows:
        print(f"{key:>14}: {value}")
    if card.metrics:
        print(f"{'metrics':>14}: {card.metrics.get('protocol', '')}"
              + (f", {card.metrics['seeds']} seeds (mean ± s.e.)" if "seeds" in card.metrics else ""))
        for key, value in card.metrics.items():
            if key not in ("protocol", "seeds", "command"):
                print(f"{'':>16}{key}: {_format_metric(value)}")
    return 0


def cmd_sample(args) -> int:
    args.output = _output_path(args.output, ".png", "-o/--output")
    args.npy = _output_path(args.npy, ".npy", "--npy") if args.npy else None
    _import_tensorflow()
    import numpy as np

    from zoo.exports import load
    from zoo.plotting import samples_png

    model = load(args.name)
    card = model.card
    if args.interpolate:
        return _interpolation_grid(model, args)
    n = args.num or (2500 if card.data_kind == "points" else 64)
    samples = model.sample(n, seed=args.seed, **({"labels": args.label} if args.label is not None else {}))
    title = f"{card.name}: {n} samples, seed {args.seed}"
    if card.data_kind == "points" and card.dataset in ("ring8", "grid25"):
        from zoo.metrics import mode_coverage

        cov = mode_coverage(samples, card.dataset)
        total = 8 if card.dataset == "ring8" else 25
        title += f"\n{cov['modes']}/{total} modes, {cov['high_quality']:.1f}% high quality"
        print(json.dumps(cov))
    samples_png(samples, args.output, card, title=title)
    if args.npy:
        np.save(args.npy, samples)
    print(f"wrote {n} samples of {card.name} to {args.output}" + (f" and {args.npy}" if args.npy else ""))
    return 0


def _interpolation_grid(model, args) -> int:
    """DCGAN §6.1 "walking in the latent space": row i goes from code a_i to code b_i."""
    from zoo.plotting import grid_png

    card = model.card
    if card.data_kind != "images":
        raise SystemExit(f"error: --interpolate draws image grids; {card.name!r} generates {card.data_kind}.")
    if args.steps < 2:
        raise SystemExit(f"error: --steps must be at least 2 (both ends are drawn). Received: --steps {args.steps}")
    rows = args.num or 8
    codes = model.latent(2 * rows, seed=args.seed)
    labels = None
    if model.num_classes:  # one class per row, held along it
        labels = [args.label] * rows if args.label is not None else [i % model.num_classes for i in range(rows)]
    images = model.interpolate(codes[:rows], codes[rows:], steps=args.steps, method=args.method, labels=labels)
    grid_png(images.reshape(rows * args.steps, *images.shape[2:]), args.output, ncols=args.steps,
             title=f"{card.name}: {args.method} interpolation, {rows} rows, seed {args.seed}")
    if args.npy:
        import numpy as np

        np.save(args.npy, images)
    print(f"wrote a {rows}×{args.steps} {args.method} interpolation grid of {card.name} to {args.output}"
          + (f" and {args.npy}" if args.npy else ""))
    return 0


# The image protocols `zoo eval` knows: dataset -> module with PROTOCOL, evaluate_export, baselines.
EVAL_PROTOCOLS = {"digits": "zoo.metrics.digits", "fashion_mnist": "zoo.metrics.fashion_mnist"}


def cmd_eval(args) -> int:
    import importlib

    from zoo.registry import CARD_FILE, locate

    folder, card = locate(args.name)
    if card.dataset not in EVAL_PROTOCOLS:
        raise ValueError(f"zoo eval measures exports of {', '.join(sorted(EVAL_PROTOCOLS))} by their protocols; "
                         f"{card.name!r} is trained on {card.dataset!r} (the mixtures are measured by "
                         f"zoo.metrics.mode_coverage). Received: name={args.name!r}")
    _import_tensorflow()
    from zoo.exports import update_card

    protocol = importlib.import_module(EVAL_PROTOCOLS[card.dataset])
    summary = protocol.evaluate_export(args.name, seeds=args.seeds)
    baselines = protocol.baselines()
    print(protocol.PROTOCOL)
    print(f"{'metric':<20}{args.name + f' ({args.seeds} seeds)':>32}" + "".join(f"{row:>14}" for row in baselines))
    for key, value in summary.items():
        print(f"{key:<20}{_format_metric(value):>32}"
              + "".join(f"{row[key]:>14.3f}" if key in row else f"{'-':>14}" for row in baselines.values()))
    if args.write:  # the other metrics of the card (e.g. the training seeds') are kept
        metrics = {**card.metrics, **summary}
        metrics.setdefault("protocol", protocol.PROTOCOL)
        update_card(folder, metrics=metrics)
        print(f"metrics written to {folder / CARD_FILE}")
    return 0


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except (LookupError, ValueError, TypeError, FileNotFoundError) as e:
        message = e.args[0] if isinstance(e, LookupError) and e.args else e
        print(f"zoo {args.command}: error: {message}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
