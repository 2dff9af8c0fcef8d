"""f-divergences of f-GAN as pure tensor functions (Nowozin, Cseke & Tomioka 2016,
"f-GAN: Training Generative Neural Samplers using Variational Divergence Minimization",
arXiv:1606.00709, Tables 1 and 2).

An f-divergence between distributions P and Q with densities p and q is

    D_f(P ‖ Q) = ∫ q(x) f(p(x) / q(x)) dx,        f convex, f(1) = 0.

Its variational lower bound (Nguyen, Wainwright & Jordan 2010; f-GAN eq. 4) is

    D_f(P ‖ Q) ≥ sup_T  E_P[T(x)] − E_Q[f*(T(x))],

where ``f*(t) = sup_u {u t − f(u)}`` is the convex (Fenchel) conjugate of f; the bound is
tight at ``T*(x) = f′(p(x) / q(x))``.  f-GAN writes the critic as ``T(x) = g_f(V(x))``
with ``V`` an unconstrained network and ``g_f`` an output activation that maps ℝ into the
domain of f*.

For every divergence of the paper, this module gives four functions
``<name>_f(u)``, ``<name>_conjugate(t)``, ``<name>_activation(v)``,
``<name>_optimal_critic(ratio)`` and the composition ``<name>_conjugate_activation(v) =
f*(g_f(v))`` written in a numerically stable form (e.g. ``softplus`` instead of
``−log(1 − exp(−softplus(−v)))``).  They are bundled as :class:`FDivergence` objects
(``zoo.divergences.pearson``, ``zoo.divergences.get("js")``).

Conventions: ``u = p/q`` is the likelihood ratio (data over model in f-GAN, where P is the
data and Q the generator); the functions are dtype-agnostic (float32 or float64).

The losses built on them (f-GAN's critic and generator losses, density-ratio matching) are in
:mod:`zoo.losses`, with every other loss.
"""
from __future__ import annotations

import dataclasses
import math
from typing import Callable

import tensorflow as tf

LOG2 = math.log(2.0)


def _xlogx(u):
    """u log u with the limit 0 at u = 0."""
    return tf.math.xlogy(u, u)


# --------------------------------------------------------------------------- KL
def kl_f(u):
    """Kullback-Leibler generator: ``f(u) = u log u`` (f-GAN Table 1).

    ``D_f(P‖Q) = ∫ p log(p/q) = KL(P‖Q)``.
    """
    return _xlogx(u)


def kl_conjugate(t):
    """Conjugate of ``u log u``: ``f*(t) = exp(t − 1)``, dom f* = ℝ (f-GAN Table 2)."""
    return tf.exp(t - 1.0)


def kl_activation(v):
    """Output activation of KL: ``g_f(v) = v`` (f-GAN Table 2)."""
    return tf.identity(v)


def kl_optimal_critic(ratio):
    """``T*(x) = f′(p/q) = 1 + log(p/q)``."""
    return 1.0 + tf.math.log(ratio)


def kl_conjugate_activation(v):
    """``f*(g_f(v)) = exp(v − 1)``."""
    return tf.exp(v - 1.0)


# ------------------------------------------------------------------- reverse KL
def reverse_kl_f(u):
    """Reverse Kullback-Leibler generator: ``f(u) = −log u`` (f-GAN Table 1).

    ``D_f(P‖Q) = ∫ q log(q/p) = KL(Q‖P)``.
    """
    return -tf.math.log(u)


def reverse_kl_conjugate(t):
    """Conjugate of ``−log u``: ``f*(t) = −1 − log(−t)``, dom f* = ℝ₋ (t < 0)."""
    return -1.0 - tf.math.log(-t)


def reverse_kl_activation(v):
    """Output activation of reverse KL: ``g_f(v) = −exp(−v)`` (into ℝ₋)."""
    return -tf.exp(-v)


def reverse_kl_optimal_critic(ratio):
    """``T*(x) = f′(p/q) = −q/p``."""
    return -1.0 / ratio


def reverse_kl_conjugate_activation(v):
    """``f*(g_f(v)) = −1 − log(exp(−v)) = v − 1``."""
    return v - 1.0


# --------------------------------------------------------------------- Pearson
def pearson_f(u):
    """Pearson χ² generator: ``f(u) = (u − 1)²`` (f-GAN Table 1).

    ``D_f(P‖Q) = ∫ (p − q)² / q``.
    """
    return tf.square(u - 1.0)


def pearson_conjugate(t):
    """Conjugate of ``(u − 1)²``: ``f*(t) = t²/4 + t``, dom f* = ℝ (f-GAN Table 2).

    This is the conjugate of ``(u − 1)²`` extended to all ``u ∈ ℝ``; for ``u ≥ 0`` only, it
    agrees for ``t ≥ −2`` and is larger below, so the variational bound stays a lower bound.
    """
    return 0.25 * tf.square(t) + t


def pearson_activation(v):
    """Output activation of Pearson χ²: ``g_f(v) = v``."""
    return tf.identity(v)


def pearson_optimal_critic(ratio):
    """``T*(x) = f′(p/q) = 2 (p/q − 1)``."""
    return 2.0 * (ratio - 1.0)


def pearson_conjugate_activation(v):
    """``f*(g_f(v)) = v²/4 + v``."""
    return 0.25 * tf.square(v) + v


# ---------------------------------------------------------------------- Neyman
def neyman_f(u):
    """Neyman χ² generator: ``f(u) = (1 − u)² / u`` (f-GAN Table 1).

    ``D_f(P‖Q) = ∫ (q − p)² / p``.
    """
    return tf.square(1.0 - u) / u


def neyman_conjugate(t):
    """Conjugate of ``(1 − u)²/u``: ``f*(t) = 2 − 2 √(1 − t)``, dom f* = (−∞, 1)."""
    return 2.0 - 2.0 * tf.sqrt(1.0 - t)


def neyman_activation(v):
    """Output activation of Neyman χ²: ``g_f(v) = 1 − exp(−v)`` (into (−∞, 1))."""
    return 1.0 - tf.exp(-v)


def neyman_optimal_critic(ratio):
    """``T*(x) = f′(p/q) = 1 − (q/p)²``."""
    return 1.0 - 1.0 / tf.square(ratio)


def neyman_conjugate_activation(v):
    """``f*(g_f(v)) = 2 − 2 √(exp(−v)) = 2 − 2 exp(−v/2)``."""
    return 2.0 - 2.0 * tf.exp(-0.5 * v)


# ----------------------------------------------------------- squared Hellinger
def squared_hellinger_f(u):
    """Squared Hellinger generator: ``f(u) = (√u − 1)²`` (f-GAN Table 1).

    ``D_f(P‖Q) = ∫ (√p − √q)²``.
    """
    return tf.square(tf.sqrt(u) - 1.0)


def squared_hellinger_conjugate(t):
    """Conjugate of ``(√u − 1)²``: ``f*(t) = t / (1 − t)``, dom f* = (−∞, 1)."""
    return t / (1.0 - t)


def squared_hellinger_activation(v):
    """Output activation of squared Hellinger: ``g_f(v) = 1 − exp(−v)`` (into (−∞, 1))."""
    return 1.0 - tf.exp(-v)


def squared_hellinger_optimal_critic(ratio):
    """``T*(x) = f′(p/q) = 1 − √(q/p)``."""
    return 1.0 - tf.math.rsqrt(ratio)


def squared_hellinger_conjugate_activation(v):
    """``f*(g_f(v)) = (1 − e^{−v}) / e^{−v} = exp(v) − 1``."""
    return tf.math.expm1(v)


# --------------------------------------------------------------------- Jeffrey
def jeffrey_f(u):
    """Jeffrey generator: ``f(u) = (u − 1) log u`` (f-GAN Table 1).

    ``D_f(P‖Q) = ∫ (p − q) log(p/q) = KL(P‖Q) + KL(Q‖P)``.  (``tfp.vi.jeffreys`` is half
    of this.)
    """
    return (u - 1.0) * tf.math.log(u)


def _wright_omega(x):
    """ω(x) = W(eˣ), the solution w > 0 of ``w + log w = x`` (Corless & Jeffrey 2002).

    Computed without forming ``eˣ`` (which overflows for the Jeffrey conjugate at very
    negative t): start from ``eˣ`` (x < 1) or ``x − log x`` (x ≥ 1) and take Newton steps on
    ``w + log w − x``, which converge quadratically from these starts.
    """
    x = tf.convert_to_tensor(x)
    w = tf.where(x < 1.0, tf.exp(tf.minimum(x, 1.0)), x - tf.math.log(tf.maximum(x, 1.0)))
    for _ in range(6):
        # g(w) = w + log w − x is concave and increasing: after the first step the iterates
        # approach the root from below and stay positive.
        w = w - (w + tf.math.log(w) - x) * w / (1.0 + w)
    return w


def jeffrey_conjugate(t):
    """Conjugate of ``(u − 1) log u``: ``f*(t) = W(e^{1−t}) + 1/W(e^{1−t}) + t − 2``, dom ℝ,
    with W the Lambert W function (f-GAN Table 2)."""
    w = _wright_omega(1.0 - t)
    return w + 1.0 / w + t - 2.0


def jeffrey_activation(v):
    """Output activation of Jeffrey: ``g_f(v) = v``."""
    return tf.identity(v)


def jeffrey_optimal_critic(ratio):
    """``T*(x) = f′(p/q) = 1 + log(p/q) − q/p``."""
    return 1.0 + tf.math.log(ratio) - 1.0 / ratio


def jeffrey_conjugate_activation(v):
    """``f*(g_f(v)) = f*(v)``."""
    return jeffrey_conjugate(v)


# -------------------------------------------------------------- Jensen-Shannon
def jensen_shannon_f(u):
    """Jensen-Shannon generator: ``f(u) = u log u − (u + 1) log((u + 1)/2)`` (f-GAN Table 1).

    ``D_f(P‖Q) = ∫ p log(2p/(p+q)) + q log(2q/(p+q)) = 2·JSD(P‖Q)``: this f (the one whose
    conjugate the paper's Table 2 gives) is twice the ½-weighted JSD written in Table 1.
    Equals ``tfp.vi.jensen_shannon(log u, self_normalized=True)``.
    """
    return _xlogx(u) - (u + 1.0) * tf.math.log((u + 1.0) / 2.0)


def jensen_shannon_conjugate(t):
    """Conjugate: ``f*(t) = −log(2 − exp(t))``, dom f* = (−∞, log 2) (f-GAN Table 2)."""
    return -tf.math.log(2.0 - tf.exp(t))


def jensen_shannon_activation(v):
    """Output activation: ``g_f(v) = log 2 − log(1 + exp(−v)) = log 2 − softplus(−v)``."""
    return LOG2 - tf.nn.softplus(-v)


def jensen_shannon_optimal_critic(ratio):
    """``T*(x) = f′(p/q) = log(2 (p/q) / (1 + p/q)) = log(2p/(p+q))``."""
    return tf.math.log(2.0 * ratio / (1.0 + ratio))


def jensen_shannon_conjugate_activation(v):
    """``f*(g_f(v)) = −log(2 − 2σ(v)) = softplus(v) − log 2``."""
    return tf.nn.softplus(v) - LOG2


# ------------------------------------------------------------------------- GAN
def gan_f(u):
    """GAN generator: ``f(u) = u log u − (u + 1) log(u + 1)`` (f-GAN Table 1).

    ``D_f(P‖Q) = ∫ p log(p/(p+q)) + q log(q/(p+q)) = 2·JSD(P‖Q) − log 4``: the value of the
    GAN game of Goodfellow et al. (2014) at the optimal discriminator ``D = σ(V)``.  Equals
    ``tfp.vi.jensen_shannon(log u)`` (not self-normalised).
    """
    return _xlogx(u) - (u + 1.0) * tf.math.log(u + 1.0)


def gan_conjugate(t):
    """Conjugate: ``f*(t) = −log(1 − exp(t))``, dom f* = ℝ₋ (f-GAN Table 2)."""
    return -tf.math.log(-tf.math.expm1(t))


def gan_activation(v):
    """Output activation: ``g_f(v) = −log(1 + exp(−v)) = log σ(v)``."""
    return -tf.nn.softplus(-v)


def gan_optimal_critic(ratio):
    """``T*(x) = f′(p/q) = log(p/(p+q))``: the log of the optimal discriminator."""
    return tf.math.log(ratio / (1.0 + ratio))


def gan_conjugate_activation(v):
    """``f*(g_f(v)) = −log(1 − σ(v)) = softplus(v)``.

    So ``E_P[g_f(V)] − E_Q[f*(g_f(V))] = E_P[log σ(V)] + E_Q[log(1 − σ(V))]``: the GAN
    discriminator's objective (f-GAN §2.4).
    """
    return tf.nn.softplus(v)


# ------------------------------------------------------------- total variation
def total_variation_f(u):
    """Total variation generator: ``f(u) = ½ |u − 1|`` (f-GAN Table 1).

    ``D_f(P‖Q) = ½ ∫ |p − q|``.
    """
    return 0.5 * tf.abs(u - 1.0)


def total_variation_conjugate(t):
    """Conjugate of ``½|u − 1|``: ``f*(t) = t``, dom f* = [−½, ½] (f-GAN Table 2)."""
    return tf.identity(t)


def total_variation_activation(v):
    """Output activation: ``g_f(v) = ½ tanh(v)`` (into (−½, ½))."""
    return 0.5 * tf.tanh(v)


def total_variation_optimal_critic(ratio):
    """``T*(x) = f′(p/q) = ½ sign(p/q − 1)`` (a subgradient; 0 where p = q)."""
    return 0.5 * tf.sign(ratio - 1.0)


def total_variation_conjugate_activation(v):
    """``f*(g_f(v)) = ½ tanh(v)``."""
    return 0.5 * tf.tanh(v)


# --------------------------------------------------------------------- bundles
@dataclasses.dataclass(frozen=True)
class FDivergence:
    """One f-divergence of f-GAN: its generator, conjugate, output activation, optimal
    critic and the stable composition ``f*(g_f(v))``.

    ``domain`` is the open/closed interval ``(low, high)`` of dom f* (``±inf`` for unbounded
    ends), used by tests and by callers that check critic outputs.
    """

    name: str
    f: Callable
    conjugate: Callable
    activation: Callable
    optimal_critic: Callable
    conjugate_activation: Callable
    domain: tuple[float, float]

    def variational_bound(self, v_p, v_q):
        """``E_P[g_f(V)] − E_Q[f*(g_f(V))]`` from critic outputs ``V`` on P- and Q-samples
        (f-GAN eq. 6): a lower bound on ``D_f(P‖Q)``, tight at the optimal critic."""
        return tf.reduce_mean(self.activation(v_p)) - tf.reduce_mean(self.conjugate_activation(v_q))

    def __call__(self, u):
        return self.f(u)


def _bundle(name, domain):
    g = globals()
    return FDivergence(
        name=name, f=g[f"{name}_f"], conjugate=g[f"{name}_conjugate"], activation=g[f"{name}_activation"],
        optimal_critic=g[f"{name}_optimal_critic"], conjugate_activation=g[f"{name}_conjugate_activation"],
        domain=domain,
    )


_INF = math.inf
kl = _bundle("kl", (-_INF, _INF))
reverse_kl = _bundle("reverse_kl", (-_INF, 0.0))
pearson = _bundle("pearson", (-_INF, _INF))
neyman = _bundle("neyman", (-_INF, 1.0))
squared_hellinger = _bundle("squared_hellinger", (-_INF, 1.0))
jeffrey = _bundle("jeffrey", (-_INF, _INF))
jensen_shannon = _bundle("jensen_shannon", (-_INF, LOG2))
gan = _bundle("gan", (-_INF, 0.0))
total_variation = _bundle("total_variation", (-0.5, 0.5))

F_DIVERGENCES = {
    d.name: d
    for d in (kl, reverse_kl, pearson, neyman, squared_hellinger, jeffrey, jensen_shannon, gan, total_variation)
}

# Short names used in registered model names (``fgan-js-ring8``) and on command lines.
ALIASES = {
    "reverse-kl": "reverse_kl", "rkl": "reverse_kl", "chi2": "pearson", "hellinger": "squared_hellinger",
    "squared-hellinger": "squared_hellinger", "jeffreys": "jeffrey", "js": "jensen_shannon",
    "jensen-shannon": "jensen_shannon", "tv": "total_variation", "total-variation": "total_variation",
}

# Name in model names for each divergence (the short form).
SHORT_NAMES = {
    "kl": "kl", "reverse_kl": "reverse-kl", "pearson": "pearson", "neyman": "neyman",
    "squared_hellinger": "hellinger", "jeffrey": "jeffrey", "jensen_shannon": "js", "gan": "gan",
    "total_variation": "tv",
}


def get(name) -> FDivergence:
    """The :class:`FDivergence` called ``name`` (full name or alias, e.g. ``"js"``)."""
    if isinstance(name, FDivergence):
        return name
    key = ALIASES.get(name, name)
    if key not in F_DIVERGENCES:
        raise ValueError(
            f"unknown f-divergence {name!r}. Expected one of {sorted(F_DIVERGENCES)} "
            f"or an alias in {sorted(ALIASES)}. Received: divergence={name!r}"
        )
    return F_DIVERGENCES[key]
