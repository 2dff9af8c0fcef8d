"""DCGAN (Radford et al. 2016) rows: shipped on 8×8 digits (the digits protocol); recipe-only on
CelebA, MNIST and CIFAR-10 (their TFDS data cannot be downloaded where the zoo is built; each
is tested end to end on ``tfds.testing.mock_data``).

The DCGAN optimiser (Radford et al. 2016, §4) throughout: Adam, lr 2e-4, β1 = 0.5.
"""
from recipes.base import Recipe, adam, net, players, register
from recipes.protocols import DIGITS_LATENT, FASHION_SHAPE, REAL_LATENT, digits_rows, fashion_rows, tfds_rows

DCGAN_ADAM = adam(2e-4, beta_1=0.5)


def dcgan_networks(latent_dim, resolution, channels, **kwargs):
    """The DCGAN generator and its mirrored discriminator at ``resolution`` (``zoo.networks``)."""
    return {"generator": net("dcgan_generator", latent_dim, resolution, channels, **kwargs),
            "discriminator": net("dcgan_discriminator", resolution, channels, **kwargs)}


register(Recipe(
    name="dcgan-digits", family="DCGAN", **digits_rows(),
    # z -> 2×2×64 -> 4×4×32 -> 8×8×1; D mirrors it.
    networks=dcgan_networks(DIGITS_LATENT, 8, 1, filters=32, start_size=2),
    # 12,000 steps: seed 0 FID 3.2 (20,000: 3.5; 3,000: 5.5 over 3 seeds).  No EMA:
    # the averaged generator with the raw network's batch-norm statistics scored FID 8.0 at
    # 3,000 steps against 5.5 raw (the statistics belong to other weights).
    optimizers=players(DCGAN_ADAM), steps=12_000,
    description=("DCGAN (Radford et al. 2016) on 8×8 digits: the same network builder as dcgan-celeba at "
                 "resolution 8 (z 32 -> 2×2×64 -> 4×4×32 -> 8×8×1; D mirrored, LeakyReLU 0.2)."),
))

for _name, _dataset, _shape, _steps, _description in (
    ("dcgan-celeba", "celeb_a", (64, 64, 3), 50_000,
     "DCGAN (Radford et al. 2016) on CelebA faces, the paper's 64×64 network (z 100 -> 4×4×512 -> ... -> 64×64×3), "
     "centre 108×108 crop resized to 64×64; about 32 epochs."),
    ("dcgan-mnist", "mnist", (28, 28, 1), 20_000,
     "DCGAN on MNIST at 28×28 (z 100 -> 7×7×128 -> 14×14×64 -> 28×28×1); about 43 epochs."),
    ("dcgan-cifar10", "cifar10", (32, 32, 3), 50_000,
     "DCGAN on CIFAR-10 at 32×32 (z 100 -> 4×4×256 -> 8×8×128 -> 16×16×64 -> 32×32×3); 128 epochs."),
):
    register(Recipe(
        name=_name, family="DCGAN", **tfds_rows(_dataset, _shape, _description),
        networks=dcgan_networks(REAL_LATENT, _shape[0], _shape[2], filters=64, num_classes=None),
        optimizers=players(DCGAN_ADAM), steps=_steps,
    ))

register(Recipe(
    name="dcgan-fashion-mnist", family="DCGAN", **{**fashion_rows(), "seeds": 3},
    # z 100 -> 7×7×128 -> 14×14×64 -> 28×28×1 (BN, ReLU, tanh); D mirrored (LeakyReLU 0.2): the
    # paper's networks at 28×28 (G 0.76M, D 0.14M parameters), its Adam (2e-4, β1 0.5), batch 64.
    # No EMA: the averaged weights would meet batch-norm statistics of the raw ones.
    # 8,000 steps (8.5 epochs) a seed, 3 seeds, to keep the recipe within 40 minutes here.
    networks=dcgan_networks(REAL_LATENT, FASHION_SHAPE[0], 1, filters=64),
    optimizers=players(DCGAN_ADAM), steps=8000,
    description=("DCGAN (Radford et al. 2016) on Fashion-MNIST at 28×28: z 100 -> 7×7×128 -> 14×14×64 -> "
                 "28×28×1 (BN, ReLU, tanh), discriminator mirrored (LeakyReLU 0.2)."),
))
