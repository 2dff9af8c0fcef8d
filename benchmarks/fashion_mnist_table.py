"""The Fashion-MNIST results table, generated from the cards and measured baselines, never typed.

    python benchmarks/fashion_mnist_table.py                                    # print the markdown
    python benchmarks/fashion_mnist_table.py -o docs/results-fashion-mnist.md   # write it

Rows: every trained export whose dataset is fashion_mnist (its card's metrics: measured through
the export by ``zoo eval NAME --seeds 1 --write``, or by its recipe over the recipe's seeds,
mean ± s.e.), then the baselines measured here: 10,000 train images (the floor) and a
Gaussian fitted to the train pixels.  Then the goals, checked against those numbers, and the
ordering Lucic et al. 2018 report.  Under the table: each export's ``samples.png``.
"""
from __future__ import annotations

import argparse
import math
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

COLUMNS = [  # key, header, format
    ("fid", "FID ↓", "{:.1f}"),
    ("kid", "KID ↓", "{:.2f}"),
    ("precision", "precision ↑", "{:.2f}"),
    ("recall", "recall ↑", "{:.2f}"),
    ("class_coverage", "classes ↑", "{:.0f}"),
    ("class_kl", "class KL ↓", "{:.3f}"),
    ("mean_confidence", "confidence ↑", "{:.2f}"),
    ("label_accuracy", "label acc. ↑", "{:.3f}"),
    ("parzen_ll", "Parzen LL ↑", "{:.0f}"),
    ("memorisation_ratio", "memorisation", "{:.2f}"),
]
# The goals: every generator finds all 10 classes with class KL ≤ 0.05 and mean confidence
# ≥ 0.85; every GAN's FID ≤ 1/5 of the Gaussian's, the best ≤ 1/15; cGAN label accuracy ≥ 90 %;
# ≤ 40 minutes of training per exported run: a card's wall time sums its training seeds, so the
# budget holds for each seed (the exported one and those that show the recipe's spread).
BUDGET_MINUTES = 40
# Lucic et al. 2018, "Are GANs Created Equal?" (arXiv:1711.10337): best FID per family on
# Fashion-MNIST after a large hyperparameter search (InfoGAN-style networks, 20 epochs), as
# quoted by Dai & Wipf 2019 (arXiv:1903.05789, Table 1) and Zhang & Khoreva 2019
# (arXiv:1810.00915, Table 2); Inception features of 10,000 test images vs 10,000 samples.
LUCIC_FASHION_FID = {"WGAN": 21.5, "BEGAN": 22.9, "WGAN-GP": 24.5, "NS GAN": 26.5, "DRAGAN": 27.7,
                     "MM GAN": 29.6, "LSGAN": 30.7}
# zoo's families that play the same game as a row of theirs.
LUCIC_ROWS = {"gan": "NS GAN", "dcgan": "NS GAN", "cgan": "NS GAN", "wgan-gp": "WGAN-GP"}


def _mean(value):
    return value["mean"] if isinstance(value, dict) else value


def _cell(value, fmt: str) -> str:
    if value is None:
        return "–"
    mean = _mean(value)
    if mean is None or (isinstance(mean, float) and math.isnan(mean)):
        return "NaN"
    text = fmt.format(mean)
    if isinstance(value, dict) and len(value.get("per_seed", [])) > 1:
        text += " ± " + fmt.format(value["se"])
    return text


def _cards():
    from zoo.registry import REPO_EXPORTS, ModelCard

    cards = []
    for folder in sorted(REPO_EXPORTS.iterdir()):
        if (folder / "card.json").is_file():
            card = ModelCard.read(folder)
            # every sampler measured by the protocol
            if (card.dataset == "fashion_mnist" and card.trained and card.family != "classifier"
                    and "fid" in card.metrics):
                cards.append(card)
    return cards


def _seeds(card) -> str:
    fid = card.metrics.get("fid", {})
    return str(len(fid.get("per_seed", []))) if isinstance(fid, dict) else "–"


def seed_minutes(card) -> float | None:
    """Minutes of training and measuring per training seed: the card's wall time covers all of the
    recipe's seeds (``metrics["seeds"]``, which ``zoo eval`` keeps)."""
    if not card.wall_time:
        return None
    return card.wall_time / 60 / card.metrics.get("seeds", 1)


def table(cards, baselines) -> list[str]:
    lines = ["| export | family | steps | seeds | minutes a seed | " + " | ".join(h for _, h, _ in COLUMNS) + " |",
             "|---|---|---|---|---|" + "---|" * len(COLUMNS)]
    for card in cards:
        minutes = "–" if seed_minutes(card) is None else f"{seed_minutes(card):.0f}"
        cells = [_cell(card.metrics.get(key), fmt) for key, _, fmt in COLUMNS]
        lines.append(f"| [{card.name}](../exports/{card.name}/README.md) | {card.family} | {card.steps:,} | "
                     f"{_seeds(card)} | {minutes} | " + " | ".join(cells) + " |")
    for name, row in baselines.items():
        cells = [_cell(row.get(key), fmt) for key, _, fmt in COLUMNS]
        lines.append(f"| *{name}* | baseline | – | – | – | " + " | ".join(cells) + " |")
    return lines


def goals(cards, baselines) -> list[str]:
    gaussian = baselines["gaussian"]["fid"]
    lines = [f"Goals (the Gaussian's FID is {gaussian:.1f}: 1/5 of it is {gaussian / 5:.1f}, 1/15 is "
             f"{gaussian / 15:.1f}):", ""]
    best = min(cards, key=lambda c: _mean(c.metrics["fid"])) if cards else None
    # the generators' goals; the likelihood families are judged by bits/dim (likelihood-fashion-mnist.md)
    for card in [card for card in cards if "bits_per_dim" not in card.metrics]:
        m = {key: _mean(card.metrics.get(key)) for key, _, _ in COLUMNS}
        checks = [
            ("10 classes", m["class_coverage"] == 10),
            ("class KL ≤ 0.05", m["class_kl"] is not None and m["class_kl"] <= 0.05),
            ("confidence ≥ 0.85", m["mean_confidence"] is not None and m["mean_confidence"] >= 0.85),
            (f"FID ≤ {gaussian / 5:.1f}", m["fid"] is not None and m["fid"] <= gaussian / 5),
            (f"≤ {BUDGET_MINUTES} min a seed", seed_minutes(card) is not None and seed_minutes(card) <= BUDGET_MINUTES),
        ]
        if m["label_accuracy"] is not None:
            checks.append(("label accuracy ≥ 0.90", m["label_accuracy"] >= 0.90))
        met = [name for name, ok in checks if ok]
        missed = [name for name, ok in checks if not ok]
        lines.append(f"- `{card.name}`: met {', '.join(met) or 'none'}"
                     + (f"; **missed** {', '.join(missed)}" if missed else "") + ".")
    if best is not None:
        fid = _mean(best.metrics["fid"])
        verdict = "met" if fid <= gaussian / 15 else "**missed**"
        lines.append(f"- Best FID: `{best.name}` at {fid:.1f}, {gaussian / fid:.1f}× below the Gaussian's "
                     f"(goal 15×): {verdict}.")
    return lines


def other_sources(cards) -> list[str]:
    """The exports whose samples were drawn otherwise than through the SavedModel (``zoo eval
    --keras``: PixelCNN's row-cached sampler), each with the command that measured it."""
    lines = []
    for card in cards:
        source = card.metrics["fid"].get("source", "") if isinstance(card.metrics["fid"], dict) else ""
        if "--keras" in source:
            lines.append(f"- `{card.name}`: `{source.split(':')[0]}` ({source.split(': ', 1)[1]}).")
    return ["Measured otherwise:", "", *lines, ""] if lines else []


def lucic(cards) -> list[str]:
    """zoo's ordering beside Lucic et al.'s: rankings compare, values do not (other features)."""
    ranked = sorted(LUCIC_FASHION_FID.items(), key=lambda item: item[1])
    lines = ["## Beside Lucic et al. 2018", "",
             "Lucic et al. 2018 (\"Are GANs Created Equal?\", arXiv:1711.10337) report the best FID per family on "
             "Fashion-MNIST after a large hyperparameter search, on Inception features of grey images copied to 3 "
             "channels (values as quoted by Dai & Wipf 2019, Table 1, and Zhang & Khoreva 2019, Table 2). zoo's "
             "FIDs use the Fashion-MNIST classifier's features and one recipe per family: compare the order, "
             "not the values.", "",
             "| rank | Lucic et al. (Inception FID) | zoo export (classifier FID) |", "|---|---|---|"]
    ours = sorted((card for card in cards if "fid" in card.metrics), key=lambda c: _mean(c.metrics["fid"]))
    for rank in range(max(len(ranked), len(ours))):
        theirs = f"{ranked[rank][0]} {ranked[rank][1]:.1f}" if rank < len(ranked) else ""
        mine = (f"`{ours[rank].name}` {_mean(ours[rank].metrics['fid']):.1f}"
                + (f" (plays {LUCIC_ROWS[ours[rank].family]})" if ours[rank].family in LUCIC_ROWS else "")
                if rank < len(ours) else "")
        lines.append(f"| {rank + 1} | {theirs} | {mine} |")
    return lines


def render(cards, baselines) -> str:
    from zoo.metrics.fashion_mnist import PROTOCOL

    command = "python benchmarks/fashion_mnist_table.py -o docs/results-fashion-mnist.md"
    parts = [
        "# Fashion-MNIST results", "",
        f"Generated by `{command}` from the cards of the exports and baselines measured by the same code. "
        "Each export's numbers were measured through its SavedModel with `zoo eval NAME --write` (10,000 "
        "samples, sampling seed 12345) unless its card says otherwise; a ± is the standard error over the "
        "recipe's training seeds. The protocol is described in [fashion-mnist.md](fashion-mnist.md).", "",
        f"Protocol: {PROTOCOL}.", "",
        *table(cards, baselines), "",
        *other_sources(cards),
        *goals(cards, baselines), "",
        *lucic(cards), "",
        "## Samples", "",
    ]
    for card in cards:
        parts += [f"**{card.name}**", "", f"![{card.name}](../exports/{card.name}/samples.png)", ""]
    return "\n".join(parts)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-o", "--output", help="write the markdown here (default: print it)")
    args = parser.parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from zoo.metrics.fashion_mnist import fashion_mnist_baselines

    text = render(_cards(), fashion_mnist_baselines())
    if args.output:
        Path(args.output).write_text(text + "\n")
        print(f"wrote {args.output}")
    else:
        print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
