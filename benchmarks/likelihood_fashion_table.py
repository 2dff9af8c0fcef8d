"""The Fashion-MNIST likelihood table of docs/likelihood-fashion-mnist.md, generated from the cards, never typed.

    python benchmarks/likelihood_fashion_table.py            # print the markdown
    python benchmarks/likelihood_fashion_table.py --write    # also replace the block between the
                                                             # likelihood-fashion markers of the page

Every trained Fashion-MNIST export whose card holds ``bits_per_dim`` (the Fashion-MNIST likelihood
protocol of ``recipes/protocols.py``: test bits per dimension over the 256 levels, the papers'
scale, ``zoo.metrics.likelihood.bits_per_dim``), beside the published row of its family
(:data:`CITED`), the gap to it, and the card's sample metrics where measured.
"""
from __future__ import annotations

import os

from digits_table import ROOT, _cell
from docs_blocks import table_main

PAGE = "docs/likelihood-fashion-mnist.md"
# family -> (published bits/dim or None, dataset of that number, where it is printed).  Found with
# the search tools.  The papers' tables proper could not be opened here; where no Fashion-MNIST
# number of the family or a near relative was found, the MNIST row stands in, labelled as such
# (MNIST digits are simpler: about 1 bit/dim, Fashion-MNIST about 3).
CITED = {
    # Kirichenko et al.'s notebook loads their Fashion-MNIST Glow (2 scales of 16 couplings, 200
    # channels) and prints its bits/dim over the train, test and MNIST images.  Their dequantisation
    # is the standard (v + u) / 256; their log-Jacobian keeps a log(255/256) per pixel, so the
    # number is 0.006 bits/dim above the strict one (3.135).
    "realnvp": (3.14, "Fashion-MNIST, Glow",
                "Glow, RealNVP's successor (1×1 convolutions, actnorm), trained on Fashion-MNIST by Kirichenko, "
                "Izmailov and Wilson 2020 (arXiv:2006.08545): test 3.141 bits/dim as printed by the notebook "
                "experiments/notebooks/GLOW_fashion.ipynb of their code (PolinaKirichenko/flows_ood), not by a "
                "table of the paper; Real NVP itself is listed with MNIST only (1.06, Dinh et al. 2017, in "
                "zalandoresearch/fashion-mnist issue #144)"),
    # The paper's Table 2 gives MNIST in nats in logit space (MADE MoG -1038.5 the best, as Papers with
    # Code lists it).  Those differ from pixel-space nats by the mean log-Jacobian of the logit over the
    # official MNIST test images, a property of the data alone, but one not at hand here (zoo's MNIST
    # digits are not that split), so only the bits/pixel the paper converts to itself is cited.
    "maf": (1.89, "MNIST", "Papamakarios et al. 2017 (MAF, arXiv:1705.07057), MNIST test bits/pixel of MAF as listed "
                           "by the wizwand index of the paper; the paper's own table reports nats in logit space "
                           "(the paper's tables not opened here)"),
    "pixelcnn": (None, "Fashion-MNIST", "no published PixelCNN bits/dim found; the goal is 3.0 (Nalisnick et al. "
                                        "2019, arXiv:1810.09136, show PixelCNN histograms on Fashion-MNIST, no table "
                                        "found by search; a Glow reaches 3.14, see RealNVP's row)"),
    "vae": (None, "Fashion-MNIST", "no published bits/dim on the 256-level images found (the IWAE paper, "
                                   "arXiv:1509.00519, reports binarised MNIST in nats)"),
}


def fashion_likelihood_exports(root=ROOT / "exports"):
    """Cards of the trained Fashion-MNIST exports with a test bits/dim, sorted by it."""
    from zoo.registry import CARD_FILE, ModelCard

    cards = [ModelCard.read(path.parent) for path in sorted(root.glob(f"*/{CARD_FILE}"))]
    found = [c for c in cards if c.dataset == "fashion_mnist" and c.trained and "bits_per_dim" in c.metrics]
    return sorted(found, key=lambda c: c.metrics["bits_per_dim"]["mean"])


def _gap(value: float, cited: float | None) -> str:
    return "–" if cited is None else f"{100 * (value - cited) / cited:+.0f} %"


def table() -> str:
    lines = ["| export | test bits/dim ↓ | published row | bits/dim | gap | FID ↓ | seeds | steps | command |",
             "|---|---|---|---|---|---|---|---|---|"]
    cards = fashion_likelihood_exports()
    for card in cards:
        m = card.metrics
        cited, dataset, where = CITED.get(card.family, (None, "–", "–"))
        bpd = m["bits_per_dim"]["mean"]
        lines.append(f"| `{card.name}` | {_cell(m['bits_per_dim'], '{:.3f}')} | {where} | "
                     f"{'–' if cited is None else f'{cited:.2f} ({dataset})'} | {_gap(bpd, cited)} | "
                     f"{_cell(m.get('fid'), '{:.1f}')} | {m.get('seeds', '–')} | {card.steps} | `{card.recipe}` |")
    lines += ["", "Test bits per dimension of the 10,000 Fashion-MNIST test images (a VAE: the first 1,000) over "
                  "the 256 grey levels, measured by each recipe (mean ± standard error over its training seeds where "
                  "it has several), the exported seed's own number reproduced from the export by "
                  "`tests/test_exact_shipped.py`; a gap is against a number of another dataset where the row "
                  "says MNIST, and of another family where it names one. FID: 10,000 samples by the Fashion-MNIST "
                  "protocol ([results-fashion-mnist.md](results-fashion-mnist.md))" + _measured_after(cards)
              + ". Generated by `python benchmarks/likelihood_fashion_table.py`."]
    return "\n".join(lines)


def _measured_after(cards) -> str:
    """The † of the FID column: which exports were measured after training, by what command."""
    commands = [f"`{card.name}` by `{card.metrics['fid']['source'].split(':')[0]} --write`" for card in cards
                if isinstance(card.metrics.get("fid"), dict) and "source" in card.metrics["fid"]]
    return f"; † measured on the shipped weights after training: {', '.join(commands)}" if commands else ""


def main(argv=None):
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    table_main(table, "likelihood-fashion", PAGE, __doc__, argv)


if __name__ == "__main__":
    main()
