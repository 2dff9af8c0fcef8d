"""The ``zoo`` command: list, info, sample, eval.

    zoo list 'gan*'                      registered names (``--pretrained`` for trained ones)
    zoo info gan-ring8                   the model card
    zoo sample gan-ring8 -n 2500 -o ring8.png [--seed 0] [--npy samples.npy]
    zoo sample dcgan-digits --interpolate [--steps 8 --method slerp]   latent walks (DCGAN §6.1)
    zoo eval dcgan-digits [--seeds 5] [--write]   the protocol of its data (docs/protocols.md) on an export

TensorFlow is imported only by commands that run a model, so ``zoo --help`` and
``zoo list`` answer at once.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import warnings
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


def _import_tensorflow() -> None:
    from zoo.quiet import import_tensorflow

    import_tensorflow()


IMAGE_SUFFIXES = (".png", ".pdf", ".svg")  # what matplotlib writes without extra packages


def _expand(text: str, option: str) -> Path:
    """``text`` with ``~`` expanded; an unknown user (``~nosuchuser/x``) is a usage error, not a traceback."""
    try:
        return Path(text).expanduser()
    except RuntimeError:  # pathlib: "Could not determine home directory."
        raise ValueError(f"{option}: cannot expand {text.split('/')[0]!r}: no such user or home folder. "
                         f"Received: {option} {text}") from None


def _output_path(text: str, suffix: str, option: str, allowed=None) -> Path:
    """The file that will actually be written for ``text`` (``suffix`` added when it has none, as
    matplotlib and NumPy do), checked before any work: not a folder, a suffix in ``allowed``
    (default: ``suffix`` only), and a folder that exists and that we may write into."""
    allowed = allowed or (suffix,)
    path = _expand(text, option)
    if path.is_dir():
        raise ValueError(f"{option} must name a file, not a folder. Received: {option} {text}")
    if not path.suffix:
        path = path.with_suffix(suffix)
    if path.suffix.lower() not in allowed:
        raise ValueError(f"{option} must name a {' or '.join(allowed)} file. Received: {option} {text}")
    if path.is_dir():
        raise ValueError(f"{option} would write {path}, which is a folder. Received: {option} {text}")
    if not path.parent.is_dir():
        raise ValueError(f"{option}: the folder {path.parent} does not exist; create it first. Received: {option} {text}")
    if not (os.access(path, os.W_OK) if path.exists() else _can_create_in(path.parent)):
        raise ValueError(f"{option}: cannot write {path} (permission denied); choose another folder. "
                         f"Received: {option} {text}")
    return path


def _can_create_in(folder: Path) -> bool:
    """Whether a file can be created in ``folder``, tried for real: permission bits say nothing
    of read-only mounts, nor of what root may do."""
    try:
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".zoo-write-check-"):
            return True
    except OSError:
        return False


def _model_argument(text: str) -> str:
    """A registered name as is; a folder path starting with ``~`` expanded here (see :func:`_expand`)."""
    return str(_expand(text, "NAME")) if text.startswith("~") else text


def _version() -> str:
    from zoo import __version__

    return __version__


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="zoo", description="Generative models with pretrained exports.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
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
    p.add_argument("-o", "--output", default="samples.png", help="image to write (.png, .pdf or .svg)")
    p.add_argument("--npy", default=None, help="also save the samples as a .npy array (a new file beside the image)")
    p.add_argument("--label", type=int, default=None, help="conditional exports: draw only this class")
    p.add_argument("--interpolate", action="store_true",
                   help="image exports: a grid of latent walks, one row per pair of codes (-n rows, default 8)")
    p.add_argument("--steps", type=_positive_int, default=8, help="--interpolate: images per row (default 8)")
    p.add_argument("--method", choices=("slerp", "linear"), default="slerp",
                   help="--interpolate: great circle (default) or straight line between the codes")
    p.set_defaults(run=cmd_sample)

    p = commands.add_parser("eval", help="measure an export by its data's protocol (mixtures: modes; images: FID, KID...)")
    p.add_argument("name", help="registered name or export folder of a model of ring8, grid25, digits or Fashion-MNIST")
    p.add_argument("--seeds", type=_positive_int, default=5,
                   help="sampling seeds (default 5): 2,500 samples each on a mixture, 10,000 on images")
    p.add_argument("--card", action="store_true",
                   help="judge the metrics the card records (the recipe's training seeds) against the bar; measure nothing")
    p.add_argument("--keras", action="store_true",
                   help="images: sample the Keras model saved beside the SavedModel (model.keras, the same weights; "
                        "PixelCNN draws 28×28 images many times faster there)")
    p.add_argument("--write", action="store_true",
                   help="put the status (images: and the metrics) into the card, re-verifying its sha256 manifest")
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
        if card.status:
            status += f", {card.status.split(':')[0]}"
        print(f"{name:<{width}}  {card.family:<10} {card.dataset:<10} {status}")
    return 0


def _format_metric(value) -> str:
    if isinstance(value, dict) and "mean" in value:
        return f"{value['mean']:.3f} ± {value['se']:.3f}"
    return str(value)


def cmd_info(args) -> int:
    """The model card as a person reads it: the text of the export's README.md (``--json``: the card)."""
    from zoo.exports.card import render_readme
    from zoo.registry import info

    card = info(args.name)
    print(card.to_json() if args.json else render_readme(card), end="")
    return 0


def cmd_sample(args) -> int:
    args.output = _output_path(args.output, ".png", "-o/--output", IMAGE_SUFFIXES)
    args.npy = _output_path(args.npy, ".npy", "--npy") if args.npy else None
    if args.npy and args.npy.resolve() == args.output.resolve():
        raise ValueError(f"-o and --npy name the same file; give them two names. Received: {args.npy}")
    args.name = _model_argument(args.name)
    _import_tensorflow()
    from zoo.exports import load
    from zoo.exports.pretrained import BelowProtocolWarning
    from zoo.plotting import samples_png

    with warnings.catch_warnings(record=True) as caught:  # a status is a note here, not a traceback line
        warnings.simplefilter("always", BelowProtocolWarning)
        model = load(args.name)
    for warning in caught:
        print(f"zoo sample: note: {warning.message}", file=sys.stderr)
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
        _save_npy(args.npy, samples)
    print(f"wrote {n} samples of {card.name} to {args.output}" + (f" and {args.npy}" if args.npy else ""))
    return 0


def _save_npy(path: Path, array) -> None:
    """``np.save`` into exactly ``path`` (given a name, NumPy would append ``.npy`` on its own)."""
    import numpy as np

    with open(path, "wb") as f:
        np.save(f, array)


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
        _save_npy(args.npy, images)
    print(f"wrote a {rows}×{args.steps} {args.method} interpolation grid of {card.name} to {args.output}"
          + (f" and {args.npy}" if args.npy else ""))
    return 0


# The image protocols `zoo eval` knows: dataset -> module with PROTOCOL, evaluate_export, baselines.
EVAL_PROTOCOLS = {"digits": "zoo.metrics.digits", "fashion_mnist": "zoo.metrics.fashion_mnist",
                  "binarized_fashion_mnist": "zoo.metrics.fashion_mnist"}

# The minimal bar every shipped export meets, or its card says "below protocol" (docs/protocols.md).
MIXTURE_MODES = {"ring8": 8, "grid25": 25}
MIXTURE_SAMPLES = 2_500  # the mixtures protocol's sample count (VEEGAN, PacGAN)
MIN_HIGH_QUALITY = 10.0  # % of samples within 3σ of their nearest mean
MAX_DIGITS_FID = 10.0  # a third of a Gaussian fitted to the train split (29.8)


def below_bar(dataset: str, summary: dict, source: str, baselines: dict | None = None) -> str | None:
    """``"below protocol: <numbers> ..."`` when ``summary`` misses the minimal bar of ``dataset``:
    half the modes and 10 % high-quality samples on a mixture, FID ≤ 10 on digits, all 10
    classes and an FID below the fitted Gaussian's (``baselines``) on Fashion-MNIST; else None."""
    if dataset in MIXTURE_MODES:
        total, modes, high = MIXTURE_MODES[dataset], summary["modes"]["mean"], summary["high_quality"]["mean"]
        if modes >= total / 2 and high >= MIN_HIGH_QUALITY:
            return None
        measured = f"{modes:.1f}/{total} modes, {high:.2f} % high-quality samples"
        bar = f"at least {total / 2:g} modes and {MIN_HIGH_QUALITY:g} %"
    elif dataset == "digits" and "fid" in summary:
        if summary["fid"]["mean"] <= MAX_DIGITS_FID:
            return None
        measured, bar = f"FID {summary['fid']['mean']:.2f}", f"FID at most {MAX_DIGITS_FID:g}"
    elif dataset in ("fashion_mnist", "binarized_fashion_mnist") and "fid" in summary and baselines:
        fid, classes, gaussian = summary["fid"]["mean"], summary["class_coverage"]["mean"], baselines["gaussian"]["fid"]
        if fid < gaussian and classes == 10:
            return None
        measured = f"FID {fid:.1f}, {classes:g} classes"
        bar = f"all 10 classes and an FID below the fitted Gaussian's {gaussian:.1f}"
    else:
        return None
    return f"below protocol: {measured} (the bar: {bar}; {source})"


def with_protocol(text: str | None, added: str) -> str:
    """A card's protocol text once ``added``'s metrics join it: a likelihood card gains
    ``"; samples: <added>"``; a card that names ``added`` already, or has none, is ``added``'s."""
    if not text or added in text:
        return text or added
    return f"{text}; samples: {added}"


def evaluate_mixture_export(name, seeds: int) -> dict:
    """Mode coverage of the export itself: ``MIXTURE_SAMPLES`` samples for each of ``seeds`` sampling seeds."""
    from zoo.exports import load
    from zoo.metrics.digits import EVAL_SEED
    from zoo.metrics.mixtures import mode_coverage, summarize

    model = load(name)
    sample_seeds = [EVAL_SEED + s for s in range(seeds)]
    runs = [mode_coverage(model.sample(MIXTURE_SAMPLES, seed=s), model.card.dataset) for s in sample_seeds]
    return summarize(runs)


def cmd_eval(args) -> int:
    import importlib

    from zoo.registry import CARD_FILE, locate

    args.name = _model_argument(args.name)
    folder, card = locate(args.name)
    known = sorted([*EVAL_PROTOCOLS, *MIXTURE_MODES])
    if not args.card and card.dataset not in known:
        raise ValueError(f"zoo eval measures exports of {', '.join(known)} by their protocols; {card.name!r} is "
                         f"trained on {card.dataset!r}. Received: name={args.name!r}")
    if args.keras and (args.card or card.dataset in MIXTURE_MODES):
        refused = "--card" if args.card else f"a 2-D mixture model ({card.name!r}, measured through its export)"
        raise ValueError(f"--keras samples the Keras model for an image protocol, not with {refused}. Received: "
                         f"--keras {'--card ' if args.card else ''}{args.name}")
    _import_tensorflow()
    from zoo.exports import update_card

    source = f"zoo eval {card.name} --seeds {args.seeds}{' --keras' if args.keras else ''}, the shipped weights"
    baselines = None
    if args.card:  # the card's own numbers, from the recipe's training seeds; the shipped weights are the first
        summary, metrics = card.metrics, None
        source = f"the card's metrics, {card.metrics.get('seeds', '?')} training seeds; zoo eval {card.name} --card"
        for key, value in summary.items():
            if isinstance(value, dict):
                print(f"{key:<20}{_format_metric(value):>32}")
    elif card.dataset in MIXTURE_MODES:
        summary = evaluate_mixture_export(args.name, args.seeds)
        print(f"the mixtures protocol: {MIXTURE_SAMPLES:,} samples of the export per sampling seed")
        for key, value in summary.items():
            print(f"{key:<20}{_format_metric(value):>32}")
        metrics = None  # the card's metrics are those of the recipe's training seeds: kept
    else:
        protocol = importlib.import_module(EVAL_PROTOCOLS[card.dataset])
        summary = protocol.evaluate_export(args.name, seeds=args.seeds, **({"keras_model": True} if args.keras else {}))
        baselines = protocol.baselines()
        print(protocol.PROTOCOL)
        print(f"{'metric':<20}{args.name + f' ({args.seeds} seeds)':>32}" + "".join(f"{row:>14}" for row in baselines))
        for key, value in summary.items():
            print(f"{key:<20}{_format_metric(value):>32}"
                  + "".join(f"{row[key]:>14.3f}" if key in row else f"{'-':>14}" for row in baselines.values()))
        metrics = {**card.metrics, **summary}  # the other metrics of the card (e.g. the training seeds') are kept
        metrics["protocol"] = with_protocol(card.metrics.get("protocol"), protocol.PROTOCOL)
    status = below_bar(card.dataset, summary, source, baselines)
    print(status or "meets the minimal bar of its data")
    if args.write:
        update_card(folder, status=status, **({"metrics": metrics} if metrics is not None else {}))
        print(f"{'metrics and status' if metrics is not None else 'status'} written to {folder / CARD_FILE}")
    return 0


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code = args.run(args)
        sys.stdout.flush()  # inside the try: a reader that left shows up here, not at exit
        return code
    except (LookupError, ValueError, TypeError, FileNotFoundError) as e:
        message = e.args[0] if isinstance(e, LookupError) and e.args else e
        print(f"zoo {args.command}: error: {message}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # `zoo list | head -1`: the reader left; say nothing more (Python docs, "SIGPIPE")
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


if __name__ == "__main__":
    sys.exit(main())
