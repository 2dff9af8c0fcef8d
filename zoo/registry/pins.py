"""The pinned index ``zoo/shipped.json``: for every shipped name, recipe-only ones included,
the sha256 of its ``card.json`` and, for trained ones, of its archive, the archive's size and
its file name under the url base.

It is package data, so an installed wheel knows every shipped model and the exact bytes it
may load for it, as timm and KerasHub keep their presets in the package.  The url of an
archive is ``<base>/<url>``, the base being ``$ZOO_URL_BASE`` when set (a mirror, or a local
folder holding the archives) and the index's ``url_base`` otherwise.
"""
from __future__ import annotations

import json
import os
import urllib.parse
from pathlib import Path

import warnings

from zoo.registry import paths
from zoo.registry.cards import CARD_FILE, IntegrityError, ModelCard, sha256_file
from zoo.registry.folders import is_real_folder

PINS_FILE = Path(__file__).resolve().parent.parent / "shipped.json"
FORMAT = 1
# Where the project's release assets are attached (docs/distribution.md).
DEFAULT_URL_BASE = "https://github.com/zoo-models/zoo/releases/download/exports"
ENTRY_KEYS = ("card", "archive", "size", "url")


def read_index(path: Path | None = None) -> dict:
    """``{"format": 1, "url_base": ..., "exports": {name: {card, archive, size, url}}}``."""
    path = path or PINS_FILE
    try:
        index = json.loads(path.read_text())
    except FileNotFoundError:
        return {"format": FORMAT, "url_base": DEFAULT_URL_BASE, "exports": {}}
    if not isinstance(index, dict) or index.get("format") != FORMAT or not isinstance(index.get("exports"), dict):
        raise IntegrityError(f"{path} is not a pinned index of format {FORMAT}; reinstall zoo (or, in a checkout, "
                             f"`git checkout zoo/shipped.json`).")
    return index


def read_pins() -> dict[str, str]:
    """name -> sha256 of the shipped ``card.json``."""
    return {name: entry["card"] for name, entry in read_index()["exports"].items()}


def pinned(name: str) -> dict | None:
    """The index entry of a shipped name, or None for a name the package does not ship."""
    return read_index()["exports"].get(name)


def url_base() -> str:
    value = os.environ.get("ZOO_URL_BASE", "").strip()
    if not value:
        return read_index().get("url_base") or DEFAULT_URL_BASE
    if "://" not in value:  # a folder of archives: file:// so urllib (and get_file) read it
        return Path(value).expanduser().absolute().as_uri()
    return value


def archive_url(entry: dict) -> str:
    return urllib.parse.urljoin(url_base().rstrip("/") + "/", entry["url"])


def write_index(index: dict, path: Path | None = None) -> None:
    """Write the index atomically (a reader sees the old or the new file), names sorted."""
    path = path or PINS_FILE
    index = {**index, "exports": {name: {key: entry.get(key) for key in ENTRY_KEYS}
                                  for name, entry in sorted(index["exports"].items())}}
    # one line per name, so a re-pin shows in `git diff` as the lines of the names it changed
    rows = [f"  {json.dumps(name)}: {json.dumps(entry)}" for name, entry in index["exports"].items()]
    head = json.dumps({k: v for k, v in index.items() if k != "exports"}, indent=1)[:-2]
    text = head + ',\n "exports": {\n' + ",\n".join(rows) + "\n }\n}\n"
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(text)
    os.replace(partial, path)


# --------------------------------------------------------------------------- trust
def check_pin(folder: Path, card: ModelCard) -> bool:
    """Whether ``folder`` holds the shipped export of ``card.name`` (its card matches the pin).

    The repository's ``exports/``, the cache and the wheel's cards hold shipped exports only:
    there a symbolic link, or a card that does not match its pin, is refused.  Elsewhere
    (``$ZOO_EXPORTS``, a folder path) a copy of a shipped name is the user's own retrain: it
    loads, verified by its own manifest, with a notice that it is not the shipped export.
    """
    folder = Path(folder)
    entry = pinned(card.name)
    root = paths.root_of(folder)
    matches = entry is not None and sha256_file(folder / CARD_FILE) == entry["card"]
    if root is None:
        if entry is not None and not matches:
            warnings.warn(f"{card.name!r} from {folder} is not the shipped export (its card differs from the pinned "
                          f"one): loading it as your own export, verified by its own sha256 manifest.", stacklevel=3)
        return matches
    if not is_real_folder(folder):
        raise IntegrityError(f"{folder} is a symbolic link; in {root} an export of a shipped name is a real folder, "
                             f"so a link, which could serve other weights, is refused. Replace it by the folder "
                             f"(git checkout exports/{card.name}), or keep your own exports under $ZOO_EXPORTS.")
    if entry is None:
        if card.trained and root != paths.zoo_home():
            raise IntegrityError(
                f"{folder} is a trained export in {root} but {card.name!r} is not in the pinned index "
                f"{PINS_FILE}. If you wrote it yourself, pin it with `python -m zoo.exports.pin {card.name}` "
                f"(developers), or keep it under $ZOO_EXPORTS.")
        return False
    if matches:
        return True
    where = ("delete the folder and load again to download it anew" if root == paths.zoo_home() else
             f"restore it (git checkout exports/{card.name}) or, if you re-exported it on purpose, re-pin it with "
             f"`python -m zoo.exports.pin {card.name}`")
    raise IntegrityError(f"the shipped export {card.name!r} at {folder} does not match the sha256 its card is pinned "
                         f"to in {PINS_FILE}: the export was corrupted or swapped. To fix it, {where}.")
