"""Out-of-distribution measures (zoo.metrics.ood): the AUROC from ranks against cases worked by
hand, the typicality test of Nalisnick et al. 2019b, the table's summary on made-up NLLs, and
``ood_score`` on a shipped likelihood export."""
import math

import numpy as np
import pytest

from zoo.metrics import ood


def test_auroc_of_a_hand_worked_case():
    # positives 0.9, 0.4, 0.7 against negatives 0.5, 0.1: of the 6 pairs the positive wins
    # (0.9>0.5, 0.9>0.1, 0.4>0.1, 0.7>0.5, 0.7>0.1) 5 times -> 5/6.
    # By ranks: all five sorted 0.1 0.4 0.5 0.7 0.9 -> positives have ranks 5, 2, 4: R = 11,
    # U = 11 - 3·4/2 = 5, AUROC = 5 / (3·2).
    assert ood.auroc([0.9, 0.4, 0.7], [0.5, 0.1]) == pytest.approx(5 / 6)
    assert ood.auroc([0.5, 0.1], [0.9, 0.4, 0.7]) == pytest.approx(1 / 6)  # the other way round: 1 - 5/6


def test_auroc_counts_ties_one_half():
    # positives 1, 2, 2 and negatives 2, 0: pairs (1>2 no, 1>0 yes, 2=2 half, 2>0 yes, 2=2 half, 2>0 yes)
    # = 3 wins + 2 halves = 4 of 6.  By ranks: 0 1 2 2 2 -> 1, 2, 4, 4, 4; R = 2 + 4 + 4 = 10, U = 10 - 6 = 4.
    assert ood.auroc([1, 2, 2], [2, 0]) == pytest.approx(4 / 6)
    assert ood.auroc([3, 3], [3, 3, 3]) == pytest.approx(0.5)
    np.testing.assert_array_equal(ood.average_ranks([2, 1, 2, 2, 0]), [4, 2, 4, 4, 1])


def test_auroc_equals_the_count_over_all_pairs():
    rng = np.random.default_rng(0)
    pos, neg = rng.integers(0, 20, 300).astype(float), rng.integers(5, 25, 200).astype(float)  # many ties
    pairs = (pos[:, None] > neg[None]).mean() + 0.5 * (pos[:, None] == neg[None]).mean()
    assert ood.auroc(pos, neg) == pytest.approx(pairs, abs=1e-12)


def test_auroc_refuses_empty_or_nan():
    with pytest.raises(ValueError, match="at least one positive and one negative score. Received: 0 positive"):
        ood.auroc([], [1.0])
    with pytest.raises(ValueError, match="finite scores"):
        ood.auroc([np.nan], [1.0])


def test_typicality_score_by_hand():
    # Ĥ = 10: single images 7, 13, 10, 16 score 3, 3, 0, 6; in pairs (7, 13) -> |10 - 10| = 0 and
    # (10, 16) -> |13 - 10| = 3: a batch of too-likely and too-unlikely images averages out.
    nll = [7.0, 13.0, 10.0, 16.0]
    np.testing.assert_allclose(ood.typicality_score(nll, 10.0), [3, 3, 0, 6])
    np.testing.assert_allclose(ood.typicality_score(nll, 10.0, batch_size=2), [0, 3])
    with pytest.raises(ValueError, match="multiple of M. Received: batch_size=3, 4 images"):
        ood.typicality_score(nll, 10.0, batch_size=3)


def test_typicality_statistics_are_the_train_mean_and_spread():
    stats = ood.typicality_statistics([1.0, 2.0, 6.0])
    assert stats == {"ood_typical_nll": 3.0, "ood_typical_nll_std": pytest.approx(math.sqrt(7.0)),
                     "ood_typical_nll_images": 3}
    with pytest.raises(ValueError, match="at least 2 finite training NLLs"):
        ood.typicality_statistics([1.0, np.inf])


def test_shuffled_batches_keep_whole_batches_of_a_fixed_order():
    values = np.arange(23.0)
    a, b = ood.shuffled_for_batches(values, 5), ood.shuffled_for_batches(values, 5)
    assert len(a) == 20 and len(set(a)) == 20 and set(a) <= set(values)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(ood.shuffled_for_batches(values, 1), values)


def test_summary_of_the_finding_and_its_correction():
    # Made-up NLLs with the finding's shape: MNIST (negatives) *more* likely than Fashion test,
    # Fashion test as likely as train.  log p ranks them backwards (AUROC 0); the typicality test,
    # with Ĥ = 2,000, ranks them right once |nll - Ĥ| separates them.
    rng = np.random.default_rng(0)
    nll = {"fashion_train": 2000 + rng.normal(0, 50, 1000), "fashion_test": 2000 + rng.normal(0, 50, 500),
           "mnist": 1200 + rng.normal(0, 50, 400)}
    s = ood.ood_summary(nll, dims=784)
    assert s["auroc_log_p"] < 0.001 and s["auroc_typicality"][1] > 0.999 and s["auroc_typicality"][10] == 1.0
    assert s["images"] == {"fashion_train": 1000, "fashion_test": 500, "mnist": 400}
    # bits/dim of the levels' P: log P = log p + 784 log(2/255) on the [-1, 1] scale
    expected = (nll["mnist"].mean() - 784 * math.log(2 / 255)) / (784 * math.log(2))
    assert s["bits_per_dim"]["mnist"] == pytest.approx(expected)
    assert s["ood_typical_nll"] == pytest.approx(nll["fashion_train"].mean())
    # a constant change of scale moves bits/dim, nothing else: 784·log 2 nats more per image = 1 bit/dim
    shifted = ood.ood_summary({k: v + 784 * math.log(2.0) for k, v in nll.items()}, dims=784)
    assert shifted["bits_per_dim"]["mnist"] == pytest.approx(s["bits_per_dim"]["mnist"] + 1.0)
    assert shifted["auroc_typicality"] == s["auroc_typicality"] and shifted["auroc_log_p"] == s["auroc_log_p"]


def test_fixed_subsets_are_the_same_rows_every_time():
    x = np.arange(100)[:, None]
    a = ood.fixed_subset(x, 10, seed=0, what="images")
    np.testing.assert_array_equal(a, ood.fixed_subset(x, 10, seed=0, what="images"))
    assert len(np.unique(a)) == 10 and (np.diff(a[:, 0]) > 0).all()
    assert ood.fixed_subset(x, None, seed=0, what="images") is not None and len(ood.fixed_subset(x, None, 0, "x")) == 100
    with pytest.raises(ValueError, match=r"images must be between 2 and 100. Received: images=101"):
        ood.fixed_subset(x, 101, seed=0, what="images")


def test_histogram_png(tmp_path):
    path = ood.histogram_png({"a": np.random.default_rng(0).normal(3, 0.2, 100), "b": np.full(50, 2.0)},
                             tmp_path / "h.png", title="t", typical_bits=3.0)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def maf():
    import warnings

    import zoo

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # its card's "below protocol" (FID): the likelihood is what counts here
        return zoo.load("maf-digits")


def test_ood_score_of_an_export_is_the_typicality_test(maf):
    from zoo.data import digits_split

    x = np.asarray(digits_split()[2][:6])
    # a flow: log p at one dequantisation draw per image, as its bits/dim and Ĥ are measured
    nll = -ood.export_log_density(maf, x)
    assert not np.allclose(nll, -maf.log_prob(x))
    np.testing.assert_allclose(maf.ood_score(x, typical_nll=-30.0), np.abs(nll + 30.0), rtol=1e-6)
    np.testing.assert_allclose(maf.ood_score(x, batch_size=3, typical_nll=-30.0),
                               np.abs(nll.reshape(2, 3).mean(axis=1) + 30.0), rtol=1e-6)
    assert maf.ood_score(x, batch_size=6, typical_nll=nll.mean())[0] == pytest.approx(0.0, abs=1e-9)
    with pytest.raises(LookupError, match=r"no typicality statistics in its card .*`python benchmarks/ood.py "
                                          r"maf-digits --write`"):
        maf.ood_score(x)


def test_ood_score_reads_the_card(maf, monkeypatch):
    from zoo.data import digits_split

    x = np.asarray(digits_split()[2][:4])
    monkeypatch.setattr(maf.card, "metrics", {**maf.card.metrics, **ood.typicality_statistics([-40.0, -20.0])})
    np.testing.assert_allclose(maf.ood_score(x), np.abs(-ood.export_log_density(maf, x) + 30.0), rtol=1e-6)
