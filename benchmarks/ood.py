"""Fashion-MNIST likelihood models on MNIST digits: the finding of Nalisnick et al. 2019 and the
typicality test that corrects it (zoo.metrics.ood, docs/ood.md).

    python benchmarks/ood.py pixelcnn-fashion-mnist -o docs/ood-pixelcnn-fashion-mnist.png
    python benchmarks/ood.py realnvp-fashion-mnist maf-fashion-mnist -o 'docs/ood-{name}.png'
    python benchmarks/ood.py pixelcnn-fashion-mnist --write    # also store Ĥ in the export's card
    python benchmarks/ood.py pixelcnn-fashion-mnist -o docs/ood-pixelcnn-fashion-mnist.png --docs   # into docs/ood.md

For each export with a ``log_prob``: mean bits/dim on a fixed subset of Fashion-MNIST train
(``--train-images``, 10,000 by default), on the 10,000 Fashion-MNIST test images and on the
MNIST digits (``zoo.data.mnist``: Keras's cache, or ``python -m zoo.data.mnist --fetch``); the
AUROC of log p as an in-distribution score (Fashion test positive, MNIST negative); the AUROC
of the typicality test, ``-ood_score``, for single images (M = 1) and batches of M = 10; and
the histograms of bits/dim of the three sets as a PNG.  ``--write`` stores the typicality
statistics (Ĥ = the mean -log_prob of the train subset, its spread and the subset's size) in
the card, where ``zoo.load(name).ood_score(x)`` reads them.
"""
from __future__ import annotations

import argparse
import math
import sys
import time

def measure(name: str, sets: dict) -> dict:
    """The table's numbers for the export ``name`` (``zoo.metrics.ood.ood_summary``), with its card."""
    import zoo
    from zoo.metrics.ood import export_log_density, ood_summary

    model = zoo.load(name)
    if "log_prob" not in model.card.signatures:
        raise ValueError(f"{name!r} ({model.card.family}) serves no log_prob: the out-of-distribution test needs "
                         f"a likelihood export (pixelcnn, realnvp, maf). Received: name={name!r}")
    if tuple(model.card.data_shape) != (28, 28, 1):
        raise ValueError(f"{name!r} models {model.card.data_shape} images; the test compares 28×28 Fashion-MNIST "
                         f"with MNIST. Received: name={name!r}")
    start = time.perf_counter()
    nll = {key: -export_log_density(model, x) for key, x in sets.items()}
    summary = ood_summary(nll, math.prod(model.card.data_shape))
    summary["seconds"] = time.perf_counter() - start
    return {"model": model, "nll": nll, "summary": summary}


def table(results: dict) -> str:
    """The markdown table, one column per export."""
    names = list(results)
    first = next(iter(results.values()))["summary"]
    rows = [("Fashion-MNIST train, bits/dim", lambda s: f"{s['bits_per_dim']['fashion_train']:.3f}"),
            ("Fashion-MNIST test, bits/dim", lambda s: f"{s['bits_per_dim']['fashion_test']:.3f}"),
            ("MNIST, bits/dim", lambda s: f"{s['bits_per_dim']['mnist']:.3f}"),
            ("AUROC, log p", lambda s: f"{s['auroc_log_p']:.3f}")]
    rows += [(f"AUROC, typicality test, M = {m}", lambda s, m=m: f"{s['auroc_typicality'][m]:.3f}")
             for m in first["auroc_typicality"]]
    lines = ["| measure (Fashion-MNIST test = in, MNIST = out) | " + " | ".join(f"`{n}`" for n in names) + " |",
             "|---|" + "---:|" * len(names)]
    lines += [f"| {label} | " + " | ".join(cell(results[n]["summary"]) for n in names) + " |" for label, cell in rows]
    images = first["images"]
    lines += ["", f"Images: {images['fashion_train']:,} of Fashion-MNIST train (a fixed random subset), "
                  f"{images['fashion_test']:,} Fashion-MNIST test, {images['mnist']:,} MNIST. "
                  "AUROC 0.5 = chance, below 0.5 = ranked backwards."]
    return "\n".join(lines)


def write_png(result: dict, path) -> None:
    from zoo.metrics.likelihood import EIGHT_BIT_LEVELS, bits_per_dim
    from zoo.metrics.ood import histogram_png

    card, nll, summary = result["model"].card, result["nll"], result["summary"]
    dims = math.prod(card.data_shape)
    labels = {"fashion_train": "Fashion-MNIST train", "fashion_test": "Fashion-MNIST test", "mnist": "MNIST"}
    bits = {labels[k]: bits_per_dim(-v, dims, EIGHT_BIT_LEVELS) for k, v in nll.items()}
    typical = float(bits_per_dim(-summary["ood_typical_nll"], dims, EIGHT_BIT_LEVELS))
    histogram_png(bits, path, typical_bits=typical,
                  title=f"{card.name}: AUROC log p {summary['auroc_log_p']:.3f}, "
                        f"typicality (M = 1) {summary['auroc_typicality'][1]:.3f}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("names", nargs="+", metavar="NAME", help="likelihood exports trained on Fashion-MNIST")
    parser.add_argument("-o", "--output", default=None,
                        help="histogram PNG to write; with several names a pattern holding {name}")
    parser.add_argument("--train-images", type=int, default=None,
                        help="size of the fixed Fashion-MNIST train subset (default 10,000)")
    parser.add_argument("--images", type=int, default=None,
                        help="a fixed random subset of this many Fashion-MNIST test images and MNIST digits "
                             "(default: all 10,000 of each)")
    parser.add_argument("--write", action="store_true",
                        help="store the typicality statistics (Ĥ and its spread) in each export's card")
    parser.add_argument("--docs", action="store_true",
                        help="put each export's table, with its command, into its ood-NAME block of docs/ood.md")
    parser.add_argument("--threads", type=int, default=None, help="TensorFlow threads (default: all cores)")
    args = parser.parse_args(argv)
    if args.threads:
        import tensorflow as tf

        tf.config.threading.set_intra_op_parallelism_threads(args.threads)
        tf.config.threading.set_inter_op_parallelism_threads(args.threads)
    if args.output and len(args.names) > 1 and "{name}" not in args.output:
        parser.error(f"with several names, -o must hold {{name}} (one PNG per export). Received: -o {args.output}")

    from zoo.metrics.ood import CARD_KEYS, TRAIN_IMAGES, ood_sets

    train_images = args.train_images or TRAIN_IMAGES
    sets = ood_sets(train_images, args.images)
    from zoo.data.mnist import mnist_digits

    print(f"MNIST digits: {mnist_digits().source}, from {mnist_digits().path}")
    results = {}
    for name in args.names:
        results[name] = measure(name, sets)
        print(f"{name}: {results[name]['summary']['seconds']:.0f} s", file=sys.stderr)
    options = "".join(f" --{flag} {value}" for flag, value in (("train-images", args.train_images),
                                                                ("images", args.images)) if value)
    source = f" MNIST: {mnist_digits().source}."
    print(table(results) + source)
    for name, result in results.items():
        if args.docs:
            from docs_blocks import write_block

            in_docs = bool(args.output) and args.output.format(name=name) == f"docs/ood-{name}.png"
            png = f" -o docs/ood-{name}.png" if in_docs else ""
            text = (table({name: result}) + source + f"\n\nCommand: `python benchmarks/ood.py {name}{options}{png}`"
                    + (f"\n\n![bits/dim of the three sets under {name}](ood-{name}.png)" if png else ""))
            print(f"wrote the table into {write_block(text, f'ood-{name}', 'docs/ood.md')}")
        if args.output:
            path = args.output.format(name=name)
            write_png(result, path)
            print(f"wrote {path}")
        if args.write:
            from zoo.exports import update_card

            summary = result["summary"]
            card = update_card(result["model"].path, metrics={**result["model"].card.metrics,
                                                              **{key: summary[key] for key in CARD_KEYS}})
            print(f"{name}: Ĥ = {summary['ood_typical_nll']:.2f} nats per image on its log_prob's scale "
                  f"(spread {summary['ood_typical_nll_std']:.2f}, {summary['ood_typical_nll_images']:,} train images) "
                  f"written to {card.name}'s card")
    return 0


if __name__ == "__main__":
    sys.exit(main())
