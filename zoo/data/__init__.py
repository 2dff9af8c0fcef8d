"""Datasets as tf.data pipelines: the 2-D Gaussian mixtures of the mixtures protocol (``mixtures``),
scikit-learn's digits with the fixed split of the digits protocol (``digits``), Fashion-MNIST from the files
Keras, Debian or ``$ZOO_DATA`` hold (``fashion_mnist``), TFDS image datasets and
image folders (``images``), binarised digits and Fashion-MNIST for binary-unit models (``binarized``), and MNIST
digits for the out-of-distribution test (``mnist``: Keras's cache or ``python -m zoo.data.mnist --fetch``)."""
from zoo.data.binarized import BINARIZED_DATASETS, binarize, binarized_dataset, binarized_split
from zoo.data.digits import DIGITS_SHAPE, NUM_CLASSES, digits_dataset, digits_split
from zoo.data.fashion_mnist import (FASHION_MNIST_SHAPE, FashionMnistUnavailableError, fashion_mnist_dataset,
                                    fashion_mnist_split)
from zoo.data.images import (TFDS_IMAGES, DatasetUnavailableError, ImageSource, folder_dataset, image_dataset,
                             tfds_dataset, to_unit_range)
from zoo.data.mixtures import MIXTURES, Mixture, mixture, mixture_dataset, mixture_samples

__all__ = ["BINARIZED_DATASETS", "binarize", "binarized_dataset", "binarized_split", "DIGITS_SHAPE", "NUM_CLASSES", "digits_dataset", "digits_split", "FASHION_MNIST_SHAPE",
           "FashionMnistUnavailableError", "fashion_mnist_dataset", "fashion_mnist_split", "TFDS_IMAGES", "DatasetUnavailableError",
           "ImageSource", "folder_dataset", "image_dataset", "tfds_dataset", "to_unit_range", "MIXTURES", "Mixture", "mixture", "mixture_dataset", "mixture_samples",
           "MNIST_SHAPE", "MnistDigits", "MnistUnavailableError", "mnist_digits"]

_MNIST = ("MNIST_SHAPE", "MnistDigits", "MnistUnavailableError", "mnist_digits")


def __getattr__(name):
    # zoo.data.mnist is imported on first use, not with the package: `python -m zoo.data.mnist --fetch`
    # then runs it as __main__ without a second copy already in sys.modules.
    if name in _MNIST:
        from zoo.data import mnist

        return getattr(mnist, name)
    raise AttributeError(f"module 'zoo.data' has no attribute {name!r}")
