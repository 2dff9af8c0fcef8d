"""TFDS and folder image pipelines (zoo.data.images), on tfds.testing.mock_data and tiny PNGs."""
import numpy as np
import pytest
import tensorflow as tf
import tensorflow_datasets as tfds

from zoo.data import (TFDS_IMAGES, DatasetUnavailableError, folder_dataset, image_dataset, tfds_dataset,
                      to_unit_range)
from zoo.data.images import _prepare


def test_to_unit_range_hand_values():
    values = to_unit_range(tf.constant([0, 51, 127.5, 255], tf.float32)).numpy()
    np.testing.assert_allclose(values, [-1.0, -0.6, 0.0, 1.0], atol=1e-6)


@pytest.mark.parametrize("name", sorted(TFDS_IMAGES))
def test_tfds_sources_on_mock_data(name):
    source = TFDS_IMAGES[name]
    labels = source.label_key is not None
    with tfds.testing.mock_data(num_examples=12):
        data = tfds_dataset(name, 4, labels=labels, seed=1)
        batches = list(data.take(4))  # 16 > 12 examples: repeat() keeps it going
    for batch in batches:
        x, y = batch if labels else (batch, None)
        assert x.dtype == tf.float32 and tuple(x.shape) == (4, *source.shape)
        assert -1.0 <= float(tf.reduce_min(x)) and float(tf.reduce_max(x)) <= 1.0
        if labels:
            assert y.dtype == tf.int32 and np.all((0 <= y.numpy()) & (y.numpy() < source.num_classes))
    # drop_remainder: static batch dimension, what tf.distribute needs to split batches evenly
    spec = data.element_spec[0] if labels else data.element_spec
    assert spec.shape[0] == 4


def test_tfds_image_size_override():
    with tfds.testing.mock_data(num_examples=4):
        x = next(iter(tfds_dataset("mnist", 2, image_size=(32, 32))))
    assert tuple(x.shape) == (2, 32, 32, 1)


def test_celeb_a_centre_crop_then_resize():
    # 218×178 photo: white inside the central 108×108 square, black outside. The crop keeps
    # exactly the white square, so the 64×64 result is all 255.
    image = np.zeros((218, 178, 3), np.uint8)
    top, left = (218 - 108) // 2, (178 - 108) // 2
    image[top:top + 108, left:left + 108] = 255
    out = _prepare(tf.constant(image), TFDS_IMAGES["celeb_a"], None).numpy()
    assert out.shape == (64, 64, 3) and out.dtype == np.uint8 and np.all(out == 255)
    # the same square one pixel lower: the crop now takes a black row, which the top of the result shows
    shifted = np.roll(image, 1, axis=0)
    out = _prepare(tf.constant(shifted), TFDS_IMAGES["celeb_a"], None).numpy()
    assert np.all(out[0] < 255) and np.all(out[-1] == 255)


def test_missing_tfds_data_names_dataset_folder_and_remedy(tmp_path):
    with pytest.raises(DatasetUnavailableError) as info:
        tfds_dataset("mnist", 8, data_dir=tmp_path, download=False)
    message = str(info.value)
    assert "'mnist'" in message and str(tmp_path) in message and "tfds build mnist" in message
    assert "data_dir" in message and "TFDS_DATA_DIR" in message


def test_argument_errors():
    with pytest.raises(ValueError, match="has no class labels"):
        tfds_dataset("celeb_a", 8, labels=True)
    with pytest.raises(ValueError, match="unknown image dataset 'imagenet'"):
        tfds_dataset("imagenet", 8)
    with pytest.raises(ValueError, match="batch_size must be a positive integer"):
        tfds_dataset("mnist", 0)
    with pytest.raises(ValueError, match="Received: source='no-such-thing'"):
        image_dataset("no-such-thing", 8)


def _write_png(path, value, size=(10, 6)):
    from PIL import Image

    Image.fromarray(np.full((*size, 3), value, np.uint8)).save(path)


def test_folder_dataset_labels_and_values(tmp_path):
    # class "a" is black, class "b" white: labels 0 / 1 in sorted folder order, values -1 / +1
    for cls, value in (("a", 0), ("b", 255)):
        (tmp_path / cls).mkdir()
        for i in range(3):
            _write_png(tmp_path / cls / f"{i}.png", value)
    data = folder_dataset(tmp_path, 6, image_size=(8, 8), labels=True, seed=0)
    x, y = next(iter(data))
    assert tuple(x.shape) == (6, 8, 8, 3) and x.dtype == tf.float32 and y.dtype == tf.int32
    for image, label in zip(x.numpy(), y.numpy()):
        np.testing.assert_allclose(image, -1.0 if label == 0 else 1.0)
    assert sorted(y.numpy().tolist()) == [0, 0, 0, 1, 1, 1]
    gray = next(iter(image_dataset(tmp_path, 2, image_size=(4, 4), channels=1)))
    assert tuple(gray.shape) == (2, 4, 4, 1)


def test_folder_dataset_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        folder_dataset(tmp_path / "missing", 4)
    with pytest.raises(ValueError, match="no usable images"):
        folder_dataset(tmp_path, 4)


def test_image_dataset_digits():
    x = next(iter(image_dataset("digits", 16, seed=0)))
    assert tuple(x.shape) == (16, 8, 8, 1) and float(tf.reduce_min(x)) >= -1 and float(tf.reduce_max(x)) <= 1
