"""The reconstruction table of docs/autoencoders-fashion-mnist.md for every Fashion-MNIST encoder export, measured here.

    python benchmarks/reconstruction_fashion_table.py            # print the markdown
    python benchmarks/reconstruction_fashion_table.py --write    # also replace the block between the
                                                                 # reconstruction-fashion-table markers of
                                                                 # docs/autoencoders-fashion-mnist.md

For each trained Fashion-MNIST export with an encoder (``exports/*/card.json`` with dataset
``fashion_mnist`` and ``encode`` and ``decode`` signatures), loaded by ``zoo.load(name)`` as a user loads it,
on the 10,000 test images ([-1, 1] values):

- the mean squared error per value of ``decode(encode(x))`` (the posterior mean's decoding for
  the VAE, AVB and ALI);
- "label kept": the share of reconstructions that ``fashion-mnist-classifier`` gives the label it
  gives their input (``zoo.metrics.reconstruction.label_kept``);
- "true label": the share it gives the test image's own label (its accuracy on the
  reconstructions);
- and, from its card, the FID of its samples (the Fashion-MNIST protocol, written by
  ``zoo eval NAME --write``),

beside two baselines: every image predicted by the train mean, and PCA fitted on the train
split with as many components as each code size.
"""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PAGE = "docs/autoencoders-fashion-mnist.md"


def fashion_encoder_exports():
    """The cards of the trained Fashion-MNIST auto-encoders (``encode`` and ``decode``; a flow's
    ``encode`` is its inverse, with no decoder), by name."""
    from zoo.registry import CARD_FILE, REPO_EXPORTS, ModelCard

    cards = [ModelCard.read(path.parent) for path in sorted(REPO_EXPORTS.glob(f"*/{CARD_FILE}"))]
    return [card for card in cards if card.dataset == "fashion_mnist" and card.trained
            and {"encode", "decode"} <= set(card.signatures)]


def measure():
    """Rows ``(model, family, code size, MSE, label kept, true label, FID)``: baselines, then the exports."""
    import numpy as np

    import zoo
    from zoo.data.fashion_mnist import fashion_mnist_split
    from zoo.metrics.fashion_mnist import classify
    from zoo.metrics.reconstruction import (label_kept, pca_reconstruction, per_example_mse, reconstruct,
                                            train_mean_mse)

    x_train, _, x_test, y_test = fashion_mnist_split()
    label_of = lambda images: classify(images)[1].argmax(axis=1)  # noqa: E731

    def row(model, family, size, x_hat, fid=None):
        accuracy = float(np.mean(label_of(x_hat) == y_test))
        return (model, family, size, float(per_example_mse(x_test, x_hat).mean()), label_kept(label_of, x_test, x_hat),
                accuracy, fid)

    exports = []
    for card in fashion_encoder_exports():
        model = zoo.load(card.name)
        exports.append(row(f"`{card.name}`", card.family, card.latent_dim,
                           reconstruct(model.encode, model.decode, x_test), card.metrics.get("fid")))
    exports.sort(key=lambda r: (r[2], r[3]))
    rows = [row("*test images themselves* (the classifier's accuracy)", "reference", 0, x_test),
            ("*train mean* (every test image predicted by the mean train image)", "baseline", 0,
             train_mean_mse(x_train, x_test), None, None, None)]
    for k in sorted({r[2] for r in exports} or {8}):
        rows.append(row(f"*PCA, {k} components* (linear auto-encoder fitted on the train split)", "baseline", k,
                        pca_reconstruction(x_train, x_test, k).astype(np.float32)))
    return rows + exports


def table() -> str:
    percent = lambda v: "–" if v is None else f"{100 * v:.1f} %"  # noqa: E731
    fid = lambda v: f"{v['mean']:.1f}" if isinstance(v, dict) else "–"  # noqa: E731
    lines = ["| model | family | code size | reconstruction MSE ↓ | label kept ↑ | true label ↑ | FID ↓ (card) |",
             "|---|---|---|---|---|---|---|"]
    lines += [f"| {m} | {f} | {k or '–'} | {mse:.4f} | {percent(kept)} | {percent(true)} | {fid(card_fid)} |"
              for m, f, k, mse, kept, true, card_fid in measure()]
    return "\n".join(lines) + (
        "\n\nOn the 10,000 test images, [-1, 1] scale; exports loaded by `zoo.load`. MSE: mean over values of "
        "(x − decode(encode(x)))². Label kept: the share of reconstructions `fashion-mnist-classifier` gives the "
        "class it gives the input (`zoo.metrics.reconstruction.label_kept`). True label: the share it gives the "
        "test image's own class. FID: of 10,000 prior samples, from the export's card (`zoo eval NAME --write`; "
        "the whole protocol is in [results-fashion-mnist.md](results-fashion-mnist.md)). Compare rows of one code "
        "size.\n")


def main(argv=None):
    from docs_blocks import table_main  # benchmarks/ is on sys.path when run as a script

    table_main(table, "reconstruction-fashion-table", PAGE, __doc__, argv)


if __name__ == "__main__":
    main()
