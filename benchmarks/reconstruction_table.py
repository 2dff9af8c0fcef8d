"""The reconstruction table of docs/results-autoencoders.md for every digits export (the digits protocol), measured here.

    python benchmarks/reconstruction_table.py            # print the markdown
    python benchmarks/reconstruction_table.py --write    # also replace the block between the
                                                         # reconstruction-table markers in docs/results-autoencoders.md

For each trained digits export (``exports/*/card.json`` with dataset ``digits``), the mean
squared error on the 360 test images ([-1, 1] values) of

- ``decode(encode(x))`` when the export has an encoder (through ``zoo.load(name)``, i.e. the
  SavedModel users get), and
- ``G(ẑ)`` with ``ẑ`` found by latent optimisation (``zoo.metrics.reconstruction.invert_generator``:
  Adam on z, best of several random starts; Metz et al. 2017, Table 1) when it has none,

beside two baselines: every image predicted by the train mean, and PCA fitted on the train
split with as many components as the codes.  Encoder exports also show the mean ± s.e. of
their card (every training seed of the recipe), and, with the PCA baselines, the share of
reconstructions the digits classifier still gives the test image's label
(``zoo.metrics.digits.label_kept``).  A second table gives the VAE's ELBO and
importance-weighted bound (k = 1000) from its card.
"""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

INVERSION = {"steps": 500, "restarts": 4, "learning_rate": 0.05, "seed": 0}


def _card_cell(metrics: dict, key: str, fmt: str = "{:.4f}") -> str:
    value = metrics.get(key)
    if not isinstance(value, dict):
        return "–"
    text = fmt.format(value["mean"])
    if len(value.get("per_seed", [])) > 1:
        text += " ± " + fmt.format(value["se"])
    return f"{text} ({len(value.get('per_seed', [1]))} seeds)"


def digits_exports():
    from zoo.registry import CARD_FILE, REPO_EXPORTS, ModelCard

    found = []
    for card_path in sorted(REPO_EXPORTS.glob(f"*/{CARD_FILE}")):
        card = ModelCard.read(card_path.parent)
        if card.dataset == "digits" and card.trained and card.family != "classifier" and card.latent_dim:
            found.append(card)
    return found


def measure():
    """Rows ``(model, family, code size, encoder MSE, card cell, label kept, inversion MSE)`` and the VAE rows."""
    import zoo
    from zoo.data import digits_split
    from zoo.metrics.digits import label_kept
    from zoo.metrics.reconstruction import (inversion_mse, pca_reconstruction, per_example_mse, reconstruct,
                                            train_mean_mse)

    x_train, _, x_test, y_test = digits_split()
    cards = digits_exports()
    rows, bounds = [], []
    for card in cards:
        model = zoo.load(card.name)
        if card.conditioning:
            continue  # a conditional generator needs the label too: not comparable
        if "log_prob" in card.signatures:
            continue  # exact-likelihood exports: a flow inverts exactly, PixelCNN has no code
        encoder_mse, card_cell, kept = None, "–", None
        if "encode" in card.signatures:
            x_hat = reconstruct(model.encode, model.decode, x_test)
            encoder_mse = float(per_example_mse(x_test, x_hat).mean())
            card_cell = _card_cell(card.metrics, "reconstruction_mse")
            kept = label_kept(x_hat, y_test)
        # Every export is also inverted (its generator / decoder), so all rows compare.
        inverted = inversion_mse(lambda z, m=model: m.saved_model.generate(z=z)["x"], x_test, card.latent_dim,
                                 **INVERSION)
        rows.append((f"`{card.name}`", card.family, card.latent_dim, encoder_mse, card_cell, kept, inverted))
        if "elbo" in card.metrics:
            bounds.append((card.name, _card_cell(card.metrics, "elbo", "{:.1f}"),
                           _card_cell(card.metrics, "iwae", "{:.1f}")))
    rows.sort(key=lambda row: (row[2], row[3] if row[3] is not None else row[6]))
    sizes = sorted({row[2] for row in rows} or {8})  # the code sizes in the table
    baselines = [("*test images themselves* (the classifier's own accuracy)", "reference", 0, 0.0, "–",
                  label_kept(x_test, y_test), None),
                 ("*train mean* (every test image predicted by the mean train image)", "baseline", 0,
                  train_mean_mse(x_train, x_test), "–", None, None)]
    for k in sizes:
        x_hat = pca_reconstruction(x_train, x_test, k)
        baselines.append((f"*PCA, {k} components* (linear auto-encoder fitted on the train split)", "baseline", k,
                          float(per_example_mse(x_test, x_hat).mean()), "–", label_kept(x_hat, y_test), None))
    return baselines + rows, bounds


def table() -> str:
    rows, bounds = measure()
    fmt = lambda v: "–" if v is None else f"{v:.4f}"  # noqa: E731
    percent = lambda v: "–" if v is None else f"{100 * v:.1f} %"  # noqa: E731
    lines = ["| model | family | code size | encoder MSE ↓ (export) | encoder MSE, card (mean ± s.e.) "
             "| label kept ↑ (export) | inversion MSE ↓ (export) |", "|---|---|---|---|---|---|---|"]
    lines += [f"| {m} | {f} | {k or '–'} | {fmt(enc)} | {card} | {percent(kept)} | {fmt(inv)} |"
              for m, f, k, enc, card, kept, inv in rows]
    text = "\n".join(lines) + (
        "\n\nMSE per value on the 360 test images ([-1, 1] scale). Encoder: `decode(encode(x))` of the "
        "export (seed 0) and, from its card, over the recipe's seeds. Inversion: `G(ẑ)` with ẑ found by Adam "
        f"on z, best of {INVERSION['restarts']} random starts × {INVERSION['steps']} steps "
        "(`zoo.metrics.reconstruction.invert_generator`), for every export. Label kept: the share of test "
        "reconstructions the digits classifier gives the test image's own label (`zoo.metrics.digits.label_kept`), "
        "whether the code keeps the digit rather than its pixels. Compare rows of the same code "
        "size: a 32-d code optimised per image is a far richer fit than an 8-d one. Conditional exports "
        "are left out (they need the label).\n")
    if bounds:
        text += ("\n| model | ELBO ↑ (nats per image) | IWAE, k = 1000 ↑ (nats per image) |\n|---|---|---|\n"
                 + "\n".join(f"| `{name}` | {elbo} | {iwae} |" for name, elbo, iwae in bounds)
                 + "\n\nBounds on log P(x) of the discrete test images (17 grey levels): the model's density "
                 "on uniformly dequantised pixels plus 64 log(1/8) (a uniform model over the 17 levels "
                 "scores −64 log 17 = −181.3).\n")
    return text


def main(argv=None):
    from docs_blocks import table_main  # benchmarks/ is on sys.path when run as a script

    table_main(table, "reconstruction-table", "docs/results-autoencoders.md", __doc__, argv)


if __name__ == "__main__":
    main()
