"""``Pretrained``: a loaded export, validated NumPy in, NumPy out, the SavedModel underneath.

Inputs are checked here, before they reach the graph and before anything is allocated: a
signature declared ``[None, 2]`` lets a ``[3, 5]`` input through to fail deep inside, NaN codes
come back as NaN samples, a float64 ``1e300`` becomes ``inf`` in float32, and images in [0, 1],
[0, 255] or the digits' 0..16 give codes off the data.
"""
from __future__ import annotations

import numbers
import os
import warnings
from pathlib import Path

import numpy as np

from zoo.exports.manifest import folder_identity, verify
from zoo.quiet import import_tensorflow
from zoo.registry import MODEL_FILE, SAVED_MODEL_DIR, ModelCard, check_name, locate

MAX_SAMPLES = 2**20  # one call's batch; more would allocate for seconds, then fail
# Families whose sampling costs far more than one network pass per sample.  PixelCNN draws
# pixel by pixel: H·W passes (van den Oord et al. 2016, arXiv:1601.06759).  The shipped PixelCNN
# exports hold the whole batch at once: here 2**20 8×8 digits ran out of memory after 45 s; 4,096
# took 24 s and 1 GB (exports written by the current code draw 128 images at a time).  2**14
# keeps the 10,000 samples of the protocols in one call.
SAMPLE_LIMITS = {"pixelcnn": 2**14}
# Markov-chain families (restated from zoo.families.rbm and .gsn, whose SavedModels enforce them,
# so a loaded export refuses a request before anything is allocated): the most steps one
# ``sample_steps`` call runs, the most states one ``chain`` call returns per chain, and of all
# chains together (every state is held at once: 2**17 states of 28×28 are 411 MB of float32).
CHAIN_LIMITS = {"rbm": {"steps": 100_000, "chain_steps": 10_000, "states": 2**17},
                "gsn": {"steps": 10_000, "chain_steps": 1_000, "states": 2**17}}
IMAGE_TOLERANCE = 1e-3  # images may overshoot [-1, 1] by float round-off
FLOAT32_MAX = float(np.finfo(np.float32).max)
# How each dataset's raw pixels become the [-1, 1] images the families take (zoo.data); any
# other image dataset is 8-bit.  The hint of a refused input names the export's own data.
RAW_SCALING = {"digits": "the digits data (load_digits pixels, 0..16) as v / 8 - 1"}
EIGHT_BIT_SCALING = "8-bit images (uint8, 0..255) as x / 127.5 - 1"


def check_count(value, what: str, limit: int = MAX_SAMPLES, hint: str | None = None) -> int:
    """``value`` if it is an integer in ``[1, limit]``; checked before anything is allocated."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{what} must be a positive integer. Received: {what}={value!r}")
    if value <= 0:
        raise ValueError(f"{what} must be a positive integer. Received: {what}={value}")
    if value > limit:
        hint = hint or f"sample in batches, e.g. [model.sample({min(limit, 65536)}, seed=s) for s in range(k)]"
        raise ValueError(f"{what} must be at most {limit:,} per call; {hint}. Received: {what}={value}")
    return int(value)


def check_seed(seed) -> int:
    if seed is None:
        return int(np.random.default_rng().integers(0, 2**31 - 1))
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or not 0 <= seed < 2**31:
        raise ValueError(f"seed must be an integer in [0, 2**31). Received: seed={seed!r}")
    return int(seed)


def scaling_hint(dataset: str | None = None) -> str:
    """How to bring raw images of ``dataset`` (and [0, 1] or binary ones) to [-1, 1]."""
    return f"Scale them first: {RAW_SCALING.get(dataset, EIGHT_BIT_SCALING)}; [0, 1] or binary 0/1 images as 2 * x - 1."


def check_array(value, shape, what: str, value_range=None, dataset: str | None = None) -> np.ndarray:
    """``value`` as float32 if it is a finite floating array of ``shape`` (None = any size) whose
    values float32 can hold, within ``value_range`` (``[-1, 1]`` for images, up to
    ``IMAGE_TOLERANCE``) when given.  Images must also use the negative half of the range: a
    batch with no value below 0 is [0, 1] or binary data, which would be encoded silently into
    codes off the data; the hint names ``dataset``'s own scaling."""
    array = np.asarray(value)
    expected = "[" + ", ".join("N" if d is None else str(d) for d in shape) + "]"
    if not np.issubdtype(array.dtype, np.floating):
        raise ValueError(f"{what} must be a float array of shape {expected}. Received: dtype={array.dtype}")
    if array.ndim != len(shape) or any(d is not None and d != s for d, s in zip(shape, array.shape)):
        raise ValueError(f"{what} must have shape {expected}. Received: shape={list(array.shape)}")
    if array.shape[0] == 0:
        raise ValueError(f"{what} must hold at least one row. Received: shape={list(array.shape)}")
    if array.shape[0] > MAX_SAMPLES:
        raise ValueError(f"{what} must hold at most {MAX_SAMPLES:,} rows per call; pass it in batches. "
                         f"Received: shape={list(array.shape)}")
    finite = np.isfinite(array)
    if not finite.all():
        raise ValueError(f"{what} must be finite; it holds {int((~finite).sum())} NaN or Inf values. "
                         f"Received: {what} with NaN/Inf at index {tuple(int(i) for i in np.argwhere(~finite)[0])}")
    largest = float(np.abs(array).max())
    if largest > FLOAT32_MAX:  # float32 would turn it into inf inside the graph
        raise ValueError(f"{what} must hold values float32 can represent (|v| <= {FLOAT32_MAX:.4g}). "
                         f"Received: {what} with max |v| = {largest:g}")
    if value_range is not None:
        low, high = value_range
        low_value, high_value = float(array.min()), float(array.max())
        received = f"Received: min={low_value:g}, max={high_value:g}"
        if low_value < low - IMAGE_TOLERANCE or high_value > high + IMAGE_TOLERANCE:
            raise ValueError(f"{what} must be images in [{low:g}, {high:g}] (NHWC float32). "
                             f"{scaling_hint(dataset)} {received}")
        if low < 0 and low_value >= 0:
            raise ValueError(f"{what} must be images in [{low:g}, {high:g}], but no value is below 0: these look "
                             f"like [0, 1] or binary images, which would give codes off the data. "
                             f"{scaling_hint(dataset)} {received}")
    return array.astype(np.float32)


class BelowProtocolWarning(UserWarning):
    """An export that ships although it misses its data's minimal bar (its card's ``status``)."""


def warn_status(card: ModelCard) -> None:
    """A ``BelowProtocolWarning`` when ``card`` has a status, pointed at the line that loaded it
    (``zoo.load(...)`` or ``Pretrained(...)``: both call this directly)."""
    if card.status:
        warnings.warn(f"{card.name!r} is {card.status}. It ships so that comparisons stay complete; `zoo info "
                      f"{card.name}` says more.", BelowProtocolWarning, stacklevel=3)


class Pretrained:
    """A loaded export: validated NumPy in, NumPy out; the SavedModel underneath.

    Example::

        gan = zoo.load("gan-ring8")
        points = gan.sample(2500, seed=0)      # [2500, 2]
        same = gan.generate(gan.latent(2500, seed=0))
    """

    def __init__(self, folder: str | os.PathLike, card: ModelCard | None = None, check: bool = True,
                 warn: bool = True):
        import_tensorflow()
        import tensorflow as tf

        self.path = Path(folder)
        self.card = card or ModelCard.read(self.path)
        # A re-export of the name may swap the folder between the check and TensorFlow's read:
        # then the read fails or reads the new files, so the export now there is checked and read
        # again; the result is the old export or the new one, with its own card.
        for attempt in range(3):
            before = folder_identity(self.path)
            if check:
                verify(self.path, self.card)
            try:
                self.saved_model = tf.saved_model.load(os.fspath(self.path / SAVED_MODEL_DIR))
            except (OSError, ValueError, tf.errors.OpError):
                if not check or attempt == 2 or folder_identity(self.path) == before:
                    raise
            else:
                if not check or folder_identity(self.path) == before:
                    break
            self.card = ModelCard.read(self.path)
        if warn:
            warn_status(self.card)

    def __repr__(self):
        return f"Pretrained({self.card.name!r}, family={self.card.family!r}, signatures={self.card.signatures})"

    def _call(self, signature: str, **inputs) -> dict[str, np.ndarray]:
        return {k: v.numpy() for k, v in self.saved_model.signatures[signature](**inputs).items()}

    @property
    def latent_dim(self) -> int:
        return self.card.latent_dim

    @property
    def num_classes(self) -> int | None:
        """Number of labels of a conditional export (``card.conditioning``), else None."""
        return (self.card.conditioning or {}).get("num_classes")

    def _x(self, x, what: str = "x", margin: float = 0.0) -> np.ndarray:
        value_range = self.card.output_range if self.card.data_kind == "images" else None
        if value_range is not None and margin:
            value_range = (value_range[0] - margin, value_range[1] + margin)
        return check_array(x, [None, *self.card.data_shape], what, value_range, self.card.dataset)

    @property
    def max_samples(self) -> int:
        """The most samples one ``sample`` call draws (``SAMPLE_LIMITS`` for costly samplers)."""
        return SAMPLE_LIMITS.get(self.card.family, MAX_SAMPLES)

    def _labels(self, labels, n: int) -> dict:
        """The ``labels`` input of a conditional signature (validated), or nothing.

        Conditional exports given no labels use ``0, 1, ..., K-1, 0, 1, ...`` (every class
        equally often), as the family's ``model(z)`` does.
        """
        k = self.num_classes
        if k is None:
            if labels is not None:
                raise ValueError(f"{self.card.name!r} is not conditional: it takes no labels. Received: labels={labels!r}")
            return {}
        if labels is None:
            return {"labels": (np.arange(n) % k).astype(np.int32)}
        array = np.asarray(labels)
        if array.ndim == 0:
            array = np.full([n], array)
        if not np.issubdtype(array.dtype, np.integer):
            raise ValueError(f"labels must be integers in [0, {k}). Received: dtype={array.dtype}")
        if array.shape != (n,):
            raise ValueError(f"labels must be one integer or one per sample, shape [{n}]. Received: shape={list(array.shape)}")
        if array.min() < 0 or array.max() >= k:
            raise ValueError(f"labels must be integers in [0, {k}). Received: min={array.min()}, max={array.max()}")
        return {"labels": array.astype(np.int32)}

    def _require(self, signature: str, what: str, error=AttributeError):
        if signature not in self.card.signatures:
            raise error(f"{self.card.name!r} ({self.card.family}) has no {signature!r} signature: {what} "
                                 f"Its SavedModel serves {', '.join(self.card.signatures)}.")

    def latent(self, n: int, seed: int | None = None) -> np.ndarray:
        """The ``z`` that ``sample(n, seed)`` uses: stateless N(0, I) draws, same everywhere."""
        self._require("generate", "it has no latent code.", ValueError)
        n = check_count(n, "n")
        return self._call("sample", n=np.int32(n), seed=np.int32(check_seed(seed)), **self._labels(None, n))["z"]

    def sample(self, n: int, seed: int | None = None, labels=None) -> np.ndarray:
        """``n`` samples (at most ``max_samples`` per call: 2**20, PixelCNN 2**14); the same ``seed``
        gives the same samples anywhere.

        ``labels`` (conditional exports only): one int in ``[0, num_classes)`` or one per sample.
        """
        self._require("sample", "it is not a generative model; `zoo list` shows the generators.", ValueError)
        n, seed = check_count(n, "n", self.max_samples), check_seed(seed)
        return self._call("sample", n=np.int32(n), seed=np.int32(seed), **self._labels(labels, n))["x"]

    def generate(self, z, labels=None) -> np.ndarray:
        """x = G(z) for ``z`` of shape ``[N, latent_dim]`` (and ``labels`` for conditional exports)."""
        self._require("generate", "it has no latent code; use sample(n, seed).")
        z = check_array(z, [None, self.latent_dim], "z")
        return self._call("generate", z=z, **self._labels(labels, len(z)))["x"]

    def discriminate(self, x, labels=None) -> np.ndarray:
        """Discriminator logits of ``x`` (exports of adversarial families only)."""
        self._require("discriminate", "only adversarial families export their discriminator, and only when it "
                                      "judges single examples (a PacGAN discriminator, packing > 1, judges packs).")
        x = self._x(x)
        return self._call("discriminate", x=x, **self._labels(labels, len(x)))["logits"]

    def log_prob(self, x) -> np.ndarray:
        """log p(x) per example ``[N]``, nats on the [-1, 1] scale (exact-likelihood families: PixelCNN,
        RealNVP, MAF; a VAE built with ``log_prob_samples`` serves its IWAE bound);
        ``zoo.metrics.likelihood.bits_per_dim`` gives the papers' bits/dim.

        Images may lie up to half a level past [-1, 1] (1/16 for digits, 1/255 for 8-bit data):
        a flow is a density over uniformly dequantised images, PixelCNN's uniform within each
        level's bin."""
        self._require("log_prob", "only exact-likelihood families (pixelcnn, realnvp, maf) and VAEs built with "
                                  "log_prob_samples export log p(x).")
        # A density over the levels' bins: images may reach half a level past [-1, 1], where
        # uniform dequantisation puts them (zoo.metrics.likelihood).
        from zoo.metrics.likelihood import dataset_levels

        margin = 1.0 / (dataset_levels(self.card.dataset) - 1)
        return self._call("log_prob", x=self._x(x, margin=margin))["log_prob"]

    def ood_score(self, x, batch_size: int = 1, typical_nll: float | None = None) -> np.ndarray:
        """Out-of-distribution score of ``x``: the typicality test (Nalisnick et al. 2019b,
        arXiv:1906.02994), ``|-mean log p over a batch of M - Ĥ|``, large = unlike the training data.

        ``log_prob`` alone misleads: a Fashion-MNIST model gives MNIST digits a *higher* likelihood
        than its own test images (Nalisnick et al. 2019, docs/ood.md).  Ĥ, the mean ``-log_prob`` of
        training images, comes from the card (``python benchmarks/ood.py NAME --write``) unless
        ``typical_nll`` is given; log p is measured as for Ĥ (flows: one dequantisation draw per
        image, ``zoo.metrics.ood.image_log_density``).  ``batch_size`` M scores ``x`` in
        consecutive groups of M (``len(x)`` a multiple of M), one score per group; M = 1 scores
        every image.
        """
        from zoo.metrics.ood import card_statistics, export_log_density, typicality_score

        self._require("log_prob", "the typicality test needs log p(x) (pixelcnn, realnvp, maf; a VAE built "
                                  "with log_prob_samples).")
        if typical_nll is None:
            typical_nll = card_statistics(self.card)["ood_typical_nll"]
        return typicality_score(-export_log_density(self, x), typical_nll, check_count(batch_size, "batch_size"))

    # ------------------------------------------------- Markov-chain families (RBM, GSN)
    def _chain_limits(self, signature: str) -> dict:
        self._require(signature, "only the Markov-chain families (rbm, gsn) run a chain whose length you choose; "
                                 "sample(n, seed) draws from every generator.")
        return CHAIN_LIMITS.get(self.card.family, CHAIN_LIMITS["rbm"])

    def sample_steps(self, n: int, steps: int, seed: int | None = None, return_all: bool = False):
        """``n`` samples after ``steps`` steps of the export's Markov chain from noise (RBM: block
        Gibbs steps, images the mean-field ``p(v = 1 | h)``; GSN: corrupt-and-denoise steps, binary
        images); ``sample(n, seed)`` runs the recipe's number of steps.  The same ``seed`` gives the
        same chains anywhere.  ``return_all``: every output of the signature (GSN's ``{"x", "mean"}``).
        """
        limits = self._chain_limits("sample_steps")
        n, seed = check_count(n, "n", self.max_samples), check_seed(seed)
        steps = check_count(steps, "steps", limits["steps"], "each call starts its chains from noise")
        outputs = self._call("sample_steps", n=np.int32(n), seed=np.int32(seed), steps=np.int32(steps))
        return outputs if return_all else outputs["x"]

    def chain(self, n: int, steps: int, seed: int | None = None, return_all: bool = False):
        """Every state of ``n`` chains over ``steps`` steps from noise, ``[steps, n, *data_shape]``
        (the last state is ``sample_steps(n, steps, seed)``).  ``steps`` is capped per family and
        ``n × steps`` at 131,072 states, all held at once."""
        limits = self._chain_limits("chain")
        n, seed = check_count(n, "n", limits["states"]), check_seed(seed)
        steps = check_count(steps, "steps", limits["chain_steps"], "draw the later states with sample_steps")
        if n * steps > limits["states"]:
            raise ValueError(f"n × steps must be at most {limits['states']:,} states (all held in memory at once); "
                             f"use fewer chains or steps, or sample_steps for the last state only. Received: n={n}, "
                             f"steps={steps}")
        outputs = self._call("chain", n=np.int32(n), seed=np.int32(seed), steps=np.int32(steps))
        return outputs if return_all else outputs["x"]

    def unnormalized_log_prob(self, x) -> np.ndarray:
        """``log p(x) + log Z`` per image ``[N]`` (an RBM's ``−F(v)``; images in {−1, +1}, or in
        [−1, 1] read as ``v = (x + 1) / 2``): differences between images are exact log-probability
        ratios; the card's log-likelihood comes from AIS's estimate of ``log Z``."""
        self._require("unnormalized_log_prob", "only energy-based families (rbm) export an unnormalised density.")
        return self._call("unnormalized_log_prob", x=self._x(x))["unnormalized_log_prob"]

    # ------------------------------------------------- auto-encoding families
    def _require_encoder(self):
        self._require("encode", f"only auto-encoding families (vae, avb, aae, wae, ali) have encode/decode. For a "
                                f"generator, invert it with zoo.metrics.reconstruction.invert_generator("
                                f"model.saved_model.generate, x, {self.latent_dim}).")

    def encode(self, x, return_all: bool = False):
        """The code ``z`` of ``x`` ``[N, *data_shape]`` (the posterior mean for VAE/AVB/ALI).

        Images must be in [-1, 1]. With ``return_all=True``, the dict of every output of the
        ``encode`` signature (the VAE's ``{"z", "mean", "stddev"}``) as NumPy arrays.
        """
        self._require_encoder()
        outputs = self._call("encode", x=self._x(x))
        return outputs if return_all else outputs["z"]

    def decode(self, z) -> np.ndarray:
        """x̂ = decoder(z) for ``z`` ``[N, latent_dim]`` (the likelihood's mean for VAE/AVB)."""
        if "decode" not in self.card.signatures and "generate" in self.card.signatures:
            raise AttributeError(f"{self.card.name!r} ({self.card.family}) has no decoder: it is a generator without an "
                                 f"encoder. Its generator maps codes to data: use generate(z).")
        self._require_encoder()
        return self._call("decode", z=check_array(z, [None, self.latent_dim], "z"))["x"]

    def reconstruct(self, x) -> np.ndarray:
        """``decode(encode(x))``."""
        return self.decode(self.encode(x))

    # ------------------------------------------------- latent-space walks (DCGAN §6)
    def interpolate(self, z0=None, z1=None, steps: int = 8, method: str = "slerp", seed: int | None = None,
                    labels=None) -> np.ndarray:
        """Images along a path from ``z0`` to ``z1`` (``zoo.latent.interpolate``).

        Args:
          z0, z1: codes ``[D]`` or ``[N, D]`` (N paths); when omitted, the codes of
            ``latent(2, seed)`` (``z0`` only given: ``z1`` is drawn).
          steps: images per path, both ends included.
          method: ``"slerp"`` (great circle, the default for Gaussian codes) or ``"linear"``.
          labels: conditional exports: one label, or one per path ``[N]``, held along it.
        Returns:
          ``[steps, *data_shape]``, or ``[N, steps, *data_shape]`` for N paths.
        """
        from zoo import latent as L

        if z0 is None or z1 is None:
            drawn = self.latent(2, seed)
            z0 = drawn[0] if z0 is None else z0
            z1 = drawn[1] if z1 is None else z1
        # The whole walk is one generate call: its size is checked before the path is allocated.
        paths = max(len(np.atleast_2d(z0)), len(np.atleast_2d(z1)))
        check_count(steps, "steps", max(MAX_SAMPLES // paths, 1),
                    f"a walk draws paths × steps images in one call ({paths} path(s) here): use fewer steps or paths")
        path = L.interpolate(check_array(np.atleast_2d(z0), [None, self.latent_dim], "z0"),
                             check_array(np.atleast_2d(z1), [None, self.latent_dim], "z1"), steps, method)
        paths, steps = path.shape[:2]
        if labels is not None and np.ndim(labels) == 1:
            labels = np.repeat(np.asarray(labels), steps) if len(labels) == paths else labels
        x = self.generate(path.reshape(paths * steps, -1).astype(np.float32), labels=labels)
        x = x.reshape(paths, steps, *x.shape[1:])
        return x[0] if np.ndim(z0) == 1 and np.ndim(z1) == 1 else x

    def arithmetic(self, plus, minus=(), labels=None) -> np.ndarray:
        """The image of ``Σ mean(plus) - Σ mean(minus)`` (``zoo.latent.vector_arithmetic``):
        DCGAN §6.3's "smiling woman - neutral woman + neutral man". Returns ``[1, *data_shape]``."""
        from zoo import latent as L

        z = L.vector_arithmetic(plus, minus)
        return self.generate(check_array(z[None], [1, self.latent_dim], "z"), labels=labels)


def load(name, trainable: bool = False):
    """Load an export by registered name (``"gan-ring8"``) or folder (``Path`` or a path with ``/``).

    Returns a :class:`Pretrained` (SavedModel inside), or with ``trainable=True`` the Keras
    model from ``model.keras``, ready to ``fit`` further (compile it with your optimizers).
    """
    if not isinstance(name, (str, os.PathLike)):
        check_name(name)  # raises the TypeError with its message
    folder, card = locate(name)
    if not trainable:
        model = Pretrained(folder, card, warn=False)
        warn_status(card)
        return model
    verify(folder, card)
    warn_status(card)
    import keras

    import zoo.families  # noqa: F401  (registers the families with Keras)

    with warnings.catch_warnings():
        if not card.optimizer_state:  # saved without it on purpose (the card says so): fresh optimizers
            warnings.filterwarnings("ignore", message="Skipping variable loading for optimizer")
        return keras.saving.load_model(folder / MODEL_FILE, safe_mode=True)


def load_sampler(name, keras_model: bool = False):
    """``(card, sample)`` of an export, ``sample(n, seed, labels=None) -> np.ndarray``, for the
    sample protocols (``zoo eval``): its SavedModel, or with ``keras_model=True`` the Keras model
    saved beside it (``model.keras``: the same weights, drawn by zoo's own code).  PixelCNN's
    Keras model draws the same images for a seed as its SavedModel, and on 28×28 images many
    times faster: its sampler caches the network's rows (zoo.families._row_cache)."""
    if not keras_model:
        model = load(name)
        return model.card, lambda n, seed, labels=None: np.asarray(model.sample(n, seed=seed, labels=labels))
    folder, card = locate(name)
    if not (folder / MODEL_FILE).is_file():
        raise FileNotFoundError(f"{card.name!r} ships no {MODEL_FILE} beside its SavedModel, so there is no Keras "
                                f"model to sample; measure the SavedModel (without keras_model).")
    model = load(name, trainable=True)

    def sample(n, seed, labels=None):
        x, _ = model.sample(n, seed, labels) if labels is not None else model.sample(n, seed)
        return np.asarray(x)

    return card, sample
