"""Every shipped export in every runtime: parametrised over the registry, as timm's
``test_models.py`` is over ``list_models()``.

For each ``zoo.list_models(pretrained=True)`` name and each signature: TF Serving's session
loader equals eager loading, TFLite ``generate``/``decode`` match within 1e-4, and one fresh
process in which ``import zoo`` fails reproduces the in-memory Keras model.  Batched to stay
fast: one session per export, one fresh process for all exports.
"""
import json
import os
import re
from pathlib import Path

import numpy as np
import pytest
from without_zoo import Call, call_without_zoo

import zoo
from zoo import registry
from zoo.exports import serving

NAMES = zoo.list_models(pretrained=True)
README = Path(__file__).resolve().parent.parent / "README.md"


def _signature_inputs(folder, card):
    """{signature: example inputs} from the SavedModel's own input specs (eager load)."""
    import tensorflow as tf

    loaded = tf.saved_model.load(os.fspath(folder / "saved_model"))
    calls = {}
    for name in card.signatures:
        if name == "serving_default":
            continue
        specs = loaded.signatures[name].structured_input_signature[1]
        ordered = sorted(specs.values(), key=lambda s: s.name != "n")  # n first: the batch of labels
        calls[name] = serving.example_inputs(ordered, card.data_kind, (card.conditioning or {}).get("num_classes"))
    eager = {name: {k: v.numpy() for k, v in loaded.signatures[name](**inputs).items()} for name, inputs in calls.items()}
    return calls, eager


@pytest.fixture(scope="module")
def reference():
    """name -> (folder, card, inputs, eager outputs)."""
    table = {}
    for name in NAMES:
        folder, card = registry.locate(name)
        table[name] = (folder, card, *_signature_inputs(folder, card))
    return table


@pytest.mark.parametrize("name", NAMES)
def test_session_loader_equals_eager(reference, name):
    folder, card, calls, eager = reference[name]
    session = serving.run_session(folder / "saved_model", calls)
    for signature in calls:
        assert sorted(session[signature]) == sorted(eager[signature]), (name, signature)
        for key in eager[signature]:
            np.testing.assert_allclose(session[signature][key], eager[signature][key], atol=1e-5, rtol=1e-5,
                                       err_msg=f"{name} {signature} {key}")


@pytest.mark.parametrize("name", [n for n in NAMES if set(zoo.info(n).signatures) & {"generate", "decode"}])
def test_tflite_generate_and_decode_match(reference, name):
    folder, card, calls, eager = reference[name]
    for signature in sorted(set(calls) & {"generate", "decode"}):
        assert signature in card.runtimes.get("tflite", []), (name, signature)
        out = serving.run_tflite(serving.tflite_model(folder / "saved_model", signature), signature, calls[signature])
        for key in eager[signature]:
            np.testing.assert_allclose(out[key], eager[signature][key], atol=1e-4, rtol=1e-4, err_msg=f"{name} {signature}")


def _in_memory(folder, card, calls):
    """The outputs of the Keras model of ``model.keras`` through its own serving functions."""
    import keras

    import zoo.families  # noqa: F401

    model = keras.saving.load_model(folder / "model.keras", compile=False)
    if card.family == "classifier":
        from zoo.classifiers import serving_functions
        functions = serving_functions(model)
    else:
        functions = model.serving_functions()
    return {name: {k: np.asarray(v) for k, v in functions[name][0](**inputs).items()} for name, inputs in calls.items()}


def test_fresh_process_without_zoo_equals_in_memory_model(reference, tmp_path):
    """One process for every export, in which any zoo import fails."""
    jobs = [(name, signature, Call(folder / "saved_model", signature, inputs))
            for name, (folder, card, calls, _) in reference.items() for signature, inputs in calls.items()]
    outputs = call_without_zoo([call for _, _, call in jobs], tmp_path)
    expected = {name: _in_memory(folder, card, calls) for name, (folder, card, calls, _) in reference.items()}
    for (name, signature, _), got in zip(jobs, outputs):
        assert sorted(got) == sorted(expected[name][signature]), (name, signature)
        for key in got:
            np.testing.assert_allclose(got[key], expected[name][signature][key], atol=1e-5, rtol=1e-5,
                                       err_msg=f"{name} {signature} {key}")


def _readme_serve_section() -> str:
    text = README.read_text()
    start = text.index("## Serve")
    end = text.find("\n## ", start + 1)
    return text[start:end if end > 0 else None]


def test_readme_rest_request_runs_through_the_session_loader():
    """The ``:predict`` body the README shows, fed to TF Serving's loader as TF Serving would."""
    section = _readme_serve_section()
    url = re.search(r"http://localhost:8501/v1/models/([a-z0-9-]+):predict", section)
    body = json.loads(re.search(r"```json\n(.*?)\n```", section, re.S).group(1))
    name = url.group(1)
    folder, card = registry.locate(name)
    signature = body.get("signature_name", "serving_default")
    rows = body["instances"]  # the row format: one object per example
    inputs = {key: np.asarray([row[key] for row in rows], np.float32) for key in rows[0]}
    served = serving.run_session(folder / "saved_model", {signature: inputs})[signature]
    expected = zoo.load(name).generate(inputs["z"])
    np.testing.assert_allclose(served["x"], expected, atol=1e-5)
    assert f"MODEL_NAME={name}" in section and "tensorflow/serving" in section
