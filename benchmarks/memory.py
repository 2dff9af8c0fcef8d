"""Does a training run's memory stay flat across epochs?

Trains one seed of a recipe through the shared driver (``recipes.train.train_one``) with
everything a real run has: backups every epoch, TensorBoard scalars and image summaries, a
sample-grid PNG per epoch, the NaN guard.  After each epoch it reads the process's resident
set (``VmRSS``) and its peak so far (``VmHWM``) from ``/proc/self/status``; a leak shows as
a peak that keeps climbing after the first epochs (tracing, buffers and caches warm up).

    python benchmarks/memory.py gan-ring8 --epochs 60 --steps-per-epoch 50
    python benchmarks/memory.py dcgan-digits --epochs 40 --steps-per-epoch 20 --json /tmp/mem.json

Linux only (``/proc``).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def memory_mb() -> tuple[float, float]:
    """``(resident, peak resident)`` of this process in MiB."""
    fields = {}
    with open("/proc/self/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                fields[key] = int(value.split()[0]) / 1024  # kB -> MiB
    return fields["VmRSS"], fields["VmHWM"]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("name", nargs="?", default="gan-ring8")
    parser.add_argument("--epochs", type=int, default=60)
    parser.add_argument("--steps-per-epoch", type=int, default=50)
    parser.add_argument("--batch-size", type=int, default=None)
    parser.add_argument("--warmup", type=int, default=5, help="epochs excluded from the growth figure")
    parser.add_argument("--json", default=None, help="also write the per-epoch figures here")
    args = parser.parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

    import keras

    from recipes import get_recipe
    from recipes.train import train_one

    recipe = get_recipe(args.name)
    rows = []

    class Probe(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            rss, peak = memory_mb()
            rows.append({"epoch": epoch + 1, "rss_mb": round(rss, 1), "peak_mb": round(peak, 1),
                         "time_s": round(time.time() - start, 1)})

    start = time.time()
    with tempfile.TemporaryDirectory() as run_dir:
        train_one(recipe, 0, args.epochs * args.steps_per_epoch, args.batch_size or recipe.batch_size, 0,
                  run_dir=Path(run_dir), steps_per_epoch=args.steps_per_epoch, callbacks=[Probe()])

    for row in rows:
        print(f"epoch {row['epoch']:4d}  rss {row['rss_mb']:8.1f} MiB  peak {row['peak_mb']:8.1f} MiB  "
              f"{row['time_s']:7.1f} s")
    settled = rows[min(args.warmup, len(rows) - 1)]
    last = rows[-1]
    epochs = max(1, last["epoch"] - settled["epoch"])
    summary = {
        "recipe": args.name, "epochs": args.epochs, "steps_per_epoch": args.steps_per_epoch,
        "peak_mb": last["peak_mb"], "peak_after_warmup_mb": settled["peak_mb"],
        "peak_growth_mb": round(last["peak_mb"] - settled["peak_mb"], 1),
        "rss_growth_mb_per_epoch": round((last["rss_mb"] - settled["rss_mb"]) / epochs, 3),
    }
    print(f"{args.name}: peak {summary['peak_mb']} MiB after {args.epochs} epochs of {args.steps_per_epoch} steps; "
          f"peak grew {summary['peak_growth_mb']} MiB after epoch {settled['epoch']} "
          f"(resident {summary['rss_growth_mb_per_epoch']} MiB/epoch)")
    if args.json:
        Path(args.json).write_text(json.dumps({"summary": summary, "epochs": rows}, indent=1))
    return summary


if __name__ == "__main__":
    main()
