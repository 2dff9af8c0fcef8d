"""The Markov-chain methods of a loaded export (``zoo.load(name).chain / sample_steps /
unnormalized_log_prob``), parametrised over every shipped export that serves them: they agree
with each other and with the in-memory Keras model, and refuse bad requests before the
SavedModel allocates anything."""
import keras
import numpy as np
import pytest

import zoo
from zoo import registry
from zoo.exports import pretrained
from zoo.families import gsn, rbm

CHAINS = [name for name in zoo.list_models(pretrained=True) if "chain" in registry.locate(name)[1].signatures]
ENERGIES = [name for name in zoo.list_models(pretrained=True)
            if "unnormalized_log_prob" in registry.locate(name)[1].signatures]


def test_the_limits_are_the_families_own():
    assert pretrained.CHAIN_LIMITS["rbm"] == {"steps": rbm.MAX_SAMPLE_STEPS, "chain_steps": rbm.MAX_CHAIN_STEPS,
                                              "states": rbm.MAX_CHAIN_STATES}
    assert pretrained.CHAIN_LIMITS["gsn"]["steps"] == gsn.MAX_STEPS
    assert pretrained.CHAIN_LIMITS["gsn"]["chain_steps"] == gsn.MAX_CHAIN_STATES
    assert {"rbm-digits", "gsn-digits"} <= set(CHAINS) and "rbm-digits" in ENERGIES


@pytest.mark.parametrize("name", CHAINS)
def test_a_chain_ends_where_sample_steps_does_and_repeats_with_its_seed(name):
    model = zoo.load(name)
    states = model.chain(3, 7, seed=11)
    assert states.shape == (7, 3, *model.card.data_shape)
    np.testing.assert_array_equal(states[-1], model.sample_steps(3, 7, seed=11))
    np.testing.assert_array_equal(states, model.chain(3, 7, seed=11))
    assert not np.array_equal(states[-1], model.sample_steps(3, 7, seed=12))
    assert np.all(np.abs(states) <= 1.0)


@pytest.mark.parametrize("name", CHAINS)
def test_bad_chain_requests_are_refused_before_the_call(name, monkeypatch):
    model = zoo.load(name)
    monkeypatch.setattr(model, "_call", lambda *a, **k: pytest.fail("the SavedModel was called"))
    limits = pretrained.CHAIN_LIMITS[model.card.family]
    with pytest.raises(ValueError, match=r"n × steps must be at most 131,072 states"):
        model.chain(limits["states"] // 100 + 1, 100)
    with pytest.raises(ValueError, match=f"steps must be at most {limits['chain_steps']:,}"):
        model.chain(1, limits["chain_steps"] + 1)
    with pytest.raises(ValueError, match=f"steps must be at most {limits['steps']:,}"):
        model.sample_steps(1, limits["steps"] + 1)
    for steps in (0, -3, 2.5, True):
        with pytest.raises(ValueError, match="steps must be a positive integer"):
            model.sample_steps(1, steps)


@pytest.mark.parametrize("name", ENERGIES)
def test_the_served_unnormalized_log_prob_is_the_keras_models(name):
    folder, _ = registry.locate(name)
    model = zoo.load(name)
    x = np.where(np.random.default_rng(0).uniform(size=(5, *model.card.data_shape)) < 0.3, 1.0, -1.0)
    x = x.astype(np.float32)
    served = model.unnormalized_log_prob(x)
    in_memory = keras.saving.load_model(folder / "model.keras").unnormalized_log_prob(x)
    np.testing.assert_allclose(served, np.asarray(in_memory), rtol=1e-5, atol=1e-4)


def test_families_without_a_chain_say_what_they_serve():
    model = zoo.load("gan-digits")
    with pytest.raises(AttributeError, match="only the Markov-chain families"):
        model.chain(2, 3)
    with pytest.raises(AttributeError, match="only energy-based families"):
        model.unnormalized_log_prob(np.zeros([1, 8, 8, 1], np.float32))
