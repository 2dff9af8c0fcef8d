"""RealNVP (Dinh et al. 2017, arXiv:1605.08803) rows: 8×8 digits (PROTOCOLS.md §3, §5) and the
ring8 mixture (§1, §5), with their exact likelihoods.

Affine couplings over MLPs (:func:`zoo.families.realnvp.coupling_network`); on digits the
halves are a spatial checkerboard's colours and the data go through Dinh et al.'s logit
transform after uniform dequantisation (the family does both).  The evaluations below are
shared with the MAF rows (recipes/maf.py): a flow is measured the same way whatever its layers.
"""
from recipes.base import Recipe, adam, net, register
from recipes.protocols import digits_protocol, digits_rows, evaluate_digit_samples, mixture_rows
from zoo.data import DIGITS_SHAPE

LIKELIHOOD_PROTOCOL = ("PROTOCOLS.md §5: test-split log-likelihood (nats per image on the [-1, 1] scale, "
                       "log p = log P + 64 log 8) and bits per dimension (-log2 P / 64); flows: log-mean-exp over "
                       "16 dequantisations per image (a lower bound, Theis et al. 2016 §3.1)")
POINTS_PROTOCOL = ("; exact log-density of 10,000 test points (beside the true mixture's), and the density's "
                   "integral over a grid (cells of 0.005 on ring8, 0.02 on grid25; PROTOCOLS.md §5: 1 within 1 %)")
# The squares the density integral covers (the mixtures lie within ±1.03 and ±4.15; a flow's
# tails reach further early in training), with cells of 0.005 and 0.02.
INTEGRAL_GRIDS = {"ring8": ((-3.0, 3.0), 1200), "grid25": ((-8.0, 8.0), 800)}


def likelihood_protocol() -> str:
    return f"{LIKELIHOOD_PROTOCOL}; samples: {digits_protocol()}"


def evaluate_exact_digits(dequantize):
    """The test-split likelihood (``zoo.metrics.likelihood``) and the digits sample protocol."""
    def evaluate(model, seed):
        from zoo.metrics.likelihood import digits_log_likelihood

        return {**digits_log_likelihood(model.log_prob, dequantize=dequantize, seed=seed),
                **evaluate_digit_samples(model, seed)}

    return evaluate


def exact_mixture_rows(dataset):
    """:func:`recipes.protocols.mixture_rows` plus the exact density's measures."""
    rows = mixture_rows(dataset)
    coverage = rows["evaluate"]

    def evaluate(model, seed):
        from zoo.metrics.likelihood import density_integral, points_log_likelihood

        bounds, resolution = INTEGRAL_GRIDS[dataset]
        return {**coverage(model, seed), **points_log_likelihood(model.log_prob, dataset),
                "density_integral": density_integral(model.log_prob, bounds, resolution)}

    return {**rows, "evaluate": evaluate, "protocol": rows["protocol"] + POINTS_PROTOCOL}


def flow_layers(builder, event_size, layers, hidden, prefix):
    """One network per flow layer: ``builder(event_size, hidden, name=f"{prefix}_{k}")``."""
    return [net(builder, event_size, hidden, name=f"{prefix}_{k}") for k in range(layers)]


def couplings(event_size, layers, hidden):
    return flow_layers("zoo.families.realnvp:coupling_network", event_size, layers, hidden, "coupling")


register(Recipe(
    name="realnvp-digits", family="RealNVP",
    **{**digits_rows(evaluate=evaluate_exact_digits(dequantize=True), protocol=likelihood_protocol),
       "batch_size": 128},
    networks={"couplings": couplings(64, 6, (128, 128))},
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
