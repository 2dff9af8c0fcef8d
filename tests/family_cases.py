"""Tiny, fast instances of every family, for the tests parametrised over the families.

The families list themselves (``zoo.families.families()``), and :data:`CASES` covers each:

- a family with a ``@case(name, family)`` below is tested on that case (tiny networks, one
  batch): write one when the family's recipe rows are too large for a fast test, or to
  cover an option (EMA, packing, a variant);
- a family without one is tested on its smallest recipe row that trains offline
  (:func:`recipe_case`): adding a family file and a recipe row is enough;
- a family with neither fails ``tests/test_contract.py::test_every_family_has_a_case``.

A case returns a compiled model and one batch of training data (a NumPy array, or a tuple
``(x, labels)`` for conditional families).
"""
import keras
import numpy as np

CASES = {}
FAMILY_OF = {}  # case name -> the class name in zoo.families it instantiates
RECIPE_CASE_BATCH = 16
# Datasets a recipe case can train on here: the bundled digits (grey and binarised) and the synthetic mixtures.
OFFLINE_DATASETS = ("ring8", "grid25", "digits", "binarized_digits")


def case(name, family):
    def register(fn):
        CASES[name] = fn
        FAMILY_OF[name] = family
        return fn

    return register


def recipe_rows(family):
    """The recipe rows of ``family`` (a class name) that train offline, smallest first (2-D
    mixtures before digits, then by name)."""
    from recipes import RECIPES

    rows = [r for r in RECIPES.values() if r.family == family and r.dataset in OFFLINE_DATASETS]
    return sorted(rows, key=lambda r: (OFFLINE_DATASETS.index(r.dataset), r.name))


def recipe_case(recipe_name):
    """A case built from a recipe row: its networks and optimizers, a batch of its data."""
    from recipes import RECIPES

    recipe = RECIPES[recipe_name]

    def build(seed=0):
        model = recipe.build(seed)
        batch = next(iter(recipe.data(RECIPE_CASE_BATCH, seed)))
        return model, (tuple(np.asarray(b) for b in batch) if isinstance(batch, tuple) else np.asarray(batch))

    return build


def recipe_cases(families, covered):
    """``{recipe name: (family, case)}``: for each family in ``families`` (class names) not in
    ``covered``, a case from its smallest offline recipe row (none if it has no such row)."""
    cases = {}
    for family in sorted(set(families) - set(covered)):
        rows = recipe_rows(family)
        if rows:
            cases[rows[0].name] = (family, recipe_case(rows[0].name))
    return cases


def _add_recipe_cases():
    """One case for each family without a hand-written one: its smallest offline recipe row."""
    import zoo.families

    for name, (family, build) in recipe_cases(zoo.families.families(), FAMILY_OF.values()).items():
        CASES[name], FAMILY_OF[name] = build, family


def points_batch(n=16, seed=0):
    from zoo.data import mixture_samples

    return mixture_samples("ring8", n, seed)


@case("gan", "GAN")
def gan_case(seed=0, loss="non_saturating"):
    from zoo.families import GAN
    from zoo.networks import mlp

    keras.utils.set_random_seed(seed)
    model = GAN(mlp(2, 2, hidden=(8,), name="generator"), mlp(2, 1, hidden=(8,), name="discriminator"),
                loss=loss, seed=seed)
    model.compile(g_optimizer=keras.optimizers.SGD(0.1), d_optimizer=keras.optimizers.SGD(0.1))
    return model, points_batch(seed=seed)


def digits_batch(n=16, seed=0, labels=False):
    """``n`` training digits ([n, 8, 8, 1] in [-1, 1]), with their int32 labels if asked."""
    from zoo.data import digits_split

    x, y, _, _ = digits_split()
    index = np.random.default_rng(seed).choice(len(x), n, replace=False)
    return (x[index], y[index]) if labels else x[index]


# Synchronized batch norm in the tiny image cases: per-replica statistics would make
# 2-replica training differ from 1-device training by design, not by a bug.
@case("dcgan", "DCGAN")
def dcgan_case(seed=0, packing=1, **kwargs):
    from zoo.families import DCGAN
    from zoo.networks import dcgan_discriminator, dcgan_generator

    keras.utils.set_random_seed(seed)
    model = DCGAN(dcgan_generator(4, 8, 1, filters=4, start_size=4, batch_norm="synchronized"),
                  dcgan_discriminator(8, 1, filters=4, start_size=4, batch_norm="synchronized", packing=packing),
                  packing=packing, seed=seed, **kwargs)
    model.compile(g_optimizer=keras.optimizers.SGD(0.05), d_optimizer=keras.optimizers.SGD(0.05))
    return model, digits_batch(seed=seed)


@case("cgan", "ConditionalGAN")
def cgan_case(seed=0):
    from zoo.families import ConditionalGAN
    from zoo.networks import dcgan_discriminator, dcgan_generator

    keras.utils.set_random_seed(seed)
    model = ConditionalGAN(
        dcgan_generator(4, 8, 1, filters=4, start_size=4, num_classes=10, batch_norm="synchronized"),
        dcgan_discriminator(8, 1, filters=4, start_size=4, num_classes=10, batch_norm="synchronized"),
        num_classes=10, seed=seed)
    model.compile(g_optimizer=keras.optimizers.SGD(0.05), d_optimizer=keras.optimizers.SGD(0.05))
    return model, digits_batch(seed=seed, labels=True)


@case("lapgan", "LAPGAN")
def lapgan_case(seed=0, packing=1, **kwargs):
    from zoo.families import LAPGAN
    from zoo.networks import dcgan_discriminator, laplacian_generator, mlp_discriminator, mlp_generator

    keras.utils.set_random_seed(seed)
    generators = [mlp_generator(2, (4, 4, 1), hidden=(8,), name="generator_4"),
                  laplacian_generator(8, 1, noise_dim=2, filters=4, depth=2, batch_norm="synchronized",
                                      name="generator_8")]
    discriminators = [mlp_discriminator((4, 4, 1), hidden=(8,), packing=packing, name="discriminator_4"),
                      dcgan_discriminator(8, 1, filters=4, start_size=4, input_channels=2, packing=packing,
                                          batch_norm="synchronized", name="discriminator_8")]
    model = LAPGAN(generators, discriminators, packing=packing, seed=seed, **kwargs)
    model.compile(g_optimizer=keras.optimizers.SGD(0.05), d_optimizer=keras.optimizers.SGD(0.05))
    return model, digits_batch(seed=seed)


def _critic_case(family, seed, critic_dim=1, optimizer=None, packing=1, **kwargs):
    """A family on 2-D points with tiny MLPs (the adversarial families of recipes.adversarial)."""
    import zoo.families
    from zoo.networks import mlp

    keras.utils.set_random_seed(seed)
    model = getattr(zoo.families, family)(mlp(2, 2, hidden=(8,), name="generator"),
                                          mlp(2, critic_dim, hidden=(8, 8), packing=packing, name="discriminator"),
                                          seed=seed, packing=packing, **kwargs)
    optimizer = optimizer or (lambda: keras.optimizers.SGD(0.05))
    model.compile(g_optimizer=optimizer(), d_optimizer=optimizer())
    return model, points_batch(seed=seed)


@case("wgan", "WGAN")
def wgan_case(seed=0):
    return _critic_case("WGAN", seed, n_critic=2, clip_value=0.1)


@case("wgan-gp", "WGANGP")
def wgan_gp_case(seed=0):
    return _critic_case("WGANGP", seed, n_critic=2)


@case("cramer", "CramerGAN")
def cramer_case(seed=0):
    # SGD at 0.01, not the cases' 0.05: at 0.05 three steps of this critic moved weights by 0.68,
    # large enough that float32 round-off parted one device from two replicas by 2.5e-4 of the
    # update on an AVX2-only CPU.
    return _critic_case("CramerGAN", seed, critic_dim=3, n_critic=2, optimizer=lambda: keras.optimizers.SGD(0.01))


@case("unrolled", "UnrolledGAN")
def unrolled_case(seed=0):
    return _critic_case("UnrolledGAN", seed, optimizer=lambda: keras.optimizers.Adam(1e-2), unroll_steps=2)


@case("gan-tricks", "GAN")
def gan_tricks_case(seed=0):
    return _critic_case("GAN", seed, instance_noise=0.1, noise_anneal_steps=10, historical_averaging=0.1)


@case("gan-feature-matching", "GAN")
def gan_feature_matching_case(seed=0):
    return _critic_case("GAN", seed, feature_matching=True)


# ------------------------------------------------------------ auto-encoding families (tiny, 2-D)
def _autoencoder_nets(seed, encoder_outputs=2, noise_dim=0, likelihood_params=1):
    from zoo.networks import mlp_decoder, mlp_encoder

    keras.utils.set_random_seed(seed)
    encoder = mlp_encoder((2,), encoder_outputs, hidden=(8,), noise_dim=noise_dim)
    decoder = mlp_decoder(2, (2,), hidden=(8,), channels_multiplier=likelihood_params)
    return encoder, decoder


@case("vae", "VAE")
def vae_case(seed=0, **kwargs):
    from zoo.families import VAE

    encoder, decoder = _autoencoder_nets(seed, encoder_outputs=4, likelihood_params=2)
    model = VAE(encoder, decoder, seed=seed, **kwargs)
    model.compile(vae_optimizer=keras.optimizers.SGD(0.05))
    return model, points_batch(seed=seed)


@case("vae-gumbel", "VAE")
def vae_gumbel_case(seed=0):
    from zoo.families import VAE
    from zoo.networks import mlp_decoder, mlp_encoder

    keras.utils.set_random_seed(seed)
    # 1 Gaussian dimension + a 3-way relaxed categorical; Bernoulli likelihood on [0, 1] values.
    model = VAE(mlp_encoder((2,), 2 + 3, hidden=(8,)), mlp_decoder(4, (2,), hidden=(8,)), likelihood="bernoulli",
                discrete_dim=3, temperature=0.5, seed=seed)
    model.compile(vae_optimizer=keras.optimizers.SGD(0.05))
    return model, points_batch(seed=seed)


@case("avb", "AVB")
def avb_case(seed=0):
    from zoo.families import AVB
    from zoo.networks import pair_discriminator

    encoder, decoder = _autoencoder_nets(seed, noise_dim=2, likelihood_params=2)
    model = AVB(encoder, decoder, pair_discriminator((2,), 2, hidden=(8,), name="adversary"), seed=seed)
    model.compile(g_optimizer=keras.optimizers.SGD(0.05), e_optimizer=keras.optimizers.SGD(0.05),
                  d_optimizer=keras.optimizers.SGD(0.05))
    return model, points_batch(seed=seed)


@case("aae", "AAE")
def aae_case(seed=0, packing=1, **kwargs):
    from zoo.families import AAE
    from zoo.networks import mlp

    encoder, decoder = _autoencoder_nets(seed)
    model = AAE(encoder, decoder, mlp(2, 1, hidden=(8,), packing=packing, name="discriminator"), packing=packing,
                seed=seed, **kwargs)
    model.compile(ae_optimizer=keras.optimizers.SGD(0.05), d_optimizer=keras.optimizers.SGD(0.05),
                  e_optimizer=keras.optimizers.SGD(0.05))
    return model, points_batch(seed=seed)


@case("wae-mmd", "WAEMMD")
def wae_mmd_case(seed=0):
    from zoo.families import WAEMMD

    encoder, decoder = _autoencoder_nets(seed)
    model = WAEMMD(encoder, decoder, lam=10.0, seed=seed)
    model.compile(ae_optimizer=keras.optimizers.SGD(0.05))
    return model, points_batch(seed=seed)


@case("wae-gan", "WAEGAN")
def wae_gan_case(seed=0, packing=1):
    from zoo.families import WAEGAN
    from zoo.networks import mlp

    encoder, decoder = _autoencoder_nets(seed)
    model = WAEGAN(encoder, decoder, mlp(2, 1, hidden=(8,), packing=packing, name="discriminator"), lam=1.0,
                   packing=packing, seed=seed)
    model.compile(ae_optimizer=keras.optimizers.SGD(0.05), d_optimizer=keras.optimizers.SGD(0.05))
    return model, points_batch(seed=seed)


@case("ali", "ALI")
def ali_case(seed=0, stochastic_encoder=True, packing=1, **kwargs):
    from zoo.families import ALI
    from zoo.networks import pair_discriminator

    encoder, decoder = _autoencoder_nets(seed, encoder_outputs=4 if stochastic_encoder else 2)
    model = ALI(encoder, decoder, pair_discriminator((2,), 2, hidden=(8,), packing=packing),
                stochastic_encoder=stochastic_encoder, packing=packing, seed=seed, **kwargs)
    model.compile(g_optimizer=keras.optimizers.SGD(0.05), d_optimizer=keras.optimizers.SGD(0.05))
    return model, points_batch(seed=seed)


@case("bigan", "ALI")
def bigan_case(seed=0):
    return ali_case(seed, stochastic_encoder=False)


@case("fgan-kl", "FGAN")
def fgan_kl_case(seed=0, divergence="kl"):
    return _critic_case("FGAN", seed, divergence=divergence)


@case("fgan-pearson", "FGAN")
def fgan_pearson_case(seed=0):
    return fgan_kl_case(seed, divergence="pearson")


@case("ratio", "RatioMatchingGAN")
def ratio_case(seed=0):
    return _critic_case("RatioMatchingGAN", seed)


# ------------------------------------------------ the options every family offers: EMA, packing
# ``ema_decay`` on a family with each kind of generator (an MLP, batch-normalised convolutions,
# pyramid levels, a likelihood decoder) and ``packing`` on each kind of discriminator input
# (points, images, pyramid levels, codes, (x, z) pairs).
@case("gan-ema-packed", "GAN")
def gan_ema_packed_case(seed=0):
    return _critic_case("GAN", seed, packing=2, ema_decay=0.9, ema_start=1)


@case("dcgan-ema-packed", "DCGAN")
def dcgan_ema_packed_case(seed=0):
    return dcgan_case(seed, packing=2, ema_decay=0.5)


@case("wgan-gp-packed", "WGANGP")
def wgan_gp_packed_case(seed=0):
    return _critic_case("WGANGP", seed, packing=2, n_critic=2)


@case("cramer-ema-packed", "CramerGAN")
def cramer_ema_packed_case(seed=0):
    # SGD at 0.005, not the cases' 0.05: at 0.05 the packed critic's weights reached 5e4 within
    # 3 steps, where float32 round-off alone parted one device from two replicas by 2e-3.
    return _critic_case("CramerGAN", seed, critic_dim=3, packing=4, n_critic=2, ema_decay=0.9,
                        optimizer=lambda: keras.optimizers.SGD(0.005))


@case("fgan-pearson-packed", "FGAN")
def fgan_pearson_packed_case(seed=0):
    return _critic_case("FGAN", seed, packing=2, divergence="pearson", instance_noise=0.1)


@case("unrolled-packed", "UnrolledGAN")
def unrolled_packed_case(seed=0):
    return _critic_case("UnrolledGAN", seed, optimizer=lambda: keras.optimizers.Adam(1e-2), unroll_steps=2,
                        packing=2)


@case("lapgan-ema-packed", "LAPGAN")
def lapgan_ema_packed_case(seed=0):
    return lapgan_case(seed, packing=2, ema_decay=0.9)


@case("vae-ema", "VAE")
def vae_ema_case(seed=0):
    return vae_case(seed, ema_decay=0.9)


@case("aae-ema-packed", "AAE")
def aae_ema_packed_case(seed=0):
    return aae_case(seed, packing=2, ema_decay=0.9)


@case("wae-gan-packed", "WAEGAN")
def wae_gan_packed_case(seed=0):
    return wae_gan_case(seed, packing=2)


@case("ali-ema-packed", "ALI")
def ali_ema_packed_case(seed=0):
    return ali_case(seed, packing=2, ema_decay=0.9)


# --------------------------------------------------- exact likelihood (PixelCNN, flows)
@case("pixelcnn", "PixelCNN")
def pixelcnn_case(seed=0):
    from zoo.families import PixelCNN
    from zoo.families.pixelcnn import pixelcnn_network

    keras.utils.set_random_seed(seed)
    network = pixelcnn_network((8, 8, 1), num_resnet=1, num_hierarchies=2, num_filters=4, num_logistic_mix=2)
    model = PixelCNN(network, levels=17, seed=seed)
    model.compile(pixelcnn_optimizer=keras.optimizers.SGD(0.002))
    return model, digits_batch(seed=seed)


@case("realnvp", "RealNVP")
def realnvp_case(seed=0):
    # On digits: the dequantisation noise is drawn in train_step (replica-consistently).
    from zoo.families import RealNVP
    from zoo.families.realnvp import coupling_network

    keras.utils.set_random_seed(seed)
    model = RealNVP([coupling_network(64, (8,), name=f"coupling{k}") for k in range(2)], data_shape=(8, 8, 1),
                    levels=17, seed=seed)
    model.compile(flow_optimizer=keras.optimizers.SGD(0.01))
    return model, digits_batch(seed=seed)


@case("maf", "MAF")
def maf_case(seed=0):
    from zoo.families import MAF
    from zoo.families.maf import MADE

    keras.utils.set_random_seed(seed)
    model = MAF([MADE(2, (8, 8), name=f"made{k}") for k in range(2)], data_shape=(2,), seed=seed)
    model.compile(flow_optimizer=keras.optimizers.SGD(0.05))
    return model, points_batch(seed=seed)


# SGD, not the row's Adam: Adam's first steps scale every gradient to ±lr, so the weights whose
# walkback gradients cancel to ~1e-7 turn float32 summation-order differences between 2 replicas
# and 1 device into update differences above the replica test's tolerance (gsn-digits with Adam:
# 4.5e-7 after 3 steps, against 3e-7 allowed); SGD keeps the comparison about the train_step.
@case("gsn", "GSN")
def gsn_case(seed=0):
    from zoo.data.binarized import binarized_split
    from zoo.families import GSN
    from zoo.families.gsn import gsn_network

    keras.utils.set_random_seed(seed)
    model = GSN(gsn_network((8, 8, 1), hidden=(32,)), noise=0.4, walkback=2, sample_steps=5, seed=seed)
    model.compile(gsn_optimizer=keras.optimizers.SGD(0.1))
    x = binarized_split("digits")[0]
    return model, x[np.random.default_rng(seed).choice(len(x), 16, replace=False)]

def randomise(model, scale=0.3, seed=0):
    """Random weights everywhere (the flows' last layers start at zero, where every map is
    the identity and a test of the maps would prove little)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    model.set_weights([scale * rng.standard_normal(w.shape).astype("float32") for w in model.get_weights()])
    return model


_add_recipe_cases()
