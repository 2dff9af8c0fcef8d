"""GAN (Goodfellow et al. 2014) rows: on the 2-D mixtures (PROTOCOLS.md §1), with annealed
instance noise, and with fully connected networks on 8×8 digits (§3)."""
from recipes.base import Recipe, adam, net, players, register
from recipes.protocols import DIGITS_LATENT, MIXTURES, digits_rows, mixture_networks, mixture_rows
from zoo import papers
from zoo.data import DIGITS_SHAPE

for _dataset in MIXTURES:
    for _loss, _name in (("non_saturating", f"gan-{_dataset}"), ("minimax", f"gan-minimax-{_dataset}")):
        register(Recipe(
            name=_name, family="GAN", **mixture_rows(_dataset), networks=mixture_networks(),
            options={"loss": _loss}, optimizers=players(adam(2e-4, beta_1=0.5)), steps=5000, batch_size=256,
            description=f"GAN ({_loss.replace('_', '-')} generator loss) on the {_dataset} 2-D Gaussian mixture.",
        ))

# Annealed instance noise (σ₀ = 0.1 -> 0 over the first 2/3 of training), on the narrower
# networks of the critic families.
register(Recipe(
    name="gan-instance-noise-grid25", family="GAN", **mixture_rows("grid25"), networks=mixture_networks(64),
    options={"instance_noise": 0.1, "noise_anneal_steps": 2000},
    optimizers=players(adam(2e-4, beta_1=0.5, beta_2=0.999)), steps=3000, batch_size=128,
    description="GAN with annealed instance noise on the grid25 2-D Gaussian mixture.",
    papers=[papers.IMPROVED_TECHNIQUES, papers.INSTANCE_NOISE],
))

register(Recipe(
    name="gan-digits", family="GAN", **digits_rows(),
    # Goodfellow et al.'s fully connected GAN: MLP G (ReLU, tanh output), MLP D with dropout.
    networks={"generator": net("mlp_generator", DIGITS_LATENT, DIGITS_SHAPE, hidden=(256, 256), batch_norm=True),
              "discriminator": net("mlp_discriminator", DIGITS_SHAPE, hidden=(256, 256), dropout=0.3)},
    optimizers=players(adam(2e-4, beta_1=0.5)), steps=4000,
    description=("GAN (Goodfellow et al. 2014) with fully connected networks on 8×8 digits: G 32 -> 256 -> 256 "
                 "-> 64 (BN + ReLU, tanh), D 64 -> 256 -> 256 -> 1 (LeakyReLU, dropout 0.3); the baseline of "
                 "the convolutional families."),
    papers=[papers.GAN],
))
