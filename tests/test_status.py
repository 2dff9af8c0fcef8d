"""No failed model unflagged: an export below its data's minimal bar says so in its card, in
`zoo list`, in its README and when it is loaded."""
import warnings

import pytest

import zoo
from zoo import cli
from zoo.exports.pretrained import BelowProtocolWarning
from zoo.registry import discover


def _summary(**means):
    return {key: {"mean": value} for key, value in means.items()}


@pytest.mark.parametrize("dataset, means, below", [
    ("ring8", dict(modes=4.0, high_quality=10.0), False),      # exactly half the modes, exactly 10 %
    ("ring8", dict(modes=3.8, high_quality=97.0), True),
    ("grid25", dict(modes=25.0, high_quality=9.968), True),    # maf-grid25's shipped weights
    ("grid25", dict(modes=12.5, high_quality=10.0), False),
    ("digits", dict(fid=10.0), False),
    ("digits", dict(fid=12.19), True),                         # pixelcnn-digits
    ("mnist", dict(fid=50.0), False),                          # no bar set for data without a protocol here
])
def test_the_minimal_bar(dataset, means, below):
    status = cli.below_bar(dataset, _summary(**means), "test")
    assert (status is not None) == below
    if below:
        assert status.startswith("below protocol: ") and status.endswith("; test)")


@pytest.mark.parametrize("means, below", [
    (dict(fid=40.0, class_coverage=10.0), False),              # cgan-fashion-mnist
    (dict(fid=831.3, class_coverage=8.0), True),               # wgan-gp-fashion-mnist: 8 classes
    (dict(fid=911.2, class_coverage=10.0), True),              # no better than the Gaussian
])
def test_the_fashion_mnist_bar_is_the_gaussian_and_ten_classes(means, below):
    status = cli.below_bar("fashion_mnist", _summary(**means), "test", {"gaussian": {"fid": 911.2}})
    assert (status is not None) == below
    if below:
        assert "911.2" in status and "10 classes" in status


def test_the_status_carries_the_numbers():
    status = cli.below_bar("grid25", _summary(modes=1.0, high_quality=0.456), "zoo eval ratio-grid25 --seeds 5")
    assert status == ("below protocol: 1.0/25 modes, 0.46 % high-quality samples (the bar: at least 12.5 modes "
                      "and 10 %; zoo eval ratio-grid25 --seeds 5)")


SHIPPED = {name: card for name, (_, card) in discover(pretrained=True).items()
           if card.dataset in ("ring8", "grid25", "digits") and card.family != "classifier"}


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_every_unflagged_export_meets_the_bar_on_its_shipped_weights(name):
    """The export holds the recipe's first training seed: its numbers are each metric's per_seed[0]."""
    card = SHIPPED[name]
    if card.status:
        assert card.status.startswith("below protocol: ")
        return
    first = {key: {"mean": value["per_seed"][0]} for key, value in card.metrics.items()
             if isinstance(value, dict) and "per_seed" in value}
    assert cli.below_bar(card.dataset, first, "card") is None


def test_the_status_shows_in_list_readme_and_on_load(capsys):
    assert cli.main(["list", "ratio-*"]) == 0
    assert "ratio-grid25" in (line := [l for l in capsys.readouterr().out.splitlines() if "ratio-grid25" in l][0])
    assert line.endswith("trained, below protocol")
    assert cli.main(["info", "ratio-grid25"]) == 0
    assert "**Status: below protocol: 1.0/25 modes" in capsys.readouterr().out
    with pytest.warns(BelowProtocolWarning, match=r"'ratio-grid25' is below protocol: 1.0/25 modes"):
        zoo.load("ratio-grid25")
    with warnings.catch_warnings():
        warnings.simplefilter("error", BelowProtocolWarning)
        zoo.load("gan-grid25")  # meets the bar: no warning


def test_zoo_eval_measures_a_mixture_export_and_writes_its_status(tmp_path, capsys):
    import shutil

    from zoo.exports import update_card
    from zoo.registry import REPO_EXPORTS

    folder = tmp_path / "ratio-grid25"
    shutil.copytree(REPO_EXPORTS / "ratio-grid25", folder)
    update_card(folder, status=None)  # as it was before it was measured
    assert zoo.ModelCard.read(folder).status is None
    assert cli.main(["eval", str(folder), "--seeds", "1", "--write"]) == 0
    out = capsys.readouterr().out
    assert "modes" in out and "status written to" in out
    card = zoo.ModelCard.read(folder)
    assert card.status.startswith("below protocol: 1.0/25 modes") and "--seeds 1" in card.status
    assert (folder / "README.md").read_text().count("below protocol: 1.0/25 modes") == 1  # re-rendered


def test_zoo_sample_shows_the_status_as_a_note(tmp_path, capsys):
    assert cli.main(["sample", "ratio-grid25", "-n", "10", "-o", str(tmp_path / "r.png")]) == 0
    assert "zoo sample: note: 'ratio-grid25' is below protocol" in capsys.readouterr().err
