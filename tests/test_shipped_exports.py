"""Every shipped export in every runtime: parametrised over the registry, as timm's
``test_models.py`` is over ``list_models()``.

For each ``zoo.list_models(pretrained=True)`` name and each signature: TF Serving's session
loader equals eager loading, TFLite ``generate``/``decode`` match within 1e-4, and eager loading
in a fresh process in which ``import zoo`` fails reproduces the in-memory Keras model.  Batched
to stay fast: each SavedModel is loaded eagerly once, in that one fresh process for all exports
(its outputs are the eager reference of every runtime), and once per session.
"""
import json
import re
from pathlib import Path

import numpy as np
import pytest
from without_zoo import Call, start_without_zoo

import zoo
from zoo import registry
from zoo.exports import serving
from zoo.exports.card import PIXEL_BY_PIXEL

NAMES = zoo.list_models(pretrained=True)
README = Path(__file__).resolve().parent.parent / "README.md"


def _input_specs(saved_model, signature):
    """The ``tf.TensorSpec`` of each input of ``signature``, read from ``saved_model.pb`` (what
    ``saved_model_cli show`` prints) without loading the SavedModel; ``n`` first, then by name."""
    import tensorflow as tf
    from tensorflow.core.protobuf import saved_model_pb2

    proto = saved_model_pb2.SavedModel()
    proto.ParseFromString((saved_model / "saved_model.pb").read_bytes())
    (meta_graph,) = proto.meta_graphs
    inputs = meta_graph.signature_def[signature].inputs
    return [tf.TensorSpec([None if d.size < 0 else d.size for d in info.tensor_shape.dim],
                          tf.dtypes.as_dtype(info.dtype), name=key)
            for key, info in sorted(inputs.items(), key=lambda item: (item[0] != "n", item[0]))]


def _signature_inputs(folder, card):
    """{signature: example inputs}; ``n`` sets the batch of labels.  A pixel-by-pixel sampler
    draws one image: its H·W network passes make each image seconds in every runtime."""
    calls = {name: serving.example_inputs(_input_specs(folder / "saved_model", name), card.data_kind,
                                          (card.conditioning or {}).get("num_classes"))
             for name in card.signatures if name != "serving_default"}
    if card.family in PIXEL_BY_PIXEL and "sample" in calls:
        calls["sample"]["n"] = np.ones_like(calls["sample"]["n"])
    return calls


def _in_memory(folder, card, calls):
    """The outputs of the Keras model of ``model.keras`` through its own serving functions,
    each traced as the export traces it (``tf.function`` with its input signature): called
    eagerly, MAF's ``generate`` inverts its flow dimension by dimension in Python, a minute on
    784 pixels against seconds traced."""
    import keras
    import tensorflow as tf

    import zoo.families  # noqa: F401

    model = keras.saving.load_model(folder / "model.keras", compile=False)
    if card.family == "classifier":
        from zoo.classifiers import serving_functions
        functions = serving_functions(model)
    else:
        functions = model.serving_functions()
    traced = {name: tf.function(function, input_signature=specs) for name, (function, specs) in functions.items()}
    return {name: {k: np.asarray(v) for k, v in traced[name](**inputs).items()} for name, inputs in calls.items()}


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """name -> (folder, card, inputs, eager outputs, in-memory outputs): every signature of every
    export called once after ``tf.saved_model.load`` in one fresh process where any zoo import
    fails, and meanwhile through the Keras model of its ``model.keras`` in this process."""
    table = {}
    for name in NAMES:
        folder, card = registry.locate(name)
        table[name] = (folder, card, _signature_inputs(folder, card))
    jobs = [(name, signature, Call(folder / "saved_model", signature, inputs))
            for name, (folder, card, calls) in table.items() for signature, inputs in calls.items()]
    fresh = start_without_zoo([call for _, _, call in jobs], tmp_path_factory.mktemp("without_zoo"))
    in_memory = {}
    for name, (folder, card, calls) in table.items():
        try:
            in_memory[name] = _in_memory(folder, card, calls)
        except Exception as error:  # noqa: BLE001  (raised by the fresh-process test, not by every test here)
            in_memory[name] = error
    eager = {name: {} for name in table}
    for (name, signature, _), out in zip(jobs, fresh()):
        eager[name][signature] = out
    return {name: (*table[name], eager[name], in_memory[name]) for name in table}


@pytest.mark.parametrize("name", NAMES)
def test_session_loader_equals_eager(reference, name):
    folder, card, calls, eager, _ = reference[name]
    session = serving.run_session(folder / "saved_model", calls)
    for signature in calls:
        assert sorted(session[signature]) == sorted(eager[signature]), (name, signature)
        for key in eager[signature]:
            np.testing.assert_allclose(session[signature][key], eager[signature][key], atol=1e-5, rtol=1e-5,
                                       err_msg=f"{name} {signature} {key}")


@pytest.mark.parametrize("name", [n for n in NAMES if set(zoo.info(n).signatures) & {"generate", "decode"}])
def test_tflite_generate_and_decode_match(reference, name):
    folder, card, calls, eager, _ = reference[name]
    signatures = sorted(set(calls) & {"generate", "decode"})
    flatbuffer = serving.tflite_model(folder / "saved_model", signatures)  # one conversion for both
    for signature in signatures:
        assert signature in card.runtimes.get("tflite", []), (name, signature)
        out = serving.run_tflite(flatbuffer, signature, calls[signature])
        for key in eager[signature]:
            np.testing.assert_allclose(out[key], eager[signature][key], atol=1e-4, rtol=1e-4, err_msg=f"{name} {signature}")


# (family, signature) -> relative tolerance, where 1e-5 is below float32 round-off.  MAF's
# encode starts with the logit of each dequantised pixel, whose slope 1 / (p (1 - p)) reaches
# about 500 at the extreme levels, then runs 5 MADE blocks: on maf-fashion-mnist's example
# inputs the Keras model alone gives codes 8.6e-4 relative apart for a batch of 3 and for one
# image at a time, and the SavedModel's differ from the Keras model's by up to 8e-5.
ROUND_OFF = {("maf", "encode"): 1e-4}


def test_fresh_process_without_zoo_equals_in_memory_model(reference):
    """The fresh process's outputs against the Keras models' (both from the ``reference`` fixture)."""
    for name, (folder, card, calls, fresh, expected) in reference.items():
        if isinstance(expected, Exception):
            raise expected
        for signature in calls:
            assert sorted(fresh[signature]) == sorted(expected[signature]), (name, signature)
            rtol = ROUND_OFF.get((card.family, signature), 1e-5)
            for key in fresh[signature]:
                np.testing.assert_allclose(fresh[signature][key], expected[signature][key], atol=1e-5, rtol=rtol,
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
