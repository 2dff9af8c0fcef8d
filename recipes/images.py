"""Recipes of the image GANs: GAN (MLP), DCGAN, conditional GAN and LAPGAN.

Shipped (trained here on scikit-learn's 8×8 digits, PROTOCOLS.md §3): ``gan-digits``,
``dcgan-digits``, ``cgan-digits``, ``lapgan-digits``.

Recipe-only (their TFDS datasets cannot be downloaded on the machine that builds the zoo;
each is tested end to end on ``tfds.testing.mock_data``): ``dcgan-celeba`` (64×64),
``dcgan-mnist``, ``dcgan-cifar10``, ``cgan-mnist``, ``lapgan-cifar10``.

The DCGAN optimiser (Radford et al. 2016, §4) throughout: Adam, lr 2e-4, β1 = 0.5.
"""
from __future__ import annotations

import keras
import numpy as np

from recipes.base import Recipe, register
from zoo.data import DIGITS_SHAPE, NUM_CLASSES, digits_dataset
from zoo.metrics.digits import PROTOCOL as DIGITS_PROTOCOL

EVAL_SEED = 12345  # the sampling seed of the evaluation (plus the run's seed)
EVAL_SAMPLES = 10_000  # the digits protocol's Parzen set (its FID set is the first 1,000)
LABEL_SAMPLES = 100  # per label, for the conditional accuracy
DIGITS_LATENT = 32
LR, BETA_1 = 2e-4, 0.5
LABEL_PROTOCOL = ("; label accuracy: 100 samples per label k = 0..9, the share the digits classifier "
                  "calls k (label_accuracy_k per label)")
GAN_PAPER = "Goodfellow et al. 2014, Generative Adversarial Nets, arXiv:1406.2661"


def _adam():
    return keras.optimizers.Adam(LR, beta_1=BETA_1)


def _compile(model):
    model.compile(g_optimizer=_adam(), d_optimizer=_adam())
    return model


# --------------------------------------------------------------------------- evaluation
def evaluate_digit_samples(model, seed):
    """The digits protocol (``zoo.metrics.evaluate_digits``) on 10,000 samples of ``model``."""
    from zoo.metrics import evaluate_digits

    samples, _ = model.sample(EVAL_SAMPLES, EVAL_SEED + seed)
    return dict(evaluate_digits(np.asarray(samples)))


def label_accuracy(model, seed, per_label=LABEL_SAMPLES):
    """How often the digits classifier calls a sample drawn for label k "k".

    ``per_label`` samples for each of the 10 labels; returns the overall accuracy
    (``label_accuracy``) and one per label (``label_accuracy_k``).
    """
    from zoo.metrics.digits import classify

    labels = np.repeat(np.arange(NUM_CLASSES, dtype=np.int32), per_label)
    samples, _ = model.sample(len(labels), EVAL_SEED + seed, labels)
    predicted = classify(np.asarray(samples))[1].argmax(axis=1)
    correct = predicted == labels
    metrics = {"label_accuracy": float(correct.mean())}
    metrics.update({f"label_accuracy_{k}": float(correct[labels == k].mean()) for k in range(NUM_CLASSES)})
    return metrics


def evaluate_conditional_digits(model, seed):
    return {**evaluate_digit_samples(model, seed), **label_accuracy(model, seed)}


def digits_data(labels=False):
    return lambda batch_size, seed: digits_dataset(batch_size, seed=seed, labels=labels)


# --------------------------------------------------------------------------- digits
def build_gan_digits(seed):
    """Goodfellow et al.'s fully connected GAN: MLP G (ReLU, tanh output), MLP D with dropout."""
    from zoo.families import GAN
    from zoo.networks import mlp_discriminator, mlp_generator

    keras.utils.set_random_seed(seed)
    generator = mlp_generator(DIGITS_LATENT, DIGITS_SHAPE, hidden=(256, 256), batch_norm=True)
    discriminator = mlp_discriminator(DIGITS_SHAPE, hidden=(256, 256), dropout=0.3)
    return _compile(GAN(generator, discriminator, seed=seed))


def build_dcgan_digits(seed):
    """DCGAN at 8×8: z -> 2×2×64 -> 4×4×32 -> 8×8×1; D mirrors it."""
    from zoo.families import DCGAN
    from zoo.networks import dcgan_discriminator, dcgan_generator

    keras.utils.set_random_seed(seed)
    generator = dcgan_generator(DIGITS_LATENT, 8, 1, filters=32, start_size=2)
    discriminator = dcgan_discriminator(8, 1, filters=32, start_size=2)
    return _compile(DCGAN(generator, discriminator, seed=seed))


def build_cgan_digits(seed):
    """The DCGAN-digits networks with the one-hot label concatenated to z and to D's input."""
    from zoo.families import ConditionalGAN
    from zoo.networks import dcgan_discriminator, dcgan_generator

    keras.utils.set_random_seed(seed)
    generator = dcgan_generator(DIGITS_LATENT, 8, 1, filters=32, start_size=2, num_classes=NUM_CLASSES)
    discriminator = dcgan_discriminator(8, 1, filters=32, start_size=2, num_classes=NUM_CLASSES)
    return _compile(ConditionalGAN(generator, discriminator, num_classes=NUM_CLASSES, seed=seed))


def build_lapgan_digits(seed):
    """A two-level pyramid: an MLP GAN draws the 4×4 image, a conditional convolutional GAN
    the 8×8 residual given its upsampled 4×4 (z = [16 coarse, 16 residual])."""
    from zoo.families import LAPGAN
    from zoo.networks import dcgan_discriminator, laplacian_generator, mlp_discriminator, mlp_generator

    keras.utils.set_random_seed(seed)
    generators = [mlp_generator(16, (4, 4, 1), hidden=(128, 128), batch_norm=True, name="generator_4"),
                  laplacian_generator(8, 1, noise_dim=16, filters=32, depth=3, kernel_size=3, name="generator_8")]
    discriminators = [mlp_discriminator((4, 4, 1), hidden=(128, 128), dropout=0.3, name="discriminator_4"),
                      dcgan_discriminator(8, 1, filters=32, start_size=2, input_channels=2, name="discriminator_8")]
    return _compile(LAPGAN(generators, discriminators, seed=seed))


def _digits_recipe(name, build, steps, description, evaluate=evaluate_digit_samples, labels=False, papers=(),
                   batch_size=64):
    return register(Recipe(
        name=name, dataset="digits", build=build, data=digits_data(labels), steps=steps, batch_size=batch_size,
        evaluate=evaluate, protocol=DIGITS_PROTOCOL + (LABEL_PROTOCOL if labels else ""), data_kind="images", description=description,
        papers=list(papers),
    ))


_digits_recipe(
    "gan-digits", build_gan_digits, steps=4000,
    description=("GAN (Goodfellow et al. 2014) with fully connected networks on 8×8 digits: G 32 -> 256 -> 256 "
                 "-> 64 (BN + ReLU, tanh), D 64 -> 256 -> 256 -> 1 (LeakyReLU, dropout 0.3); the baseline of "
                 "the convolutional families."),
    papers=[GAN_PAPER],
)
_digits_recipe(
    "dcgan-digits", build_dcgan_digits, steps=3000,
    description=("DCGAN (Radford et al. 2016) on 8×8 digits: the same network builder as dcgan-celeba at "
                 "resolution 8 (z 32 -> 2×2×64 -> 4×4×32 -> 8×8×1; D mirrored, LeakyReLU 0.2)."),
)
_digits_recipe(
    "cgan-digits", build_cgan_digits, steps=3000, evaluate=evaluate_conditional_digits, labels=True,
    description=("Conditional GAN (Mirza & Osindero 2014) on 8×8 digits with DCGAN networks: one-hot labels "
                 "concatenated to z and, as 10 constant planes, to D's input. sample(n, seed, labels) draws "
                 "the digits asked for."),
)
_digits_recipe(
    "lapgan-digits", build_lapgan_digits, steps=2000,
    description=("LAPGAN (Denton et al. 2015) on 8×8 digits: a 2-level Laplacian pyramid (2×2 average pooling, "
                 "nearest upsampling); an MLP GAN for the 4×4 image and a convolutional GAN for the 8×8 "
                 "residual conditioned on the upsampled 4×4, sampled coarse to fine."),
    papers=[GAN_PAPER],
)


# --------------------------------------------------------------------------- real datasets
# Recipe-only: TFDS cannot download these here, so no weights ship; the cards say what to run.
REAL_LATENT = 100  # the DCGAN paper's z (uniform there, N(0, I) here as everywhere in the zoo)
REAL_BATCH = 128  # §4: mini-batch SGD with batch 128


def tfds_data(dataset, labels=False):
    """``(batch_size, seed) -> batches`` of a TFDS image dataset (``zoo.data.tfds_dataset``)."""
    def data(batch_size, seed):
        from zoo.data import tfds_dataset

        return tfds_dataset(dataset, batch_size, seed=seed, labels=labels)

    return data


def _requires(dataset, shape):
    return (f"Needs the TFDS dataset {dataset!r} ({'×'.join(map(str, shape))} images in [-1, 1]) prepared on the "
            f"training machine: `tfds build {dataset}` where there is internet, then copy it into "
            f"~/tensorflow_datasets or set TFDS_DATA_DIR.")


def _dcgan_builder(resolution, channels, filters=64, conditional=False):
    def build(seed):
        from zoo.families import DCGAN, ConditionalGAN
        from zoo.networks import dcgan_discriminator, dcgan_generator

        keras.utils.set_random_seed(seed)
        num_classes = 10 if conditional else None
        generator = dcgan_generator(REAL_LATENT, resolution, channels, filters=filters, num_classes=num_classes)
        discriminator = dcgan_discriminator(resolution, channels, filters=filters, num_classes=num_classes)
        if conditional:
            return _compile(ConditionalGAN(generator, discriminator, num_classes=10, seed=seed))
        return _compile(DCGAN(generator, discriminator, seed=seed))

    return build


def build_lapgan_cifar10(seed):
    """Denton et al.'s CIFAR-10 pyramid 8 -> 16 -> 32 (§4): a fully connected GAN for the 8×8
    image, convolutional conditional GANs (128 maps) for the 16×16 and 32×32 residuals."""
    from zoo.families import LAPGAN
    from zoo.networks import dcgan_discriminator, laplacian_generator, mlp_discriminator, mlp_generator

    keras.utils.set_random_seed(seed)
    generators = [mlp_generator(REAL_LATENT, (8, 8, 3), hidden=(1200, 1200), batch_norm=True, name="generator_8"),
                  laplacian_generator(16, 3, noise_dim=REAL_LATENT, filters=128, depth=3, name="generator_16"),
                  laplacian_generator(32, 3, noise_dim=REAL_LATENT, filters=128, depth=3, name="generator_32")]
    discriminators = [mlp_discriminator((8, 8, 3), hidden=(600, 600), dropout=0.5, name="discriminator_8"),
                      dcgan_discriminator(16, 3, filters=64, input_channels=6, name="discriminator_16"),
                      dcgan_discriminator(32, 3, filters=64, input_channels=6, name="discriminator_32")]
    return _compile(LAPGAN(generators, discriminators, seed=seed))


def _real_recipe(name, dataset, shape, build, steps, description, labels=False, papers=()):
    return register(Recipe(
        name=name, dataset=dataset, build=build, data=tfds_data(dataset, labels), steps=steps,
        batch_size=REAL_BATCH, evaluate=None, data_kind="images",
        description=f"{description} {_requires(dataset, shape)}", papers=list(papers),
    ))


_real_recipe(
    "dcgan-celeba", "celeb_a", (64, 64, 3), _dcgan_builder(64, 3), steps=50_000,
    description=("DCGAN (Radford et al. 2016) on CelebA faces, the paper's 64×64 network (z 100 -> 4×4×512 -> "
                 "... -> 64×64×3), centre 108×108 crop resized to 64×64; about 32 epochs."),
)
_real_recipe(
    "dcgan-mnist", "mnist", (28, 28, 1), _dcgan_builder(28, 1), steps=20_000,
    description="DCGAN on MNIST at 28×28 (z 100 -> 7×7×128 -> 14×14×64 -> 28×28×1); about 43 epochs.",
)
_real_recipe(
    "dcgan-cifar10", "cifar10", (32, 32, 3), _dcgan_builder(32, 3), steps=50_000,
    description="DCGAN on CIFAR-10 at 32×32 (z 100 -> 4×4×256 -> 8×8×128 -> 16×16×64 -> 32×32×3); 128 epochs.",
)
_real_recipe(
    "cgan-mnist", "mnist", (28, 28, 1), _dcgan_builder(28, 1, conditional=True), steps=20_000, labels=True,
    description=("Conditional GAN (Mirza & Osindero 2014) on MNIST with DCGAN networks at 28×28 and one-hot "
                 "labels; sample(n, seed, labels)."),
)
_real_recipe(
    "lapgan-cifar10", "cifar10", (32, 32, 3), build_lapgan_cifar10, steps=50_000,
    description=("LAPGAN (Denton et al. 2015) on CIFAR-10: a 3-level Laplacian pyramid 8 -> 16 -> 32, fully "
                 "connected GAN at 8×8, conditional convolutional GANs for the residuals."),
    papers=[GAN_PAPER],
)

RECIPE_ONLY = ("dcgan-celeba", "dcgan-mnist", "dcgan-cifar10", "cgan-mnist", "lapgan-cifar10")


def recipe_card(name):
    """The ``card.json`` of a recipe-only name: what ``export`` would write, without weights.

    ``files`` stays empty, so the registry lists the name as untrained and ``zoo.load`` answers
    with the recipe command and the data it needs.  Regenerate with
    ``python -c "from recipes.images import write_recipe_cards; write_recipe_cards()"``.
    """
    from recipes import get_recipe
    from zoo.exports import _parameter_count
    from zoo.registry import ModelCard

    recipe = get_recipe(name)
    model = recipe.build(0)
    return ModelCard(
        name=name, family=getattr(model, "FAMILY", type(model).__name__.lower()), dataset=recipe.dataset,
        description=recipe.description, papers=list(getattr(model, "PAPERS", ())) + list(recipe.papers),
        data_shape=list(model.data_shape), data_kind=recipe.data_kind, latent_dim=model.latent_dim,
        output_range=[-1.0, 1.0],
        conditioning={"num_classes": model.num_classes} if getattr(model, "num_classes", None) else None,
        signatures=sorted([*model.serving_functions(), "serving_default"]), recipe=recipe.command(),
        steps=recipe.steps, parameters=_parameter_count(model),
    )


def write_recipe_cards(names=RECIPE_ONLY, out_dir=None):
    from zoo.registry import CARD_FILE, REPO_EXPORTS

    for name in names:
        folder = (out_dir or REPO_EXPORTS) / name
        folder.mkdir(parents=True, exist_ok=True)
        (folder / CARD_FILE).write_text(recipe_card(name).to_json())
