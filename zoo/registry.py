"""Model cards and the registry of exports.

The registry is data: every registered name is a folder ``exports/<name>/`` holding a
``card.json`` (and, where the model was trained, the weights).  Nothing here imports
TensorFlow, so ``zoo list`` and ``zoo info`` answer at once.
"""
from __future__ import annotations

import dataclasses
import difflib
import fnmatch
import json
import os
from pathlib import Path
from typing import Any

CARD_FILE = "card.json"
SAVED_MODEL_DIR = "saved_model"

# The repository's own exports folder (``pip install -e .`` keeps it beside the package).
REPO_EXPORTS = Path(__file__).resolve().parent.parent / "exports"


@dataclasses.dataclass
class ModelCard:
    """What a user (or a server) needs to know about one export, as stored in ``card.json``.

    ``files`` maps every file of the export (relative path) to its sha256; an empty
    ``files`` means the name is registered with a recipe but no weights were trained yet.
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
    parameters: int = 0
    versions: dict[str, str] = dataclasses.field(default_factory=dict)
    files: dict[str, str] = dataclasses.field(default_factory=dict)
    url: str | None = None
    sha256: str | None = None  # of the archive at ``url``

    @property
    def trained(self) -> bool:
        return bool(self.files)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, sort_keys=False) + "\n"

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "ModelCard":
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(
                f"card for {data.get('name', '?')!r} has unknown fields {unknown}; "
                f"expected only {sorted(known)}."
            )
        return cls(**data)

    @classmethod
    def read(cls, folder: str | os.PathLike) -> "ModelCard":
        path = Path(folder) / CARD_FILE
        try:
            data = json.loads(path.read_text())
        except FileNotFoundError:
            raise FileNotFoundError(f"no {CARD_FILE} in {folder}: not a zoo export.") from None
        except json.JSONDecodeError as e:
            raise ValueError(f"{path} is not valid JSON ({e}); the export is corrupted.") from None
        return cls.from_dict(data)


class UnknownModelError(LookupError):
    """A name that is not registered; the message suggests the closest registered names."""


def search_path() -> list[Path]:
    """Folders searched for ``<name>/card.json``, in the order of DESIGN.md."""
    folders = []
    if os.environ.get("ZOO_EXPORTS"):
        folders.append(Path(os.environ["ZOO_EXPORTS"]))
    folders.append(REPO_EXPORTS)
    folders.append(zoo_home())
    return folders


def zoo_home() -> Path:
    return Path(os.environ.get("ZOO_HOME", Path.home() / ".cache" / "zoo"))


def _discover() -> dict[str, tuple[Path, ModelCard]]:
    """name -> (folder, card); a trained copy earlier in the search path wins."""
    found: dict[str, tuple[Path, ModelCard]] = {}
    for root in search_path():
        if not root.is_dir():
            continue
        for card_path in sorted(root.glob(f"*/{CARD_FILE}")):
            folder = card_path.parent
            card = ModelCard.read(folder)
            if card.name in found and (found[card.name][1].trained or not card.trained):
                continue
            found[card.name] = (folder, card)
    return found


def list_models(pattern: str = "*", pretrained: bool | None = None) -> list[str]:
    """Registered names matching an fnmatch ``pattern`` (``"wgan*"``), sorted.

    ``pretrained=True`` keeps only names with trained weights, ``False`` only recipe-only
    names, ``None`` both.
    """
    names = []
    for name, (_, card) in _discover().items():
        if not fnmatch.fnmatch(name, pattern):
            continue
        if pretrained is not None and card.trained != pretrained:
            continue
        names.append(name)
    return sorted(names)


def resolve(name: str) -> tuple[Path, ModelCard]:
    """The folder and card of a registered name; ``UnknownModelError`` suggests close names."""
    found = _discover()
    if name in found:
        return found[name]
    close = difflib.get_close_matches(name, list(found), n=3, cutoff=0.6)
    hint = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    raise UnknownModelError(
        f"unknown model name {name!r}.{hint} `zoo list` shows the {len(found)} registered names."
    )


def info(name: str) -> ModelCard:
    """The card of a registered name."""
    return resolve(name)[1]
