"""The mode-coverage goal (PROTOCOLS.md §1): is any family ahead of VEEGAN and PacGAN?

    python benchmarks/mode_coverage.py                          # verdicts from the shipped cards
    python benchmarks/mode_coverage.py --train wgan-gp-grid25   # (re)train recipes first (5 seeds each)
    python benchmarks/mode_coverage.py --readme                 # and put the verdicts into README.md

The goal: 8/8 modes on ring8 and ≥ 24.8/25 on grid25, with ≥ 95 % high-quality samples,
i.e. ahead of every published row of PROTOCOLS.md §1 (VEEGAN Table 1, PacGAN Table 1).
Every number comes from a card written by ``python -m recipes.train NAME`` (mean over its
seeds); the published numbers are quoted, never measured here.  Not run by the tests.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from zoo.registry import info, list_models  # noqa: E402

GOAL = {"ring8": (8.0, 95.0), "grid25": (24.8, 95.0)}  # (modes, % high quality)
# The strongest published rows (modes, % high quality) per dataset: PROTOCOLS.md §1.
PUBLISHED = {
    "VEEGAN (VEEGAN Table 1)": {"ring8": (8.0, 52.9), "grid25": (24.6, 40.0)},
    "PacGAN4 (PacGAN Table 1)": {"ring8": (7.8, 95.9), "grid25": (24.8, 93.6)},
}


def measured(dataset):
    """name -> (modes, % high quality, seeds) from every card with metrics on ``dataset``."""
    rows = {}
    for name in list_models(f"*-{dataset}", pretrained=True):
        card = info(name)
        metrics = card.metrics or {}
        if card.dataset == dataset and "modes" in metrics:
            rows[name] = (metrics["modes"]["mean"], metrics["high_quality"]["mean"], metrics.get("seeds", 0))
    return rows


def verdict(dataset, modes, quality):
    goal_modes, goal_quality = GOAL[dataset]
    if modes >= goal_modes and quality >= goal_quality:
        return "meets the goal"
    ahead = [who for who, rows in PUBLISHED.items() if modes >= rows[dataset][0] and quality >= rows[dataset][1]]
    short = []
    if modes < goal_modes:
        short.append(f"{goal_modes - modes:.1f} modes short")
    if quality < goal_quality:
        short.append(f"{goal_quality - quality:.1f} points of quality short")
    return ", ".join(short) + (f"; ahead of {', '.join(ahead)}" if ahead else "")


def report():
    lines = []
    for dataset in GOAL:
        rows = measured(dataset)
        lines.append(f"**{dataset}**: goal {GOAL[dataset][0]:g} modes, ≥ {GOAL[dataset][1]:g} % high quality")
        lines.append("")
        lines.append("| export | modes | % high quality | seeds | verdict |")
        lines.append("|---|---|---|---|---|")
        # Best first: by modes, then by quality.
        for name, (modes, quality, seeds) in sorted(rows.items(), key=lambda kv: (-kv[1][0], -kv[1][1])):
            lines.append(f"| `{name}` | {modes:.1f} | {quality:.1f} | {seeds} | {verdict(dataset, modes, quality)} |")
        for who, published in PUBLISHED.items():
            lines.append(f"| {who}, published | {published[dataset][0]:g} | {published[dataset][1]:g} | – | – |")
        lines.append("")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--train", nargs="*", default=[], metavar="NAME", help="recipes to train first")
    parser.add_argument("--readme", action="store_true", help="write the verdicts into README.md")
    args = parser.parse_args(argv)
    for name in args.train:
        subprocess.run([sys.executable, "-m", "recipes.train", name], cwd=ROOT, check=True)
    text = report()
    print(text)
    if args.readme:
        from mixtures_table import write_readme

        write_readme(text.rstrip(), "mode-coverage-goal")


if __name__ == "__main__":
    main()
