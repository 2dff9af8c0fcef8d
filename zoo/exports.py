"""Write an export (atomically, with a sha256 manifest) and load one (``Pretrained``).

An export is the folder of DESIGN.md::

    exports/<name>/
      card.json      the ModelCard, with the sha256 of every other file
      saved_model/   generate (= serving_default), sample, discriminate / encode / decode
      model.keras    the trainable model with its optimizer state
      samples.png    a preview drawn from the SavedModel itself

The SavedModel needs no zoo code: ``tf.saved_model.load(path).sample(n=..., seed=...)``.
"""
from __future__ import annotations

import hashlib
import numbers
import os
import platform
import shutil
import tempfile
from pathlib import Path

import numpy as np

from zoo.registry import (
    CARD_FILE,
    SAVED_MODEL_DIR,
    REPO_EXPORTS,
    ModelCard,
    resolve,
    zoo_home,
)

MODEL_FILE = "model.keras"
PREVIEW_FILE = "samples.png"
PREVIEW_SEED = 0


class IntegrityError(ValueError):
    """An export whose files do not match the sha256 manifest of its card."""


# --------------------------------------------------------------------------- hashing
def sha256_file(path: str | os.PathLike) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def manifest(folder: str | os.PathLike) -> dict[str, str]:
    """relative path -> sha256 of every file in ``folder`` except the card itself."""
    folder = Path(folder)
    return {
        p.relative_to(folder).as_posix(): sha256_file(p)
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != CARD_FILE
    }


def verify(folder: str | os.PathLike, card: ModelCard) -> None:
    """Raise ``IntegrityError`` unless the files on disk are exactly the card's manifest."""
    actual = manifest(folder)
    if actual == card.files:
        return
    missing = sorted(set(card.files) - set(actual))
    extra = sorted(set(actual) - set(card.files))
    changed = sorted(k for k in set(actual) & set(card.files) if actual[k] != card.files[k])
    raise IntegrityError(
        f"export {card.name!r} at {folder} failed its sha256 check: "
        + "; ".join(
            f"{label}: {', '.join(items)}"
            for label, items in (("modified", changed), ("missing", missing), ("unexpected", extra))
            if items
        )
        + ". The files were corrupted or tampered with; delete the folder and re-download or "
        f"retrain it ({card.recipe or 'see the card'})."
    )


# --------------------------------------------------------------------------- writing
def _versions() -> dict[str, str]:
    import keras
    import tensorflow as tf

    from zoo import __version__

    return {"zoo": __version__, "tensorflow": tf.__version__, "keras": keras.__version__,
            "python": platform.python_version()}


def save_serving(model, path: str | os.PathLike) -> list[str]:
    """Write ``model``'s serving functions as a self-contained SavedModel; return signature names."""
    import tensorflow as tf

    module = tf.Module()
    for net in model.NETWORKS:  # track the variables the functions read
        setattr(module, net, getattr(model, net))
    signatures = {}
    for name, (fn, input_signature) in model.serving_functions().items():
        function = tf.function(fn, input_signature=input_signature)
        setattr(module, name, function)
        signatures[name] = function.get_concrete_function()
    signatures["serving_default"] = signatures["generate"]
    tf.saved_model.save(module, os.fspath(path), signatures=signatures)
    return sorted(signatures)


def _parameter_count(model) -> int:
    return int(sum(np.prod(v.shape) for net in model.NETWORKS for v in getattr(model, net).weights))


def export(model, name: str, *, dataset: str, out_dir: str | os.PathLike | None = None,
           data_kind: str = "points", **card_fields) -> Path:
    """Write ``model`` as the export ``<out_dir>/<name>`` and return its folder.

    The folder is assembled under a temporary name beside the target and renamed into place
    at the end: a crash leaves the previous export (or none), never half of one.

    Args:
      model: a trained family (``zoo.families``).
      name: registered name, ``family-dataset``.
      dataset: the data it was trained on (``"ring8"``, ``"digits"``...).
      out_dir: parent folder, the repository's ``exports/`` by default.
      data_kind: ``"points"`` or ``"images"``.
      **card_fields: other ``ModelCard`` fields (``metrics``, ``recipe``, ``steps``...).
    """
    out_dir = Path(out_dir) if out_dir is not None else REPO_EXPORTS
    out_dir.mkdir(parents=True, exist_ok=True)
    final = out_dir / name
    staging = Path(tempfile.mkdtemp(prefix=f".{name}.", suffix=".partial", dir=out_dir))
    try:
        signatures = save_serving(model, staging / SAVED_MODEL_DIR)
        model.save(staging / MODEL_FILE)
        card = ModelCard(
            name=name,
            family=getattr(model, "FAMILY", type(model).__name__.lower()),
            dataset=dataset,
            papers=list(getattr(model, "PAPERS", ())) + list(card_fields.pop("papers", [])),
            data_shape=list(model.data_shape),
            data_kind=data_kind,
            latent_dim=model.latent_dim,
            output_range=[-1.0, 1.0] if data_kind == "images" else None,
            conditioning=({"num_classes": model.num_classes} if getattr(model, "num_classes", None) else None),
            signatures=signatures,
            parameters=_parameter_count(model),
            versions=_versions(),
            **card_fields,
        )
        _write_preview(staging, card)
        card.files = manifest(staging)
        (staging / CARD_FILE).write_text(card.to_json())
        _swap_into_place(staging, final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return final


def _write_preview(folder: Path, card: ModelCard) -> None:
    """The preview is drawn from the SavedModel just written, so it shows what users get."""
    from zoo.plotting import samples_png

    pretrained = Pretrained(folder, card, check=False)
    n = 2500 if card.data_kind == "points" else 64
    title = f"{card.name}: {n} samples, seed {PREVIEW_SEED}"
    samples_png(pretrained.sample(n, seed=PREVIEW_SEED), folder / PREVIEW_FILE, card, title=title)


def _swap_into_place(staging: Path, final: Path) -> None:
    old = None
    if final.exists():
        old = final.with_name(f".{final.name}.old")
        shutil.rmtree(old, ignore_errors=True)
        os.replace(final, old)
    os.replace(staging, final)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def write_folder(card: ModelCard, fill, out_dir: str | os.PathLike | None = None) -> Path:
    """Write an export that is not a generative family (e.g. the digits classifier).

    ``fill(staging)`` writes the files into the staging folder; the card gets their sha256
    manifest and the folder is swapped into ``<out_dir>/<card.name>`` atomically, as
    :func:`export` does.
    """
    out_dir = Path(out_dir) if out_dir is not None else REPO_EXPORTS
    out_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{card.name}.", suffix=".partial", dir=out_dir))
    try:
        fill(staging)
        card.versions = card.versions or _versions()
        card.files = manifest(staging)
        (staging / CARD_FILE).write_text(card.to_json())
        _swap_into_place(staging, out_dir / card.name)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return out_dir / card.name


def update_card(folder: str | os.PathLike, **fields) -> ModelCard:
    """Change fields of an export's card (``metrics=...``) and rewrite ``card.json`` atomically.

    The files are verified against the manifest first and the manifest is recomputed, so
    the card stays consistent with the folder (``card.json`` itself is not in it).
    """
    folder = Path(folder)
    card = ModelCard.read(folder)
    verify(folder, card)
    for key, value in fields.items():
        if not hasattr(card, key):
            raise ValueError(f"ModelCard has no field {key!r}. Received: {key}={value!r}")
        setattr(card, key, value)
    card.files = manifest(folder)
    temporary = folder / f".{CARD_FILE}.partial"
    temporary.write_text(card.to_json())
    os.replace(temporary, folder / CARD_FILE)
    return card


# --------------------------------------------------------------------------- loading
def _check_count(value, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{what} must be a positive integer. Received: {what}={value!r}")
    if value <= 0:
        raise ValueError(f"{what} must be a positive integer. Received: {what}={value}")
    return int(value)


def _check_seed(seed) -> int:
    if seed is None:
        return int(np.random.default_rng().integers(0, 2**31 - 1))
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or not 0 <= seed < 2**31:
        raise ValueError(f"seed must be an integer in [0, 2**31). Received: seed={seed!r}")
    return int(seed)


def check_array(value, shape, what: str) -> np.ndarray:
    """``value`` as float32 if it is a floating array of ``shape`` (None = any size)."""
    array = np.asarray(value)
    expected = "[" + ", ".join("N" if d is None else str(d) for d in shape) + "]"
    if not np.issubdtype(array.dtype, np.floating):
        raise ValueError(f"{what} must be a float array of shape {expected}. Received: dtype={array.dtype}")
    if array.ndim != len(shape) or any(d is not None and d != s for d, s in zip(shape, array.shape)):
        raise ValueError(f"{what} must have shape {expected}. Received: shape={list(array.shape)}")
    if array.shape[0] == 0:
        raise ValueError(f"{what} must hold at least one row. Received: shape={list(array.shape)}")
    return array.astype(np.float32)


class Pretrained:
    """A loaded export: validated NumPy in, NumPy out; the SavedModel underneath.

    Example::

        gan = zoo.load("gan-ring8")
        points = gan.sample(2500, seed=0)      # [2500, 2]
        same = gan.generate(gan.latent(2500, seed=0))
    """

    def __init__(self, folder: str | os.PathLike, card: ModelCard | None = None, check: bool = True):
        import tensorflow as tf

        self.path = Path(folder)
        self.card = card or ModelCard.read(self.path)
        if check:
            verify(self.path, self.card)
        self.saved_model = tf.saved_model.load(os.fspath(self.path / SAVED_MODEL_DIR))

    def __repr__(self):
        return f"Pretrained({self.card.name!r}, family={self.card.family!r}, signatures={self.card.signatures})"

    @property
    def latent_dim(self) -> int:
        return self.card.latent_dim

    @property
    def num_classes(self) -> int | None:
        """Number of labels of a conditional export (``card.conditioning``), else None."""
        return (self.card.conditioning or {}).get("num_classes")

    def _labels(self, labels, n: int) -> dict:
        """The ``labels`` keyword of a conditional signature (validated), or nothing.

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

    def _require_generator(self):
        if "sample" not in self.card.signatures:
            raise ValueError(
                f"{self.card.name!r} ({self.card.family}) is not a generative model: its SavedModel serves "
                f"{', '.join(self.card.signatures)}, not sample/generate. Use `zoo list` for generators."
            )

    def latent(self, n: int, seed: int | None = None) -> np.ndarray:
        """The ``z`` that ``sample(n, seed)`` uses: stateless N(0, I) draws, same everywhere."""
        self._require_generator()
        n = _check_count(n, "n")
        return self.saved_model.sample(n=np.int32(n), seed=np.int32(_check_seed(seed)), **self._labels(None, n))["z"].numpy()

    def sample(self, n: int, seed: int | None = None, labels=None) -> np.ndarray:
        """``n`` samples; the same ``seed`` gives the same samples on any machine.

        ``labels`` (conditional exports only): one int in ``[0, num_classes)`` or one per sample.
        """
        self._require_generator()
        n, seed = _check_count(n, "n"), _check_seed(seed)
        return self.saved_model.sample(n=np.int32(n), seed=np.int32(seed), **self._labels(labels, n))["x"].numpy()

    def generate(self, z, labels=None) -> np.ndarray:
        """x = G(z) for ``z`` of shape ``[N, latent_dim]`` (and ``labels`` for conditional exports)."""
        self._require_generator()
        z = check_array(z, [None, self.latent_dim], "z")
        return self.saved_model.generate(z=z, **self._labels(labels, len(z)))["x"].numpy()

    def discriminate(self, x, labels=None) -> np.ndarray:
        """Discriminator logits of ``x`` (exports of adversarial families only)."""
        if "discriminate" not in self.card.signatures:
            raise AttributeError(f"{self.card.name!r} ({self.card.family}) exports no discriminator.")
        x = check_array(x, [None, *self.card.data_shape], "x")
        return self.saved_model.discriminate(x=x, **self._labels(labels, len(x)))["logits"].numpy()

    # ------------------------------------------------- auto-encoding families
    def _require_encoder(self):
        if "encode" not in self.card.signatures:
            raise AttributeError(
                f"{self.card.name!r} ({self.card.family}) exports no encoder: only auto-encoding families "
                f"(vae, avb, aae, wae, ali) have encode/decode. For a generator, invert it with "
                f"zoo.metrics.reconstruction.invert_generator(model.saved_model.generate, x, {self.latent_dim}).")

    def encode(self, x, return_all: bool = False):
        """The code ``z`` of ``x`` ``[N, *data_shape]`` (the posterior mean for VAE/AVB/ALI).

        With ``return_all=True``, the dict of every output of the ``encode`` signature
        (the VAE's ``{"z", "mean", "stddev"}``) as NumPy arrays.
        """
        self._require_encoder()
        x = check_array(x, [None, *self.card.data_shape], "x")
        outputs = {key: value.numpy() for key, value in self.saved_model.encode(x=x).items()}
        return outputs if return_all else outputs["z"]

    def decode(self, z) -> np.ndarray:
        """x̂ = decoder(z) for ``z`` ``[N, latent_dim]`` (the likelihood's mean for VAE/AVB)."""
        self._require_encoder()
        z = check_array(z, [None, self.latent_dim], "z")
        return self.saved_model.decode(z=z)["x"].numpy()

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


# --------------------------------------------------------------------------- resolution
def _download(card: ModelCard) -> Path:
    """Fetch ``card.url`` into ``$ZOO_HOME/<name>`` with ``keras.utils.get_file`` (sha256-checked)."""
    import keras

    archive = keras.utils.get_file(
        fname=f"{card.name}.tar.gz", origin=card.url, file_hash=card.sha256, hash_algorithm="sha256",
        cache_dir=os.fspath(zoo_home()), cache_subdir="downloads", extract=True,
    )
    folder = Path(archive)
    candidates = [folder] + [p for p in folder.glob("*") if p.is_dir()] if folder.is_dir() else []
    for candidate in candidates:
        if (candidate / CARD_FILE).exists() and (candidate / SAVED_MODEL_DIR).exists():
            target = zoo_home() / card.name
            if not target.exists():
                shutil.copytree(candidate, target)
            return target
    raise IntegrityError(f"the archive downloaded for {card.name!r} from {card.url} holds no export.")


def locate(name: str) -> tuple[Path, ModelCard]:
    """The folder and card of a trained export: a path, or a registered name (DESIGN.md order)."""
    if Path(name).is_dir() and (Path(name) / CARD_FILE).exists():
        return Path(name), ModelCard.read(name)
    folder, card = resolve(name)
    if card.trained:
        return folder, card
    if card.url:
        folder = _download(card)
        return folder, ModelCard.read(folder)
    raise FileNotFoundError(
        f"{name!r} is registered but has no trained weights here (searched {os.environ.get('ZOO_EXPORTS', '$ZOO_EXPORTS')}, "
        f"{REPO_EXPORTS}, {zoo_home()}) and its card gives no download URL. "
        f"Train it with: {card.recipe}" + (f" ({card.description})" if card.description else "")
    )


def load(name: str, trainable: bool = False):
    """Load an export by registered name (``"gan-ring8"``) or folder.

    Returns a :class:`Pretrained` (SavedModel inside), or with ``trainable=True`` the Keras
    model from ``model.keras`` with its optimizer state, ready to ``fit`` further.
    """
    folder, card = locate(name)
    if not trainable:
        return Pretrained(folder, card)
    verify(folder, card)
    import keras

    import zoo.families  # noqa: F401  (registers the families with Keras)

    return keras.saving.load_model(folder / MODEL_FILE, safe_mode=True)
