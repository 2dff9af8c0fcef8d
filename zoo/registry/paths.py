"""Where exports are looked for: ``$ZOO_EXPORTS``, the repository's ``exports/``, the cache
``$ZOO_HOME`` (default ``~/.cache/zoo``), and the cards the wheel carries (``zoo/cards/``).

The first is the user's; the other three are trusted: a shipped name found there must be a
real folder (never a symbolic link) whose card matches the pinned index.
"""
from __future__ import annotations

import os
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent
# The repository's own exports folder (a git checkout, or ``pip install -e .``, keeps it beside
# the package; an installed wheel has none).
REPO_EXPORTS = PACKAGE.parent / "exports"
# A wheel carries every shipped card.json (copied there by setup.py's build step) but no
# weights: the weights of a name found only here come from the pinned archive.
PACKAGE_CARDS = PACKAGE / "cards"


def env_folder(variable: str, must_exist: bool = True) -> Path | None:
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
    return env_folder("ZOO_HOME", must_exist=False) or Path.home() / ".cache" / "zoo"


def user_exports() -> Path | None:
    return env_folder("ZOO_EXPORTS")


def search_path() -> list[Path]:
    """Folders searched for ``<name>/card.json``, in order."""
    first = user_exports()
    return [*([first] if first else []), REPO_EXPORTS, zoo_home(), PACKAGE_CARDS]


def trusted_roots() -> list[Path]:
    """The roots where a shipped name must be the pinned export (everything but ``$ZOO_EXPORTS``)."""
    return [REPO_EXPORTS, zoo_home(), PACKAGE_CARDS]


def root_of(folder: Path) -> Path | None:
    """The trusted root that ``folder`` sits directly in (its last component not resolved), or None."""
    try:
        parent = folder.absolute().parent.resolve()
        return next((root for root in trusted_roots() if root.resolve() == parent), None)
    except OSError:
        return None
