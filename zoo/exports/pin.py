"""Pin shipped exports: ``python -m zoo.exports.pin NAME ...`` (or ``--all``).

Records the sha256 of each ``exports/<NAME>/card.json`` (verified against its manifest first)
in ``zoo/shipped.json``.  ``export``/``update_card``/``reexport`` into the repository's
``exports/`` pin by themselves; run this after restoring or copying an export by hand.
"""
from __future__ import annotations

import argparse
import sys

from zoo.exports.writing import pin
from zoo.registry import PINS_FILE, REPO_EXPORTS, ModelCard, read_pins


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m zoo.exports.pin", description=__doc__.split("\n")[0])
    parser.add_argument("names", nargs="*")
    parser.add_argument("--all", action="store_true", help="every trained export in exports/ (and drop stale pins)")
    args = parser.parse_args(argv)
    names = list(args.names)
    if args.all:
        names = [p.name for p in sorted(REPO_EXPORTS.iterdir()) if (p / "card.json").exists()
                 and ModelCard.read(p).trained]
    if not names:
        parser.error("name at least one export, or pass --all")
    if args.all:  # names no longer trained, or gone, drop out of the index
        names += [name for name in read_pins() if name not in names]
    pin(names)
    print(f"{len(read_pins())} export(s) pinned in {PINS_FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
