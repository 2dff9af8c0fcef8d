"""Fashion-MNIST's data layer: the search path, the published hashes, the IDX checks (on tiny
files the tests write) and, where the Debian package or Keras's cache holds them, the real files."""
import gzip
import hashlib

import numpy as np
import pytest

from zoo.data import fashion_mnist as fm


def _idx(shape, magic=None, values=None) -> bytes:
    """The bytes of an IDX file: magic, the sizes (big-endian int32), then uint8 values."""
    magic = magic if magic is not None else (0x0801 if len(shape) == 1 else 0x0803)
    values = np.arange(int(np.prod(shape)), dtype=np.uint8) if values is None else np.asarray(values, np.uint8)
    header = magic.to_bytes(4, "big") + b"".join(int(d).to_bytes(4, "big") for d in shape)
    return header + values.tobytes()


def _write(path, raw: bytes) -> str:
    """Gzip ``raw`` into ``path``; returns the file's sha256."""
    data = gzip.compress(raw, mtime=0)
    path.write_bytes(data)
    return hashlib.sha256(data).hexdigest()


def _spec(name, shape, sha256="0" * 64):
    return fm.IdxFile(name, sha256, 0x0801 if len(shape) == 1 else 0x0803, shape)


def test_read_idx_returns_the_written_values(tmp_path):
    path = tmp_path / "images.gz"
    digest = _write(path, _idx((3, 28, 28)))
    array = fm.read_idx(path, _spec("images.gz", (3, 28, 28), digest))
    assert array.shape == (3, 28, 28) and array.dtype == np.uint8
    np.testing.assert_array_equal(array.ravel(), np.arange(3 * 784, dtype=np.uint8))


def test_a_file_with_another_hash_is_refused_by_name(tmp_path):
    path = tmp_path / "train-images-idx3-ubyte.gz"
    _write(path, _idx((3, 28, 28)))
    with pytest.raises(fm.CorruptDataError, match=r"train-images-idx3-ubyte.gz is not the published .*sha256"):
        fm.read_idx(path, _spec(path.name, (3, 28, 28)))


def test_wrong_magic_number_is_refused(tmp_path):
    path = tmp_path / "labels.gz"
    digest = _write(path, _idx((3, 28, 28)))  # an image file where labels are expected
    with pytest.raises(fm.CorruptDataError, match=r"labels.gz is not labels.gz: IDX magic 0x0803"):
        fm.read_idx(path, fm.IdxFile("labels.gz", digest, 0x0801, (3, 28, 28)))


def test_wrong_shape_is_refused(tmp_path):
    path = tmp_path / "images.gz"
    digest = _write(path, _idx((2, 28, 28)))
    with pytest.raises(fm.CorruptDataError, match=r"shape \(2, 28, 28\), expected 0x0803 and \(3, 28, 28\)"):
        fm.read_idx(path, _spec("images.gz", (3, 28, 28), digest))


def test_truncated_gzip_is_refused_by_name(tmp_path):
    path = tmp_path / "images.gz"
    whole = gzip.compress(_idx((3, 28, 28)), mtime=0)
    path.write_bytes(whole[: len(whole) // 2])
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    with pytest.raises(fm.CorruptDataError, match=r"images.gz is not a complete gzip file"):
        fm.read_idx(path, _spec("images.gz", (3, 28, 28), digest))


def test_truncated_body_is_refused(tmp_path):
    path = tmp_path / "images.gz"
    raw = _idx((3, 28, 28))
    digest = _write(path, raw[:-100])  # a whole gzip of a cut IDX file
    with pytest.raises(fm.CorruptDataError, match=r"the file is truncated"):
        fm.read_idx(path, _spec("images.gz", (3, 28, 28), digest))


def test_a_folder_missing_the_labels_names_them(tmp_path):
    for spec in fm.FILES.values():
        if "labels" not in spec.name:
            (tmp_path / spec.name).write_bytes(b"")
    with pytest.raises(fm.FashionMnistUnavailableError, match=r"lacks train-labels-idx1-ubyte.gz, t10k-labels"):
        fm.load_uint8(tmp_path)


def test_search_path_order(monkeypatch, tmp_path):
    monkeypatch.setenv("ZOO_DATA", str(tmp_path / "zoo-data"))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    assert fm.search_path() == [tmp_path / "zoo-data" / "fashion-mnist", tmp_path / "keras" / "datasets" / "fashion-mnist",
                                fm.DEBIAN_FOLDER]
    monkeypatch.delenv("ZOO_DATA")
    assert fm.search_path()[0] == tmp_path / "keras" / "datasets" / "fashion-mnist"


def test_missing_data_names_every_route(monkeypatch, tmp_path):
    monkeypatch.setenv("ZOO_DATA", str(tmp_path))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    monkeypatch.setattr(fm, "DEBIAN_FOLDER", tmp_path / "debian")
    with pytest.raises(fm.FashionMnistUnavailableError) as error:
        fm.load_uint8()
    message = str(error.value)
    for route in ("apt-get install dataset-fashion-mnist", "keras.datasets.fashion_mnist.load_data()",
                  "$ZOO_DATA/fashion-mnist", str(tmp_path / "debian")):
        assert route in message


def test_the_first_complete_folder_wins(monkeypatch, tmp_path):
    """$ZOO_DATA holds only some of the files: the next folder with all four is used."""
    partial, complete = tmp_path / "zoo" / "fashion-mnist", tmp_path / "keras" / "datasets" / "fashion-mnist"
    partial.mkdir(parents=True)
    complete.mkdir(parents=True)
    (partial / fm.FILES["train", "images"].name).write_bytes(b"")
    for spec in fm.FILES.values():
        (complete / spec.name).write_bytes(b"")
    monkeypatch.setenv("ZOO_DATA", str(tmp_path / "zoo"))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    assert fm._find_folder() == complete


needs_data = pytest.mark.skipif(fm._find_folder() is None, reason=(
    "Fashion-MNIST is not on this machine (apt-get install dataset-fashion-mnist, or Keras's download)"))


@needs_data
def test_the_real_split():
    x_train, y_train, x_test, y_test = fm.fashion_mnist_split()
    assert x_train.shape == (60_000, 28, 28, 1) and x_test.shape == (10_000, 28, 28, 1)
    assert x_train.dtype == np.float32 and y_train.dtype == np.int32
    assert x_train.min() == -1.0 and x_train.max() == 1.0
    # 2/255 apart: the 256 levels v / 127.5 - 1
    assert np.allclose(np.unique(x_test[:100]) * 127.5 + 127.5, np.round(np.unique(x_test[:100]) * 127.5 + 127.5),
                       atol=1e-4)
    np.testing.assert_array_equal(np.bincount(y_train), [6000] * 10)
    np.testing.assert_array_equal(np.bincount(y_test), [1000] * 10)
    assert not x_train.flags.writeable


@needs_data
def test_the_pipeline_batches():
    x, y = next(iter(fm.fashion_mnist_dataset(32, labels=True)))
    assert tuple(x.shape) == (32, 28, 28, 1) and tuple(y.shape) == (32,) and y.dtype.name == "int32"
    assert -1.0 <= float(np.min(x)) and float(np.max(x)) <= 1.0
    with pytest.raises(ValueError, match="split must be 'train' or 'test'"):
        fm.fashion_mnist_dataset(32, split="validation")


@needs_data
def test_the_classifier_reaches_its_stated_accuracy():
    """The shipped classifier, through the protocol's loader, scores on the test split what its card says."""
    import zoo
    from zoo.metrics.fashion_mnist import CLASSIFIER_NAME, classify

    stated = zoo.load(CLASSIFIER_NAME).card.metrics["test_accuracy"]["mean"]
    assert stated >= 0.92
    _, _, x_test, y_test = fm.fashion_mnist_split()
    assert float(np.mean(classify(x_test)[1].argmax(axis=1) == y_test)) == pytest.approx(stated, abs=1e-9)


@pytest.mark.parametrize("shape, message", [
    ((10_000, 8, 8, 1), r"shape \[N, 28, 28, 1\]"),
    ((999, 28, 28, 1), r"needs 10,000 samples"),
])
def test_the_protocol_refuses_other_images(shape, message):
    from zoo.metrics.fashion_mnist import evaluate_fashion_mnist

    with pytest.raises(ValueError, match=message):
        evaluate_fashion_mnist(np.zeros(shape, np.float32))
