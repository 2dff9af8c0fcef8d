"""Tiny, fast instances of every family, for tests parametrised over the families.

Add one ``@case`` per family (or per family variant): it returns a compiled model on tiny
networks and one batch of training data (a NumPy array, or a tuple (x, labels) for
conditional families). Tests import ``CASES`` and so cover a new family by its being added.
"""
import keras
import numpy as np

CASES = {}


def case(name):
    def register(fn):
        CASES[name] = fn
        return fn

    return register


def points_batch(n=16, seed=0):
    from zoo.data import mixture_samples

    return mixture_samples("ring8", n, seed)


@case("gan")
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
@case("dcgan")
def dcgan_case(seed=0, packing=1, **kwargs):
    from zoo.families import DCGAN
    from zoo.networks import dcgan_discriminator, dcgan_generator

    keras.utils.set_random_seed(seed)
    model = DCGAN(dcgan_generator(4, 8, 1, filters=4, start_size=4, batch_norm="synchronized"),
                  dcgan_discriminator(8, 1, filters=4, start_size=4, batch_norm="synchronized", packing=packing),
                  packing=packing, seed=seed, **kwargs)
    model.compile(g_optimizer=keras.optimizers.SGD(0.05), d_optimizer=keras.optimizers.SGD(0.05))
    return model, digits_batch(seed=seed)


@case("cgan")
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


@case("lapgan")
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


@case("wgan")
def wgan_case(seed=0):
    return _critic_case("WGAN", seed, n_critic=2, clip_value=0.1)


@case("wgan-gp")
def wgan_gp_case(seed=0):
    return _critic_case("WGANGP", seed, n_critic=2)


@case("cramer")
def cramer_case(seed=0):
    return _critic_case("CramerGAN", seed, critic_dim=3, n_critic=2)


@case("unrolled")
def unrolled_case(seed=0):
    return _critic_case("UnrolledGAN", seed, optimizer=lambda: keras.optimizers.Adam(1e-2), unroll_steps=2)


@case("gan-tricks")
def gan_tricks_case(seed=0):
    return _critic_case("GAN", seed, instance_noise=0.1, noise_anneal_steps=10, historical_averaging=0.1)


@case("gan-feature-matching")
def gan_feature_matching_case(seed=0):
    return _critic_case("GAN", seed, feature_matching=True)


# ------------------------------------------------------------ auto-encoding families (tiny, 2-D)
def _autoencoder_nets(seed, encoder_outputs=2, noise_dim=0, likelihood_params=1):
    from zoo.networks import mlp_decoder, mlp_encoder

    keras.utils.set_random_seed(seed)
    encoder = mlp_encoder((2,), encoder_outputs, hidden=(8,), noise_dim=noise_dim)
    decoder = mlp_decoder(2, (2,), hidden=(8,), channels_multiplier=likelihood_params)
    return encoder, decoder


@case("vae")
def vae_case(seed=0, **kwargs):
    from zoo.families import VAE

    encoder, decoder = _autoencoder_nets(seed, encoder_outputs=4, likelihood_params=2)
    model = VAE(encoder, decoder, seed=seed, **kwargs)
    model.compile(vae_optimizer=keras.optimizers.SGD(0.05))
    return model, points_batch(seed=seed)


@case("vae-gumbel")
def vae_gumbel_case(seed=0):
    from zoo.families import VAE
    from zoo.networks import mlp_decoder, mlp_encoder

    keras.utils.set_random_seed(seed)
    # 1 Gaussian dimension + a 3-way relaxed categorical; Bernoulli likelihood on [0, 1] values.
    model = VAE(mlp_encoder((2,), 2 + 3, hidden=(8,)), mlp_decoder(4, (2,), hidden=(8,)), likelihood="bernoulli",
                discrete_dim=3, temperature=0.5, seed=seed)
    model.compile(vae_optimizer=keras.optimizers.SGD(0.05))
    return model, points_batch(seed=seed)


@case("avb")
def avb_case(seed=0):
    from zoo.families import AVB
    from zoo.networks import pair_discriminator

    encoder, decoder = _autoencoder_nets(seed, noise_dim=2, likelihood_params=2)
    model = AVB(encoder, decoder, pair_discriminator((2,), 2, hidden=(8,), name="adversary"), seed=seed)
    model.compile(g_optimizer=keras.optimizers.SGD(0.05), e_optimizer=keras.optimizers.SGD(0.05),
                  d_optimizer=keras.optimizers.SGD(0.05))
    return model, points_batch(seed=seed)


@case("aae")
def aae_case(seed=0, packing=1, **kwargs):
    from zoo.families import AAE
    from zoo.networks import mlp

    encoder, decoder = _autoencoder_nets(seed)
    model = AAE(encoder, decoder, mlp(2, 1, hidden=(8,), packing=packing, name="discriminator"), packing=packing,
                seed=seed, **kwargs)
    model.compile(ae_optimizer=keras.optimizers.SGD(0.05), d_optimizer=keras.optimizers.SGD(0.05),
                  e_optimizer=keras.optimizers.SGD(0.05))
    return model, points_batch(seed=seed)


@case("wae-mmd")
def wae_mmd_case(seed=0):
    from zoo.families import WAEMMD

    encoder, decoder = _autoencoder_nets(seed)
    model = WAEMMD(encoder, decoder, lam=10.0, seed=seed)
    model.compile(ae_optimizer=keras.optimizers.SGD(0.05))
    return model, points_batch(seed=seed)


@case("wae-gan")
def wae_gan_case(seed=0, packing=1):
    from zoo.families import WAEGAN
    from zoo.networks import mlp

    encoder, decoder = _autoencoder_nets(seed)
    model = WAEGAN(encoder, decoder, mlp(2, 1, hidden=(8,), packing=packing, name="discriminator"), lam=1.0,
                   packing=packing, seed=seed)
    model.compile(ae_optimizer=keras.optimizers.SGD(0.05), d_optimizer=keras.optimizers.SGD(0.05))
    return model, points_batch(seed=seed)


@case("ali")
def ali_case(seed=0, stochastic_encoder=True, packing=1, **kwargs):
    from zoo.families import ALI
    from zoo.networks import pair_discriminator

    encoder, decoder = _autoencoder_nets(seed, encoder_outputs=4 if stochastic_encoder else 2)
    model = ALI(encoder, decoder, pair_discriminator((2,), 2, hidden=(8,), packing=packing),
                stochastic_encoder=stochastic_encoder, packing=packing, seed=seed, **kwargs)
    model.compile(g_optimizer=keras.optimizers.SGD(0.05), d_optimizer=keras.optimizers.SGD(0.05))
    return model, points_batch(seed=seed)


@case("bigan")
def bigan_case(seed=0):
    return ali_case(seed, stochastic_encoder=False)


@case("fgan-kl")
def fgan_kl_case(seed=0, divergence="kl"):
    return _critic_case("FGAN", seed, divergence=divergence)


@case("fgan-pearson")
def fgan_pearson_case(seed=0):
    return fgan_kl_case(seed, divergence="pearson")


@case("ratio")
def ratio_case(seed=0):
    return _critic_case("RatioMatchingGAN", seed)


# ------------------------------------------------ the options every family offers: EMA, packing
# ``ema_decay`` on a family with each kind of generator (an MLP, batch-normalised convolutions,
# pyramid levels, a likelihood decoder) and ``packing`` on each kind of discriminator input
# (points, images, pyramid levels, codes, (x, z) pairs).
@case("gan-ema-packed")
def gan_ema_packed_case(seed=0):
    return _critic_case("GAN", seed, packing=2, ema_decay=0.9, ema_start=1)


@case("dcgan-ema-packed")
def dcgan_ema_packed_case(seed=0):
    return dcgan_case(seed, packing=2, ema_decay=0.5)


@case("wgan-gp-packed")
def wgan_gp_packed_case(seed=0):
    return _critic_case("WGANGP", seed, packing=2, n_critic=2)


@case("cramer-ema-packed")
def cramer_ema_packed_case(seed=0):
    return _critic_case("CramerGAN", seed, critic_dim=3, packing=4, n_critic=2, ema_decay=0.9)


@case("fgan-pearson-packed")
def fgan_pearson_packed_case(seed=0):
    return _critic_case("FGAN", seed, packing=2, divergence="pearson", instance_noise=0.1)


@case("unrolled-packed")
def unrolled_packed_case(seed=0):
    return _critic_case("UnrolledGAN", seed, optimizer=lambda: keras.optimizers.Adam(1e-2), unroll_steps=2,
                        packing=2)


@case("lapgan-ema-packed")
def lapgan_ema_packed_case(seed=0):
    return lapgan_case(seed, packing=2, ema_decay=0.9)


@case("vae-ema")
def vae_ema_case(seed=0):
    return vae_case(seed, ema_decay=0.9)


@case("aae-ema-packed")
def aae_ema_packed_case(seed=0):
    return aae_case(seed, packing=2, ema_decay=0.9)


@case("wae-gan-packed")
def wae_gan_packed_case(seed=0):
    return wae_gan_case(seed, packing=2)


@case("ali-ema-packed")
def ali_ema_packed_case(seed=0):
    return ali_case(seed, packing=2, ema_decay=0.9)


# --------------------------------------------------- exact likelihood (PixelCNN, flows)
@case("pixelcnn")
def pixelcnn_case(seed=0):
    from zoo.families import PixelCNN
    from zoo.families.pixelcnn import pixelcnn_network

    keras.utils.set_random_seed(seed)
    network = pixelcnn_network((8, 8, 1), num_resnet=1, num_hierarchies=2, num_filters=4, num_logistic_mix=2)
    model = PixelCNN(network, levels=17, seed=seed)
    model.compile(pixelcnn_optimizer=keras.optimizers.SGD(0.002))
    return model, digits_batch(seed=seed)


@case("realnvp")
def realnvp_case(seed=0):
    # On digits: the dequantisation noise is drawn in train_step (replica-consistently).
    from zoo.families import RealNVP
    from zoo.families.realnvp import coupling_network

    keras.utils.set_random_seed(seed)
    model = RealNVP([coupling_network(64, (8,), name=f"coupling{k}") for k in range(2)], data_shape=(8, 8, 1),
                    levels=17, seed=seed)
    model.compile(flow_optimizer=keras.optimizers.SGD(0.01))
    return model, digits_batch(seed=seed)


@case("maf")
def maf_case(seed=0):
    from zoo.families import MAF
    from zoo.families.maf import MADE

    keras.utils.set_random_seed(seed)
    model = MAF([MADE(2, (8, 8), name=f"made{k}") for k in range(2)], data_shape=(2,), seed=seed)
    model.compile(flow_optimizer=keras.optimizers.SGD(0.05))
    return model, points_batch(seed=seed)


def randomise(model, scale=0.3, seed=0):
    """Random weights everywhere (the flows' last layers start at zero, where every map is
    the identity and a test of the maps would prove little)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    model.set_weights([scale * rng.standard_normal(w.shape).astype("float32") for w in model.get_weights()])
    return model
