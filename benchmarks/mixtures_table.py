"""Print the ring8 / grid25 table of docs/results-mixtures.md from the shipped cards, beside the published rows.

    python benchmarks/mixtures_table.py            # print the markdown table
    python benchmarks/mixtures_table.py --write    # and put it into docs/results-mixtures.md between its markers

Every zoo row is read from ``exports/<family>-<ring8|grid25>/card.json``, whose metrics were
measured by ``python -m recipes.train NAME`` (5 seeds, mean ± s.e.; the mixtures protocol, docs/protocols.md).  The
published rows are quoted from the papers named in their last column.
"""
from __future__ import annotations

import math
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from zoo.registry import info, list_models  # noqa: E402

DATASETS = ("ring8", "grid25")
# (model, ring8 modes / % HQ, grid25 modes / % HQ, source): the published rows of the mixtures protocol.
PUBLISHED = [
    ("GAN", "1 / 99.3", "3.3 / 0.5", "VEEGAN Table 1"),
    ("ALI", "2.8 / 0.13", "15.8 / 1.6", "VEEGAN Table 1"),
    ("Unrolled GAN (5 steps)", "7.6 / 35.6", "23.6 / 16", "VEEGAN Table 1"),
    ("VEEGAN", "8 / 52.9", "24.6 / 40", "VEEGAN Table 1"),
    ("GAN (bigger nets, 400 epochs)", "6.3 / 98.2", "17.3 / 94.8", "PacGAN Table 1"),
    ("PacGAN4", "7.8 / 95.9", "24.8 / 93.6", "PacGAN Table 1"),
]


def _cell(metrics: dict, key: str, digits: int) -> str:
    value = metrics.get(key)
    if not value:
        return "–"
    if math.isnan(value["mean"]):  # reverse KL of a seed with no high-quality sample
        return "undefined (a seed had no high-quality sample)"
    return f"{value['mean']:.{digits}f} ± {value['se']:.{digits}f}"


def rows():
    models: dict[str, dict[str, dict]] = {}
    for dataset in DATASETS:
        for name in list_models(f"*-{dataset}", pretrained=True):
            card = info(name)
            if card.dataset == dataset and card.metrics:
                models.setdefault(name[: -len(dataset) - 1], {})[dataset] = card.metrics
    for model in sorted(models):
        cells = []
        for dataset in DATASETS:
            m = models[model].get(dataset, {})
            cells.append(f"{_cell(m, 'modes', 1)} | {_cell(m, 'high_quality', 1)} | {_cell(m, 'reverse_kl', 2)}")
        seeds = sorted({m.get("seeds", 0) for m in models[model].values()})
        yield f"| zoo `{model}` | {' | '.join(cells)} | {'/'.join(map(str, seeds))} seeds, this repo |"


def table() -> str:
    lines = ["| model | ring8 modes (of 8) | ring8 % high quality | ring8 reverse KL "
             "| grid25 modes (of 25) | grid25 % high quality | grid25 reverse KL | source |",
             "|---|---|---|---|---|---|---|---|", *rows()]
    for model, ring8, grid25, source in PUBLISHED:
        r_modes, r_hq = ring8.split(" / ")
        g_modes, g_hq = grid25.split(" / ")
        lines.append(f"| {model} | {r_modes} | {r_hq} | – | {g_modes} | {g_hq} | – | published: {source} |")
    return "\n".join(lines)


def main():
    text = table()
    print(text)
    if "--write" in sys.argv[1:]:
        from docs_blocks import write_block  # benchmarks/ is on sys.path when run as a script

        write_block(text, "mixtures-table", "docs/results-mixtures.md")


if __name__ == "__main__":
    main()
