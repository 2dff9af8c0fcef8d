"""The model card: its schema, the name rule, and a reader that only reads small regular files.

``card.json`` is read on every ``zoo list``, so a reader that follows a FIFO (hangs), a link
to ``/dev/zero`` (fills memory) or 400 KB of ``[[[`` (overflows the parser) would take the
whole registry down: the card is opened without following links and without blocking, read
only if it is a regular file of at most ``MAX_CARD_BYTES``, and a parse that recurses too
deep is a ``ValueError`` like any other malformed card.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
import stat
from pathlib import Path
from typing import Any

CARD_FILE = "card.json"
README_FILE = "README.md"  # the card rendered for readers: outside the sha256 manifest
SAVED_MODEL_DIR = "saved_model"
MODEL_FILE = "model.keras"
MAX_CARD_BYTES = 1 << 20  # the largest shipped card is 6 KB

NAME_PATTERN = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
# A file name holds 255 bytes on every common file system, and the writer adds ".<name>.lock"
# or ".<name>.<8 random>.partial" beside the export: 128 leaves room for both.
MAX_NAME_LENGTH = 128


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
    if len(name) > MAX_NAME_LENGTH:
        raise ValueError(f"a model name must be at most {MAX_NAME_LENGTH} characters (the export's file names "
                         f"must fit the file system's 255). Received: a name of {len(name)} characters, "
                         f"{name[:40]!r}...")
    return name


def sha256_file(path: str | os.PathLike) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_card_bytes(path: str | os.PathLike) -> bytes:
    """The bytes of the card file ``path``: a regular file (not a link) of at most ``MAX_CARD_BYTES``."""
    try:
        # O_NONBLOCK: opening a FIFO returns at once instead of waiting for a writer
        flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise FileNotFoundError(f"no {CARD_FILE} in {Path(path).parent}: not a zoo export.") from None
    except OSError as e:  # ELOOP: the card is a symbolic link
        raise ValueError(f"{path} cannot be opened as a card ({e.strerror}); a card is a regular file, "
                         f"not a link.") from None
    with os.fdopen(fd, "rb") as f:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise ValueError(f"{path} is not a regular file (a FIFO, device or folder); a card is a regular "
                             f"JSON file.")
        data = f.read(MAX_CARD_BYTES + 1)
    if len(data) > MAX_CARD_BYTES:
        raise ValueError(f"{path} is larger than {MAX_CARD_BYTES:,} bytes; a card is a few KB of JSON. "
                         f"Received: a file of {info.st_size:,} bytes")
    return data


# Fields added after the first cards were pinned: card.json holds them only where they differ
# from these defaults, so older cards stay byte for byte as they are.
OPTIONAL_FIELDS = {"optimizer_state": True, "status": None}


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
    # Whether model.keras holds the optimizers' state (False: fresh optimizers on load); optional,
    # left out of card.json when True (older cards stay as they are).
    optimizer_state: bool = True
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
        for key, default in OPTIONAL_FIELDS.items():
            if data[key] == default:
                del data[key]
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
        return cls.parse(read_card_bytes(path), path)

    @classmethod
    def parse(cls, data: bytes, path) -> "ModelCard":
        """The card in the bytes of ``path`` (named in errors)."""
        try:
            value = json.loads(data)
        except (json.JSONDecodeError, UnicodeDecodeError) as e:
            raise ValueError(f"{path} is not valid JSON ({e}); the export is corrupted.") from None
        except RecursionError:  # 400 KB of "[[[..." overflows the parser's stack
            raise ValueError(f"{path} is nested too deeply to be a card; the export is corrupted.") from None
        try:
            return cls.from_dict(value)
        except (TypeError, ValueError) as e:
            raise ValueError(f"{path} is not a valid card: {e}") from None
