"""Write a generated block into a page of docs/, between its ``<!-- marker:start -->`` and
``<!-- marker:end -->`` lines, so every number on those pages comes from a command."""
from __future__ import annotations

import os
from pathlib import Path

DOCS = Path(__file__).resolve().parent.parent / "docs"


def write_block(text: str, marker: str, page: str) -> Path:
    """Replace the ``marker`` block of ``docs/<page>`` with ``text`` (atomically); returns the page."""
    path = DOCS / page
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
