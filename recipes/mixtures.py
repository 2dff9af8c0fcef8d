"""Recipes on the 2-D Gaussian mixtures (PROTOCOLS.md §1)."""
from __future__ import annotations

import keras

from recipes.base import Recipe, register
from zoo.data import mixture_dataset
from zoo.metrics import mode_coverage
from zoo.networks import mlp

PROTOCOL = "PROTOCOLS.md §1 (VEEGAN/PacGAN): 2,500 samples; high quality = within 3σ of nearest mean"
EVAL_SAMPLES = 2500
EVAL_SEED = 12345  # the sample seed; training seeds differ per run


def evaluate_mixture(dataset):
    def evaluate(model, seed):
        samples, _ = model.sample(EVAL_SAMPLES, EVAL_SEED + seed)
        return mode_coverage(samples.numpy(), dataset)

    return evaluate


def mixture_data(dataset):
    return lambda batch_size, seed: mixture_dataset(dataset, batch_size, seed=seed)


def gan_networks(width=128, depth=3):
    """G: 2-D z, BN + ReLU hidden layers (PacGAN's generator, narrower); D: ReLU MLP."""
    generator = mlp(2, 2, hidden=(width,) * depth, batch_norm=True, name="generator")
    discriminator = mlp(2, 1, hidden=(width,) * depth, activation="leaky_relu", name="discriminator")
    return generator, discriminator


def _gan_recipe(dataset, loss, name, steps=5000, batch_size=256, lr=2e-4):
    def build(seed):
        from zoo.families import GAN

        keras.utils.set_random_seed(seed)
        generator, discriminator = gan_networks()
        model = GAN(generator, discriminator, loss=loss, seed=seed)
        model.compile(
            g_optimizer=keras.optimizers.Adam(lr, beta_1=0.5),
            d_optimizer=keras.optimizers.Adam(lr, beta_1=0.5),
        )
        return model

    return register(Recipe(
        name=name, dataset=dataset, build=build, data=mixture_data(dataset), steps=steps,
        batch_size=batch_size, evaluate=evaluate_mixture(dataset), protocol=PROTOCOL,
        description=f"GAN ({loss.replace('_', '-')} generator loss) on the {dataset} 2-D Gaussian mixture.",
    ))


for _dataset in ("ring8", "grid25"):
    _gan_recipe(_dataset, "non_saturating", f"gan-{_dataset}")
    _gan_recipe(_dataset, "minimax", f"gan-minimax-{_dataset}")
