"""Image recipes: every recipe-only name trains end to end on mock TFDS data and its card
says how to train it; the digits recipes measure what their cards claim."""
import numpy as np
import pytest

import zoo
from recipes import get_recipe
from recipes.protocols import label_accuracy
from zoo.registry import ModelCard, list_models

# The image recipes without weights: TFDS cannot download their data where the zoo is built.
DATASETS = {"dcgan-celeba": "celeb_a", "dcgan-mnist": "mnist", "dcgan-cifar10": "cifar10", "cgan-mnist": "mnist",
            "lapgan-cifar10": "cifar10"}
RECIPE_ONLY = tuple(DATASETS)


@pytest.mark.parametrize("name", RECIPE_ONLY)
def test_recipe_only_card_names_the_command_and_the_data(name):
    recipe = get_recipe(name)
    card = zoo.info(name)
    assert not card.trained and card.files == {}
    assert name in list_models(pretrained=False)
    assert card.recipe == recipe.command() == f"python -m recipes.train {name} --seeds 5"
    assert card.dataset == DATASETS[name]
    with pytest.raises(FileNotFoundError) as error:
        zoo.load(name)
    message = str(error.value)
    assert f"Train it with: python -m recipes.train {name}" in message
    assert f"tfds build {DATASETS[name]}" in message and "TFDS_DATA_DIR" in message


@pytest.mark.parametrize("name", RECIPE_ONLY)
def test_recipe_trains_two_steps_on_mock_data_into_a_loadable_export(name, tmp_path):
    """``python -m recipes.train NAME --seeds 1 --steps 2`` on tfds.testing.mock_data (batch 4)."""
    import tensorflow_datasets as tfds

    from recipes import train

    with tfds.testing.mock_data(num_examples=8):
        path = train.main([name, "--seeds", "1", "--steps", "2", "--batch-size", "4", "--out", str(tmp_path),
                           "--run-dir", str(tmp_path / "run"), "--verbose", "0"])
    exported, registered = ModelCard.read(path), zoo.info(name)
    # The registered card.json is what the recipe exports, minus the weights.
    for field in ("family", "dataset", "data_shape", "latent_dim", "conditioning", "signatures", "parameters",
                  "papers", "description"):
        assert getattr(exported, field) == getattr(registered, field), field
    assert exported.trained
    model = zoo.load(str(path))
    labels = {"labels": [3, 7]} if model.num_classes else {}
    x = model.sample(2, seed=0, **labels)
    assert x.shape == (2, *registered.data_shape)
    assert np.all(np.abs(x) <= 1.0)


class _Oracle:
    """A "model" that answers sample(n, seed, labels) with real test digits of ``labels + shift``."""

    def __init__(self, shift):
        from zoo.data import digits_split

        _, _, self.x, self.y = digits_split()
        self.shift = shift

    def sample(self, n, seed, labels):
        wanted = (np.asarray(labels) + self.shift) % 10
        rng = np.random.default_rng(seed)
        return np.stack([self.x[rng.choice(np.flatnonzero(self.y == k))] for k in wanted]), None


def test_label_accuracy_of_real_digits_and_of_a_model_that_swaps_labels():
    right = label_accuracy(_Oracle(0), seed=0, per_label=20)
    assert right["label_accuracy"] > 0.95  # the classifier's own test accuracy is ~99 %
    assert set(right) == {"label_accuracy", *(f"label_accuracy_{k}" for k in range(10))}
    assert right["label_accuracy"] == pytest.approx(np.mean([right[f"label_accuracy_{k}"] for k in range(10)]))
    wrong = label_accuracy(_Oracle(1), seed=0, per_label=20)
    assert wrong["label_accuracy"] < 0.05


def test_digits_recipes_are_registered_with_the_protocol():
    for name in ("gan-digits", "dcgan-digits", "cgan-digits", "lapgan-digits"):
        recipe = get_recipe(name)
        assert recipe.dataset == "digits" and recipe.data_kind == "images" and recipe.evaluate is not None
        assert "the digits protocol" in recipe.protocol_text()
    assert "label accuracy" in get_recipe("cgan-digits").protocol_text()
