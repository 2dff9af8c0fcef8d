"""The mode-coverage goal (the mixtures protocol, docs/protocols.md): is any family ahead of VEEGAN and PacGAN?

    python benchmarks/mode_coverage.py                          # verdicts from the shipped cards
    python benchmarks/mode_coverage.py --train wgan-gp-grid25   # (re)train recipes first (5 seeds each)
    python benchmarks/mode_coverage.py --write                  # and put the verdicts into docs/results-mixtures.md
    python benchmarks/mode_coverage.py --before 9e8b13f --write   # and the before/after since a commit

The goal: 8/8 modes on ring8 and ≥ 24.8/25 on grid25, with ≥ 95 % high-quality samples,
i.e. ahead of every published row of the mixtures protocol (VEEGAN Table 1, PacGAN Table 1).
Every number comes from a card written by ``python -m recipes.train NAME`` (mean over its
seeds); the published numbers are quoted, never measured here.  Not run by the tests.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from zoo.registry import info, list_models  # noqa: E402

GOAL = {"ring8": (8.0, 95.0), "grid25": (24.8, 95.0)}  # (modes, % high quality)
# The strongest published rows (modes, % high quality) per dataset, from the mixtures protocol.
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


# The per-family goals of the mixtures protocol: every family ≥ 7.5/8 on ring8, and each family at
# least its own published row: (family prefix, dataset, modes, % high quality, source).
FAMILY_GOALS = [
    ("gan", "ring8", 0.0, 98.2, "GAN with bigger networks, PacGAN Table 1"),
    ("unrolled", "ring8", 7.6, 35.6, "Unrolled GAN, VEEGAN Table 1"),
    ("unrolled", "grid25", 23.6, 16.0, "Unrolled GAN, VEEGAN Table 1"),
    ("ali", "ring8", 2.8, 0.13, "ALI, VEEGAN Table 1"),
    ("ali", "grid25", 15.8, 1.6, "ALI, VEEGAN Table 1"),
]
EVERY_FAMILY_RING8 = 7.5


def _met(modes, quality, goal_modes, goal_quality) -> str:
    return "met" if modes >= goal_modes and quality >= goal_quality else "missed"


def family_goals() -> str:
    """A verdict line per goal of the mixtures protocol, from the cards."""
    ring8, grid25 = measured("ring8"), measured("grid25")
    lines = []
    for dataset, rows in (("ring8", ring8), ("grid25", grid25)):
        (name, (modes, quality, _)) = max(rows.items(), key=lambda kv: (kv[1][0], kv[1][1]))
        goal_modes, goal_quality = GOAL[dataset]
        lines.append(f"- Best family on {dataset} (goal {goal_modes:g} modes at ≥ {goal_quality:g} %, ahead of "
                     f"PacGAN4): `{name}`, {modes:.1f} modes at {quality:.1f} %: "
                     f"**{_met(modes, quality, goal_modes, goal_quality)}**.")
    adversarial = {name: row for name, row in ring8.items() if info(name).family not in ("realnvp", "maf")}
    short = sorted(name for name, (modes, _, _) in adversarial.items() if modes < EVERY_FAMILY_RING8)
    untrained = sorted(list_models("*-ring8", pretrained=False))  # registered, no export (no measure)
    missed = [f"`{n}` ({ring8[n][0]:.1f})" for n in short] + [f"`{n}` (no export)" for n in untrained]
    lines.append(f"- Every adversarial family ≥ {EVERY_FAMILY_RING8:g}/8 on ring8: "
                 + ("**met**" if not missed else f"**missed** by {', '.join(missed)}")
                 + f" ({len(adversarial)} exports measured).")
    for prefix, dataset, goal_modes, goal_quality, source in FAMILY_GOALS:
        rows = ring8 if dataset == "ring8" else grid25
        name = f"{prefix}-{dataset}"
        goal = (f"≥ {goal_modes:g} modes at " if goal_modes else "") + f"≥ {goal_quality:g} % high quality"
        if name not in rows:
            lines.append(f"- `{name}` {goal} ({source}): no measured export.")
            continue
        modes, quality, _ = rows[name]
        lines.append(f"- `{name}` {goal} ({source}): {modes:.1f} modes at {quality:.1f} %: "
                     f"**{_met(modes, quality, goal_modes, goal_quality)}**.")
    return "\n".join(lines)


def card_at(revision: str, name: str):
    """The metrics of ``exports/<name>/card.json`` at a git revision (None if it had none)."""
    shown = subprocess.run(["git", "show", f"{revision}:exports/{name}/card.json"], cwd=ROOT,
                           capture_output=True, text=True)
    return json.loads(shown.stdout).get("metrics") or None if shown.returncode == 0 else None


def before_after(revision: str) -> str:
    """Modes and % high quality of every mixture export at ``revision`` and now."""
    lines = ["| export | modes before | % HQ before | modes now | % HQ now | steps now | wall time now (5 seeds) |",
             "|---|---|---|---|---|---|---|"]
    for dataset in GOAL:
        for name, (modes, quality, _) in sorted(measured(dataset).items()):
            before = card_at(revision, name)
            old = (f"{before['modes']['mean']:.1f} | {before['high_quality']['mean']:.1f}" if before else "– | –")
            card = info(name)
            wall = f"{card.wall_time / 60:.1f} min" if card.wall_time else "–"
            lines.append(f"| `{name}` | {old} | {modes:.1f} | {quality:.1f} | {card.steps:,} | {wall} |")
    return "\n".join(lines)


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


PAGE = "docs/results-mixtures.md"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--train", nargs="*", default=[], metavar="NAME", help="recipes to train first")
    parser.add_argument("--write", action="store_true", help="write the verdicts into docs/results-mixtures.md")
    parser.add_argument("--before", metavar="REV", help="also the before/after table against the cards at a git revision")
    args = parser.parse_args(argv)
    for name in args.train:
        subprocess.run([sys.executable, "-m", "recipes.train", name], cwd=ROOT, check=True)
    text = report()
    print(text)
    if args.write:
        from docs_blocks import write_block

        write_block(text, "mode-coverage-goal", PAGE)
    goals = family_goals()
    print(goals)
    if args.write:
        write_block(goals, "mixture-family-goals", PAGE)
    if args.before:
        table = before_after(args.before)
        print(table)
        if args.write:
            write_block(f"Before: the cards at commit {args.before}; now: the cards of this tree.\n\n{table}",
                        "mixture-before-after", PAGE)


if __name__ == "__main__":
    main()
