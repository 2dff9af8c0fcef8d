"""Walking the latent space (Radford et al. 2016, DCGAN §6: "walking in the latent space" and
"vector arithmetic on face samples").

Pure NumPy: ``lerp`` / ``slerp`` between codes, ``interpolate`` over evenly spaced steps, and
``vector_arithmetic`` on averaged codes.  ``zoo.load(name).interpolate(...)`` draws the images.

Spherical interpolation is the default because for ``z ~ N(0, I)`` in d dimensions almost all
mass lies near the sphere of radius √d: the straight line between two codes passes through
codes of norm ≈ √(d/2) at its midpoint, which the generator has almost never seen; the great
circle keeps the norm (White 2016, "Sampling Generative Networks", arXiv:1609.04468, §2.1).
"""
from __future__ import annotations

import numpy as np

METHODS = ("slerp", "linear")


def _as_codes(z0, z1):
    z0, z1 = np.asarray(z0, dtype=np.float64), np.asarray(z1, dtype=np.float64)
    if z0.shape != z1.shape or z0.ndim not in (1, 2) or z0.shape[-1] == 0:
        raise ValueError("z0 and z1 must be codes of the same shape, [D] or [N, D]. "
                         f"Received: z0.shape={list(z0.shape)}, z1.shape={list(z1.shape)}")
    return z0, z1


def _as_fractions(t):
    t = np.asarray(t, dtype=np.float64)
    if t.ndim > 1:
        raise ValueError(f"t must be a number or a 1-D array of fractions. Received: t.shape={list(t.shape)}")
    return t


def _pin_endpoints(out, z0, z1, t):
    """Endpoints exactly: t = 0 gives z0 and t = 1 gives z1, not z0 up to round-off."""
    out[..., t == 0, :] = z0[..., None, :]
    out[..., t == 1, :] = z1[..., None, :]
    return out


def lerp(z0, z1, t):
    """Linear interpolation ``(1 - t) z0 + t z1``.

    Args:
      z0, z1: codes ``[D]`` (or ``[N, D]``: N pairs).
      t: a fraction or a 1-D array ``[T]`` of fractions (0 gives z0, 1 gives z1).
    Returns:
      ``[D]`` for a scalar ``t`` and ``[D]`` codes; otherwise ``[T, D]`` (``[N, T, D]``).
    """
    z0, z1 = _as_codes(z0, z1)
    scalar = np.ndim(t) == 0
    t = np.atleast_1d(_as_fractions(t))
    out = (1.0 - t)[:, None] * z0[..., None, :] + t[:, None] * z1[..., None, :]
    out = _pin_endpoints(out, z0, z1, t)
    return out[..., 0, :] if scalar else out


def slerp(z0, z1, t, eps=1e-7):
    """Spherical linear interpolation (Shoemake 1985) along the great circle from z0 to z1.

    Formula: with ``Ω = arccos(<z0, z1> / (|z0| |z1|))``,
    ``slerp(z0, z1; t) = sin((1 - t) Ω) / sin Ω · z0 + sin(t Ω) / sin Ω · z1``.
    For codes of equal norm r every point has norm r.  (Nearly) parallel codes, where
    ``sin Ω → 0``, fall back to :func:`lerp`, its limit.  Antiparallel codes have no unique
    great circle; the formula is then ill-conditioned, as in every implementation.

    Args and returns as :func:`lerp`.
    """
    z0, z1 = _as_codes(z0, z1)
    scalar = np.ndim(t) == 0
    t = np.atleast_1d(_as_fractions(t))
    norms = np.linalg.norm(z0, axis=-1) * np.linalg.norm(z1, axis=-1)
    cos_omega = np.clip(np.sum(z0 * z1, axis=-1) / np.maximum(norms, np.finfo(np.float64).tiny), -1.0, 1.0)
    omega = np.arccos(cos_omega)[..., None]  # [..., 1]
    sin_omega = np.sin(omega)
    parallel = np.abs(sin_omega) < eps
    safe = np.where(parallel, 1.0, sin_omega)
    a = np.where(parallel, 1.0 - t, np.sin((1.0 - t) * omega) / safe)  # [..., T]
    b = np.where(parallel, t, np.sin(t * omega) / safe)
    out = a[..., :, None] * z0[..., None, :] + b[..., :, None] * z1[..., None, :]
    out = _pin_endpoints(out, z0, z1, t)
    return out[..., 0, :] if scalar else out


def interpolate(z0, z1, steps: int = 8, method: str = "slerp"):
    """``steps`` codes evenly spaced from z0 to z1 (both included): ``[steps, D]`` (``[N, steps, D]``)."""
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 2:
        raise ValueError(f"steps must be an integer >= 2 (both endpoints are included). Received: steps={steps!r}")
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}. Received: method={method!r}")
    t = np.linspace(0.0, 1.0, int(steps))
    return (slerp if method == "slerp" else lerp)(z0, z1, t)


def vector_arithmetic(plus, minus=()):
    """``Σ mean(plus_i) - Σ mean(minus_j)``: DCGAN §6.3's arithmetic on averaged codes.

    Each term is one code ``[D]`` or several ``[n, D]`` that are averaged first; the paper
    averages the codes of three exemplars per concept, because single codes were unstable
    ("smiling woman" - "neutral woman" + "neutral man" = "smiling man" with
    ``plus=[smiling_women, neutral_men], minus=[neutral_women]``).

    Returns:
      the code ``[D]``.
    """
    plus, minus = list(plus), list(minus)
    if not plus:
        raise ValueError("vector_arithmetic needs at least one code to add. Received: plus=[]")
    terms = [np.asarray(v, dtype=np.float64) for v in plus + minus]
    dims = {v.shape[-1] for v in terms if v.ndim in (1, 2)}
    if len(dims) != 1 or any(v.ndim not in (1, 2) or v.size == 0 for v in terms):
        raise ValueError("every term must be a code [D] or codes [n, D] of one dimension D. "
                         f"Received: shapes={[list(v.shape) for v in terms]}")
    means = [v.reshape(-1, v.shape[-1]).mean(axis=0) for v in terms]
    return np.sum(means[: len(plus)], axis=0) - (np.sum(means[len(plus):], axis=0) if minus else 0.0)
