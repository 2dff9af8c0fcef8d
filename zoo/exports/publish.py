"""Publish the shipped exports: ``python -m zoo.exports.publish OUT_DIR``.

Writes into ``OUT_DIR`` the reproducible archive of every trained name of the pinned index
(``<name>-<card sha256[:16]>.tar.gz``, the file name the index gives) and a copy of the index,
``shipped.json``: the files to attach to a release, or to push to a model hub, at the url
base the index names (docs/distribution.md).  Each archive is checked against its pin; an
archive already in ``OUT_DIR`` with the pinned sha256 is kept, and a different file under
that name is an error, never overwritten.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from zoo.exports.release import write_archive
from zoo.registry import REPO_EXPORTS, IntegrityError, read_index, sha256_file
from zoo.registry.pins import write_index


def publish(out_dir: str | os.PathLike, names=None, exports_dir: Path | None = None) -> list[Path]:
    """Write the archives of ``names`` (default: every trained shipped name) and the index into
    ``out_dir``; return the archive paths."""
    out_dir, exports_dir = Path(out_dir), exports_dir or REPO_EXPORTS
    index = read_index()
    names = sorted(index["exports"]) if names is None else list(names)
    unknown = [name for name in names if name not in index["exports"]]
    if unknown:
        raise ValueError(f"{', '.join(unknown)} not in the pinned index; pin them first "
                         f"(python -m zoo.exports.pin NAME). Received: names={names}")
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name in names:
        entry = index["exports"][name]
        if not entry["archive"]:
            continue  # recipe-only: nothing to download
        target = out_dir / entry["url"]
        if target.exists():
            if sha256_file(target) != entry["archive"]:
                raise FileExistsError(f"{target} exists and is not the pinned archive of {name!r}; it is left as it "
                                      f"is. Move it away and publish again.")
        else:
            with tempfile.NamedTemporaryFile(dir=out_dir, prefix=f".{name}.", suffix=".partial", delete=False) as f:
                write_archive(exports_dir / name, f)
            if sha256_file(f.name) != entry["archive"]:
                os.unlink(f.name)
                raise IntegrityError(f"the archive of {exports_dir / name} is not the one pinned for {name!r}: the "
                                     f"export changed since it was pinned (re-pin it: python -m zoo.exports.pin {name}).")
            os.chmod(f.name, 0o644)
            os.replace(f.name, target)
        written.append(target)
    write_index(index, out_dir / "shipped.json")
    return written


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m zoo.exports.publish", description=__doc__.split("\n")[0])
    parser.add_argument("out_dir", help="folder to write the archives and shipped.json into")
    parser.add_argument("names", nargs="*", help="shipped names (default: every trained one)")
    args = parser.parse_args(argv)
    written = publish(args.out_dir, args.names or None)
    size = sum(p.stat().st_size for p in written)
    print(f"{len(written)} archives ({size / 1e6:.1f} MB) and shipped.json in {args.out_dir}; attach them at "
          f"{read_index()['url_base']} (or set $ZOO_URL_BASE to where they are)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
