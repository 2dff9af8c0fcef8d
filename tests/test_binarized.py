"""The binarised data of the binary-unit models: one Bernoulli draw per pixel, fixed per split."""
import numpy as np
import pytest

from zoo.data.binarized import BINARIZATION_SEEDS, binarize, binarized_dataset, binarized_split


def test_binarize_keeps_black_and_white_and_draws_grey_at_its_level():
    images = np.array([-1.0, 1.0, 0.0, 0.5], np.float32).repeat(20_000).reshape(4, 20_000)
    binary = binarize(images, seed=0)
    assert set(np.unique(binary)) == {-1.0, 1.0}
    white = (binary + 1) / 2
    assert white[0].sum() == 0 and white[1].all()
    # grey 0 -> p = 0.5, grey 0.5 -> p = 0.75; 20,000 draws: standard error < 0.004
    np.testing.assert_allclose(white[2:].mean(axis=1), [0.5, 0.75], atol=0.015)


def test_binarize_is_fixed_by_its_seed():
    images = np.zeros((3, 8, 8, 1), np.float32)
    np.testing.assert_array_equal(binarize(images, 7), binarize(images, 7))
    assert not np.array_equal(binarize(images, 7), binarize(images, 8))


@pytest.mark.parametrize("bad", [np.full((2, 2), 1.5), np.full((2, 2), np.nan)])
def test_binarize_refuses_what_is_not_an_image_in_unit_range(bad):
    with pytest.raises(ValueError, match=r"\[-1, 1\]"):
        binarize(bad, 0)


def test_binarized_digits_are_the_digits_drawn_once():
    from zoo.data.digits import digits_split

    x_train, y_train, x_test, y_test = binarized_split("digits")
    grey = digits_split()
    assert x_train.shape == grey[0].shape and x_test.shape == grey[2].shape
    np.testing.assert_array_equal(y_train, grey[1])
    np.testing.assert_array_equal(x_test, binarize(grey[2], BINARIZATION_SEEDS["test"]))
    assert set(np.unique(x_train)) == {-1.0, 1.0}
    assert binarized_split("digits")[0] is x_train  # cached, read-only
    with pytest.raises(ValueError):
        x_train[0, 0, 0, 0] = 0.0


def test_binarized_dataset_batches_and_refuses_unknown_names():
    x, y = next(iter(binarized_dataset("digits", 16, labels=True, split="test")))
    assert x.shape == (16, 8, 8, 1) and y.shape == (16,)
    with pytest.raises(ValueError, match="fashion-mnist"):
        binarized_split("mnist")
