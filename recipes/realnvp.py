"""RealNVP (Dinh et al. 2017, arXiv:1605.08803) rows: 8×8 digits (the digits and exact-likelihood protocols), the
ring8 mixture (§1, §5), with their exact likelihoods, and Fashion-MNIST (the paper's multi-scale convolutional
architecture, §3.6) in bits per dimension.

Affine couplings over MLPs (:func:`zoo.families.realnvp.coupling_network`); on digits the
halves are a spatial checkerboard's colours and the data go through Dinh et al.'s logit
transform after uniform dequantisation (the family does both).  The evaluations below are
in recipes/protocols.py, shared with the MAF and PixelCNN rows.
"""
from recipes.base import Recipe, adam, net, register
from recipes.protocols import (FASHION_SHAPE, digits_rows, evaluate_exact_digits, exact_mixture_rows,
                               fashion_likelihood_rows, flow_layers, likelihood_protocol)
from zoo.data import DIGITS_SHAPE

def couplings(event_size, layers, hidden):
    return flow_layers("zoo.families.realnvp:coupling_network", event_size, layers, hidden, "coupling")


register(Recipe(
    name="realnvp-digits", family="RealNVP",
    **{**digits_rows(evaluate=evaluate_exact_digits(dequantize=True), protocol=likelihood_protocol),
       "batch_size": 128},
    networks={"couplings": couplings(64, 6, (128, 128))},
    # Steps for the test log-likelihood, the measure of this family.  Trained on, the samples
    # improve while the test likelihood falls (the 1,437 training digits are learnt): seed 0
    # at 2,000 steps FID 11.9 and 25.4 nats, at 4,000 FID 10.2 and 7.6 (this row: 17.3 and
    # 36.5 over 5 seeds); AdamW (weight decay 0.05) at 4,000 FID 10.9 and 11.8 nats.
    options={"data_shape": DIGITS_SHAPE, "levels": 17}, optimizers={"flow_optimizer": adam(1e-3)}, steps=1000,
    description=("RealNVP on 8×8 digits: 6 affine couplings (MLP 32 -> 128 -> 128 -> 64) alternating the two "
                 "colours of a checkerboard, over Dinh et al.'s logit transform of the uniformly dequantised "
                 "17 grey levels; exact log-likelihood served as log_prob."),
))

register(Recipe(
    name="realnvp-ring8", family="RealNVP", **exact_mixture_rows("ring8"),
    networks={"couplings": couplings(2, 8, (64, 64))},
    options={"data_shape": (2,)}, optimizers={"flow_optimizer": adam(1e-3)}, steps=1500, batch_size=256,
    description=("RealNVP on the ring8 2-D mixture: 8 affine couplings (MLP 1 -> 64 -> 64 -> 2) alternating "
                 "the coordinates; exact log-density served as log_prob."),
))


register(Recipe(
    name="realnvp-fashion-mnist", family="RealNVP", **{**fashion_likelihood_rows(dequantize=True), "seeds": 3},
    # Dinh et al.'s multi-scale architecture (§3.6) with 2 squeezes: 3 checkerboard and 3 channel
    # couplings at 28×28 and 14×14, 4 checkerboard couplings at 7×7 (16 couplings), each a small
    # ResNet (32 filters, 1 residual block; theirs: 64 filters, 8 blocks, batch norm, weight norm):
    # 0.7 steps/s on one shared thread with 2 blocks, too slow for 40 minutes.  Without their batch
    # normalisation, Adam at 1e-3 and log-scales bounded by ±3 diverged within 1,000 steps (a test
    # bits/dim of 12 against 6.7 at the start): the gradient's norm is clipped and each coupling's
    # log-scale bounded by ±2.  3 seeds: the export is seed 0's (1,500 steps in 24 minutes with its
    # evaluation); seeds 1-2 went into its card with --into-card from a new run folder, trained side
    # by side on a slower machine (3 s a step on each of the 2 cores; docs/training.md).
    networks={"couplings": net("zoo.families.realnvp:conv_couplings", FASHION_SHAPE, 2, filters=32, blocks=1)},
    options={"data_shape": FASHION_SHAPE, "levels": 256, "num_scales": 2, "log_scale_bound": 2.0},
    optimizers={"flow_optimizer": adam(5e-4, global_clipnorm=100.0)}, steps=1500,
    description=("RealNVP on Fashion-MNIST: Dinh et al.'s multi-scale architecture, 2 squeezes and 16 affine "
                 "couplings (checkerboard and channel masks) over convolutional ResNets (32 filters), half the "
                 "channels factored out per scale, on the logit of the uniformly dequantised 256 grey levels; "
                 "exact log-likelihood served as log_prob."),
))
