"""Generative stochastic network rows (walkback denoising auto-encoder; Bengio et al. 2013, 2014):
binarised 8×8 digits and binarised Fashion-MNIST (``zoo.data.binarized``).  GSN has no tractable
likelihood; the papers report a Parzen estimate, which the digits sample protocol includes (and
`zoo eval gsn-fashion-mnist` with the Fashion-MNIST protocol).  Samples are the chain's binary
state after the row's ``sample_steps`` transitions from random bits."""
from recipes.base import Recipe, adam, net, register
from recipes.protocols import binarized_rows, digits_protocol, evaluate_digit_samples

GSN_NETWORK = "zoo.families.gsn:gsn_network"


def gsn_digits_protocol() -> str:
    return f"samples: the chain's binary state after the export's sample_steps; {digits_protocol()}"


def gsn_fashion_protocol() -> str:
    return "samples: the chain's binary state after the export's sample_steps; `zoo eval` by the Fashion-MNIST protocol"


def walkback_loss(model, seed):
    """The walkback reconstruction cost on the binarised test split (nats per image, mean over
    the walk's steps): how well P(x | x̃) denoises images it never trained on."""
    from zoo.data.binarized import binarized_split

    dataset = "digits" if model.data_shape == (8, 8, 1) else "fashion-mnist"
    x_test = binarized_split(dataset)[2]
    logs = model.evaluate(x_test, batch_size=200, verbose=0, return_dict=True)
    return {"test_walkback_nll": float(logs["walkback_nll"]), "test_first_step_nll": float(logs["first_step_nll"])}


def evaluate_digits(model, seed):
    return {**walkback_loss(model, seed), **evaluate_digit_samples(model, seed)}


register(Recipe(
    name="gsn-digits", family="GSN",
    **binarized_rows("binarized_digits", evaluate_digits, gsn_digits_protocol),
    networks={"network": net(GSN_NETWORK, (8, 8, 1), hidden=(500,))},
    options={"noise": 0.4, "walkback": 3, "sample_steps": 100},
    optimizers={"gsn_optimizer": adam(1e-3)}, steps=3000,
    description=("Walkback denoising auto-encoder (a GSN) on stochastically binarised 8×8 digits: salt-and-pepper "
                 "corruption (40 %), a Bernoulli reconstruction P(x | x̃) by a 500-unit tanh MLP, 3 walkback steps; "
                 "samples from its Markov chain (100 steps from random bits; sample_steps and chain signatures)."),
))

register(Recipe(
    name="gsn-fashion-mnist", family="GSN",
    **binarized_rows("binarized_fashion_mnist", walkback_loss, gsn_fashion_protocol),
    # 500 hidden units: with 1,000 the export weighed 13 MB.  Walkback 5: with 3 (8,000 steps, 1,000
    # units), 53 % of the chains from random bits settled, at 100 and at 300 steps, into white-
    # background images the data never has (a spurious mode, Bengio et al. 2013 §3.3).
    networks={"network": net(GSN_NETWORK, (28, 28, 1), hidden=(500,))},
    options={"noise": 0.4, "walkback": 5, "sample_steps": 100},
    optimizers={"gsn_optimizer": adam(1e-3)}, steps=12000,
    description=("Walkback denoising auto-encoder (a GSN) on stochastically binarised Fashion-MNIST: salt-and-pepper "
                 "corruption (40 %), a Bernoulli reconstruction P(x | x̃) by a 500-unit tanh MLP, 5 walkback "
                 "steps; samples from its Markov chain (100 steps from random bits; sample_steps and chain signatures)."),
))
