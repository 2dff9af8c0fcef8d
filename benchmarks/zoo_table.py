"""The "What's in the zoo" table of README.md, generated from the cards, never typed.

    python benchmarks/zoo_table.py            # print it
    python benchmarks/zoo_table.py --write    # and replace the zoo-table block of README.md

One row per registered name: its data, family, headline metric (the card's mean over its
training seeds) and a link to its model card, exports/<name>/README.md.
"""
from __future__ import annotations

from pathlib import Path

from docs_blocks import table_main  # benchmarks/ is on sys.path when run as a script
from zoo.registry import REPO_EXPORTS, ModelCard

MODES = {"ring8": 8, "grid25": 25}


def _fid(metrics) -> str:
    return f", FID {metrics['fid']['mean']:.2f}" if "fid" in metrics else ""


def headline(card: ModelCard) -> str:
    """The one number a reader compares first, for the card's data."""
    m = card.metrics
    if not card.trained:
        return "recipe only"
    if card.dataset in MODES and "modes" in m:
        text = f"{m['modes']['mean']:.1f}/{MODES[card.dataset]} modes, {m['high_quality']['mean']:.1f} % high quality"
    elif card.dataset.startswith("binarized_") and "log_likelihood" in m:  # nats per binary image
        text = f"test log-likelihood {m['log_likelihood']['mean']:.1f} nats" + _fid(m)
    elif "bits_per_dim" in m:  # an exact likelihood (or the IWAE bound), on its data's levels
        text = f"{m['bits_per_dim']['mean']:.3f} bits/dim" + _fid(m)
    elif "fid" in m:
        text = f"FID {m['fid']['mean']:.2f}"
    elif "test_accuracy" in m:
        text = f"test accuracy {100 * m['test_accuracy']['mean']:.2f} %"
    else:
        text = "see its card"
    return text + (" · **below protocol**" if card.status else "")


def table(root: Path = REPO_EXPORTS) -> str:
    rows = ["| model | data | family | headline (mean over training seeds) |", "|---|---|---|---|"]
    for card_path in sorted(root.glob("*/card.json")):
        card = ModelCard.read(card_path.parent)
        rows.append(f"| [{card.name}](exports/{card.name}/README.md) | {card.dataset} | {card.family} | {headline(card)} |")
    return "\n".join(rows)


def main(argv=None):
    table_main(table, "zoo-table", "README.md", __doc__, argv)


if __name__ == "__main__":
    main()
