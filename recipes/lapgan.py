"""LAPGAN (Denton et al. 2015) rows: a Laplacian pyramid of GANs, one (generator,
discriminator) pair per level, coarse to fine; shipped on 8×8 digits (the digits protocol),
recipe-only on CIFAR-10."""
from recipes.base import Recipe, net, players, register
from recipes.dcgan import DCGAN_ADAM
from recipes.protocols import REAL_LATENT, digits_rows, fashion_rows, tfds_rows
from zoo import papers

register(Recipe(
    name="lapgan-digits", family="LAPGAN", **digits_rows(),
    # Two levels: an MLP GAN draws the 4×4 image, a conditional convolutional GAN the 8×8
    # residual given its upsampled 4×4 (z = [16 coarse, 16 residual]).
    networks={
        "generators": [net("mlp_generator", 16, (4, 4, 1), hidden=(128, 128), batch_norm=True, name="generator_4"),
                       net("laplacian_generator", 8, 1, noise_dim=16, filters=32, depth=3, kernel_size=3,
                           name="generator_8")],
        "discriminators": [net("mlp_discriminator", (4, 4, 1), hidden=(128, 128), dropout=0.3, name="discriminator_4"),
                           net("dcgan_discriminator", 8, 1, filters=32, start_size=2, input_channels=2,
                               name="discriminator_8")],
    },
    # 9,000 steps, not 2,000: the pyramid's FID is set by its coarsest GAN.  In seed 0 of the
    # 2,000-step recipe (FID 28.4, no better than a Gaussian's 29.8) the 8×8 level was sound -- the
    # real 4×4 images with generated residuals scored FID 6.4 -- but the 4×4 MLP GAN was not yet
    # trained: its samples, upsampled alone, scored 62 against the real 4×4 images' 52, and the
    # residual level, trained on real low-pass images, turned them into poor digits.  The same
    # seed scored 12.4 at 6,000 steps and 9.1 at 9,000 (about 2.5 min a seed on one thread).
    # (Tried at 2,000 steps: no batch norm in G_0, 92; DCGAN networks for the 4×4 level, 60;
    # PacGAN packing 2, 38; the generators' moving average, 59; 256-wide MLPs, 25.7; label
    # smoothing 0.2, 24.1.  At 6,000: 256-wide MLPs 11.4, label smoothing 0.2 11.4.)
    optimizers=players(DCGAN_ADAM), steps=9000,
    description=("LAPGAN (Denton et al. 2015) on 8×8 digits: a 2-level Laplacian pyramid (2×2 average pooling, "
                 "nearest upsampling); an MLP GAN for the 4×4 image and a convolutional GAN for the 8×8 "
                 "residual conditioned on the upsampled 4×4, sampled coarse to fine."),
    papers=[papers.GAN],
))

register(Recipe(
    name="lapgan-cifar10", family="LAPGAN",
    **tfds_rows("cifar10", (32, 32, 3), "LAPGAN (Denton et al. 2015) on CIFAR-10: a 3-level Laplacian pyramid "
                "8 -> 16 -> 32, fully connected GAN at 8×8, conditional convolutional GANs for the residuals."),
    # The paper's CIFAR-10 pyramid (§4): a fully connected GAN for the 8×8 image,
    # convolutional conditional GANs (128 maps) for the 16×16 and 32×32 residuals.
    networks={
        "generators": [
            net("mlp_generator", REAL_LATENT, (8, 8, 3), hidden=(1200, 1200), batch_norm=True, name="generator_8"),
            net("laplacian_generator", 16, 3, noise_dim=REAL_LATENT, filters=128, depth=3, name="generator_16"),
            net("laplacian_generator", 32, 3, noise_dim=REAL_LATENT, filters=128, depth=3, name="generator_32")],
        "discriminators": [
            net("mlp_discriminator", (8, 8, 3), hidden=(600, 600), dropout=0.5, name="discriminator_8"),
            net("dcgan_discriminator", 16, 3, filters=64, input_channels=6, name="discriminator_16"),
            net("dcgan_discriminator", 32, 3, filters=64, input_channels=6, name="discriminator_32")],
    },
    optimizers=players(DCGAN_ADAM), steps=50_000, papers=[papers.GAN],
))

register(Recipe(
    name="lapgan-fashion-mnist", family="LAPGAN", **fashion_rows(),
    # A 3-level pyramid 7 -> 14 -> 28 (the paper's CIFAR-10 design at Fashion-MNIST's size): a fully
    # connected GAN for the 7×7 image, conditional convolutional GANs for the 14×14 and 28×28
    # residuals given the upsampled coarser image; z = [32 coarse, 16, 16].  32 maps, not the
    # paper's 128: the 28×28 level's stride-1 convolutions set the cost (1.9 steps/s at 64 maps
    # on one thread here, too slow for the 40-minute budget).
    networks={
        "generators": [
            net("mlp_generator", 32, (7, 7, 1), hidden=(256, 256), batch_norm=True, name="generator_7"),
            net("laplacian_generator", 14, 1, noise_dim=16, filters=32, depth=3, kernel_size=3, name="generator_14"),
            net("laplacian_generator", 28, 1, noise_dim=16, filters=32, depth=3, kernel_size=3, name="generator_28")],
        "discriminators": [
            net("mlp_discriminator", (7, 7, 1), hidden=(256, 256), dropout=0.3, name="discriminator_7"),
            net("dcgan_discriminator", 14, 1, filters=32, input_channels=2, name="discriminator_14"),
            net("dcgan_discriminator", 28, 1, filters=32, input_channels=2, name="discriminator_28")],
    },
    optimizers=players(DCGAN_ADAM), steps=6000,
    description=("LAPGAN (Denton et al. 2015) on Fashion-MNIST: a 3-level Laplacian pyramid 7 -> 14 -> 28 (2×2 "
                 "average pooling, nearest upsampling); an MLP GAN for the 7×7 image and convolutional GANs for "
                 "the residuals conditioned on the upsampled coarser image, sampled coarse to fine."),
    papers=[papers.GAN],
))
