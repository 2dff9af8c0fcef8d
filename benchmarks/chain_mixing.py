"""Chain mixing made visible: successive states of an export's Markov chain, and the classes it visits.

    python benchmarks/chain_mixing.py rbm-fashion-mnist -o docs/rbm-fashion-mnist-chain.png
    python benchmarks/chain_mixing.py rbm-digits -o chain.png --chains 10 --steps 2000 --columns 12

Reads the export's ``chain(n, seed, steps)`` signature (the RBM's block-Gibbs chain, the GSN's
denoising chain): every state ``[steps, n, H, W, 1]`` in [-1, 1], from a random start, computed
inside the SavedModel.  The picture has one row per chain and one column per shown step (spaced
geometrically by default: a chain changes fastest early).  On the image datasets with a protocol
classifier (Fashion-MNIST, digits: grey or binarised) it also classifies every state of
``--histogram-chains`` chains and draws the share of each class along the chain, and prints it
with the rate at which a chain's class changes from one step to the next: a chain that mixes
visits every class in proportion; one that is stuck keeps its class.  Not run by the tests.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MAX_COLUMNS = 30


def shown_steps(steps: int, columns: int, spacing: str = "log") -> np.ndarray:
    """The 1-based steps drawn as columns: ``columns`` of ``1..steps``, geometric or even, last one included."""
    if spacing == "log":
        chosen = np.unique(np.round(np.geomspace(1, steps, columns)).astype(int))
    else:
        chosen = np.unique(np.round(np.linspace(1, steps, columns)).astype(int))
    return chosen


def run_chain(model, n: int, seed: int, steps: int) -> np.ndarray:
    """``[steps, n, H, W, C]`` states from the export's ``chain`` signature (its only output)."""
    import tensorflow as tf

    if "chain" not in model.card.signatures:
        raise SystemExit(f"error: {model.card.name!r} serves no 'chain' signature (it serves "
                         f"{', '.join(model.card.signatures)}); the Markov-chain families (rbm, gsn) do.")
    outputs = model.saved_model.signatures["chain"](n=tf.constant(n, tf.int32), seed=tf.constant(seed, tf.int32),
                                                    steps=tf.constant(steps, tf.int32))
    return next(iter(outputs.values())).numpy() if len(outputs) == 1 else outputs["x"].numpy()


def classifier_for(dataset: str):
    """``(classify: images -> probabilities, class names)`` of the dataset's protocol classifier, or None."""
    if "fashion" in dataset:
        from zoo.data.fashion_mnist import CLASS_NAMES
        from zoo.metrics.fashion_mnist import classify

        return (lambda x: classify(x)[1]), list(CLASS_NAMES)
    if "digits" in dataset:
        from zoo.metrics.digits import classify

        return (lambda x: classify(x)[1]), [str(k) for k in range(10)]
    return None


def class_shares(states, classify, num_classes: int) -> tuple[np.ndarray, np.ndarray]:
    """``(shares [steps, classes], switches [steps - 1])``: the share of chains in each predicted
    class at each step, and the share of chains whose class changed since the previous step."""
    steps, n = states.shape[:2]
    predicted = classify(states.reshape(steps * n, *states.shape[2:])).argmax(axis=1).reshape(steps, n)
    shares = np.stack([(predicted == k).mean(axis=1) for k in range(num_classes)], axis=1)
    return shares, (predicted[1:] != predicted[:-1]).mean(axis=1)


def draw(states, columns, path, title, shares=None, names=None):
    """The grid (rows: chains, columns: the chosen steps) and, with ``shares``, the class shares."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from zoo.plotting import image_grid

    n = states.shape[1]
    chosen = states[columns - 1]  # [columns, n, H, W, C]
    grid = image_grid(np.swapaxes(chosen, 0, 1).reshape(-1, *states.shape[2:]), ncols=len(columns))
    height, width = grid.shape[:2]
    scale = max(1.0, 700 / width)
    grid_height = height * scale / 100
    plot_height = 2.6 if shares is not None else 0.0
    fig = plt.figure(figsize=(width * scale / 100 + 1.4, grid_height + plot_height + 1.0), dpi=100)
    top = fig.add_axes([0.12, (plot_height + 0.45) / fig.get_figheight(), 0.86, grid_height / fig.get_figheight()])
    top.imshow(grid.squeeze(-1) if grid.shape[-1] == 1 else grid, cmap="gray", vmin=0, vmax=255, interpolation="nearest")
    cell = (grid.shape[1] - 1) / len(columns)
    top.set_xticks([cell * (i + 0.5) for i in range(len(columns))], [str(s) for s in columns], fontsize=7)
    top.set_yticks([(grid.shape[0] - 1) / n * (i + 0.5) for i in range(n)], [f"chain {i}" for i in range(n)], fontsize=7)
    top.set_xlabel("Gibbs / chain step", fontsize=8)
    top.set_title(title, fontsize=9)
    if shares is not None:
        bottom = fig.add_axes([0.12, 0.45 / fig.get_figheight(), 0.62, (plot_height - 0.4) / fig.get_figheight()])
        steps = np.arange(1, len(shares) + 1)
        colours = plt.get_cmap("tab10").colors
        bottom.stackplot(steps, shares.T, labels=names, colors=colours[:len(names)])
        bottom.set_xscale("log")
        bottom.set_xlim(1, len(shares))
        bottom.set_ylim(0, 1)
        bottom.set_ylabel("share of chains", fontsize=8)
        bottom.set_xlabel("step (classifier's class of each state)", fontsize=8)
        bottom.tick_params(labelsize=7)
        bottom.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize=7, frameon=False)
    fig.savefig(path)
    plt.close(fig)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("name", help="an export serving 'chain' (rbm-digits, rbm-fashion-mnist, ...)")
    parser.add_argument("-o", "--output", required=True, help="PNG to write (an existing file is not replaced)")
    parser.add_argument("--chains", type=int, default=8, help="rows of the picture")
    parser.add_argument("--steps", type=int, default=1000, help="chain steps")
    parser.add_argument("--columns", type=int, default=12, help=f"steps shown (at most {MAX_COLUMNS})")
    parser.add_argument("--spacing", choices=("log", "linear"), default="log")
    parser.add_argument("--histogram-chains", type=int, default=100,
                        help="chains whose every state is classified (0: no histogram)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    output = Path(args.output)
    if output.exists():
        raise SystemExit(f"error: {output} exists; choose another --output (nothing is overwritten).")
    if not 1 <= args.columns <= MAX_COLUMNS or args.columns > args.steps:
        raise SystemExit(f"error: --columns must be in [1, min({MAX_COLUMNS}, --steps)]. Received: --columns {args.columns}")

    import zoo

    model = zoo.load(args.name)
    states = run_chain(model, args.chains, args.seed, args.steps)
    columns = shown_steps(args.steps, args.columns, args.spacing)
    title = f"{model.card.name}: {args.chains} chains from noise, seed {args.seed} (columns: steps)"
    shares = names = None
    classifier = classifier_for(model.card.dataset) if args.histogram_chains else None
    if classifier is not None:
        classify, names = classifier
        # Other chains than the picture's (seed + 1), so the histogram is not read off those rows.
        many = run_chain(model, args.histogram_chains, args.seed + 1, args.steps)
        shares, switches = class_shares(many, classify, len(names))
        print(f"{args.name}: class shares of {args.histogram_chains} chains (seed {args.seed + 1}) along {args.steps} steps")
        print("step    " + " ".join(f"{name[:7]:>8}" for name in names) + "   changed")
        for step in shown_steps(args.steps, min(args.columns, args.steps), args.spacing):
            changed = f"{switches[step - 2]:>9.3f}" if step > 1 else f"{'-':>9}"
            print(f"{step:<8}" + " ".join(f"{share:>8.2f}" for share in shares[step - 1]) + changed)
        half = len(switches) // 2
        print(f"share of chains changing class per step, second half of the chain: {switches[half:].mean():.4f}")
    draw(states, columns, output, title, shares, names)
    print(f"wrote {output}")


if __name__ == "__main__":
    main()
