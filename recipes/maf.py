"""MAF (Papamakarios et al. 2017, arXiv:1705.07057) rows: 8×8 digits (the digits and exact-likelihood protocols),
the grid25 mixture (§1, §5) and Fashion-MNIST in bits per dimension, measured as the RealNVP rows are
(recipes/protocols.py)."""
from recipes.base import LinearDecay, Recipe, adam, register
from recipes.protocols import (FASHION_SHAPE, digits_rows, evaluate_exact_digits, exact_mixture_rows,
                               fashion_likelihood_rows, flow_layers, likelihood_protocol)
from zoo.data import DIGITS_SHAPE


def mades(event_size, layers, hidden):
    return flow_layers("zoo.families.maf:MADE", event_size, layers, hidden, "made")


register(Recipe(
    name="maf-digits", family="MAF",
    **{**digits_rows(evaluate=evaluate_exact_digits(dequantize=True), protocol=likelihood_protocol),
       "batch_size": 128},
    networks={"mades": mades(64, 4, (128, 128))},
    # Steps for the test log-likelihood, as RealNVP's (recipes/realnvp.py): seed 0 at 3,000
    # steps FID 10.1 and 29.8 nats, at 6,000 FID 8.1 and 18.7 (this row: 14.4 and 36.4 over 5
    # seeds); AdamW (weight decay 0.05) at 6,000 FID 8.0 and 17.3 nats.
    options={"data_shape": DIGITS_SHAPE, "levels": 17}, optimizers={"flow_optimizer": adam(1e-3)}, steps=1500,
    description=("MAF on 8×8 digits: 4 MADE layers (64 -> 128 -> 128 -> 2×64, raster order reversed between "
                 "layers) over Dinh et al.'s logit transform of the uniformly dequantised 17 grey levels; exact "
                 "log-likelihood served as log_prob (sampling takes 64 passes per layer)."),
))

register(Recipe(
    name="maf-grid25", family="MAF", **exact_mixture_rows("grid25"),
    networks={"mades": mades(2, 5, (64, 64))},
    # data_scale 4: the flow works on values of order 1 (the grid spans ±4).
    options={"data_shape": (2,), "data_scale": 4.0}, optimizers={"flow_optimizer": adam(1e-3)}, steps=1500,
    batch_size=256,
    description=("MAF on the grid25 2-D mixture: 5 MADE layers (2 -> 64 -> 64 -> 4, order reversed between "
                 "layers) on the data scaled by 1/4; exact log-density served as log_prob."),
))

# The export holds every weight twice (model.keras and the SavedModel's variables, about 8 bytes a
# weight), and MADE's masks zero most of them without making them smaller: under the 10 MB budget
# the flow has about 1.1 million weights.  A MADE with one hidden layer of H units on 784 pixels has
# 784 H + 2 · 784 H weights, so the paper's MNIST flows (5 layers, H = 1,024, batch normalisation
# between them) would take about 96 MB.
# Of two such flows tried for 3 minutes each on one shared thread (Adam 1e-3, 26 steps/s both), 5
# layers of 90 units reached 4.47 test bits/dim at 3,300 steps (first 2,000 test images), 2 layers
# of 224 units 4.61: depth did more than seeing the nearest pixels (with H < 783 an output sees the
# inputs up to the last hidden degree below its own, 783 / (H + 1) apart: up to 8 pixels back).
MAF_FASHION_LAYERS, MAF_FASHION_HIDDEN, MAF_FASHION_STEPS = 5, 90, 25_000

register(Recipe(
    name="maf-fashion-mnist", family="MAF", **fashion_likelihood_rows(dequantize=True),
    networks={"mades": mades(784, MAF_FASHION_LAYERS, (MAF_FASHION_HIDDEN,))},
    options={"data_shape": FASHION_SHAPE, "levels": 256, "log_scale_bound": 2.0},
    # The rate decayed linearly to 0 (recipes.base.LinearDecay); the gradient's norm clipped as
    # RealNVP's (recipes/realnvp.py).  25,000 steps (27 epochs) took 14 minutes on one shared
    # thread, the evaluation (its 10,000 samples take 784 passes per layer) 5 more.
    optimizers={"flow_optimizer": adam(LinearDecay(1e-3, MAF_FASHION_STEPS), global_clipnorm=100.0)},
    steps=MAF_FASHION_STEPS,
    description=(f"MAF on Fashion-MNIST: {MAF_FASHION_LAYERS} MADE layers (784 -> {MAF_FASHION_HIDDEN} -> 2×784, "
                 "raster order reversed between layers) over Dinh et al.'s logit transform of the uniformly "
                 "dequantised 256 grey levels, a Gaussian base; exact log-likelihood served as log_prob "
                 "(sampling takes 784 passes per layer)."),
))
