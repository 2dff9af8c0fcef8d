"""Pin shipped names: ``python -m zoo.exports.pin NAME ...`` (or ``--all``).

Records in the pinned index ``zoo/shipped.json``, for each ``exports/<NAME>/``: the sha256 of
its ``card.json`` and, for a trained export (verified against its manifest first), the sha256,
size and file name of its reproducible archive.  Recipe-only names are pinned too (their card
alone).  ``export``/``update_card``/``reexport`` into the repository's ``exports/`` pin by
themselves; run this after writing a recipe-only card, or restoring or copying an export by hand.
"""
from __future__ import annotations

import argparse
import sys

from zoo.exports.release import pin
from zoo.registry import CARD_FILE, paths, pins


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m zoo.exports.pin", description=__doc__.split("\n")[0])
    parser.add_argument("names", nargs="*")
    parser.add_argument("--all", action="store_true",
                        help="every card in exports/, trained or recipe-only (and drop names that are gone)")
    args = parser.parse_args(argv)
    names = list(args.names)
    if args.all:
        names = sorted(p.name for p in paths.REPO_EXPORTS.iterdir() if (p / CARD_FILE).is_file())
        names += [name for name in pins.read_pins() if name not in names]
    if not names:
        parser.error("name at least one export, or pass --all")
    exports = pin(names)
    trained = sum(1 for entry in exports.values() if entry["archive"])
    print(f"{len(exports)} names pinned in {pins.PINS_FILE} ({trained} trained, {len(exports) - trained} recipe-only)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
