"""FID, KID, Parzen, class measures (hand-computed values) and the digits protocol (docs/protocols.md)."""
import math

import numpy as np
import pytest

from zoo.metrics import digits
from zoo.metrics import features as F


# --------------------------------------------------------------------------- FID
def test_frechet_distance_closed_form_diagonal():
    # For diagonal covariances d² = ‖μ₁ − μ₂‖² + Σ_i (σ₁ᵢ − σ₂ᵢ)².
    mu1, mu2 = np.array([0.0, 1.0]), np.array([3.0, -1.0])
    s1, s2 = np.array([1.0, 4.0]), np.array([2.0, 0.5])
    expected = 9 + 4 + (1 - 2) ** 2 + (4 - 0.5) ** 2
    assert F.frechet_distance(mu1, np.diag(s1**2), mu2, np.diag(s2**2)) == pytest.approx(expected, rel=1e-10)


def test_frechet_distance_full_covariance_matches_sqrtm():
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(5, 5)), rng.normal(size=(5, 5))
    sigma1, sigma2 = a @ a.T, b @ b.T
    from scipy.linalg import sqrtm

    expected = np.trace(sigma1 + sigma2 - 2 * np.real(sqrtm(sigma1 @ sigma2)))
    assert F.frechet_distance(np.zeros(5), sigma1, np.zeros(5), sigma2) == pytest.approx(expected, rel=1e-8)


def test_fid_of_a_set_against_itself_is_zero_and_grows_with_noise():
    rng = np.random.default_rng(0)
    features = rng.normal(size=(1000, 16)) @ rng.normal(size=(16, 16))
    assert F.fid(features, features) == pytest.approx(0.0, abs=1e-6)
    scores = [F.fid(features, features + rng.normal(scale=s, size=features.shape)) for s in (0.1, 0.5, 1.0, 2.0)]
    assert scores[0] > 0 and all(a < b for a, b in zip(scores, scores[1:]))


def test_fid_singular_covariance_is_finite():
    # Dead ReLU units give zero-variance features; FID must stay finite and ~0 for a set with itself.
    features = np.random.default_rng(1).normal(size=(200, 8))
    features[:, :3] = 0.0
    assert F.fid(features, features) == pytest.approx(0.0, abs=1e-6)


# --------------------------------------------------------------------------- KID
def test_kid_hand_computed():
    # d = 1, k(a, b) = (ab + 1)³.  x = {0, 1}, y = {1, 2}:
    # xx off-diagonal: k(0,1) = 1 -> 1;  yy: k(1,2) = 27 -> 27;
    # xy: k(0,1) + k(0,2) + k(1,1) + k(1,2) = 1 + 1 + 8 + 27 = 37 -> 37/4.
    x, y = np.array([[0.0], [1.0]]), np.array([[1.0], [2.0]])
    assert F.kid(x, y) == pytest.approx(1 + 27 - 2 * 37 / 4)


def test_kid_is_unbiased_for_two_draws_of_one_distribution():
    rng = np.random.default_rng(0)
    values = np.array([F.kid(rng.normal(size=(40, 4)), rng.normal(size=(40, 4))) for _ in range(300)])
    standard_error = values.std(ddof=1) / math.sqrt(len(values))
    assert abs(values.mean()) < 3 * standard_error
    # The biased V-statistic (diagonal kept) would sit clearly above 0: the test can tell.
    assert (values < 0).any()
    shifted = np.mean([F.kid(rng.normal(size=(40, 4)), rng.normal(0.5, size=(40, 4))) for _ in range(50)])
    assert shifted > 10 * standard_error


# --------------------------------------------------------------------------- Parzen
def _normal_pdf(x, mean, sigma):
    return math.exp(-((x - mean) ** 2) / (2 * sigma**2)) / math.sqrt(2 * math.pi * sigma**2)


def test_parzen_log_likelihood_three_point_example():
    centres = np.array([[0.0], [1.0], [3.0]])
    x = np.array([[0.5], [2.0]])
    sigma = 0.7
    expected = np.mean([math.log(sum(_normal_pdf(xi, c, sigma) for c in (0.0, 1.0, 3.0)) / 3) for xi in (0.5, 2.0)])
    assert F.parzen_log_likelihood(x, centres, sigma) == pytest.approx(expected, rel=1e-12)


def test_parzen_log_likelihood_two_dimensional_images_factorise():
    # A KDE with one centre is N(c, σ²I): log p = Σ_d log N(x_d; c_d, σ).
    x, centre, sigma = np.array([[[0.2, -0.4]]]), np.array([[[0.0, 0.1]]]), 0.3
    expected = math.log(_normal_pdf(0.2, 0.0, sigma)) + math.log(_normal_pdf(-0.4, 0.1, sigma))
    assert F.parzen_log_likelihood(x, centre, sigma) == pytest.approx(expected, rel=1e-12)


def test_parzen_far_points_are_stable():
    # logsumexp: a point 100σ away has a finite (very negative) log-likelihood, not -inf.
    value = F.parzen_log_likelihood(np.array([[100.0]]), np.array([[0.0], [1.0], [3.0]]), 1.0)
    assert math.isfinite(value) and value == pytest.approx(-0.5 * 97.0**2 - math.log(3) - 0.5 * math.log(2 * math.pi), rel=1e-6)


def test_select_parzen_sigma_is_the_grid_argmax():
    rng = np.random.default_rng(0)
    samples, validation = rng.normal(size=(500, 3)), rng.normal(size=(100, 3))
    grid = [0.05, 0.2, 0.5, 1.0, 3.0]
    sigma, score = F.select_parzen_sigma(validation, samples, grid)
    scores = [F.parzen_log_likelihood(validation, samples, s) for s in grid]
    assert sigma == grid[int(np.argmax(scores))] and score == pytest.approx(max(scores))
    assert sigma in (0.2, 0.5)  # neither degenerate end of the grid wins for N(0, I) data


# --------------------------------------------------------------------------- classes, memorisation
def test_class_coverage_and_kl_hand_computed():
    p = np.array([[0.95, 0.05, 0.0], [0.5, 0.5, 0.0], [0.0, 0.05, 0.95], [0.0, 0.05, 0.95]])
    assert F.class_coverage(p, 0.9) == 2  # classes 0 and 2; sample 2 is not confident
    # argmax histogram: class 0 twice (ties -> first), class 2 twice -> q = (1/2, 0, 1/2)
    assert F.class_kl(p) == pytest.approx(math.log(3 / 2))
    assert F.class_kl(np.eye(3)) == pytest.approx(0.0)
    assert F.class_kl(np.tile([[0.0, 1.0, 0.0]], (5, 1))) == pytest.approx(math.log(3))


def test_memorisation_ratio():
    train = np.array([[0.0, 0.0], [10.0, 0.0]])
    test = np.array([[1.0, 0.0], [10.0, 2.0]])  # mean nearest distance 1.5
    assert F.memorisation_ratio(train, train, test) == 0.0  # copies of the training set
    assert F.memorisation_ratio(test, train, test) == pytest.approx(1.0)
    assert F.memorisation_ratio(np.array([[0.0, 3.0]]), train, test) == pytest.approx(2.0)


# --------------------------------------------------------------------------- digits protocol
def test_classifier_reaches_its_stated_accuracy():
    from zoo.metrics.digits import CLASSIFIER_NAME, classifier_accuracy
    from zoo.registry import info

    card = info(CLASSIFIER_NAME)
    stated = card.metrics["test_accuracy"]["per_seed"][card.metrics.get("exported_seed", 0)]
    assert classifier_accuracy() == pytest.approx(stated, abs=1e-9)
    assert stated > 0.97 and card.metrics["test_accuracy"]["mean"] > 0.97


def test_label_kept_is_the_classifier_accuracy_on_the_images_themselves():
    from zoo.data import digits_split
    from zoo.metrics.digits import classifier_accuracy, label_kept

    _, _, x_test, y_test = digits_split()
    assert label_kept(x_test, y_test) == pytest.approx(classifier_accuracy(), abs=1e-12)
    # Every image labelled one class off: kept only where the classifier is wrong that way.
    assert label_kept(x_test, (y_test + 1) % 10) < 0.02


class _PixelFeatures:
    """A feature network by hand: the 64 pixels as features, every image called class 3."""

    def predict(self, x, batch_size=None, verbose=0):
        x = np.asarray(x).reshape(len(x), -1)
        return x, np.tile(np.eye(10)[3], (len(x), 1))


def test_the_digits_measures_take_the_feature_network_as_an_argument():
    from zoo.data import digits_split
    from zoo.metrics.digits import classifier_accuracy, evaluate_digits, label_kept

    x_train, _, x_test, y_test = digits_split()
    pixels = _PixelFeatures()
    assert classifier_accuracy(pixels) == pytest.approx(np.mean(y_test == 3))
    assert label_kept(x_test, np.full(len(x_test), 3), classifier=pixels) == 1.0
    samples = np.concatenate([x_train] * 2)[:1000]
    measured = evaluate_digits(samples, num_samples=1000, classifier=pixels)
    flat = lambda x: x.reshape(len(x), -1).astype(np.float64)  # noqa: E731
    assert measured["fid"] == pytest.approx(F.fid(flat(samples), flat(x_test)))
    assert measured["class_coverage"] == 1 and measured["class_kl"] == pytest.approx(math.log(10))


@pytest.fixture(scope="module")
def baselines():
    from zoo.metrics import digits_baselines

    return digits_baselines()


def test_digits_baselines_order(baselines):
    real, gaussian = baselines["test split"], baselines["gaussian"]
    assert set(real) == set(gaussian) == {"fid", "kid", "class_coverage", "class_kl", "parzen_ll", "memorisation_ratio"}
    assert real["memorisation_ratio"] == pytest.approx(1.0)
    assert real["class_coverage"] == 10 and real["class_kl"] < 0.01  # stratified split: balanced
    assert real["fid"] < gaussian["fid"] / 5
    assert real["kid"] < gaussian["kid"]
    assert real["parzen_ll"] > gaussian["parzen_ll"]


def test_evaluate_digits_inputs():
    from zoo.data import digits_split
    from zoo.metrics import evaluate_digits

    x_train = digits_split()[0]
    # Copies of the training set: everything fine except memorisation, which is exactly 0.
    copies = evaluate_digits((np.concatenate([x_train] * 2), None), num_samples=2000)
    assert copies["memorisation_ratio"] == 0.0 and copies["class_coverage"] == 10
    calls = []

    def sample(n, seed):
        calls.append((n, seed))
        return np.tile(x_train[:1], (n, 1, 1, 1))  # one image: mode collapse

    collapsed = evaluate_digits(sample, num_samples=1000, seed=7)
    assert calls == [(1000, 7)]
    assert collapsed["class_coverage"] <= 1 and collapsed["class_kl"] == pytest.approx(math.log(10))
    assert collapsed["fid"] > copies["fid"]
    with pytest.raises(ValueError, match=r"shape \[N, 8, 8, 1\].*Received: shape=\[1000, 28, 28, 1\]"):
        evaluate_digits(np.zeros((1000, 28, 28, 1)))
    with pytest.raises(ValueError, match="at least 1,000 samples"):
        evaluate_digits(np.zeros((10, 8, 8, 1)))
    with pytest.warns(UserWarning, match="NaN"):
        broken = evaluate_digits(np.full((1000, 8, 8, 1), np.nan))
    assert all(math.isnan(v) for v in broken.values())


def test_zoo_eval_writes_metrics_and_keeps_the_manifest(tmp_path, capsys):
    """`zoo eval` on a (tiny, untrained) digits export; --write changes card.json only."""
    import keras

    from zoo import export
    from zoo.cli import main
    from zoo.exports import IntegrityError, manifest, update_card, verify
    from zoo.families import GAN
    from zoo.registry import ModelCard

    keras.utils.set_random_seed(0)
    z = keras.Input((4,))
    generator = keras.Model(z, keras.layers.Reshape((8, 8, 1))(keras.layers.Dense(64, activation="tanh")(z)))
    x = keras.Input((8, 8, 1))
    discriminator = keras.Model(x, keras.layers.Dense(1)(keras.layers.Flatten()(x)))
    model = GAN(generator, discriminator, seed=0)
    model.compile(g_optimizer="adam", d_optimizer="adam")
    folder = export(model, "gan-digits-tiny", dataset="digits", out_dir=tmp_path, data_kind="images",
                    metrics={"protocol": "training", "seeds": 1, "other": {"mean": 1.0, "se": 0.0, "per_seed": [1.0]}})
    files_before = manifest(folder)

    assert main(["eval", str(folder), "--seeds", "1", "--write"]) == 0
    out = capsys.readouterr().out
    assert "fid" in out and "parzen_ll" in out and "gaussian" in out
    card = ModelCard.read(folder)
    assert card.files == files_before == manifest(folder)  # only card.json changed
    verify(folder, card)
    assert card.metrics["other"]["mean"] == 1.0  # kept
    assert card.metrics["protocol"] == f"training; samples: {digits.PROTOCOL}"  # both named
    fid = card.metrics["fid"]
    assert len(fid["per_seed"]) == 1 and fid["mean"] > 0 and "zoo eval gan-digits-tiny --seeds 1" in fid["source"]

    (folder / "samples.png").write_bytes(b"tampered")
    with pytest.raises(IntegrityError):
        update_card(folder, metrics={})
    assert main(["eval", str(tmp_path / "nowhere")]) == 2
