"""``python -m zoo.exports.readmes``: render every export's README.md from its card.json.

Only README files this command generated are replaced (``zoo.exports.card.write_readmes``);
run it after changing a card, e.g. after ``zoo eval NAME --write`` on a copy made by hand.
"""
from __future__ import annotations

from zoo.exports.card import write_readmes


def main(argv=None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m zoo.exports.readmes",
                                     description="Render every export's README.md from its card.json.")
    parser.add_argument("--root", default=None, help="exports folder (default: the repository's exports/)")
    args = parser.parse_args(argv)
    outcomes = write_readmes(args.root)
    for path, outcome in outcomes:
        if outcome != "unchanged":
            print(f"{outcome}: {path}")
    print(f"{len(outcomes)} model card(s) rendered, {sum(o == 'written' for _, o in outcomes)} written")
    return 1 if any(o.startswith("kept") for _, o in outcomes) else 0


if __name__ == "__main__":
    raise SystemExit(main())
