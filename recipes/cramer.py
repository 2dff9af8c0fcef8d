"""Cramér GAN rows on the 2-D mixtures (the mixtures protocol): λ = 10, n_critic = 5, the critic
h: x -> R^32, on the WGAN rows' networks and schedule."""
from recipes.base import Recipe, adam, players, register
from recipes.protocols import MIXTURE_TRAINING, MIXTURES, mixture_networks, mixture_rows
from recipes.wgan import CRITIC_BATCH, CRITIC_STEPS, CRITIC_WIDTH
from zoo import papers


for _dataset in MIXTURES:
    register(Recipe(
        name=f"cramer-{_dataset}", family="CramerGAN", **mixture_rows(_dataset),
        networks=mixture_networks(CRITIC_WIDTH, critic_dim=32), options={"penalty_weight": 10.0, "n_critic": 5, **MIXTURE_TRAINING},
        optimizers=players(adam(1e-4, beta_1=0.5, beta_2=0.9)), steps=CRITIC_STEPS, batch_size=CRITIC_BATCH,
        description=(f"Cramér GAN (energy distance in a learned space, gradient penalty) on the {_dataset} "
                     "2-D Gaussian mixture."),
        papers=[papers.CRAMER],
    ))
