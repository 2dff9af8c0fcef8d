"""Divergence estimation table (the divergence-estimation protocol, docs/protocols.md): P = N(0, 1), Q = N(1, 1).

    python benchmarks/divergence_estimation.py                 # 3 sample draws, 20k a side
    python benchmarks/divergence_estimation.py --draws 5 --samples 20000 --steps 400
    python benchmarks/divergence_estimation.py --write         # and write it into docs/results-divergence.md

For each of the nine f-divergences of f-GAN and for W1: the truth (``scipy.integrate.quad``
over ``zoo.divergences``' f, and tfp's closed-form KL as a check), the estimate of
``zoo.metrics.estimate_divergence`` (a trained critic) as mean ± s.e. over independent
sample draws, and the bound at the *optimal* critic T* = f′(p/q) on the same samples: the
best any critic can do with those samples, so ``oracle − truth`` is the sampling error and
``estimate − oracle`` the critic's.  Then the same for the plug-in estimates through the
density-ratio estimators (classifier trick, ratio matching).  Prints a markdown table.
"""
from __future__ import annotations

import argparse
import math
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

DIVERGENCES = ["kl", "reverse_kl", "pearson", "neyman", "squared_hellinger", "jeffrey", "jensen_shannon",
               "gan", "total_variation", "w1"]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--draws", type=int, default=3, help="independent sample draws (and critic seeds)")
    parser.add_argument("--samples", type=int, default=20_000, help="samples of P and of Q per draw")
    parser.add_argument("--steps", type=int, default=400, help="critic training steps")
    parser.add_argument("--only", default=None, help="comma-separated subset of divergences")
    parser.add_argument("--write", action="store_true",
                        help="also put the table into docs/results-divergence.md between its markers")
    args = parser.parse_args(argv)

    import tensorflow as tf
    import tensorflow_probability as tfp

    from zoo import divergences as fd
    from zoo.metrics import (classifier_density_ratio, estimate_divergence, f_divergence_1d,
                             ratio_matching_density_ratio, wasserstein1_1d)

    tfd = tfp.distributions
    P, Q = tfd.Normal(np.float64(0.0), np.float64(1.0)), tfd.Normal(np.float64(1.0), np.float64(1.0))
    names = args.only.split(",") if args.only else DIVERGENCES
    draws = [(np.random.default_rng(1000 + i).normal(0.0, 1.0, args.samples),
              np.random.default_rng(2000 + i).normal(1.0, 1.0, args.samples)) for i in range(args.draws)]

    def log_ratio(x):
        return 0.5 - x  # log p/q for these two Gaussians

    def oracle(name, p, q):
        if name == "w1":
            return float(np.mean(-p) - np.mean(-q))  # f(x) = −x is optimal and 1-Lipschitz
        d = fd.get(name)
        ratio = lambda x: tf.constant(np.exp(log_ratio(x)), tf.float64)  # noqa: E731
        t_p, t_q = d.optimal_critic(ratio(p)), d.optimal_critic(ratio(q))
        return float(tf.reduce_mean(t_p) - tf.reduce_mean(d.conjugate(t_q)))

    def mean_se(values):
        values = np.asarray(values, dtype=np.float64)
        se = values.std(ddof=1) / math.sqrt(len(values)) if len(values) > 1 else 0.0
        return values.mean(), se

    rows = []
    start = time.time()
    for name in names:
        truth = wasserstein1_1d(P, Q) if name == "w1" else f_divergence_1d(name, P, Q)
        if name == "kl":
            assert abs(truth - float(tfd.kl_divergence(P, Q))) < 1e-8
        estimates = [estimate_divergence(p, q, name, steps=args.steps, seed=i) for i, (p, q) in enumerate(draws)]
        oracles = [oracle(name, p, q) for p, q in draws]
        rows.append((f"`{name}`", "critic (f-GAN bound)" if name != "w1" else "critic (WGAN-GP)", truth,
                     mean_se(estimates), mean_se(oracles)))
        print(f"# {name}: truth {truth:.4f}, estimates {np.round(estimates, 4).tolist()} "
              f"({time.time() - start:.0f} s)", file=sys.stderr, flush=True)

    if not args.only:
        kl_truth, pearson_truth = 0.5, math.e - 1
        for label, estimator in (("classifier r = D/(1−D)", classifier_density_ratio),
                                 ("ratio matching", ratio_matching_density_ratio)):
            kls, pearsons = [], []
            for i, (p, q) in enumerate(draws):
                ratio = estimator(p, q, steps=args.steps, seed=i)
                kls.append(float(np.mean(ratio.log_ratio(p))))  # KL = E_P[log r]
                r_p, r_q = ratio(p).numpy(), ratio(q).numpy()
                pearsons.append(float(2 * np.mean(r_p) - np.mean(r_q ** 2) - 1))  # χ² bound at T = 2(r − 1)
            oracle_kl = [float(np.mean(log_ratio(p))) for p, _ in draws]
            oracle_pearson = [oracle("pearson", p, q) for p, q in draws]
            rows.append(("`kl`", f"{label}: E_P[log r̂]", kl_truth, mean_se(kls), mean_se(oracle_kl)))
            rows.append(("`pearson`", f"{label}: 2E_P[r̂] − E_Q[r̂²] − 1", pearson_truth, mean_se(pearsons),
                         mean_se(oracle_pearson)))
            print(f"# {label} done ({time.time() - start:.0f} s)", file=sys.stderr, flush=True)

    command = "python benchmarks/divergence_estimation.py" + "".join(
        f" --{k} {v}" for k, v in (("draws", args.draws), ("samples", args.samples), ("steps", args.steps)))
    text = table(rows, args, command)
    print(text)
    if args.write:
        from docs_blocks import write_block  # benchmarks/ is on sys.path when run as a script

        write_block(text, "divergence-estimation", "docs/results-divergence.md")


def table(rows, args, command):
    lines = [f"P = N(0, 1), Q = N(1, 1); {args.samples:,} samples a side; mean ± s.e. over {args.draws} "
             f"independent draws (critic seed = draw); {args.steps} critic steps.", "",
             "| divergence D(P‖Q) | estimator | truth | estimate | error | optimal critic on the same samples |",
             "|---|---|---|---|---|---|"]
    for name, estimator, truth, (m, s), (om, os_) in rows:
        error = 100 * (m / truth - 1)
        lines.append(f"| {name} | {estimator} | {truth:.4f} | {m:.4f} ± {s:.4f} | {error:+.1f} % "
                     f"| {om:.4f} ± {os_:.4f} |")
    lines += ["", f"Command: `{command}`"]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
