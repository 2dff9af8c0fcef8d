"""MAF (Papamakarios et al. 2017, arXiv:1705.07057) rows: 8×8 digits (the digits and exact-likelihood protocols) and
the grid25 mixture (§1, §5), measured as the RealNVP rows are (recipes/protocols.py)."""
from recipes.base import Recipe, adam, register
from recipes.protocols import digits_rows, evaluate_exact_digits, exact_mixture_rows, flow_layers, likelihood_protocol
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
