"""Model cards, the search path, and name resolution: ``load(name)`` passes through here once.

The registry is data: every registered name is a folder ``<root>/<name>/`` holding a
``card.json`` (and, where the model was trained, the weights).  The roots are searched in the
order of docs/design.md: ``$ZOO_EXPORTS``, the repository's ``exports/``, the cache ``$ZOO_HOME``
(default ``~/.cache/zoo``), then the card's ``url``.  The package pins the sha256 of every
shipped ``card.json`` (``zoo/shipped.json``), as timm and KerasHub keep their presets as data
in the package.  Nothing here imports TensorFlow, so ``zoo list`` and ``zoo info`` answer at once.
"""
from __future__ import annotations

import dataclasses
import difflib
import fnmatch
import hashlib
import json
import os
import re
import shutil
import warnings
from pathlib import Path
from typing import Any

CARD_FILE = "card.json"
SAVED_MODEL_DIR = "saved_model"
MODEL_FILE = "model.keras"

# The repository's own exports folder (``pip install -e .`` keeps it beside the package).
REPO_EXPORTS = Path(__file__).resolve().parent.parent / "exports"
# name -> sha256 of the shipped card.json; package data (setup.cfg), updated by ``zoo.exports.pin``.
PINS_FILE = Path(__file__).resolve().parent / "shipped.json"

NAME_PATTERN = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")


class UnknownModelError(LookupError):
    """A name that is not registered; the message suggests the closest registered names."""


class IntegrityError(ValueError):
    """An export whose files do not match its card's sha256 manifest, or a shipped card its pin."""


class NotTrainedError(FileNotFoundError):
    """A registered name (or export folder) whose card has a recipe but no weights."""


def check_name(name) -> str:
    """``name`` if it is a valid export name; raised before anything touches disk."""
    if not isinstance(name, str):
        raise TypeError(f"a model name must be a string such as 'gan-ring8'. Received: name={name!r} "
                        f"of type {type(name).__name__}")
    if not NAME_PATTERN.fullmatch(name):
        raise ValueError(f"a model name must match [a-z0-9]+(-[a-z0-9]+)* (lowercase words joined by '-', "
                         f"e.g. 'gan-ring8'). Received: name={name!r}")
    return name


@dataclasses.dataclass
class ModelCard:
    """What a user (or a server) needs to know about one export, as stored in ``card.json``.

    ``files`` maps every file of the export (relative path, ``saved_model/**`` and
    ``model.keras`` included) to its sha256; an empty ``files`` means the name is registered
    with a recipe but no weights were trained yet.  ``runtimes`` lists, per runtime, the
    signatures checked when the export was written; ``weights`` is ``"raw"`` or ``"ema"``
    (the generator's moving average is served).
    """

    name: str
    family: str
    dataset: str
    description: str = ""
    papers: list[str] = dataclasses.field(default_factory=list)
    data_shape: list[int] = dataclasses.field(default_factory=list)
    data_kind: str = "points"  # "points" (2-D mixtures) or "images" (NHWC)
    latent_dim: int = 0
    latent_distribution: str = "normal"  # z ~ N(0, I)
    output_range: list[float] | None = None  # [-1, 1] for images; None = unbounded
    conditioning: dict[str, Any] | None = None  # e.g. {"num_classes": 10}
    signatures: list[str] = dataclasses.field(default_factory=list)
    metrics: dict[str, Any] = dataclasses.field(default_factory=dict)
    recipe: str = ""
    steps: int = 0
    wall_time: float | None = None  # seconds of training, where the recipe driver measured it
    weights: str | None = None  # "raw" or "ema": which generator weights the SavedModel serves
    runtimes: dict[str, list[str]] = dataclasses.field(default_factory=dict)
    parameters: int = 0
    versions: dict[str, str] = dataclasses.field(default_factory=dict)
    files: dict[str, str] = dataclasses.field(default_factory=dict)
    url: str | None = None
    sha256: str | None = None  # of the archive at ``url``
    # None, or "below protocol: <the measured numbers and the bar>" for an export shipped although it
    # misses its data's minimal bar; optional, and left out of card.json when None (older cards stay as they are).
    status: str | None = None

    @property
    def trained(self) -> bool:
        return bool(self.files)

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        if data["status"] is None:
            del data["status"]
        return data

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, sort_keys=False) + "\n"

    @classmethod
    def check_fields(cls, fields, what: str) -> None:
        """Raise ``ValueError`` naming any key of ``fields`` that is not a card field."""
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(fields) - known)
        if unknown:
            raise ValueError(f"{what} has unknown fields {unknown}; expected only {sorted(known)}.")

    @classmethod
    def from_dict(cls, data) -> "ModelCard":
        if not isinstance(data, dict):
            raise ValueError(f"a card must be a JSON object. Received: {type(data).__name__}")
        cls.check_fields(data, f"card for {data.get('name', '?')!r}")
        card = cls(**data)
        for key, kind in (("name", str), ("family", str), ("dataset", str), ("files", dict),
                          ("signatures", list), ("data_shape", list), ("metrics", dict), ("runtimes", dict)):
            if not isinstance(getattr(card, key), kind):
                raise ValueError(f"card field {key!r} must be a {kind.__name__}. "
                                 f"Received: {key}={getattr(card, key)!r}")
        if card.status is not None and not isinstance(card.status, str):
            raise ValueError(f"card field 'status' must be a string or null. Received: status={card.status!r}")
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in card.files.items()):
            raise ValueError("card field 'files' must map relative paths to sha256 strings.")
        return card

    @classmethod
    def read(cls, folder: str | os.PathLike) -> "ModelCard":
        path = Path(folder) / CARD_FILE
        try:
            data = json.loads(path.read_text())
        except FileNotFoundError:
            raise FileNotFoundError(f"no {CARD_FILE} in {folder}: not a zoo export.") from None
        except (json.JSONDecodeError, UnicodeDecodeError) as e:
            raise ValueError(f"{path} is not valid JSON ({e}); the export is corrupted.") from None
        try:
            return cls.from_dict(data)
        except (TypeError, ValueError) as e:
            raise ValueError(f"{path} is not a valid card: {e}") from None


# --------------------------------------------------------------------------- search path
def _env_folder(variable: str, must_exist: bool = True) -> Path | None:
    """The folder named by an environment variable, ``~`` expanded; empty or unset -> None."""
    value = os.environ.get(variable, "")
    if not value.strip():
        return None
    folder = Path(value).expanduser()
    if folder.exists() and not folder.is_dir():
        raise ValueError(f"${variable} must name a folder, but {folder} is a file. Received: {variable}={value!r}")
    if not folder.exists() and (must_exist or not folder.parent.is_dir()):
        raise ValueError(f"${variable} names a folder that does not exist. Create it or unset the variable. "
                         f"Received: {variable}={value!r}")
    return folder


def zoo_home() -> Path:
    """The cache of downloaded exports: ``$ZOO_HOME`` (created on first download if its parent
    exists) or ``~/.cache/zoo``."""
    return _env_folder("ZOO_HOME", must_exist=False) or Path.home() / ".cache" / "zoo"


def search_path() -> list[Path]:
    """Folders searched for ``<name>/card.json``, in the order of docs/design.md."""
    first = _env_folder("ZOO_EXPORTS")
    return [*([first] if first else []), REPO_EXPORTS, zoo_home()]


def sha256_file(path: str | os.PathLike) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_pins() -> dict[str, str]:
    """name -> sha256 of the shipped ``card.json`` (``zoo/shipped.json``, package data)."""
    try:
        return json.loads(PINS_FILE.read_text())
    except FileNotFoundError:
        return {}


def _cards_in(root: Path):
    """(folder, card) of every export folder directly under ``root``.

    Dot-folders (a crashed export's ``.name.X.partial``/``.name.old``) and folders whose name
    is not a valid name are skipped; a card that cannot be read, or that carries another name
    than its folder, is skipped with a warning that names the file.
    """
    for folder in sorted(root.iterdir()):
        if not folder.is_dir() or not NAME_PATTERN.fullmatch(folder.name) or not (folder / CARD_FILE).exists():
            continue
        try:
            card = ModelCard.read(folder)
        except (OSError, ValueError) as e:
            warnings.warn(f"skipping {folder / CARD_FILE}: {e}", stacklevel=3)
            continue
        if card.name != folder.name:
            warnings.warn(f"skipping {folder / CARD_FILE}: its card names {card.name!r} but the folder is "
                          f"{folder.name!r}; an export lives in a folder of its own name.", stacklevel=3)
            continue
        yield folder, card


def _discover() -> dict[str, tuple[Path, ModelCard]]:
    """name -> (folder, card); a trained copy earlier in the search path wins."""
    found: dict[str, tuple[Path, ModelCard]] = {}
    for root in search_path():
        if not root.is_dir():
            continue
        for folder, card in _cards_in(root):
            if card.name in found and (found[card.name][1].trained or not card.trained):
                continue
            found[card.name] = (folder, card)
    return found


def discover(pattern: str = "*", pretrained: bool | None = None) -> dict[str, tuple[Path, ModelCard]]:
    """name -> (folder, card) of the registered names matching an fnmatch ``pattern``, sorted.

    ``pretrained=True`` keeps only names with trained weights, ``False`` only recipe-only
    names, ``None`` both.
    """
    return {name: found for name, found in sorted(_discover().items())
            if fnmatch.fnmatch(name, pattern) and (pretrained is None or found[1].trained == pretrained)}


def list_models(pattern: str = "*", pretrained: bool | None = None) -> list[str]:
    """Registered names matching an fnmatch ``pattern`` (``"wgan*"``), sorted (see :func:`discover`)."""
    return list(discover(pattern, pretrained))


def resolve(name: str) -> tuple[Path, ModelCard]:
    """The folder and card of a registered name; ``UnknownModelError`` suggests close names."""
    check_name(name)
    found = _discover()
    if name in found:
        return found[name]
    close = difflib.get_close_matches(name, list(found), n=3, cutoff=0.6)
    hint = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    raise UnknownModelError(f"unknown model name {name!r}.{hint} `zoo list` shows the {len(found)} registered names.")


def info(name: str) -> ModelCard:
    """The card of a registered name."""
    return resolve(name)[1]


# --------------------------------------------------------------------------- trust
def _inside(folder: Path, root: Path) -> bool:
    try:
        return folder.resolve().parent == root.resolve()
    except OSError:
        return False


def check_pin(folder: Path, card: ModelCard) -> bool:
    """Whether ``folder`` holds the shipped export of ``card.name`` (its card matches the pin).

    The repository's ``exports/`` and downloaded archives hold shipped exports only: there a
    card that does not match its pin is refused.  Elsewhere (``$ZOO_EXPORTS``, ``$ZOO_HOME``, a
    folder path) a trained copy of a shipped name is the user's own retrain: it loads, verified
    by its own manifest, with a notice that it is not the shipped export.
    """
    pins = read_pins()
    pinned = pins.get(card.name)
    shipped_folder = _inside(folder, REPO_EXPORTS)
    if pinned is None:
        if shipped_folder and card.trained:
            raise IntegrityError(
                f"{folder} is a trained export in the repository's exports/ folder but {card.name!r} is not in "
                f"the pinned index {PINS_FILE}. If you wrote it yourself, pin it with "
                f"`python -m zoo.exports.pin {card.name}` (developers), or keep it under $ZOO_EXPORTS.")
        return False
    if sha256_file(folder / CARD_FILE) == pinned:
        return True
    if shipped_folder:
        raise IntegrityError(
            f"the shipped export {card.name!r} at {folder} does not match the sha256 its card is pinned to in "
            f"{PINS_FILE}: the export was corrupted or swapped. Restore it (git checkout exports/{card.name}) or, "
            f"if you re-exported it on purpose, re-pin it with `python -m zoo.exports.pin {card.name}`.")
    warnings.warn(f"{card.name!r} from {folder} is not the shipped export (its card differs from the pinned one): "
                  f"loading it as your own export, verified by its own sha256 manifest.", stacklevel=3)
    return False


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


def _not_trained(card: ModelCard, where: str) -> NotTrainedError:
    return NotTrainedError(
        f"{card.name!r} is registered but has no trained weights {where} and its card gives no download URL. "
        f"Train it with: {card.recipe}" + (f" ({card.description})" if card.description else ""))


def locate(name) -> tuple[Path, ModelCard]:
    """The folder and card of a trained export: a folder path, or a registered name (docs/design.md order).

    A name must be a string of the registered form; a folder is anything else that names an
    existing directory (``str`` with a ``/`` or an ``os.PathLike``).  Shipped names are checked
    against their pins (see :func:`check_pin`).
    """
    if isinstance(name, os.PathLike) or (isinstance(name, str) and (os.sep in name or name in (".", "..")
                                                                    or name.startswith("~"))):
        folder = Path(name).expanduser()
        if not folder.is_dir():
            raise FileNotFoundError(f"no export folder at {folder}. Received: {name!r}")
        card = ModelCard.read(folder)
        if not card.trained:
            raise _not_trained(card, f"in {folder}")
        check_pin(folder, card)
        return folder, card
    folder, card = resolve(name)
    if card.trained:
        check_pin(folder, card)
        return folder, card
    if card.url:
        folder = _download(card)
        card = ModelCard.read(folder)
        if read_pins().get(card.name) not in (None, sha256_file(folder / CARD_FILE)):
            raise IntegrityError(f"the export downloaded for {card.name!r} into {folder} does not match its pin "
                                 f"in {PINS_FILE}; delete the folder and download again.")
        return folder, card
    roots = ", ".join(str(p) for p in search_path())
    raise _not_trained(card, f"here (searched {roots})")
