"""Density-ratio-matching GAN rows on the 2-D mixtures (PROTOCOLS.md §1), on the f-GAN rows'
networks and schedule."""
from recipes.base import Recipe, adam, players, register
from recipes.fgan import STEPS_PER_EXECUTION
from recipes.protocols import MIXTURES, mixture_networks, mixture_rows
from zoo import papers

DIVERGENCE = "reverse_kl"

for _dataset in MIXTURES:
    register(Recipe(
        name=f"ratio-{_dataset}", family="RatioMatchingGAN", **mixture_rows(_dataset),
        networks=mixture_networks(128, 3), options={"divergence": DIVERGENCE},
        optimizers=players(adam(5e-4, beta_1=0.5)), steps=3000, batch_size=256,
        steps_per_execution=STEPS_PER_EXECUTION,
        description=(f"GAN by density-ratio matching (r = softplus(V), ½E_q[r²] − E_p[r]; generator "
                     f"descends {DIVERGENCE.replace('_', ' ')} through r) on the {_dataset} 2-D Gaussian mixture."),
        papers=[papers.IMPLICIT_MODELS, papers.DENSITY_RATIO_GAN],
    ))
