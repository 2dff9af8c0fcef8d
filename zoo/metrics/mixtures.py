"""Mode coverage on the 2-D mixtures (the mixtures protocol; VEEGAN, Srivastava et al. 2017, §5.1)."""
from __future__ import annotations

import math

import numpy as np

from zoo.data.mixtures import mixture


def mode_coverage(samples, dataset: str) -> dict:
    """Modes captured, % high-quality samples and reverse KL of generated 2-D ``samples``.

    - A sample is *high quality* if it lies within 3 standard deviations of its nearest mean.
    - A mode is *captured* if at least one high-quality sample is nearest to it.
    - Reverse KL: ``KL(q ‖ u) = Σ_k q_k log(K q_k)`` where ``q`` is the histogram of the
      high-quality samples over their nearest modes and ``u`` the uniform one over the K
      modes.  It is NaN when no sample is of high quality (``q`` is then undefined).

    Args:
      samples: array-like ``[N, 2]``.
      dataset: ``"ring8"`` or ``"grid25"``.
    Returns:
      ``{"modes": int, "high_quality": percent, "reverse_kl": float}``.
    """
    m = mixture(dataset)
    samples = np.asarray(samples, dtype=np.float64)
    if samples.ndim != 2 or samples.shape[1] != 2:
        raise ValueError(f"mode_coverage expects samples of shape [N, 2]. Received: shape={samples.shape}")
    if len(samples) == 0:
        raise ValueError("mode_coverage needs at least one sample. Received: 0 samples")
    distances = np.linalg.norm(samples[:, None, :] - m.means[None, :, :], axis=-1)  # [N, K]
    nearest = distances.argmin(axis=1)
    high_quality = distances[np.arange(len(samples)), nearest] <= 3 * m.std
    counts = np.bincount(nearest[high_quality], minlength=m.num_modes)
    if counts.sum() == 0:
        reverse_kl = math.nan
    else:
        q = counts / counts.sum()
        nonzero = q > 0
        reverse_kl = float(np.sum(q[nonzero] * np.log(m.num_modes * q[nonzero])))
    return {
        "modes": int((counts > 0).sum()),
        "high_quality": float(100.0 * high_quality.mean()),
        "reverse_kl": reverse_kl,
    }


def summarize(runs: list[dict]) -> dict:
    """Mean ± standard error over seeds of each metric of ``runs`` (one dict per seed).

    Returns ``{metric: {"mean": m, "se": s, "per_seed": [...]}}``; the standard error is
    ``std(ddof=1) / sqrt(n)`` (0 for a single run).
    """
    summary = {}
    for key in runs[0]:
        values = np.array([r[key] for r in runs], dtype=np.float64)
        se = float(values.std(ddof=1) / np.sqrt(len(values))) if len(values) > 1 else 0.0
        summary[key] = {"mean": float(values.mean()), "se": se, "per_seed": values.tolist()}
    return summary
