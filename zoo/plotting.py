"""PNG pictures of samples: a scatter over the modes for 2-D points, a grid for images."""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")  # no screen needed
    import matplotlib.pyplot as plt

    return plt


def scatter_png(points, path, dataset: str | None = None, title: str = "") -> Path:
    """Scatter 2-D ``points``; with a mixture ``dataset`` its means are drawn as crosses."""
    plt = _pyplot()
    points = np.asarray(points)
    fig, ax = plt.subplots(figsize=(5, 5), dpi=100)
    ax.scatter(points[:, 0], points[:, 1], s=2, alpha=0.4, color="tab:blue", label="samples")
    if dataset is not None:
        from zoo.data.mixtures import MIXTURES

        if dataset in MIXTURES:
            means = MIXTURES[dataset].means
            ax.scatter(means[:, 0], means[:, 1], marker="x", s=40, color="tab:red", label="modes")
            pad = 1.0 if dataset == "grid25" else 0.5
            ax.set_xlim(means[:, 0].min() - pad, means[:, 0].max() + pad)
            ax.set_ylim(means[:, 1].min() - pad, means[:, 1].max() + pad)
    ax.set_aspect("equal")
    ax.legend(loc="upper right", fontsize=8)
    if title:
        ax.set_title(title, fontsize=9)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return Path(path)


def image_grid(images, ncols: int | None = None) -> np.ndarray:
    """NHWC images in [-1, 1] -> one HWC uint8 mosaic with a 1-pixel border."""
    images = np.asarray(images, dtype=np.float32)
    n, h, w, c = images.shape
    ncols = ncols or int(math.ceil(math.sqrt(n)))
    nrows = int(math.ceil(n / ncols))
    grid = np.ones(((h + 1) * nrows + 1, (w + 1) * ncols + 1, c), dtype=np.float32)
    for i, image in enumerate(images):
        r, col = divmod(i, ncols)
        grid[1 + r * (h + 1): 1 + r * (h + 1) + h, 1 + col * (w + 1): 1 + col * (w + 1) + w] = (image + 1) / 2
    return (np.clip(grid, 0, 1) * 255).round().astype(np.uint8)


def grid_png(images, path, ncols: int | None = None, scale: int = 4, title: str = "") -> Path:
    """Save NHWC images in [-1, 1] as a grid PNG, each pixel drawn ``scale`` times larger."""
    plt = _pyplot()
    grid = image_grid(images, ncols)
    grid = np.repeat(np.repeat(grid, scale, axis=0), scale, axis=1)
    height, width = grid.shape[:2]
    fig = plt.figure(figsize=(width / 100, height / 100 + (0.3 if title else 0)), dpi=100)
    ax = fig.add_axes([0, 0, 1, height / (height + (30 if title else 0))])
    ax.imshow(grid.squeeze(-1) if grid.shape[-1] == 1 else grid, cmap="gray", vmin=0, vmax=255,
              interpolation="nearest")
    ax.axis("off")
    if title:
        fig.suptitle(title, fontsize=8)
    fig.savefig(path)
    plt.close(fig)
    return Path(path)


def samples_png(samples, path, card, title: str = "") -> Path:
    """The picture people expect for an export's samples: scatter for points, grid for images."""
    if card.data_kind == "points":
        return scatter_png(samples, path, dataset=card.dataset, title=title)
    return grid_png(samples, path, title=title)
