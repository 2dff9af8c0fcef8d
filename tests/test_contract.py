"""The family contract, checked over every family ``zoo.families`` exports: each has a case
in tests/family_cases.py (a hand-written one, or its smallest recipe row), and a family
without either fails ``test_every_family_has_a_case``.

For each case: one training step moves every player's weights; ``model.keras`` round-trips
(outputs, weights, optimizer state) and resumes as if never interrupted; the export reloads
in a fresh process that cannot import zoo; 2 replicas train as 1 device; and the options
every family offers (``ema_decay``, ``packing``) behave as their papers say.
"""
import json
import os
import sys
from pathlib import Path

import keras
import numpy as np
import pytest
import tensorflow as tf
from family_cases import CASES, FAMILY_OF
from without_zoo import Call, Started, call_without_zoo

from zoo import tricks
from zoo.families import GAN
from zoo.networks import mlp

TESTS = Path(__file__).resolve().parent
NAMES = sorted(CASES)


def dataset(data):
    """The case's batch, repeated, as ``fit`` takes it (``(x, labels)`` for conditional cases)."""
    batch = len(data[0] if isinstance(data, tuple) else data)
    return tf.data.Dataset.from_tensor_slices(data).repeat().batch(batch, drop_remainder=True)


def fit_steps(model, data, steps=1):
    model.fit(dataset(data), steps_per_epoch=steps, epochs=1, verbose=0)


def codes(model, n=4):
    return model.prior_sample(n, 7)


def generated(model):
    """Outputs from fixed codes; from a fixed seed for a family with no latent (PixelCNN)."""
    if model.latent_dim == 0:
        return model.sample(4, 7)[0].numpy()
    return model.generate(codes(model)).numpy()


def options(model):
    """The family's configuration without its serialized networks."""
    def is_network(value):
        return isinstance(value, dict) and "class_name" in value or (
            isinstance(value, list) and value and all(isinstance(v, dict) and "class_name" in v for v in value))

    return {key: value for key, value in model.get_config().items() if not is_network(value)}


def weights_of(model):
    return {v.path: v.numpy() for v in model.weights}


# ------------------------------------------------------------------------ families
def test_every_family_has_a_case():
    import zoo.families

    missing = sorted(set(zoo.families.families()) - set(FAMILY_OF.values()))
    assert not missing, (f"no test case for {missing}: add a recipe row on ring8, grid25 or digits "
                         "(recipes/<family>.py), or a @case in tests/family_cases.py")


def test_families_list_themselves():
    import zoo.families

    assert {"GAN", "WGANGP", "VAE", "AVB", "ALI", "PixelCNN", "MAF"} <= set(zoo.families.families())
    assert "GenerativeModel" in zoo.families.__all__ and "GenerativeModel" not in zoo.families.families()
    for name, cls in zoo.families.families().items():
        # Each paper findable: an arXiv id, else a DOI (Hinton 2002, Tieleman 2008), else the proceedings'
        # page (NADE, AISTATS 2011).
        assert cls.__name__ == name and cls.PAPERS and all(
            "arXiv:" in p or "doi:" in p or "https://" in p for p in cls.PAPERS), name


def test_a_new_family_is_tested_by_its_file_and_recipe_row(monkeypatch):
    """What adding a family file and a recipe row does: zoo.families lists the class, and the
    contract cases then include the row (here a family defined in the test, and a row)."""
    import zoo.families
    from family_cases import recipe_cases
    from recipes import RECIPES
    from recipes.base import Recipe, adam, net, players

    class ToyGAN(GAN):
        FAMILY = "toy-gan"

    monkeypatch.setattr(zoo.families, "ToyGAN", ToyGAN, raising=False)
    families = {**zoo.families.families(), "ToyGAN": ToyGAN, "NoRowGAN": ToyGAN}
    row = Recipe(name="toy-gan-ring8", family="ToyGAN", dataset="ring8", steps=10, batch_size=16,
                 networks={"generator": net("mlp", 2, 2, hidden=(8,), name="generator"),
                           "discriminator": net("mlp", 2, 1, hidden=(8,), name="discriminator")},
                 optimizers=players(adam(1e-2)), data=RECIPES["gan-ring8"].data)
    monkeypatch.setitem(RECIPES, row.name, row)
    cases = recipe_cases(families, FAMILY_OF.values())
    assert list(cases) == ["toy-gan-ring8"] and cases["toy-gan-ring8"][0] == "ToyGAN"  # NoRowGAN: none
    model, data = cases["toy-gan-ring8"][1](seed=0)
    assert type(model) is ToyGAN and data.shape == (16, 2)
    before = [v.numpy() for v in model.generator.trainable_variables]
    fit_steps(model, data)
    assert any(np.any(a != v.numpy()) for a, v in zip(before, model.generator.trainable_variables))


# ------------------------------------------------------------------------ training
@pytest.fixture(scope="module")
def stepped():
    """``stepped(name)``: the case built and trained one step, with how far each player's
    weights moved in that step; built once per module.  The round-trip test trains it further
    (its file round-trips at whatever step it is), so what the other tests compare is recorded
    when it is built (the moves here, the samples in ``exported``)."""
    cache = {}

    def get(name):
        if name not in cache:
            model, data = CASES[name](seed=0)
            before = {key: [v.numpy() for v in model.player_variables(key)] for key in model.OPTIMIZERS}
            fit_steps(model, data)
            moved = {key: max(float(np.max(np.abs(v.numpy() - b))) for v, b in zip(model.player_variables(key), before[key]))
                     for key in model.OPTIMIZERS}
            cache[name] = (model, data, moved)
        return cache[name]

    return get


@pytest.mark.parametrize("name", NAMES)
def test_one_step_moves_every_player(name, stepped):
    model, _, moved = stepped(name)
    assert type(model).__name__ == FAMILY_OF[name]
    for key in model.OPTIMIZERS:
        assert moved[key] > 1e-6, f"{key} ({model.OPTIMIZERS[key]}) did not move"
        assert int(getattr(model, key).iterations) >= 1


@pytest.mark.parametrize("name", NAMES)
def test_keras_file_round_trips_and_resumes(name, stepped, tmp_path):
    model, data, _ = stepped(name)  # trained (its train function traced): the file holds optimizer state
    model.save(tmp_path / "m.keras")
    restored = keras.saving.load_model(tmp_path / "m.keras", safe_mode=True)
    assert type(restored) is type(model)
    assert options(restored) == options(model)  # every option of the family came back
    assert weights_of(restored).keys() == weights_of(model).keys()
    for path, value in weights_of(model).items():
        np.testing.assert_array_equal(weights_of(restored)[path], value, err_msg=path)
    np.testing.assert_allclose(generated(restored), generated(model), atol=1e-6)
    for key in model.OPTIMIZERS:
        assert int(getattr(restored, key).iterations) == int(getattr(model, key).iterations)
    assert restored.served_weights == model.served_weights
    # Resuming: one more step of each, same data -> the same weights (optimizer state, noise
    # stream and moving averages all came back).
    fit_steps(model, data)
    fit_steps(restored, data)
    for path, value in weights_of(model).items():
        np.testing.assert_allclose(weights_of(restored)[path], value, rtol=1e-5, atol=1e-6, err_msg=path)


# --------------------------------------------------------------------------- export
@pytest.fixture(scope="module")
def exported(tmp_path_factory, stepped):
    """Every case as ``stepped`` left it, its samples drawn, and its SavedModel written as an export writes
    it (the networks ``serving_networks`` names, tracked by ``keras.export.ExportArchive``); one
    fresh process without zoo samples from all of them.  (tests/test_exports.py covers the rest
    of an export: card, manifest, runtimes.)"""
    from zoo.exports.serving import write_saved_model

    root = tmp_path_factory.mktemp("contract_exports")
    samples, calls = {}, []
    for name in NAMES:
        model, _, _ = stepped(name)
        write_saved_model(model.serving_networks(), model.serving_functions(), root / name / "saved_model")
        labels = np.arange(5, dtype=np.int32) if getattr(model, "num_classes", None) else None
        inputs = {"n": np.int32(5), "seed": np.int32(3), **({} if labels is None else {"labels": labels})}
        expected, _ = model.sample(5, 3, None if labels is None else tf.constant(labels))
        samples[name] = expected.numpy()
        calls.append(Call(root / name / "saved_model", "sample", inputs))
    outputs = call_without_zoo(calls, root / "calls")
    return {name: (samples[name], out["x"]) for name, out in zip(NAMES, outputs)}


@pytest.mark.parametrize("name", NAMES)
def test_export_reloads_in_a_fresh_process(exported, name):
    expected, fresh = exported[name]
    np.testing.assert_allclose(fresh, expected, rtol=1e-5, atol=1e-5)


# ---------------------------------------------------------------------- replicas
@pytest.fixture(scope="module", autouse=True)
def mirrored_process(request, tmp_path_factory):
    """The mirrored check (tests/_mirrored_check.py: every case trained on 1 device and on 2
    mirrored logical CPUs, minutes of work), started when this module's first test runs if any
    selected test needs it, so that it runs beside the in-process tests."""
    if not any("mirrored" in item.fixturenames for item in request.session.items if item.module is request.module):
        yield None
        return
    process = Started([sys.executable, str(TESTS / "_mirrored_check.py")], tmp_path_factory.mktemp("mirrored"),
                      1500, cwd=TESTS.parent, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"})
    yield process
    process.stop()


@pytest.fixture(scope="module")
def mirrored(mirrored_process):
    """Results of training every case on 1 device and on 2 mirrored logical CPUs."""
    return json.loads(mirrored_process.finish().strip().splitlines()[-1])


def test_replica_noise_slices_make_the_global_batch(mirrored):
    # Replica r's rows of normal()/uniform() are rows [r*b, (r+1)*b) of the one-device draw
    # of the global batch 2b: the same noise, split the way tf.distribute splits the data.
    assert mirrored["replicas"] == 2
    assert mirrored["noise"]["shape"] == [8, 3]
    assert mirrored["noise"]["max_abs_diff"] == 0.0


@pytest.mark.parametrize("name", NAMES)
def test_two_replicas_train_like_one_device(name, mirrored):
    result = mirrored[name]
    assert "error" not in result, result.get("error")
    # The steps moved the weights, so agreeing weights mean agreeing updates...
    assert result["max_abs_update"] > 1e-3
    # ...equal up to float32 summation order (2 half-batch gradients summed vs one mean),
    # which a few large steps can amplify, by how much depending on the CPU's kernels (hence the
    # small learning rates of the Cramér cases); different noise on the replicas gives ~0.25 of
    # the update.
    assert result["max_abs_diff"] < 1e-4 * result["max_abs_update"], result


# --------------------------------------------------------------------------- EMA
EMA_CASES = [name for name in NAMES if "ema" in name]


def test_every_family_with_a_generator_has_an_ema_case():
    families = {type(CASES[name](seed=0)[0]).__name__ for name in EMA_CASES}
    assert {"GAN", "DCGAN", "CramerGAN", "LAPGAN", "VAE", "AAE", "ALI"} <= families


@pytest.mark.parametrize("name", EMA_CASES)
def test_ema_serves_the_moving_average(name):
    """After t generator updates with weights θ_1..θ_t: θ̄ = β θ̄ + (1 − β) θ_t each time
    (a copy while t ≤ ema_start), computed here by hand from the raw weights."""
    model, data = CASES[name](seed=0)
    beta, start = model.ema_decay, model.ema_start
    averaged, copied = model.ema_pairs(model.ema_networks())
    average = [raw.numpy() for _, raw in averaged]
    for t in range(1, 4):
        fit_steps(model, data)
        decay = beta if t > start else 0.0
        average = [decay * a + (1 - decay) * raw.numpy() for a, (_, raw) in zip(average, averaged)]
    for (ema, raw), expected in zip(averaged, average):
        assert ema.shape == raw.shape and ema.path.split("/")[-1] == raw.path.split("/")[-1]
        np.testing.assert_allclose(ema.numpy(), expected, rtol=1e-5, atol=1e-6)
    for ema, raw in copied:  # non-trainable state (batch-norm statistics) is the raw network's
        np.testing.assert_array_equal(ema.numpy(), raw.numpy())
    assert len(averaged) == sum(len(getattr(model, n).trainable_weights) for n in model.ema_networks())
    assert model.served_weights == "ema"
    z = codes(model)
    served = model.generate(z).numpy()
    raw = model(z).numpy() if not hasattr(model, "likelihood") else None
    if raw is not None:
        assert not np.allclose(served, raw)  # generate serves the average, model(z) the raw G
    assert model.get_config()["ema_decay"] == beta


def test_ema_off_serves_the_raw_generator_and_adds_no_weights():
    model, data = CASES["gan"](seed=0)
    assert model.served_weights == "raw" and model.served("generator") is model.generator
    assert not any("ema" in v.path for v in model.weights)


def test_ema_options_are_checked():
    with pytest.raises(ValueError, match=r"ema_decay must be in \(0, 1\).*Received: ema_decay=1.0"):
        GAN(mlp(2, 2, hidden=(4,)), mlp(2, 1, hidden=(4,)), ema_decay=1.0)
    with pytest.raises(ValueError, match="Received: ema_start=-1"):
        GAN(mlp(2, 2, hidden=(4,)), mlp(2, 1, hidden=(4,)), ema_decay=0.9, ema_start=-1)


# ------------------------------------------------------------------------- packing
def test_pack_concatenates_consecutive_rows_on_the_last_axis():
    x = np.arange(12, dtype="float32").reshape(6, 2)  # rows (0,1), (2,3), ...
    np.testing.assert_array_equal(tricks.pack(tf.constant(x), 2).numpy(),
                                  [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]])
    images = np.arange(2 * 2 * 2 * 3, dtype="float32").reshape(2, 2, 2, 3)
    packed = tricks.pack(tf.constant(images), 2).numpy()
    assert packed.shape == (1, 2, 2, 6)
    np.testing.assert_array_equal(packed[0, ..., :3], images[0])  # channels of image 0, then image 1
    np.testing.assert_array_equal(packed[0, ..., 3:], images[1])
    assert tricks.pack(x, 1) is x
    assert tricks.packed_shape((8, 8, 1), 3) == (8, 8, 3)


@pytest.mark.parametrize("name", [name for name in NAMES if "packed" in name])
def test_packed_discriminator_judges_packs(name):
    model, data = CASES[name](seed=0)
    x = tf.constant(data[0] if isinstance(data, tuple) else data)
    real, fake = model.discriminator_inputs(x, x)
    m = model.packing
    first = real[0] if isinstance(real, list) else real
    assert m > 1 and int(tf.shape(first)[0]) == len(x) // m
    if model.DISCRIMINATES == "x" and "discriminator" in model.NETWORKS:
        assert model.discriminate(x).shape[0] == len(x) // m
        assert "discriminate" not in model.serving_functions()  # a pack is not an example
    assert model.get_config()["packing"] == m


def test_discriminator_not_built_for_the_packing_is_refused():
    with pytest.raises(ValueError, match=r"packing=2.*Received: discriminator input shapes \[\(2,\)\]"):
        GAN(mlp(2, 2, hidden=(4,)), mlp(2, 1, hidden=(4,)), packing=2)
    with pytest.raises(ValueError, match="Received: packing=0"):
        GAN(mlp(2, 2, hidden=(4,)), mlp(2, 1, hidden=(4,)), packing=0)
    from zoo.families import VAE  # no discriminator: no packing option
    from zoo.networks import mlp_decoder, mlp_encoder

    with pytest.raises(ValueError, match="packing"):
        VAE(mlp_encoder((2,), 4, hidden=()), mlp_decoder(2, (2,), hidden=(), channels_multiplier=2), packing=2)


def test_packing_with_class_labels_is_refused():
    from zoo.families import ConditionalGAN
    from zoo.networks import dcgan_discriminator, dcgan_generator

    with pytest.raises(ValueError, match="packing does not apply to ConditionalGAN"):
        ConditionalGAN(dcgan_generator(4, 8, 1, filters=4, start_size=4, num_classes=3),
                       dcgan_discriminator(8, 1, filters=4, start_size=4, num_classes=3), num_classes=3, packing=2)


def test_adversarial_families_write_hooks_not_steps():
    # The game is written once (zoo/families/_adversarial.py): a family on it fills hooks and
    # names the optimizers of its generator step among its players'.
    import zoo.families
    from zoo.families import AdversarialModel

    adversarial = {name: cls for name, cls in zoo.families.families().items() if issubclass(cls, AdversarialModel)}
    assert {"AAE", "WAEGAN", "ALI", "AVB", "GAN", "WGANGP"} <= set(adversarial)
    for name, cls in adversarial.items():
        own = [klass for klass in cls.__mro__ if "train_step" in vars(klass)]
        assert own[0] is AdversarialModel, f"{name} writes its own train_step ({own[0].__name__})"
        assert set(cls.GENERATOR_OPTIMIZERS) <= set(cls.OPTIMIZERS), name
