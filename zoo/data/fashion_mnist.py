"""Fashion-MNIST (Xiao et al. 2017, arXiv:1708.07747): 60,000 train / 10,000 test 28×28 grey
images of 10 kinds of clothing, MIT licence (Zalando SE).

    from zoo.data import fashion_mnist_split, fashion_mnist_dataset
    x_train, y_train, x_test, y_test = fashion_mnist_split()   # NHWC float32 in [-1, 1], int32
    fashion_mnist_dataset(64, labels=True)                      # endless (x, y) batches

The four standard IDX files (the ones Keras and TFDS download) are looked for, in order, in

1. ``$ZOO_DATA/fashion-mnist/``,
2. Keras's cache, ``$KERAS_HOME/datasets/fashion-mnist/`` (default ``~/.keras``), where
   ``keras.datasets.fashion_mnist.load_data()`` keeps them,
3. Debian's package folder ``/usr/share/datasets/fashion-mnist/``
   (``apt-get install dataset-fashion-mnist``),

and, with ``download=True``, fetched into Keras's cache by ``keras.utils.get_file``.  Every
file is checked against its published sha256 before it is read, and its IDX header (magic
number and shape) after: a corrupt, truncated or foreign file is refused by name.  Keras's own
``load_data`` serves only its cache folder and reads the bytes without these checks, so the
reading (a gzip and a 16-byte header) is done here.

Pixels: ``uint8 v -> v / 127.5 - 1``, so 256 levels 2/255 apart on [-1, 1].
"""
from __future__ import annotations

import dataclasses
import functools
import gzip
import hashlib
import os
import zlib
from pathlib import Path

import numpy as np

FASHION_MNIST_SHAPE = (28, 28, 1)
CLASS_NAMES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
               "Ankle boot")
DEBIAN_FOLDER = Path("/usr/share/datasets/fashion-mnist")
ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"  # keras.datasets.fashion_mnist's


@dataclasses.dataclass(frozen=True)
class IdxFile:
    """One of the four published files: its name, sha256, IDX magic number and shape."""

    name: str
    sha256: str
    magic: int
    shape: tuple[int, ...]


# The sha256 of the files Zalando published (github.com/zalandoresearch/fashion-mnist), which
# Keras's mirror and Debian's package hold byte for byte.  IDX magic: 0x0801 = uint8 vector,
# 0x0803 = uint8 rank-3 tensor (LeCun's MNIST format).
FILES = {
    ("train", "images"): IdxFile("train-images-idx3-ubyte.gz",
                                 "b0564c3eedabfbf835052cff8503ea422014ce006caf5b757f851416ee8300c7",
                                 0x0803, (60_000, 28, 28)),
    ("train", "labels"): IdxFile("train-labels-idx1-ubyte.gz",
                                 "0ae29f65d86684f32d1b9c85147786c547b9c6aebcaf235f0400a0cce308b056",
                                 0x0801, (60_000,)),
    ("test", "images"): IdxFile("t10k-images-idx3-ubyte.gz",
                                "cc1d090a38ace84dfa1aa66e3ada7c336ef481a96936906477e6dd344da56eaa",
                                0x0803, (10_000, 28, 28)),
    ("test", "labels"): IdxFile("t10k-labels-idx1-ubyte.gz",
                                "8d3605d196f4be44669e46906da9733c8131fef761fdbfec72c424d5222f1a05",
                                0x0801, (10_000,)),
}


class FashionMnistUnavailableError(FileNotFoundError):
    """Fashion-MNIST's files are on none of the searched folders and could not be downloaded."""


class CorruptDataError(ValueError):
    """A dataset file whose bytes are not the published ones (wrong hash, header or size)."""


def search_path() -> list[Path]:
    """The folders searched for the four files, in order."""
    folders = []
    if os.environ.get("ZOO_DATA"):
        folders.append(Path(os.environ["ZOO_DATA"]).expanduser() / "fashion-mnist")
    keras_home = Path(os.environ.get("KERAS_HOME", Path.home() / ".keras")).expanduser()
    folders += [keras_home / "datasets" / "fashion-mnist", DEBIAN_FOLDER]
    return folders


def _find_folder() -> Path | None:
    """The first folder of :func:`search_path` holding all four files."""
    for folder in search_path():
        if all((folder / spec.name).is_file() for spec in FILES.values()):
            return folder
    return None


def _download() -> Path:
    """Keras's download of the four files into its cache, each checked against its sha256."""
    import keras

    paths = []
    for spec in FILES.values():
        paths.append(Path(keras.utils.get_file(spec.name, origin=ORIGIN + spec.name, file_hash=spec.sha256,
                                               hash_algorithm="sha256", cache_subdir="datasets/fashion-mnist")))
    return paths[0].parent


def _unavailable(cause=None) -> FashionMnistUnavailableError:
    searched = "; ".join(str(folder) for folder in search_path())
    why = f" The download failed ({type(cause).__name__}: {cause})." if cause is not None else ""
    return FashionMnistUnavailableError(
        f"Fashion-MNIST was not found. Looked for its four files ({', '.join(s.name for s in FILES.values())}) "
        f"in: {searched}.{why} To provide it, either: (1) on Debian/Ubuntu, `apt-get install "
        f"dataset-fashion-mnist` (puts them in {DEBIAN_FOLDER}); or (2) where there is internet, "
        "`python -c \"import keras; keras.datasets.fashion_mnist.load_data()\"` (downloads them into Keras's "
        "cache), or pass download=True; or (3) copy the four files into $ZOO_DATA/fashion-mnist/.")


def read_idx(path, spec: IdxFile, check_hash: bool = True) -> np.ndarray:
    """The array in the gzipped IDX file ``path``, checked against ``spec``.

    Raises:
      CorruptDataError: wrong sha256, not gzip, truncated, wrong magic number or shape.
    """
    path = Path(path)
    data = path.read_bytes()
    if check_hash:
        digest = hashlib.sha256(data).hexdigest()
        if digest != spec.sha256:
            raise CorruptDataError(
                f"{path} is not the published {spec.name} (sha256 {digest[:16]}…, expected {spec.sha256[:16]}…): "
                "it is corrupt, truncated or another file. Delete it and provide the file again "
                "(apt-get install --reinstall dataset-fashion-mnist, or Keras's download).")
    try:
        raw = gzip.decompress(data)
    except (OSError, EOFError, zlib.error) as error:
        raise CorruptDataError(f"{path} is not a complete gzip file ({error}). Expected the gzipped IDX file "
                               f"{spec.name}; provide it again.") from None
    rank = len(spec.shape)
    header = 4 + 4 * rank
    if len(raw) < header:
        raise CorruptDataError(f"{path} is too short for an IDX header ({len(raw)} bytes). Expected {spec.name}.")
    magic = int.from_bytes(raw[:4], "big")
    shape = tuple(int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(rank))
    if magic != spec.magic or shape != spec.shape:
        raise CorruptDataError(
            f"{path} is not {spec.name}: IDX magic 0x{magic:04x} and shape {shape}, expected 0x{spec.magic:04x} "
            f"and {spec.shape}. Received: a {'labels' if magic == 0x0801 else 'different'} file under that name.")
    body = np.frombuffer(raw, np.uint8, offset=header)
    if body.size != int(np.prod(spec.shape)):
        raise CorruptDataError(f"{path} holds {body.size:,} values after its header, expected "
                               f"{int(np.prod(spec.shape)):,} for shape {spec.shape}: the file is truncated.")
    return body.reshape(spec.shape)


def load_uint8(folder=None, download: bool = False, check_hash: bool = True):
    """``((x_train, y_train), (x_test, y_test))`` as uint8 arrays, like
    ``keras.datasets.fashion_mnist.load_data()``, from ``folder`` or the search path."""
    if folder is None:
        folder = _find_folder()
        if folder is None:
            if not download:
                raise _unavailable()
            try:
                folder = _download()
            except Exception as error:  # noqa: BLE001 - any download failure means: the data is missing
                raise _unavailable(error) from error
    folder = Path(folder)
    missing = [spec.name for spec in FILES.values() if not (folder / spec.name).is_file()]
    if missing:
        raise FashionMnistUnavailableError(f"{folder} lacks {', '.join(missing)}: Fashion-MNIST needs all four "
                                           f"files ({', '.join(s.name for s in FILES.values())}).")
    arrays = {key: read_idx(folder / spec.name, spec, check_hash) for key, spec in FILES.items()}
    return ((arrays["train", "images"], arrays["train", "labels"]),
            (arrays["test", "images"], arrays["test", "labels"]))


@functools.lru_cache(maxsize=1)
def _searched_uint8(download: bool = False):
    """:func:`load_uint8` from the search path, read and checked once per process."""
    arrays = load_uint8(download=download)
    for pair in arrays:
        for array in pair:
            array.setflags(write=False)
    return arrays


def fashion_mnist_split(download: bool = False):
    """``(x_train, y_train, x_test, y_test)``: images NHWC float32 in [-1, 1], labels int32.

    Read once per process (read-only arrays: nobody may change the split in place).
    """
    return _float_split(download)


@functools.lru_cache(maxsize=1)
def _float_split(download: bool):
    (x_train, y_train), (x_test, y_test) = _searched_uint8(download)
    out = (to_unit(x_train), y_train.astype(np.int32), to_unit(x_test), y_test.astype(np.int32))
    for array in out:
        array.setflags(write=False)
    return out


def to_unit(images) -> np.ndarray:
    """uint8 ``[N, 28, 28]`` -> float32 ``[N, 28, 28, 1]`` in [-1, 1] (``v / 127.5 - 1``)."""
    return (np.asarray(images, np.float32) / 127.5 - 1.0).reshape(-1, *FASHION_MNIST_SHAPE)


def fashion_mnist_dataset(batch_size: int, seed: int = 0, split: str = "train", labels: bool = False,
                          repeat: bool = True):
    """Shuffled tf.data batches of Fashion-MNIST (``(x, y)`` with ``labels=True``).

    cache (uint8, 47 MB) -> shuffle (the whole split) -> repeat -> batch (drop_remainder, so
    every replica of a ``tf.distribute`` strategy gets an equal share) -> [-1, 1] -> prefetch.
    """
    import tensorflow as tf

    from zoo.data.images import _check_batch_size, to_unit_range

    _check_batch_size(batch_size)
    if split not in ("train", "test"):
        raise ValueError(f"split must be 'train' or 'test'. Received: split={split!r}")
    (x_train, y_train), (x_test, y_test) = _searched_uint8()
    x, y = (x_train, y_train) if split == "train" else (x_test, y_test)
    data = tf.data.Dataset.from_tensor_slices((x[..., None], y.astype(np.int32)) if labels else x[..., None])
    data = data.cache().shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
    if repeat:
        data = data.repeat()
    data = data.batch(batch_size, drop_remainder=True)
    to_float = (lambda image, label: (to_unit_range(image), label)) if labels else to_unit_range
    return data.map(to_float, num_parallel_calls=tf.data.AUTOTUNE).prefetch(tf.data.AUTOTUNE)
