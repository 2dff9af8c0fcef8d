"""Precision and recall (Kynkäänniemi et al. 2019) and KID over subsets, against hand-worked values."""
import numpy as np
import pytest

from zoo.metrics.features import precision_recall


def test_precision_recall_hand_worked_1d():
    """Real {0, 1, 2, 10}: k = 1 radii 1, 1, 1, 8.  Fake {0.5, 5, 20}: radii 4.5, 4.5, 15.
    0.5 lies in the ball of 0, 5 in the ball of 10 (|5 − 10| = 5 ≤ 8), 20 in none: precision 2/3.
    0, 1, 2 lie in the ball of 0.5; 10 lies in the ball of 20 (10 ≤ 15), not of 5 (5 > 4.5): recall 1."""
    real = np.array([[0.0], [1.0], [2.0], [10.0]])
    fake = np.array([[0.5], [5.0], [20.0]])
    precision, recall = precision_recall(real, fake, k=1)
    assert precision == pytest.approx(2 / 3)
    assert recall == pytest.approx(1.0)


def test_precision_recall_of_a_set_with_itself_is_one_and_of_a_far_set_zero():
    rng = np.random.default_rng(0)
    real = rng.normal(size=(300, 4))
    assert precision_recall(real, real, k=3) == (1.0, 1.0)
    assert precision_recall(real, real + 100.0, k=3) == (0.0, 0.0)


def test_precision_recall_sees_a_dropped_mode():
    """Half the real data in a second cluster the model never draws: precision stays high,
    recall falls to about a half."""
    rng = np.random.default_rng(1)
    real = np.concatenate([rng.normal(size=(500, 2)), rng.normal(size=(500, 2)) + 20])
    fake = rng.normal(size=(1000, 2))
    precision, recall = precision_recall(real, fake, k=3)
    assert precision > 0.95 and 0.45 < recall < 0.55


def test_precision_recall_checks_k():
    with pytest.raises(ValueError, match="k must be at least 1"):
        precision_recall(np.zeros((3, 2)), np.zeros((3, 2)), k=3)


def test_kid_subsets_is_near_zero_for_one_distribution_and_positive_for_two():
    from zoo.metrics.fashion_mnist import kid_subsets

    rng = np.random.default_rng(2)
    a, b = rng.normal(size=(2000, 8)), rng.normal(size=(2000, 8))
    assert abs(kid_subsets(a, b, subsets=5, size=500)) < 0.01
    assert kid_subsets(a, b + 1.0, subsets=5, size=500) > 0.1
