"""Image datasets as tf.data pipelines: TFDS (mnist, fashion_mnist, cifar10, celeb_a) and a
folder of the user's own images.

Every pipeline yields NHWC float32 batches in [-1, 1] (``(x, labels)`` with ``labels=True``
where the dataset has labels), in the usual shape: decode/crop/resize with AUTOTUNE →
cache (uint8, before the float conversion, so MNIST stays 47 MB in memory) → shuffle →
repeat → batch (drop_remainder, so every replica of a ``tf.distribute`` strategy gets equal
shares) → scale to [-1, 1] → prefetch.

    from zoo.data import image_dataset
    image_dataset("celeb_a", 64)              # 64×64×3 faces, DCGAN's centre crop
    image_dataset("mnist", 128, labels=True)  # (x [128, 28, 28, 1], y [128])
    image_dataset("~/photos", 64, image_size=(64, 64))

Machines without internet cannot download TFDS data: the loader then raises
:class:`DatasetUnavailableError`, which names the dataset, the folder TFDS looked in and how
to provide the data.
"""
from __future__ import annotations

import dataclasses
import os
from pathlib import Path


@dataclasses.dataclass(frozen=True)
class ImageSource:
    """How one TFDS image dataset becomes model input.

    Attributes:
      shape: HWC of the images the pipeline yields (after ``crop`` and resizing).
      label_key: the feature holding the class label, or None (no labels).
      num_classes: number of classes (0 without labels).
      crop: side of the central square cropped before resizing, or None.
      cache: whether to cache the decoded uint8 images in memory by default.
    """

    shape: tuple[int, int, int]
    label_key: str | None = "label"
    num_classes: int = 10
    crop: int | None = None
    cache: bool = True


TFDS_IMAGES: dict[str, ImageSource] = {
    "mnist": ImageSource((28, 28, 1)),
    "fashion_mnist": ImageSource((28, 28, 1)),
    "cifar10": ImageSource((32, 32, 3)),
    # DCGAN-tensorflow (Kim 2016) and most DCGAN face recipes take the central 108×108 of
    # the 218×178 aligned CelebA photo and resize it to 64×64. 202,599 images: caching them
    # in memory would take 2.5 GB, so it is off by default (pass cache="file path").
    "celeb_a": ImageSource((64, 64, 3), label_key=None, num_classes=0, crop=108, cache=False),
}


class DatasetUnavailableError(FileNotFoundError):
    """A dataset whose data is neither prepared on this machine nor downloadable from it."""


def _tfds_data_dir(data_dir) -> str:
    import tensorflow_datasets as tfds

    return os.fspath(data_dir) if data_dir else os.environ.get("TFDS_DATA_DIR", tfds.core.constants.DATA_DIR)


def _unavailable(name, data_dir, cause) -> DatasetUnavailableError:
    folder = _tfds_data_dir(data_dir)
    manual = (f" For celeb_a, TFDS can also read the archives you downloaded by hand from "
              f"https://mmlab.ie.cuhk.edu.hk/projects/CelebA.html: put them in {folder}/downloads/manual."
              if name == "celeb_a" else "")
    return DatasetUnavailableError(
        f"TFDS dataset {name!r} is not prepared in {folder} and could not be downloaded here "
        f"({type(cause).__name__}: {str(cause).splitlines()[0] if str(cause) else 'no message'}). "
        f"To provide it: on a machine with internet run `tfds build {name} --data_dir DIR` (or "
        f"`tfds.builder({name!r}).download_and_prepare()`), copy DIR/{name} into {folder} "
        f"(or pass data_dir=DIR, or set TFDS_DATA_DIR=DIR).{manual}"
    )


def _prepare(image, source: ImageSource, image_size):
    """uint8 HWC -> uint8 HWC of the source's shape (central crop, then resize)."""
    import tensorflow as tf

    if source.crop is not None:
        height, width = tf.shape(image)[0], tf.shape(image)[1]
        image = tf.image.crop_to_bounding_box(image, (height - source.crop) // 2, (width - source.crop) // 2,
                                              source.crop, source.crop)
    size = tuple(image_size) if image_size is not None else source.shape[:2]
    if source.crop is not None or image_size is not None:
        image = tf.image.resize(image, size, method="bilinear", antialias=True)  # antialias: downscaling
        image = tf.cast(tf.clip_by_value(tf.round(image), 0, 255), tf.uint8)
    return image


def to_unit_range(images):
    """uint8 (or float 0..255) images -> float32 in [-1, 1]."""
    import tensorflow as tf

    return tf.cast(images, tf.float32) / 127.5 - 1.0


def _finish(data, batch_size: int, seed: int, shuffle_buffer: int, repeat: bool, cache, labels: bool):
    """cache -> shuffle -> repeat -> batch -> [-1, 1] -> prefetch."""
    import tensorflow as tf

    if cache:
        data = data.cache(cache if isinstance(cache, (str, os.PathLike)) else "")
    if shuffle_buffer:
        data = data.shuffle(shuffle_buffer, seed=seed, reshuffle_each_iteration=True)
    if repeat:
        data = data.repeat()
    data = data.batch(batch_size, drop_remainder=True)
    if labels:
        data = data.map(lambda x, y: (to_unit_range(x), tf.cast(y, tf.int32)), num_parallel_calls=tf.data.AUTOTUNE)
    else:
        data = data.map(to_unit_range, num_parallel_calls=tf.data.AUTOTUNE)
    return data.prefetch(tf.data.AUTOTUNE)


def _check_batch_size(batch_size):
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size <= 0:
        raise ValueError(f"batch_size must be a positive integer. Received: batch_size={batch_size!r}")


def tfds_dataset(name: str, batch_size: int, *, split: str = "train", seed: int = 0, labels: bool = False,
                 image_size: tuple[int, int] | None = None, data_dir: str | os.PathLike | None = None,
                 download: bool = True, repeat: bool = True, cache=None, shuffle_buffer: int = 10_000):
    """A TFDS image dataset as batches of NHWC float32 in [-1, 1].

    Args:
      name: one of ``TFDS_IMAGES`` (``"mnist"``, ``"fashion_mnist"``, ``"cifar10"``, ``"celeb_a"``).
      batch_size: global batch size (the last partial batch is dropped).
      split: a TFDS split (``"train"``, ``"test"``, ``"train[:90%]"``...).
      seed: shuffling seed (files and examples).
      labels: yield ``(x, y)`` with int32 labels; only for datasets with labels.
      image_size: ``(height, width)`` to resize to; default the source's (64×64 for celeb_a).
      data_dir: where TFDS keeps prepared data (default ``$TFDS_DATA_DIR`` or ``~/tensorflow_datasets``).
      download: try to download and prepare the data when it is missing.
      repeat: endless (for ``fit(steps_per_epoch=...)``) or one pass.
      cache: True (memory), False, or a file path; default the source's (off for celeb_a).
      shuffle_buffer: examples in the shuffle buffer (0 = no shuffling).
    Raises:
      DatasetUnavailableError: the data is not prepared and cannot be downloaded.
    """
    import tensorflow as tf
    import tensorflow_datasets as tfds

    if name not in TFDS_IMAGES:
        raise ValueError(f"unknown image dataset {name!r}; expected one of {sorted(TFDS_IMAGES)}. "
                         f"For a folder of images use folder_dataset(path, ...). Received: name={name!r}")
    _check_batch_size(batch_size)
    source = TFDS_IMAGES[name]
    if labels and source.label_key is None:
        raise ValueError(f"{name!r} has no class labels. Received: labels=True")
    builder = tfds.builder(name, data_dir=data_dir)
    try:
        if download:
            builder.download_and_prepare()  # returns at once when the data is already prepared
        data = builder.as_dataset(split=split, shuffle_files=bool(shuffle_buffer),
                                  read_config=tfds.ReadConfig(shuffle_seed=seed))
    except (AssertionError, ImportError, OSError, tfds.core.download.DownloadError) as e:
        # offline: AssertionError "could not find data" (download=False), ImportError or a
        # network OSError from the download path
        raise _unavailable(name, data_dir, e) from e

    def decode(example):
        image = _prepare(example["image"], source, image_size)
        return (image, example[source.label_key]) if labels else image

    data = data.map(decode, num_parallel_calls=tf.data.AUTOTUNE)
    return _finish(data, batch_size, seed, shuffle_buffer, repeat, source.cache if cache is None else cache, labels)


def folder_dataset(directory: str | os.PathLike, batch_size: int, *, image_size: tuple[int, int] = (64, 64),
                   channels: int = 3, seed: int = 0, labels: bool = False, repeat: bool = True, cache=True,
                   shuffle_buffer: int = 10_000):
    """A folder of the user's images (jpeg, png, bmp, gif) as batches of NHWC float32 in [-1, 1].

    Images are centre-cropped to the aspect ratio of ``image_size`` and resized
    (``keras.utils.image_dataset_from_directory``).  With ``labels=True`` each sub-folder is
    a class (sorted names -> 0, 1, ...).
    """
    import keras
    import tensorflow as tf

    _check_batch_size(batch_size)
    directory = Path(directory).expanduser()
    if not directory.is_dir():
        raise FileNotFoundError(f"image folder {directory} does not exist. Expected a folder of images "
                                f"(with one sub-folder per class for labels=True). Received: directory={directory}")
    if channels not in (1, 3, 4):
        raise ValueError(f"channels must be 1 (grayscale), 3 (rgb) or 4 (rgba). Received: channels={channels}")
    try:
        data = keras.utils.image_dataset_from_directory(
            directory, labels="inferred" if labels else None, label_mode="int" if labels else None,
            color_mode={1: "grayscale", 3: "rgb", 4: "rgba"}[channels], batch_size=None,
            image_size=tuple(image_size), shuffle=True, seed=seed, crop_to_aspect_ratio=True)
    except ValueError as e:
        raise ValueError(f"no usable images in {directory} ({e}). Expected image files (jpeg, png, bmp, gif)"
                         + (" in one sub-folder per class" if labels else "") + ".") from None
    data = data.map((lambda x, y: (tf.cast(tf.round(x), tf.uint8), y)) if labels
                    else (lambda x: tf.cast(tf.round(x), tf.uint8)), num_parallel_calls=tf.data.AUTOTUNE)
    return _finish(data, batch_size, seed, shuffle_buffer, repeat, cache, labels)


def image_dataset(source: str | os.PathLike, batch_size: int, **kwargs):
    """Batches of NHWC float32 in [-1, 1] from ``"digits"``, a TFDS name, or an image folder.

    Keyword arguments go to :func:`zoo.data.digits_dataset`, :func:`tfds_dataset` or
    :func:`folder_dataset`.
    """
    if source == "digits":
        from zoo.data.digits import digits_dataset

        return digits_dataset(batch_size, **kwargs)
    if isinstance(source, str) and source in TFDS_IMAGES:
        return tfds_dataset(source, batch_size, **kwargs)
    if Path(source).expanduser().is_dir():
        return folder_dataset(source, batch_size, **kwargs)
    raise ValueError(f"image source must be 'digits', one of {sorted(TFDS_IMAGES)} or an existing folder "
                     f"of images. Received: source={source!r}")
