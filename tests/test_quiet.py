"""A user's terminal stays clean: no TensorFlow C++ start-up lines, no "error:" on a successful export."""
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOISE = ("cuInit", "E0000", "I0000", "W0000", "absl::InitializeLog", "oneDNN", "error:", "XNNPACK", "deprecated")


def _run(code, **env):
    environ = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    environ.update(env, PYTHONPATH=os.pathsep.join([str(ROOT), str(ROOT / "tests")]))
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, env=environ)


def test_load_and_export_are_quiet_and_the_card_names_the_tflite_interpreter(tmp_path):
    code = f"""
import zoo
zoo.load("gan-ring8").sample(3, seed=0)
from family_cases import CASES
model, _ = CASES["gan"](seed=0)
card = zoo.ModelCard.read(zoo.export(model, "gan-tiny", dataset="ring8", out_dir={str(tmp_path)!r}))
print(card.versions["tflite_interpreter"])
print(card.runtimes["tflite"])
"""
    result = _run(code)
    assert result.returncode == 0, result.stderr
    for noise in NOISE:
        assert noise not in result.stderr, result.stderr
    interpreter, tflite = result.stdout.strip().splitlines()[-2:]
    try:
        import ai_edge_litert  # noqa: F401

        assert interpreter.startswith("ai_edge_litert.interpreter.Interpreter (ai-edge-litert ")
    except ImportError:
        assert interpreter.startswith("tf.lite.Interpreter")
    assert "generate" in tflite and "sample" not in tflite  # TFLite lacks the stateless random ops


def test_a_user_who_sets_the_log_level_gets_tensorflow_s_lines():
    result = _run("import zoo; zoo.load('gan-ring8')", TF_CPP_MIN_LOG_LEVEL="0")
    assert result.returncode == 0, result.stderr
    assert "I0000" in result.stderr or "oneDNN" in result.stderr
