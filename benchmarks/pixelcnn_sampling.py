"""PixelCNN's sampling cost, side by side in one run: a pass of the whole network (what drawing
a pixel costs without a cache, and what ``log_prob`` costs) against the row-cached sampler of
the Keras model (``zoo.families._row_cache``), on the shipped ``pixelcnn-fashion-mnist``.

    python benchmarks/pixelcnn_sampling.py             # 64 images, medians of 3 (~4 min on 2 cores)
    python benchmarks/pixelcnn_sampling.py -n 16 --repeats 1 --threads 1

A pixel-by-pixel sampler without a cache runs the network once for each of the 784 pixels, so
its cost an image is 784 passes (the export's ``sample`` signature does that).  The cached one
records every layer once a row and then recomputes, for each pixel, the few rows of each layer
the new row changes; the table gives its measured cost beside the 784-pass one, and the share
of a pass the plan recomputes a pixel (``band_cost``, rows weighted by width), which bounds the
ratio when the small per-pixel convolutions run as fast as the large ones.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(REPO / "benchmarks"))
from sample_throughput import rate  # noqa: E402  (images/s: the median of repeats after a warm-up)

NAME = "pixelcnn-fashion-mnist"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, default=64, help="images a call (default 64)")
    parser.add_argument("--repeats", type=int, default=3, help="timed calls a row, after a warm-up (default 3)")
    parser.add_argument("--threads", type=int, default=None, help="TensorFlow's intra- and inter-op threads")
    args = parser.parse_args(argv)
    if args.n < 1 or args.repeats < 1:
        parser.error(f"-n and --repeats must be positive. Received: -n {args.n} --repeats {args.repeats}")

    import tensorflow as tf

    if args.threads:
        tf.config.threading.set_intra_op_parallelism_threads(args.threads)
        tf.config.threading.set_inter_op_parallelism_threads(args.threads)
    import zoo
    from zoo.families._row_cache import band_cost

    model = zoo.load(NAME, trainable=True)
    if not model.uses_row_cache(args.n):
        parser.error(f"the Keras model caches rows from {zoo.families.pixelcnn.CACHE_MIN_IMAGES} images a call, "
                     f"so -n must be at least that. Received: -n {args.n}")
    x = tf.zeros([args.n, *model.data_shape])
    network = tf.function(lambda x: model.network(x, training=False))
    pixels = model.data_shape[0] * model.data_shape[1]
    a_pass = 1 / rate(lambda: network(x).numpy(), args.n, args.repeats)
    cached = 1 / rate(lambda: model.sample(args.n, 0)[0].numpy(), args.n, args.repeats)
    uncached = pixels * a_pass
    print(f"{NAME}, {args.n} images a call, medians of {args.repeats}"
          + (f", {args.threads} thread(s)" if args.threads else "") + ":\n")
    print("| per image | seconds |\n|---|---|")
    print(f"| a pass of the network | {a_pass:.4f} |")
    print(f"| a sample, {pixels} passes (no cache) | {uncached:.2f} |")
    print(f"| a sample, row-cached | {cached:.3f} |")
    print(f"\nthe cache: {uncached / cached:.1f}× faster; a pixel costs {cached / pixels / a_pass:.3f} of a pass "
          f"(the plan recomputes {band_cost(model.row_plan):.3f} of a pass's rows); 10,000 samples: "
          f"{10_000 * cached / 3600:.1f} h cached, {10_000 * uncached / 3600:.0f} h without")
    return 0


if __name__ == "__main__":
    sys.exit(main())
