"""GAN (Goodfellow et al. 2014) rows: on the 2-D mixtures (the mixtures protocol), with annealed
instance noise, and with fully connected networks on 8×8 digits (§3) and Fashion-MNIST."""
from recipes.base import LinearDecay, Recipe, adam, net, players, register
from recipes.protocols import (DIGITS_LATENT, FASHION_SHAPE, MIXTURE_TRAINING, MIXTURES, REAL_LATENT, digits_rows,
                               fashion_rows, mixture_networks, mixture_rate, mixture_rows)
from zoo import papers
from zoo.data import DIGITS_SHAPE

# The mixture rows (the mixtures protocol), tuned here with ``--seeds 1 --no-export``: 128×3 networks
# without batch norm (``mixture_networks`` says why), PacGAN2 and the averaged generator
# (``MIXTURE_TRAINING``), Adam 2e-4 β1 0.5 decayed on ring8 only (``mixture_rate``), batch 256,
# 20,000 steps.  ``gan-grid25`` alone trains G 256×4 and D 256×3 (3× the cost of a step): in
# single-seed trials it reached 25/25 at 96.6-97.8 % high quality (the 5-seed card: 91.1 %,
# seeds 85.8-95.4 %).
MIXTURE_STEPS = 20_000
for _dataset in MIXTURES:
    _rate = mixture_rate(_dataset, 2e-4, MIXTURE_STEPS)
    for _loss, _name in (("non_saturating", f"gan-{_dataset}"), ("minimax", f"gan-minimax-{_dataset}")):
        register(Recipe(
            name=_name, family="GAN", **mixture_rows(_dataset),
            networks=mixture_networks(256, 3, generator_depth=4) if _name == "gan-grid25" else mixture_networks(),
            options={"loss": _loss, **MIXTURE_TRAINING}, optimizers=players(adam(_rate, beta_1=0.5)),
            steps=MIXTURE_STEPS, batch_size=256,
            description=(f"GAN ({_loss.replace('_', '-')} generator loss) on the {_dataset} 2-D Gaussian mixture: "
                         "PacGAN2 discriminator, averaged generator (EMA 0.999) exported."),
            papers=[papers.PACGAN, papers.EMA],
        ))

# Annealed instance noise (σ₀ = 0.1 -> 0 over the first 2/3 of training), on the earlier 64-wide
# networks with batch norm in G, without EMA or packing.  With the current training (128×3, no
# BN, PacGAN2, EMA, 10,000 steps, noise annealed over 6,000) it did worse: 11-23 modes on 4
# seeds against 20.4 ± 0.4 here; instance noise and packing are not combined yet.
register(Recipe(
    name="gan-instance-noise-grid25", family="GAN", **mixture_rows("grid25"),
    networks=mixture_networks(64, batch_norm=True),
    options={"instance_noise": 0.1, "noise_anneal_steps": 2000},
    optimizers=players(adam(2e-4, beta_1=0.5, beta_2=0.999)), steps=3000, batch_size=128,
    description="GAN with annealed instance noise on the grid25 2-D Gaussian mixture.",
    papers=[papers.IMPROVED_TECHNIQUES, papers.INSTANCE_NOISE],
))

register(Recipe(
    name="gan-digits", family="GAN", **digits_rows(),
    # Goodfellow et al.'s fully connected GAN: MLP G (ReLU, tanh output), MLP D with dropout.
    # G without batch norm, its moving average exported (the statistics of a BN layer
    # belong to the raw weights: with them the average scored FID 9.2 at 4,000 steps, raw 6.0),
    # and 40,000 steps.  Seed 0 trials: raw with BN 3.3 at 20,000 steps; no BN + EMA 3.1 at
    # 20,000, 2.8 at 40,000.
    networks={"generator": net("mlp_generator", DIGITS_LATENT, DIGITS_SHAPE, hidden=(256, 256)),
              "discriminator": net("mlp_discriminator", DIGITS_SHAPE, hidden=(256, 256), dropout=0.3)},
    options={"ema_decay": 0.999}, optimizers=players(adam(2e-4, beta_1=0.5)), steps=40_000,
    description=("GAN (Goodfellow et al. 2014) with fully connected networks on 8×8 digits: G 32 -> 256 -> 256 "
                 "-> 64 (ReLU, tanh), D 64 -> 256 -> 256 -> 1 (LeakyReLU, dropout 0.3), averaged generator "
                 "(EMA 0.999) exported; the baseline of the convolutional families."),
    papers=[papers.GAN, papers.EMA],
))

# Goodfellow et al.'s fully connected GAN at 28×28, shared by the Fashion-MNIST f-GAN rows
# (recipes/fgan.py) so that those rows differ only in the game played: G 100 -> 256 -> 512 -> 784
# (ReLU, tanh), D 784 -> 256 -> 256 -> 1 (LeakyReLU, dropout 0.3); no BN in G, so its moving
# average is exported (as gan-digits).  The widths keep the export under 10 MB: it holds G three
# times (G and its average in model.keras, the average in the SavedModel) and D once.  The
# earlier G 100 -> 512 -> 512, D 784 -> 512 -> 256 made a 13 MB export (FID 245.8 at 20,000
# steps).  At these widths, 30,000-step single-seed trials (FID of the average every 10,000
# steps; the raw G far behind it) gave f-GAN KL 1464 / 464 / 317 (raw 592) and PacGAN2 GAN
# 400 / 360 / 321 (raw 593), still falling: so 120,000 steps (25 minutes on one shared thread),
# with the rate decayed linearly to 0 so that the last steps settle rather than circle.  That run
# scored FID 222.7 (GAN) and 256.4 (f-GAN KL), all 10 classes but class KL 0.11 and 0.09.
FASHION_MLP_STEPS = 120_000
FASHION_MLP_NETWORKS = {
    "generator": net("mlp_generator", REAL_LATENT, FASHION_SHAPE, hidden=(256, 512)),
    "discriminator": net("mlp_discriminator", FASHION_SHAPE, hidden=(256, 256), dropout=0.3),
}
FASHION_MLP_TEXT = ("G 100 -> 256 -> 512 -> 784 (ReLU, tanh), D 784 -> 256 -> 256 -> 1 (LeakyReLU, dropout 0.3), "
                    "Adam decayed linearly to 0 over 120,000 steps, averaged generator (EMA 0.999) exported")

register(Recipe(
    name="gan-fashion-mnist", family="GAN", **fashion_rows(),
    networks=FASHION_MLP_NETWORKS, options={"ema_decay": 0.999},
    optimizers=players(adam(LinearDecay(2e-4, FASHION_MLP_STEPS), beta_1=0.5)), steps=FASHION_MLP_STEPS,
    description=f"GAN (Goodfellow et al. 2014) with fully connected networks on Fashion-MNIST: {FASHION_MLP_TEXT}.",
    papers=[papers.EMA],
))
