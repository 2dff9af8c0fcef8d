"""The "What's in the zoo" table of README.md, generated from the cards, never typed.

    python benchmarks/zoo_table.py            # print it
    python benchmarks/zoo_table.py --write    # and replace the zoo-table block of README.md

One row per registered name: its data, family, headline metric (the card's mean over its
training seeds) and a link to its model card, exports/<name>/README.md.
"""
from __future__ import annotations

import argparse
import os
from pathlib import Path

from zoo.registry import REPO_EXPORTS, ModelCard

README = Path(__file__).resolve().parent.parent / "README.md"
MODES = {"ring8": 8, "grid25": 25}


def headline(card: ModelCard) -> str:
    """The one number a reader compares first, for the card's data."""
    m = card.metrics
    if not card.trained:
        return "recipe only (no data here)"
    if card.dataset in MODES and "modes" in m:
        text = f"{m['modes']['mean']:.1f}/{MODES[card.dataset]} modes, {m['high_quality']['mean']:.1f} % high quality"
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


def write(text: str, path: Path = README, marker: str = "zoo-table") -> None:
    content = path.read_text()
    start, end = f"<!-- {marker}:start -->", f"<!-- {marker}:end -->"
    if start not in content or end not in content:
        raise SystemExit(f"error: {path} has no {start} ... {end} block to fill.")
    before, rest = content.split(start, 1)
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(f"{before}{start}\n{text}\n{end}{rest.split(end, 1)[1]}")
    os.replace(partial, path)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--write", action="store_true", help="replace the zoo-table block of README.md")
    args = parser.parse_args(argv)
    text = table()
    print(text)
    if args.write:
        write(text)


if __name__ == "__main__":
    main()
