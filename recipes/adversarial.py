"""Recipes of the critic-based and unrolled adversarial families, and of GAN with the
stabilisation tricks, on the 2-D mixtures (PROTOCOLS.md §1).

Every recipe shares the networks of ``gan-*`` (MLPs, BN + ReLU generator on a 2-D z,
LeakyReLU critic without batch norm: the gradient penalties are per example) and differs
in the game, the optimizers and the step count; the hyper-parameters are the papers'
unless a comment says why they were changed (tuned here with ``--seeds 1 --no-export``).
"""
from __future__ import annotations

import dataclasses

import keras

from recipes.base import Recipe, register
from recipes.mixtures import PROTOCOL, evaluate_mixture, mixture_data
from zoo.networks import mlp

PAPERS = {
    "wgan": ["Arjovsky, Chintala & Bottou 2017, Wasserstein GAN, arXiv:1701.07875"],
    "wgan-gp": ["Gulrajani et al. 2017, Improved Training of Wasserstein GANs, arXiv:1704.00028"],
    "cramer": ["Bellemare et al. 2017, The Cramer Distance as a Solution to Biased Wasserstein Gradients, "
               "arXiv:1705.10743"],
    "unrolled": ["Metz et al. 2017, Unrolled Generative Adversarial Networks, arXiv:1611.02163"],
    "tricks": ["Salimans et al. 2016, Improved Techniques for Training GANs, arXiv:1606.03498",
               "Arjovsky & Bottou 2017, Towards Principled Methods for Training GANs, arXiv:1701.04862"],
}


@dataclasses.dataclass(frozen=True)
class Setting:
    """One recipe's knobs: networks, optimizer and family arguments."""

    family: str
    width: int = 64  # narrower than gan-*'s 256: n_critic / unrolled steps multiply the cost
    depth: int = 3
    critic_dim: int = 1  # the output size of the discriminator (Cramér's h maps to R^k)
    optimizer: str = "adam"
    lr: float = 1e-4
    beta_1: float = 0.5
    beta_2: float = 0.9
    family_kwargs: tuple = ()


def networks(setting: Setting):
    generator = mlp(2, 2, hidden=(setting.width,) * setting.depth, batch_norm=True, name="generator")
    discriminator = mlp(2, setting.critic_dim, hidden=(setting.width,) * setting.depth, activation="leaky_relu",
                        name="discriminator")
    return generator, discriminator


def _optimizer(setting: Setting):
    if setting.optimizer == "rmsprop":
        return keras.optimizers.RMSprop(setting.lr)
    return keras.optimizers.Adam(setting.lr, beta_1=setting.beta_1, beta_2=setting.beta_2)


def build_model(setting: Setting, seed: int):
    import zoo.families

    keras.utils.set_random_seed(seed)
    generator, discriminator = networks(setting)
    family = getattr(zoo.families, setting.family)
    model = family(generator, discriminator, seed=seed, **dict(setting.family_kwargs))
    model.compile(g_optimizer=_optimizer(setting), d_optimizer=_optimizer(setting))
    return model


def adversarial_recipe(name, dataset, setting, steps, description, papers, batch_size=128):
    return register(Recipe(
        name=name, dataset=dataset, build=lambda seed: build_model(setting, seed), data=mixture_data(dataset),
        steps=steps, batch_size=batch_size, evaluate=evaluate_mixture(dataset), protocol=PROTOCOL,
        description=description, papers=papers,
    ))


# ----------------------------------------------------------------------------- recipes
# WGAN: RMSProp and n_critic = 5 as Algorithm 1, but c = 0.1 and lr 2e-4 instead of the
# paper's 0.01 and 5e-5: with c = 0.01 the critic of 2-D inputs stayed all but constant here
# (Wasserstein estimate 0.000 after 375 steps, no signal for G); the paper's images have
# thousands of input dimensions for the clipped weights to add up over.
WGAN = Setting("WGAN", optimizer="rmsprop", lr=2e-4,
               family_kwargs=(("clip_value", 0.1), ("n_critic", 5)))
# WGAN-GP: λ = 10, n_critic = 5, Adam β = (0.5, 0.9) of the authors' toy experiments
# (gan_toy.py; their image experiments use β₁ = 0).
WGANGP = Setting("WGANGP", lr=1e-4, family_kwargs=(("penalty_weight", 10.0), ("n_critic", 5)))
# Cramér GAN: λ = 10, n_critic = 5, h: x -> R^32.
CRAMER = Setting("CramerGAN", critic_dim=32, lr=1e-4,
                 family_kwargs=(("penalty_weight", 10.0), ("n_critic", 5)))
# Unrolled GAN: 5 unrolled Adam steps (the paper's mixture experiments), Adam 2e-4 β₁ 0.5.
UNROLLED = Setting("UnrolledGAN", lr=2e-4, beta_2=0.999,
                   family_kwargs=(("unroll_steps", 5), ("unroll_optimizer", "adam")))
# GAN with annealed instance noise (σ₀ = 0.1 -> 0 over the first 2/3 of training).
GAN_NOISE = Setting("GAN", lr=2e-4, beta_2=0.999,
                    family_kwargs=(("instance_noise", 0.1), ("noise_anneal_steps", 2000)))

# Step counts: one seed of each must train in minutes on the 2 shared CPU cores (the
# critic families do n_critic = 5 critic updates per step, Unrolled GAN 5 unrolled ones).
RECIPES = {
    "wgan": (WGAN, 2000, "WGAN (weight clipping, RMSProp)"),
    "wgan-gp": (WGANGP, 2000, "WGAN-GP (two-sided gradient penalty)"),
    "cramer": (CRAMER, 2000, "Cramér GAN (energy distance in a learned space, gradient penalty)"),
    "unrolled": (UNROLLED, 2000, "Unrolled GAN (5 unrolled Adam steps of the discriminator)"),
}

for _dataset in ("ring8", "grid25"):
    for _prefix, (_setting, _steps, _what) in RECIPES.items():
        adversarial_recipe(f"{_prefix}-{_dataset}", _dataset, _setting, _steps,
                           f"{_what} on the {_dataset} 2-D Gaussian mixture.", PAPERS[_prefix])
adversarial_recipe("gan-instance-noise-grid25", "grid25", GAN_NOISE, 3000,
                   "GAN with annealed instance noise on the grid25 2-D Gaussian mixture.",
                   PAPERS["tricks"])
