"""Unrolled GAN rows on the 2-D mixtures (the mixtures protocol): 5 unrolled Adam steps of the
discriminator (the paper's mixture experiments), Adam 2e-4 β₁ 0.5, on the WGAN rows' networks
and schedule (each step costs 5 unrolled updates)."""
from recipes.base import Recipe, adam, players, register
from recipes.protocols import MIXTURE_TRAINING, MIXTURES, mixture_networks, mixture_rows
from recipes.wgan import CRITIC_BATCH, CRITIC_STEPS, CRITIC_WIDTH
from zoo import papers


for _dataset in MIXTURES:
    register(Recipe(
        name=f"unrolled-{_dataset}", family="UnrolledGAN", **mixture_rows(_dataset),
        networks=mixture_networks(CRITIC_WIDTH), options={"unroll_steps": 5, "unroll_optimizer": "adam", **MIXTURE_TRAINING},
        optimizers=players(adam(2e-4, beta_1=0.5, beta_2=0.999)), steps=CRITIC_STEPS, batch_size=CRITIC_BATCH,
        description=(f"Unrolled GAN (5 unrolled Adam steps of the discriminator) on the {_dataset} "
                     "2-D Gaussian mixture."),
        papers=[papers.UNROLLED],
    ))
