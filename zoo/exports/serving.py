"""The serving signatures: a SavedModel that every TensorFlow runtime can run, checked at write time.

``keras.export.ExportArchive`` (``track`` the networks, one ``add_endpoint`` per signature,
``write_out``) is the form that runs under the graph-mode session loader of TF Serving and
``saved_model_cli run`` and converts to TFLite with its weights; a hand-made ``tf.Module``
around a Keras 3 model fails there (tensorflow/serving#2226, keras-team/keras#20095).
"""
from __future__ import annotations

import os

import numpy as np

from zoo.exports.card import SERVING_DEFAULT, default_signature

# Signatures that must convert to TFLite; the others are recorded when they do.
TFLITE_REQUIRED = ("generate", "decode")
TFLITE_TOLERANCE = 1e-4
EXAMPLE_BATCH = 3
EXAMPLE_STEPS = 2
RUNTIMES = ("eager", "session", "tfsm_layer", "tflite")


def write_saved_model(trackables, functions: dict, path: str | os.PathLike) -> list[str]:
    """Write ``functions`` (``{name: (fn, [tf.TensorSpec...])}``) with ``ExportArchive``.

    ``trackables`` are what the functions read; Keras networks among them are not tracked:
    ``add_endpoint`` saves exactly the variables its functions capture, and tracking a network
    as well wrote each variable twice (as the Keras variable and as the ``tf.Variable`` the
    functions captured), doubling ``variables/`` (DCGAN at 28×28: 7.0 MB against 3.6 MB, the
    same outputs in every runtime).  Other resources (lookup tables) are tracked.  The default
    signature (``generate``, else ``sample``) is registered first, under ``serving_default``,
    so TF Serving answers it.  Returns the sorted signature names.
    """
    import keras

    archive = keras.export.ExportArchive()
    for trackable in trackables:
        if not isinstance(trackable, keras.layers.Layer):
            archive.track(trackable)
    default = default_signature(functions)
    for name in [default, *sorted(set(functions) - {default})]:
        fn, input_signature = functions[name]
        if name == default:
            archive.add_endpoint(SERVING_DEFAULT, fn, input_signature=input_signature)
        archive.add_endpoint(name, fn, input_signature=input_signature)
    archive.write_out(os.fspath(path), verbose=False)
    return sorted([*functions, SERVING_DEFAULT])


def example_inputs(input_signature, data_kind: str = "points", num_classes: int | None = None,
                   seed: int = 0) -> dict[str, np.ndarray]:
    """One valid input per ``tf.TensorSpec`` (batch ``EXAMPLE_BATCH``), keyed by the spec's name:
    N(0, 1) codes, images in [-1, 1], labels ``0, 1, ...``, ``n = EXAMPLE_BATCH``, ``seed``,
    ``steps = EXAMPLE_STEPS``."""
    rng = np.random.default_rng(seed)
    inputs = {}
    for spec in input_signature:
        shape = [EXAMPLE_BATCH if d is None else d for d in spec.shape]
        if spec.dtype.is_integer:
            if spec.name == "n":
                value = np.array(EXAMPLE_BATCH)
            elif spec.name == "seed":
                value = np.array(seed)
            elif spec.name == "steps":  # Markov-chain steps (RBM, GSN)
                value = np.array(EXAMPLE_STEPS)
            else:  # labels
                value = np.arange(EXAMPLE_BATCH) % (num_classes or 1)
            inputs[spec.name] = value.reshape(shape).astype(spec.dtype.as_numpy_dtype)
        elif spec.name == "x" and data_kind == "images":
            inputs[spec.name] = rng.uniform(-1, 1, shape).astype(np.float32)
        else:
            inputs[spec.name] = rng.standard_normal(shape).astype(np.float32)
    return inputs


def run_eager(path, calls: dict[str, dict]) -> dict[str, dict[str, np.ndarray]]:
    """Run ``{signature: inputs}`` through eager ``tf.saved_model.load``, loaded once."""
    import tensorflow as tf

    loaded = tf.saved_model.load(os.fspath(path))
    return {name: {k: v.numpy() for k, v in loaded.signatures[name](**inputs).items()}
            for name, inputs in calls.items()}


def run_session(path, calls: dict[str, dict]) -> dict[str, dict[str, np.ndarray]]:
    """Run ``{signature: inputs}`` through the graph-mode loader TF Serving uses, in one session."""
    import tensorflow as tf

    results = {}
    logger, level = tf.get_logger(), tf.get_logger().level
    logger.setLevel("ERROR")  # the v1 loader is deprecated, and used on purpose: it is TF Serving's
    try:
        with tf.Graph().as_default(), tf.compat.v1.Session() as session:
            meta = tf.compat.v1.saved_model.loader.load(session, ["serve"], os.fspath(path))
            for name, inputs in calls.items():
                signature = meta.signature_def[name]
                feed = {signature.inputs[k].name: v for k, v in inputs.items()}
                keys = sorted(signature.outputs)
                values = session.run([signature.outputs[k].name for k in keys], feed_dict=feed)
                results[name] = dict(zip(keys, values))
    finally:
        logger.setLevel(level)
    return results


def run_tfsm_layer(path, name: str, inputs: dict) -> dict[str, np.ndarray]:
    import keras

    layer = keras.layers.TFSMLayer(os.fspath(path), call_endpoint=name)
    first, *rest = inputs  # TFSMLayer.call(inputs, **kwargs): the first input positional, the others by name
    outputs = layer(inputs[first], **{key: inputs[key] for key in rest})
    return {k: np.asarray(v) for k, v in outputs.items()}


def tflite_interpreter():
    """``(Interpreter class, what it is)``: LiteRT's (``ai-edge-litert``), which TF 2.20+ asks for
    in place of the deprecated ``tf.lite.Interpreter``, else that one where LiteRT has no build."""
    try:
        from ai_edge_litert import __version__ as litert_version
        from ai_edge_litert.interpreter import Interpreter
    except ImportError:
        import tensorflow as tf

        return tf.lite.Interpreter, f"tf.lite.Interpreter (tensorflow {tf.__version__})"
    return Interpreter, f"ai_edge_litert.interpreter.Interpreter (ai-edge-litert {litert_version})"


def tflite_model(path, name: str | list[str]) -> bytes:
    """The TFLite flatbuffer of signature ``name`` (or of each of a list of names: one
    conversion, as costly as one signature's, since most of it loads the SavedModel).  The
    converter's C++ diagnostics (its "error: failed while converting ... TF Select ops" for the
    stateless random ops of ``sample``, which TFLite lacks) are kept off the terminal and
    carried by the exception."""
    import tensorflow as tf

    from zoo.quiet import stderr_captured

    names = [name] if isinstance(name, str) else list(name)
    with stderr_captured() as captured:
        try:
            return tf.lite.TFLiteConverter.from_saved_model(os.fspath(path), signature_keys=names).convert()
        except Exception as e:  # noqa: BLE001  (ConverterError and others: re-raised with the diagnostics)
            errors = [line for line in captured().splitlines() if line.startswith("error:")]
            error = e
    raise RuntimeError(f"TFLite cannot convert {name!r}: {str(error).splitlines()[0] if str(error) else type(error).__name__}"
                       + (f" ({'; '.join(errors[:3])})" if errors else "")) from error


def run_tflite(model: bytes, name: str, inputs: dict) -> dict[str, np.ndarray]:
    from zoo.quiet import stderr_captured

    interpreter, _ = tflite_interpreter()
    with stderr_captured():  # LiteRT's "INFO: Created TensorFlow Lite XNNPACK delegate for CPU."
        # The signature runner resizes dynamic (batch) inputs and allocates the tensors itself.
        runner = interpreter(model_content=model).get_signature_runner(name)
        return {k: np.asarray(v) for k, v in runner(**inputs).items()}


def _close(a: dict, b: dict, tolerance: float) -> bool:
    return set(a) == set(b) and all(
        np.shape(a[k]) == np.shape(b[k]) and np.all(np.isfinite(a[k]))
        and np.allclose(a[k], b[k], atol=tolerance, rtol=tolerance) for k in a)


def check_runtimes(path, functions: dict, data_kind: str = "points",
                   num_classes: int | None = None) -> dict[str, list[str]]:
    """Run every signature of the SavedModel at ``path`` in every runtime; ``{runtime: [signatures]}``.

    Eager loading is the reference.  The session loader and ``TFSMLayer`` must agree with it
    on every signature (within 1e-5, absolute or relative: ``log_prob`` values run to
    thousands), TFLite on ``generate``/``decode`` (within 1e-4); any other
    signature TFLite cannot convert or run is left out of ``runtimes["tflite"]``, not fatal.
    """
    calls = {name: example_inputs(spec, data_kind, num_classes) for name, (_, spec) in functions.items()}
    eager = run_eager(path, calls)
    runtimes = {runtime: [] for runtime in RUNTIMES}
    runtimes["eager"] = sorted(eager)
    session = run_session(path, calls)
    for name in calls:
        if not _close(session[name], eager[name], 1e-5):
            raise RuntimeError(f"the session loader (TF Serving) disagrees with eager loading on {name!r} "
                               f"for the SavedModel at {path}; the export is not servable.")
        if not _close(run_tfsm_layer(path, name, calls[name]), eager[name], 1e-5):
            raise RuntimeError(f"keras.layers.TFSMLayer disagrees with eager loading on {name!r} at {path}.")
    runtimes["session"] = runtimes["tfsm_layer"] = sorted(calls)
    for name in sorted(calls):
        try:
            converted = run_tflite(tflite_model(path, name), name, calls[name])
            ok = _close(converted, eager[name], TFLITE_TOLERANCE)
            problem = "" if ok else "outputs differ from eager loading by more than 1e-4"
        except Exception as e:  # noqa: BLE001  (the converter raises many kinds; the card records the outcome)
            ok, problem = False, f"{type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}"
        if ok:
            runtimes["tflite"].append(name)
        elif name in TFLITE_REQUIRED:
            raise RuntimeError(f"TFLite cannot serve {name!r} of the SavedModel at {path} ({problem}).")
    return runtimes
