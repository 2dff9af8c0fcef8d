"""The likelihood table of docs/results-likelihood.md (the exact-likelihood protocol), generated from the cards, never typed.

    python benchmarks/likelihood_table.py            # print the markdown
    python benchmarks/likelihood_table.py --write    # also replace the block between the
                                                     # likelihood-table markers in docs/results-likelihood.md

Every digits export on one scale: nats per test image with pixels on the continuous [-1, 1]
scale of the digits protocol, so the exact values sit beside the Parzen estimates.  The
exact-likelihood families (PixelCNN, RealNVP, MAF) and the VAE's bounds are measured on the
discrete 17-level images by their recipes; a probability P over the bins becomes a density by
dividing by the bin width 1/8 per pixel: log p = log P + 64·log 8 (cards store the VAE's
bounds as log P, the others' ``log_likelihood`` already as log p).  Bits per dimension are
−log2 P / 64 from the discrete P.  Then the two rankings, exact (or bound) and Parzen, side by
side (Theis et al. 2016, arXiv:1511.01844, show they can disagree), and the 2-D flows'
exact log-density of test points beside the true mixture's.
"""
from __future__ import annotations

import math
import os

from digits_table import ROOT, _cell, digits_exports
from docs_blocks import table_main

PIXELS = 64
BIN_NATS = PIXELS * math.log(8.0)  # log p − log P for an 8×8 image of bins 1/8 wide


def _shift(value: dict | None, by: float) -> dict | None:
    """A card metric ``{"mean", "se", "per_seed"}`` moved by a constant (a change of scale)."""
    if value is None:
        return None
    return {**value, "mean": value["mean"] + by, "per_seed": [v + by for v in value.get("per_seed", [])]}


def _bits_per_dim(log_p: dict | None) -> float | None:
    return None if log_p is None else -(log_p["mean"] - BIN_NATS) / (PIXELS * math.log(2.0))


def rows():
    """(name, measure, log p on the [-1, 1] scale, bits/dim, Parzen) per digits export."""
    found = []
    for _, card in digits_exports():
        m = card.metrics
        parzen = m.get("parzen_ll")
        if "log_likelihood" in m:
            found.append((card.name, "exact log-likelihood", m["log_likelihood"], _bits_per_dim(m["log_likelihood"]),
                          parzen))
        if "iwae" in m:
            for key, label in (("elbo", "ELBO (lower bound)"), ("iwae", "IWAE k = 1000 (lower bound)")):
                log_p = _shift(m[key], BIN_NATS)
                found.append((card.name, label, log_p, _bits_per_dim(log_p), parzen))
        if "log_likelihood" not in m and "iwae" not in m:
            found.append((card.name, "Parzen only (implicit density)", None, None, parzen))
    return found


def _ranking(pairs) -> str:
    ordered = sorted(pairs, key=lambda item: -item[1])
    return " > ".join(f"`{name}`" for name, _ in ordered)


def comparison(found) -> list[str]:
    """The two rankings over the models that have both numbers (the best bound per model)."""
    best = {}
    for name, _, log_p, _, parzen in found:
        if log_p is not None and parzen is not None and (name not in best or log_p["mean"] > best[name][0]):
            best[name] = (log_p["mean"], parzen["mean"])
    if len(best) < 2:
        return []
    exact = _ranking([(n, v[0]) for n, v in best.items()])
    parzen = _ranking([(n, v[1]) for n, v in best.items()])
    names = sorted(best)
    agree = sum((best[a][0] > best[b][0]) == (best[a][1] > best[b][1]) for i, a in enumerate(names) for b in names[i + 1:])
    pairs = len(names) * (len(names) - 1) // 2
    return [f"- exact / bound ranking: {exact}",
            f"- Parzen ranking of the same models: {parzen}",
            f"- the two agree on {agree} of the {pairs} pairs of models."]


def points_lines() -> list[str]:
    """The 2-D flows: exact log-density of test points beside the true mixture's, and the integral."""
    from zoo.registry import CARD_FILE, ModelCard

    lines = []
    for card_path in sorted((ROOT / "exports").glob(f"*/{CARD_FILE}")):
        card = ModelCard.read(card_path.parent)
        m = card.metrics
        if card.trained and "test_log_density" in m:
            lines.append(f"| `{card.name}` | {m.get('seeds', '–')} | {_cell(m['test_log_density'], '{:.2f}')} | "
                         f"{_cell(m.get('true_log_density'), '{:.2f}')} | {_cell(m.get('density_integral'), '{:.4f}')} | "
                         f"{_cell(m.get('modes'), '{:.1f}')} | {_cell(m.get('high_quality'), '{:.1f}')} |")
    if not lines:
        return []
    return ["", "| 2-D flow | seeds | test log-density | true mixture's | ∫ density (grid) | modes | % high quality |",
            "|---|---|---|---|---|---|---|", *lines]


def table() -> str:
    found = rows()
    lines = ["| model | measure | log p, nats per image ([-1, 1] scale) ↑ | bits/dim (discrete) ↓ | Parzen LL ↑ |",
             "|---|---|---|---|---|"]
    order = sorted(found, key=lambda r: (r[2] is None, -(r[2]["mean"] if r[2] else 0), r[0]))
    for name, measure, log_p, bpd, parzen in order:
        lines.append(f"| `{name}` | {measure} | {_cell(log_p, '{:.1f}')} | {'–' if bpd is None else f'{bpd:.3f}'} | "
                     f"{_cell(parzen, '{:.1f}')} |")
    lines += ["", *comparison(found), *points_lines(), "",
              "mean ± s.e. over each recipe's training seeds (its card). The flows' values are the "
              "dequantised bound (log-mean-exp over 16 uniform dequantisations per image, Theis et al. 2016 "
              "§3.1), a lower bound on the discrete log P; PixelCNN's discretised likelihood is exact. "
              "Generated by `python benchmarks/likelihood_table.py`."]
    return "\n".join(lines)


def main(argv=None):
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    table_main(table, "likelihood-table", "docs/results-likelihood.md", __doc__, argv)


if __name__ == "__main__":
    main()
