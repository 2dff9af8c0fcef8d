"""Sampling throughput, side by side in one run: the exported SavedModel, the in-memory Keras
model, TFLite and a PyTorch eager generator, for DCGAN-64 and gan-ring8; and the CLI end to end.

    python benchmarks/sample_throughput.py            # medians of 5 repeats (~3 min on 2 cores)
    python benchmarks/sample_throughput.py --quick    # 3 repeats, one CLI run
    python benchmarks/sample_throughput.py --markdown # also print the README table

- **DCGAN-64** (the ``dcgan-celeba`` recipe's networks, untrained: the speed does not depend on
  the weights) is exported to a temporary folder with ``zoo.export`` at benchmark time, so the
  rows measure the export format of the current code; 64 samples per call.
- **gan-ring8** is the shipped export (``exports/gan-ring8``); 2,500 samples per call (the
  the mixtures protocol evaluation size).

Rows: the SavedModel's ``sample(n, seed)`` signature (``tf.saved_model.load``); the Keras model
(``model.sample``, eager and inside ``tf.function``); TFLite (the ``generate`` signature
converted from the SavedModel, z drawn with NumPy); PyTorch (the same generator architecture,
eager, ``torch.no_grad``).  The CLI row times ``zoo sample gan-ring8 -n 2500 -o x.png`` as a
fresh process, beside ``python -c "import tensorflow"``, which dominates it.

PyTorch comes from the ``bench`` extra (``pip install -e ".[bench]"``); without it the other
rows still run.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from train_throughput import import_torch, load_average, torch_dcgan, torch_mlp  # noqa: E402

CLI_COMMAND = ["zoo", "sample", "gan-ring8", "-n", "2500", "-o"]


def rate(fn, n: int, repeats: int) -> float:
    """Samples/s of ``fn()`` (which draws ``n``), median of ``repeats`` after one warm-up call."""
    fn()
    seconds = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        seconds.append(time.perf_counter() - start)
    return n / statistics.median(seconds)


def measured(label: str, fn, n: int, repeats: int) -> tuple[str, float | None, str]:
    """``(label, samples/s, note)``; a runtime that fails is reported, not raised."""
    try:
        return label, rate(fn, n, repeats), ""
    except Exception as error:  # noqa: BLE001 — any runtime failure becomes the row's note
        return label, None, f"failed: {type(error).__name__}: {str(error).splitlines()[0][:120]}"


def tflite_generate(saved_model: Path, n: int, latent_dim: int):
    """A function drawing ``n`` samples through the TFLite conversion of ``generate``; raises
    when the conversion fails or its output is not finite (old-format exports lose their weights)."""
    import numpy as np
    import tensorflow as tf

    from zoo.exports.serving import tflite_interpreter

    converter = tf.lite.TFLiteConverter.from_saved_model(os.fspath(saved_model), signature_keys=["generate"])
    interpreter = tflite_interpreter()[0](model_content=converter.convert())  # LiteRT where it installs
    runner = interpreter.get_signature_runner("generate")
    rng = np.random.default_rng(0)

    def draw():
        out = runner(z=rng.standard_normal((n, latent_dim), dtype=np.float32))
        return next(iter(out.values()))

    if not np.all(np.isfinite(draw())):
        raise ValueError("the converted model outputs NaN/Inf (an export written before ExportArchive; "
                         "re-export it)")
    return draw


def model_rows(name: str, model, saved_model: Path, n: int, repeats: int, torch_generator, torch_noise) -> list:
    import tensorflow as tf

    loaded = tf.saved_model.load(os.fspath(saved_model))
    sample_sig = loaded.signatures["sample"]
    rows = [measured("SavedModel `sample` signature", lambda: sample_sig(n=tf.constant(n), seed=tf.constant(0)),
                     n, repeats)]
    if model is not None:
        compiled = tf.function(model.sample)
        rows.append(measured("Keras model, `model.sample` eager", lambda: model.sample(n, 0), n, repeats))
        rows.append(measured("Keras model, `model.sample` in `tf.function`",
                             lambda: compiled(tf.constant(n), tf.constant(0)), n, repeats))
    try:
        latent_dim = int(sample_sig.structured_outputs["z"].shape[-1])
        draw = tflite_generate(saved_model, n, latent_dim)
        rows.append(measured("TFLite `generate` (z from NumPy)", draw, n, repeats))
    except Exception as error:  # noqa: BLE001
        rows.append(("TFLite `generate` (z from NumPy)", None,
                     f"conversion failed: {type(error).__name__}: {str(error).splitlines()[0][:120]}"))
    if torch_generator is None:
        rows.append(("PyTorch eager generator", None, "torch not installed"))
    else:
        import torch

        torch_generator.eval()

        def torch_draw():
            with torch.no_grad():
                return torch_generator(torch_noise(n))

        rows.append(measured("PyTorch eager generator, same architecture", torch_draw, n, repeats))
    return [(name, n, *row) for row in rows]


def dcgan_rows(repeats: int, torch, export_dir: Path) -> list:
    import zoo
    from recipes import get_recipe

    recipe = get_recipe("dcgan-celeba")
    model = recipe.build(0)
    path = zoo.export(model, "dcgan-celeba", dataset="celeb_a", out_dir=export_dir, data_kind="images")
    generator = torch_dcgan(torch)[0] if torch else None
    return model_rows("DCGAN 64×64 (exported now, untrained)", model, path / "saved_model", 64, repeats, generator,
                      (lambda n: torch.randn(n, 100, 1, 1)) if torch else None)


def ring8_rows(repeats: int, torch) -> list:
    import zoo

    folder = REPO / "exports" / "gan-ring8"
    try:
        model = zoo.load(os.fspath(folder), trainable=True)
    except Exception as error:  # noqa: BLE001 — a model.keras older than the family code
        print(f"gan-ring8: the Keras model did not load ({type(error).__name__}: {error}); its rows are skipped")
        model = None
    generator = torch_mlp(torch, 2, True, torch.nn.ReLU) if torch else None
    return model_rows("gan-ring8 (shipped export)", model, folder / "saved_model", 2500, repeats, generator,
                      (lambda n: torch.randn(n, 2)) if torch else None)


def cli_seconds(repeats: int) -> tuple[float | None, float]:
    """Median seconds of the ``zoo sample`` command and of ``import tensorflow``, fresh processes."""
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
    zoo_cli = shutil.which("zoo")
    timings = {"cli": [], "import": []}
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(repeats):
            if zoo_cli:
                start = time.perf_counter()
                subprocess.run([zoo_cli, *CLI_COMMAND[1:], os.path.join(tmp, "x.png")], cwd=REPO, env=env,
                               check=True, capture_output=True)
                timings["cli"].append(time.perf_counter() - start)
            start = time.perf_counter()
            subprocess.run([sys.executable, "-c", "import tensorflow"], env=env, check=True, capture_output=True)
            timings["import"].append(time.perf_counter() - start)
    cli = statistics.median(timings["cli"]) if timings["cli"] else None
    return cli, statistics.median(timings["import"])


def table(rows: list, markdown: bool) -> str:
    header = ("model", "samples per call", "runtime", "samples/s", "note")
    cells = [(model, f"{n:,}", label, "–" if value is None else f"{value:,.0f}", note)
             for model, n, label, value, note in rows]
    if markdown:
        return "\n".join(["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
                         + ["| " + " | ".join(c) + " |" for c in cells])
    widths = [max(len(c[i]) for c in [header, *cells]) for i in range(len(header))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in [header, *cells])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="3 repeats, one CLI run")
    parser.add_argument("--repeats", type=int, default=None, help="timed repeats per row (default 5, --quick 3)")
    parser.add_argument("--markdown", action="store_true", help="also print the README table (markdown)")
    args = parser.parse_args(argv)
    repeats = args.repeats or (3 if args.quick else 5)
    if repeats < 1:
        parser.error(f"--repeats must be at least 1. Received: --repeats {repeats}")
    start, load_before = time.time(), load_average()
    import tensorflow as tf

    torch = import_torch(None)
    print(f"TensorFlow {tf.__version__}" + (f", PyTorch {torch.__version__}" if torch else "")
          + f"; load average before: {load_before}", flush=True)
    with tempfile.TemporaryDirectory() as export_dir:
        rows = dcgan_rows(repeats, torch, Path(export_dir)) + ring8_rows(repeats, torch)
    cli, import_tf = cli_seconds(1 if args.quick else 3)
    print()
    print(table(rows, markdown=False))
    cli_line = (f"`{' '.join(CLI_COMMAND)} x.png` end to end: "
                + ("zoo command not found (pip install -e .)" if cli is None else f"{cli:.1f} s")
                + f"; `python -c \"import tensorflow\"` alone: {import_tf:.1f} s")
    print(f"\n{cli_line}")
    print(f"{time.time() - start:.0f} s; load average before {load_before}, after {load_average()} "
          f"({os.cpu_count()} cores)")
    if args.markdown:
        print()
        print(table(rows, markdown=True))
        print(f"\n{cli_line}")


if __name__ == "__main__":
    main()
