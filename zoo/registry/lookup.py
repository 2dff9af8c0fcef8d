"""Name lookup: discovery over the search path, suggestions, the pin check, ``locate``.

``load(name)`` passes through :func:`locate` once: ``$ZOO_EXPORTS/<name>``, the repository's
``exports/<name>``, the cache ``$ZOO_HOME/<name>``, then the pinned archive (downloaded into
the cache).  In the three trusted places a shipped name is a real folder whose card matches
the pinned index, or it is not loaded; under ``$ZOO_EXPORTS`` (or a folder path) a copy that
differs is the user's own retrain and loads with a notice.
"""
from __future__ import annotations

import difflib
import fnmatch
import os
import warnings
from pathlib import Path

from zoo.registry import paths, pins
from zoo.registry.cards import (
    CARD_FILE,
    MAX_NAME_LENGTH,
    NAME_PATTERN,
    SAVED_MODEL_DIR,
    IntegrityError,
    ModelCard,
    NotTrainedError,
    UnknownModelError,
    check_name,
    sha256_file,
)
from zoo.registry.folders import wait_for_writer
from zoo.registry.pins import check_pin


def _cards_in(root: Path, trusted: bool):
    """(folder, card) of every export folder directly under ``root``.

    Dot-folders (a crashed write's ``.name.X.partial``) and folders whose name is not a valid
    name are skipped; in a trusted root a symbolic link is skipped with a warning (a shipped
    name is a real folder); a card that cannot be read, or that names another name than its
    folder, is skipped with a warning that names the file.
    """
    for folder in sorted(root.iterdir()):
        if not NAME_PATTERN.fullmatch(folder.name) or len(folder.name) > MAX_NAME_LENGTH:
            continue
        if trusted and folder.is_symlink():
            warnings.warn(f"skipping {folder}: it is a symbolic link, and in {root} an export is a real folder "
                          f"(a link could serve other weights under a shipped name). Replace the link by the "
                          f"folder, or put your own exports under $ZOO_EXPORTS.", stacklevel=3)
            continue
        if not folder.is_dir() or not os.path.lexists(folder / CARD_FILE):
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
    user = paths.user_exports()
    for root in paths.search_path():
        if not root.is_dir():
            continue
        for folder, card in _cards_in(root, trusted=root != user):
            if card.name in found and (found[card.name][1].trained or not card.trained):
                continue
            found[card.name] = (folder, card)
    return found


def discover(pattern: str = "*", pretrained: bool | None = None) -> dict[str, tuple[Path, ModelCard]]:
    """name -> (folder, card) of the registered names matching an fnmatch ``pattern``, sorted.

    ``pretrained=True`` keeps only names with trained weights (here or downloadable), ``False``
    only recipe-only names, ``None`` both.
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
def _checked(folder: Path, card: ModelCard) -> tuple[Path, ModelCard]:
    """``check_pin``, read again once after any writer of the name has finished: a developer's
    re-export swaps the folder, then re-pins it, and a reader in between must not see a swap."""
    try:
        check_pin(folder, card)
        return folder, card
    except IntegrityError:
        wait_for_writer(folder)
        card = ModelCard.read(folder)
        check_pin(folder, card)
        return folder, card


# --------------------------------------------------------------------------- resolution
def _not_trained(card: ModelCard, where: str) -> NotTrainedError:
    return NotTrainedError(
        f"{card.name!r} is registered but has no trained weights {where} and no download. "
        f"Train it with: {card.recipe}" + (f" ({card.description})" if card.description else ""))


def has_weights(folder: Path) -> bool:
    """Whether ``folder`` holds weights, or only the card (the wheel's cards, a card-only checkout)."""
    return (folder / SAVED_MODEL_DIR).is_dir()


def _is_path(name) -> bool:
    return isinstance(name, os.PathLike) or (isinstance(name, str) and (
        os.sep in name or name in (".", "..") or name.startswith("~")))


def locate(name) -> tuple[Path, ModelCard]:
    """The folder and card of a trained export: a folder path, or a registered name.

    A name must be a string of the registered form; a folder is anything else that names an
    existing directory (``str`` with a ``/`` or an ``os.PathLike``).  A shipped name whose
    weights are not here is fetched from its pinned archive into the cache (and then found
    there, offline).  The files are verified against the card when loaded (``verify``).
    """
    from zoo.registry import download

    if _is_path(name):
        folder = Path(name).expanduser()
        if not folder.is_dir():
            raise FileNotFoundError(f"no export folder at {folder}. Received: {name!r}")
        card = ModelCard.read(folder)
        if not card.trained:
            raise _not_trained(card, f"in {folder}")
        return _checked(folder, card)
    entry = pins.pinned(name)
    try:
        folder, card = resolve(name)
    except UnknownModelError:  # a shipped name whose card is nowhere here (or was skipped): its archive
        if entry is not None and entry["archive"]:
            return download.fetch(name, entry)
        raise
    root = paths.root_of(folder)
    stale_cache = (root == paths.zoo_home() and entry is not None and entry["archive"]
                   and sha256_file(folder / CARD_FILE) != entry["card"])  # an older version: fetch the pinned one
    if card.trained and has_weights(folder) and not stale_cache:
        return _checked(folder, card)
    if root is not None or entry is not None:  # a shipped name: its pinned card, then its pinned archive
        if root is not None and root != paths.zoo_home():
            _checked(folder, card)
        if entry is not None and entry["archive"]:
            return download.fetch(name, entry)
    elif card.url:  # a user's own card that names an archive
        return download.fetch_card_url(card)
    roots = ", ".join(str(p) for p in paths.search_path())
    raise _not_trained(card, f"here (searched {roots})")
