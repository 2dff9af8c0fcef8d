"""Write a generated block into a page of the repository (``docs/*.md``, ``README.md``), between
its ``<!-- marker:start -->`` and ``<!-- marker:end -->`` lines, so every number on those pages
comes from a command."""
from __future__ import annotations

import argparse
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def write_block(text: str, marker: str, page: str) -> Path:
    """Replace the ``marker`` block of ``page`` (relative to the repository) with ``text``, atomically."""
    path = ROOT / page
    content = path.read_text()
    start, end = f"<!-- {marker}:start -->", f"<!-- {marker}:end -->"
    if start not in content or end not in content:
        raise SystemExit(f"error: {path} has no {start} ... {end} block to fill; add the markers first.")
    before, rest = content.split(start, 1)
    _, after = rest.split(end, 1)
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(f"{before}{start}\n{text.rstrip()}\n{end}{after}")
    os.replace(partial, path)
    return path


def table_main(table, marker: str, page: str, description: str, argv=None) -> None:
    """The command line of a one-table script: print ``table()``; ``--write`` puts it into ``page``."""
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--write", action="store_true", help=f"replace the {marker} block of {page}")
    args = parser.parse_args(argv)
    text = table()
    print(text)
    if args.write:
        write_block(text, marker, page)
