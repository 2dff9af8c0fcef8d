"""Recipes as data: one registry with the exports, the driver's TF-free answers, a card for
every recipe, and the generic build (seeding, options, packing) doing what the rows say."""
import json
import subprocess
import sys

import numpy as np
import pytest

import zoo
from recipes import RECIPES, get_recipe
from recipes.base import Recipe, adam, net, recipe_card, recipe_only_names, write_cards
from zoo.registry import CARD_FILE, REPO_EXPORTS, ModelCard


def test_recipes_and_registered_names_are_one_set():
    assert set(RECIPES) == set(zoo.list_models())


def test_every_recipe_without_weights_trains_on_real_images():
    """Every 2-D and digits recipe ships weights; only real-image recipes (whose data TFDS cannot
    download where the zoo is built, or whose training did not fit yet) may be recipe-only."""
    from zoo.data import TFDS_IMAGES

    names = recipe_only_names()
    assert {get_recipe(name).dataset for name in names} <= set(TFDS_IMAGES)
    assert {"dcgan-celeba", "dcgan-cifar10"} <= set(names)
    assert set(zoo.list_models(pretrained=False)) >= set(names)


@pytest.mark.parametrize("name", recipe_only_names())
def test_recipe_only_card_is_what_the_recipe_generates(name):
    """Regenerate with ``python -m recipes.train --write-cards``; never edit by hand."""
    on_disk = ModelCard.read(REPO_EXPORTS / name)
    assert not on_disk.trained
    assert on_disk.to_dict() == recipe_card(get_recipe(name)).to_dict()


def test_a_recipe_only_name_answers_with_its_recipe_command():
    with pytest.raises(FileNotFoundError, match="python -m recipes.train dcgan-mnist --seeds 5"):
        zoo.load("dcgan-mnist")


def test_write_cards_writes_untrained_names_and_refuses_a_trained_export(tmp_path):
    trained = tmp_path / "gan-ring8"
    trained.mkdir()
    card = ModelCard(name="gan-ring8", family="gan", dataset="ring8", files={"model.keras": "0" * 64})
    (trained / CARD_FILE).write_text(card.to_json())
    with pytest.raises(ValueError, match="gan-ring8 .* hold trained weights"):
        write_cards(["gan-ring8"], tmp_path)
    assert ModelCard.read(trained) == card  # untouched
    [path] = write_cards(["dcgan-cifar10"], tmp_path)
    assert path.read_text() == (REPO_EXPORTS / "dcgan-cifar10" / CARD_FILE).read_text()


def _run(code):
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_help_and_list_answer_without_importing_tensorflow():
    code = """
import contextlib, io, json, sys
from recipes import train
out = io.StringIO()
with contextlib.redirect_stdout(out):
    try:
        train.main(["--help"])
    except SystemExit:
        pass
    train.main(["--list"])
print(json.dumps({"modules": [m for m in ("tensorflow", "keras") if m in sys.modules], "out": out.getvalue()}))
"""
    result = _run(code)
    assert result["modules"] == []
    assert "--write-cards" in result["out"]
    lines = result["out"].splitlines()
    assert any(line.split()[:3] == ["dcgan-mnist", "DCGAN", "mnist"] and line.endswith("recipe only")
               for line in lines)
    assert any(line.split()[:2] == ["gan-ring8", "GAN"] and line.endswith("trained") for line in lines)


def test_fgan_rows_are_named_by_the_divergences_short_names():
    from recipes.fgan import DIVERGENCES
    from zoo.divergences import SHORT_NAMES

    assert {divergence: short for short, (divergence, _) in DIVERGENCES.items()} == SHORT_NAMES
    assert {get_recipe(f"fgan-{short}-ring8").options["divergence"] for short in DIVERGENCES} == set(SHORT_NAMES)


def test_unknown_name_suggests_the_closest_recipes():
    with pytest.raises(SystemExit, match="no recipe named 'gan-rng8'. Did you mean 'gan-ring8'"):
        get_recipe("gan-rng8")


# --------------------------------------------------------------------------- the generic build
def test_build_is_seeded_in_one_place():
    recipe = get_recipe("gan-ring8")
    a, b, c = recipe.build(0), recipe.build(0), recipe.build(1)
    for x, y in zip(a.weights, b.weights):
        np.testing.assert_array_equal(np.asarray(x), np.asarray(y))
    assert any(not np.array_equal(np.asarray(x), np.asarray(y)) for x, y in zip(a.weights, c.weights))
    assert a.seed == 0 and c.seed == 1


@pytest.mark.parametrize("name, family_config, optimizers", [
    # Values of the recipes before they became rows (RMSProp, c = 0.1, n_critic = 5 for WGAN...).
    ("wgan-ring8", {"clip_value": 0.1, "n_critic": 5},
     {"g_optimizer": ("RMSprop", 2e-4, None), "d_optimizer": ("RMSprop", 2e-4, None)}),
    ("wgan-gp-grid25", {"penalty_weight": 10.0, "n_critic": 5},
     {"g_optimizer": ("Adam", 1e-4, (0.5, 0.9)), "d_optimizer": ("Adam", 1e-4, (0.5, 0.9))}),
    ("fgan-kl-ring8", {"divergence": "kl"},
     {"g_optimizer": ("Adam", 2e-4, (0.5, 0.999)), "d_optimizer": ("Adam", 2e-4, (0.5, 0.999))}),
    ("fgan-tv-grid25", {"divergence": "total_variation"},  # 5e-4 before the retraining (recipes/fgan.py says why)
     {"g_optimizer": ("Adam", 2e-4, (0.5, 0.999)), "d_optimizer": ("Adam", 2e-4, (0.5, 0.999))}),
    ("fgan-hellinger-grid25", {"divergence": "squared_hellinger"},
     {"g_optimizer": ("Adam", 5e-4, (0.5, 0.999)), "d_optimizer": ("Adam", 5e-4, (0.5, 0.999))}),
    ("aae-digits", {},
     {"ae_optimizer": ("Adam", 1e-3, (0.9, 0.999)), "d_optimizer": ("Adam", 5e-4, (0.5, 0.999)),
      "e_optimizer": ("Adam", 5e-4, (0.5, 0.999))}),
    # The WAE paper's MNIST λ on Fashion-MNIST; AVB with 4 contrast draws (recipes/avb.py says why).
    ("wae-mmd-fashion-mnist", {"lam": 10.0, "kernel": "imq"}, {"ae_optimizer": ("Adam", 1e-3, (0.9, 0.999))}),
    ("avb-fashion-mnist", {"adaptive_contrast": True, "contrast_draws": 4, "likelihood": "gaussian"},
     {"d_optimizer": ("Adam", 3e-3, (0.9, 0.999))}),
])
def test_rows_build_the_families_and_optimizers_they_name(name, family_config, optimizers):
    model = get_recipe(name).build(0)
    config = model.get_config()
    for key, value in family_config.items():
        assert config[key] == value, key
    for key, (kind, lr, betas) in optimizers.items():
        optimizer = getattr(model, key)
        assert type(optimizer).__name__ == kind
        assert float(optimizer.learning_rate.numpy()) == pytest.approx(lr)
        if betas:
            assert (optimizer.beta_1, optimizer.beta_2) == betas


def test_steps_per_execution_and_widths_come_from_the_row():
    fgan, gan = get_recipe("fgan-js-ring8").build(0), get_recipe("gan-grid25").build(0)
    assert fgan.steps_per_execution == 25 and gan.steps_per_execution == 1
    assert fgan.generator.get_layer("generator_dense0").units == 128
    assert gan.generator.get_layer("generator_dense3").units == 256  # G 256×4 on grid25 only
    assert gan.discriminator.get_layer("discriminator_dense0").units == 256


def test_the_ring8_rows_decay_their_rate_to_zero_and_the_grid25_rows_do_not():
    ring8, grid25 = get_recipe("fgan-js-ring8"), get_recipe("fgan-js-grid25")
    assert ring8.options["ema_decay"] == 0.999 and ring8.options["packing"] == 2
    decayed, constant = ring8.optimizers["g_optimizer"].build(), grid25.optimizers["g_optimizer"].build()
    schedule = decayed._learning_rate
    assert float(schedule(0)) == pytest.approx(5e-4)
    assert float(schedule(ring8.steps // 2)) == pytest.approx(2.5e-4)
    assert float(schedule(ring8.steps)) == 0.0 and float(schedule(2 * ring8.steps)) == 0.0
    assert float(constant.learning_rate.numpy()) == pytest.approx(5e-4)


def test_packing_reaches_the_discriminator_builders_only(monkeypatch):
    """``options={"packing": m}`` goes to the family and to every discriminator's builder."""
    import zoo.networks

    calls = []
    monkeypatch.setattr(zoo.networks, "mlp", lambda *args, **kwargs: calls.append((kwargs["name"], kwargs)))
    hidden = (8,)
    recipe = Recipe(name="gan-packed", dataset="ring8", family="GAN", options={"packing": 4},
                    networks={"generator": net("mlp", 2, 2, hidden=hidden, name="generator"),
                              "discriminator": net("mlp", 2, 1, hidden=hidden, name="discriminator")},
                    optimizers={"g_optimizer": adam(1e-3), "d_optimizer": adam(1e-3)})
    recipe.build_networks()
    assert [(name, kwargs.get("packing")) for name, kwargs in calls] == [("generator", None), ("discriminator", 4)]
    calls.clear()
    Recipe(**{**recipe.__dict__, "options": {}}).build_networks()
    assert all("packing" not in kwargs for _, kwargs in calls)


def test_a_row_with_packing_and_ema_builds_and_trains():
    """The options the retraining sets per row: PacGAN packing (arXiv:1712.04086) and the EMA
    generator (arXiv:1806.04498) reach the family and the discriminator's builder."""
    base = get_recipe("gan-ring8")
    recipe = Recipe(**{**base.__dict__, "name": "gan-packed-ring8", "options": {"packing": 2, "ema_decay": 0.9}})
    model = recipe.build(0)
    assert model.packing == 2 and model.get_config()["ema_decay"] == 0.9
    assert tuple(model.discriminator.inputs[0].shape) == (None, 4)  # two 2-D samples per pack
    history = model.fit(recipe.data(8, 0), steps_per_epoch=2, epochs=1, verbose=0)
    assert np.isfinite(history.history["d_loss"][-1])


def test_a_family_with_one_network_and_one_optimizer_is_a_row():
    """The exact-likelihood families' row: one network (named ``"module:function"`` when the
    builder lives beside its family) and one optimizer."""
    recipe = Recipe(name="pixelcnn-tiny", dataset="digits", family="PixelCNN", options={"levels": 17},
                    networks={"network": net("zoo.families.pixelcnn:pixelcnn_network", (8, 8, 1), num_filters=4,
                                             num_logistic_mix=2)},
                    optimizers={"pixelcnn_optimizer": adam(1e-3)})
    model = recipe.build(0)
    assert list(model.OPTIMIZERS) == ["pixelcnn_optimizer"] and model.data_shape == (8, 8, 1)
    assert float(model.pixelcnn_optimizer.learning_rate.numpy()) == pytest.approx(1e-3)


def test_a_driver_row_says_it_trains_through_its_driver():
    with pytest.raises(ValueError, match="trains through its own driver"):
        get_recipe("digits-classifier").build(0)
