"""Recipes of the auto-encoding families on digits (PROTOCOLS.md §3) and of ALI on the 2-D
mixtures (§1): VAE, AVB, AAE, WAE-MMD, WAE-GAN, ALI/BiGAN.

Every digits recipe uses MLP encoders/decoders (8×8 images: 64 values) with an 8-dimensional
code, and measures on the test split: the reconstruction MSE of ``decode(encode(x))``, the
digits sample metrics of ``zoo.metrics.evaluate_digits`` (where available) and, for the VAE,
the ELBO and the importance-weighted bound (k = 1000).

Seeds: 5 for the VAE; 3 for the others, whose steps cost up to three times a VAE step (an
adversary to train too) on the 2-core CPU shared by the whole project; the card records how
many seeds its mean ± s.e. covers.
"""
from __future__ import annotations

import math

import keras

from recipes.base import Recipe, register
from recipes.mixtures import evaluate_mixture, mixture_data
from zoo.data import DIGITS_SHAPE, digits_dataset, digits_split

LATENT_DIM = 8
HIDDEN = (256, 256)
EVAL_SEED = 12345
IWAE_K = 1000
# The digits take the 17 values v/8 - 1, v = 0..16: bins of width 1/8 on [-1, 1].  The VAE is
# trained and measured on uniformly dequantised data (Theis et al. 2016, arXiv:1511.01844, §3.1),
# so its continuous density is bounded and  log P(x) ≥ ELBO(x + u) + D log(1/8)  is a bound on
# the likelihood of the discrete images (uniform over 17 levels: -64 log 17 = -181.3 nats).
BIN_WIDTH = 1.0 / 8.0
DIGITS_PROTOCOL = ("PROTOCOLS.md §3: reconstruction MSE of decode(encode(x)) on the 360-image test split "
                   "([-1, 1] values); ELBO/IWAE (k = 1000, VAE) in nats per discrete image; ")


def _protocol():
    try:
        from zoo.metrics.digits import PROTOCOL
    except ImportError:
        return DIGITS_PROTOCOL
    return DIGITS_PROTOCOL + PROTOCOL
PAPERS = {
    "vae": ["Burda et al. 2016, Importance Weighted Autoencoders, arXiv:1509.00519"],
    "avb": ["Theis et al. 2016, A note on the evaluation of generative models, arXiv:1511.01844"],
}


def dequantize(x, seed):
    """``x + u``, ``u ~ U(-w/2, w/2)`` per value (w = BIN_WIDTH)."""
    import tensorflow as tf

    return x + tf.random.stateless_uniform(tf.shape(x), seed=seed, minval=-BIN_WIDTH / 2, maxval=BIN_WIDTH / 2)


def digits_data(dequantized=False):
    def data(batch_size, seed):
        import tensorflow as tf

        dataset = digits_dataset(batch_size, seed=seed)
        if not dequantized:
            return dataset
        # A fresh dequantisation of every batch: the model never sees the same noise twice.
        seeds = tf.data.Dataset.random(seed=seed).batch(2)
        return tf.data.Dataset.zip((dataset, seeds)).map(
            lambda x, s: dequantize(x, tf.cast(s % (2**31 - 1), tf.int32)), num_parallel_calls=tf.data.AUTOTUNE)

    return data


def _sample_metrics(model, seed):
    """``zoo.metrics.evaluate_digits`` on samples of ``model`` when that module exists."""
    try:
        from zoo.metrics import evaluate_digits
    except ImportError:
        return {}
    samples, _ = model.sample(10_000, EVAL_SEED + seed)
    return dict(evaluate_digits(samples.numpy()))


def evaluate_autoencoder(bounds=False):
    def evaluate(model, seed):
        from zoo.metrics.reconstruction import reconstruction_mse

        _, _, x_test, _ = digits_split()
        metrics = {"reconstruction_mse": reconstruction_mse(model.encode, model.decode, x_test)}
        if bounds:
            import tensorflow as tf

            x = dequantize(tf.constant(x_test), tf.constant([EVAL_SEED, seed], tf.int32)).numpy()
            correction = x_test[0].size * math.log(BIN_WIDTH)
            values = model.evaluate_bounds(x, k=IWAE_K, seed=EVAL_SEED + seed)
            metrics["elbo"] = values["elbo"] + correction
            metrics["iwae"] = values["iwae"] + correction
        metrics.update(_sample_metrics(model, seed))
        return metrics

    return evaluate


def _digits_recipe(name, build, steps, description, batch_size=64, bounds=False, dequantized=False, seeds=5):
    return register(Recipe(
        name=name, dataset="digits", build=build, data=digits_data(dequantized), steps=steps, seeds=seeds,
        batch_size=batch_size, evaluate=evaluate_autoencoder(bounds), protocol=_protocol(),
        data_kind="images", description=description, papers=PAPERS.get(name.split("-digits")[0], []),
    ))


# ----------------------------------------------------------------------------- VAE
def build_vae(seed, lr=1e-3):
    from zoo.families import VAE
    from zoo.networks import mlp_decoder, mlp_encoder

    keras.utils.set_random_seed(seed)
    encoder = mlp_encoder(DIGITS_SHAPE, 2 * LATENT_DIM, hidden=HIDDEN)
    decoder = mlp_decoder(LATENT_DIM, DIGITS_SHAPE, hidden=HIDDEN[::-1], channels_multiplier=2)
    model = VAE(encoder, decoder, likelihood="gaussian", seed=seed)
    model.compile(vae_optimizer=keras.optimizers.Adam(lr))
    return model


_digits_recipe(
    "vae-digits", build_vae, steps=8000, bounds=True, dequantized=True,
    description=(f"VAE with a {LATENT_DIM}-d Gaussian posterior and a Gaussian likelihood (per-pixel mean "
                 "and scale) on uniformly dequantised 8×8 digits; MLP encoder and decoder."),
)


# ----------------------------------------------------------------------------- AVB
def build_avb(seed, lr=1e-3, noise_dim=LATENT_DIM):
    from zoo.families import AVB
    from zoo.networks import mlp_decoder, mlp_encoder, pair_discriminator

    keras.utils.set_random_seed(seed)
    encoder = mlp_encoder(DIGITS_SHAPE, LATENT_DIM, hidden=HIDDEN, noise_dim=noise_dim)
    decoder = mlp_decoder(LATENT_DIM, DIGITS_SHAPE, hidden=HIDDEN[::-1], channels_multiplier=2)
    adversary = pair_discriminator(DIGITS_SHAPE, LATENT_DIM, hidden=HIDDEN, name="adversary")
    model = AVB(encoder, decoder, adversary, likelihood="gaussian", seed=seed)
    model.compile(g_optimizer=keras.optimizers.Adam(lr), e_optimizer=keras.optimizers.Adam(lr),
                  d_optimizer=keras.optimizers.Adam(lr))
    return model


_digits_recipe(
    "avb-digits", build_avb, steps=6000, dequantized=True, seeds=3,
    description=(f"AVB: implicit encoder z = f(x, ε) with a {LATENT_DIM}-d code, adversary T(x, z), Gaussian "
                 "likelihood on uniformly dequantised 8×8 digits; MLP networks."),
)


# ----------------------------------------------------------------------------- AAE
def latent_discriminator(hidden=HIDDEN):
    from zoo.networks import mlp

    return mlp(LATENT_DIM, 1, hidden=hidden, activation="leaky_relu", name="discriminator")


def build_aae(seed, lr=1e-3):
    from zoo.families import AAE
    from zoo.networks import mlp_decoder, mlp_encoder

    keras.utils.set_random_seed(seed)
    model = AAE(mlp_encoder(DIGITS_SHAPE, LATENT_DIM, hidden=HIDDEN),
                mlp_decoder(LATENT_DIM, DIGITS_SHAPE, hidden=HIDDEN[::-1]), latent_discriminator(), seed=seed)
    model.compile(ae_optimizer=keras.optimizers.Adam(lr), d_optimizer=keras.optimizers.Adam(lr / 2, beta_1=0.5),
                  e_optimizer=keras.optimizers.Adam(lr / 2, beta_1=0.5))
    return model


_digits_recipe(
    "aae-digits", build_aae, steps=6000, seeds=3,
    description=f"Adversarial auto-encoder, deterministic {LATENT_DIM}-d code, N(0, I) prior; MLP networks.",
)


# ----------------------------------------------------------------------------- WAE
def build_wae_mmd(seed, lr=1e-3):
    from zoo.families import WAEMMD
    from zoo.networks import mlp_decoder, mlp_encoder

    keras.utils.set_random_seed(seed)
    model = WAEMMD(mlp_encoder(DIGITS_SHAPE, LATENT_DIM, hidden=HIDDEN),
                   mlp_decoder(LATENT_DIM, DIGITS_SHAPE, hidden=HIDDEN[::-1]), lam=10.0, seed=seed)
    model.compile(ae_optimizer=keras.optimizers.Adam(lr))
    return model


def build_wae_gan(seed, lr=1e-3):
    from zoo.families import WAEGAN
    from zoo.networks import mlp_decoder, mlp_encoder

    keras.utils.set_random_seed(seed)
    model = WAEGAN(mlp_encoder(DIGITS_SHAPE, LATENT_DIM, hidden=HIDDEN),
                   mlp_decoder(LATENT_DIM, DIGITS_SHAPE, hidden=HIDDEN[::-1]), latent_discriminator(),
                   lam=1.0, seed=seed)
    # The paper's optimisers: Adam 1e-3 for the auto-encoder, 5e-4 for the adversary.
    model.compile(ae_optimizer=keras.optimizers.Adam(lr), d_optimizer=keras.optimizers.Adam(lr / 2, beta_1=0.5))
    return model


_digits_recipe(
    "wae-mmd-digits", build_wae_mmd, steps=8000, seeds=3,
    description=(f"WAE-MMD (IMQ kernel over scales, λ = 10), deterministic {LATENT_DIM}-d code, "
                 "squared-L2 cost; MLP networks."),
)
_digits_recipe(
    "wae-gan-digits", build_wae_gan, steps=6000, seeds=3,
    description=(f"WAE-GAN (latent discriminator, λ = 1), deterministic {LATENT_DIM}-d code, "
                 "squared-L2 cost; MLP networks."),
)


# ----------------------------------------------------------------------------- ALI
def build_ali_digits(seed, lr=2e-4):
    from zoo.families import ALI
    from zoo.networks import mlp_decoder, mlp_encoder, pair_discriminator

    keras.utils.set_random_seed(seed)
    model = ALI(mlp_encoder(DIGITS_SHAPE, 2 * LATENT_DIM, hidden=HIDDEN),
                mlp_decoder(LATENT_DIM, DIGITS_SHAPE, hidden=HIDDEN[::-1], output_activation="tanh"),
                pair_discriminator(DIGITS_SHAPE, LATENT_DIM, hidden=HIDDEN, dropout=0.2), seed=seed)
    model.compile(g_optimizer=keras.optimizers.Adam(lr, beta_1=0.5), d_optimizer=keras.optimizers.Adam(lr, beta_1=0.5))
    return model


_digits_recipe(
    "ali-digits", build_ali_digits, steps=8000, seeds=3,
    description=f"ALI (stochastic encoder, joint (x, z) discriminator), {LATENT_DIM}-d code; MLP networks.",
)


def _ali_mixture_recipe(dataset, steps=6000, batch_size=256, lr=2e-4, width=256, depth=3, seeds=3):
    def build(seed):
        from zoo.families import ALI
        from zoo.networks import mlp, pair_discriminator

        keras.utils.set_random_seed(seed)
        generator = mlp(2, 2, hidden=(width,) * depth, batch_norm=True, name="generator")
        encoder = mlp(2, 4, hidden=(width,) * depth, batch_norm=True, name="encoder")
        discriminator = pair_discriminator((2,), 2, hidden=(width,) * depth)
        model = ALI(encoder, generator, discriminator, seed=seed)
        model.compile(g_optimizer=keras.optimizers.Adam(lr, beta_1=0.5),
                      d_optimizer=keras.optimizers.Adam(lr, beta_1=0.5))
        return model

    from recipes.mixtures import PROTOCOL

    return register(Recipe(
        name=f"ali-{dataset}", dataset=dataset, build=build, data=mixture_data(dataset), steps=steps, seeds=seeds,
        batch_size=batch_size, evaluate=evaluate_mixture(dataset), protocol=PROTOCOL,
        description=f"ALI (stochastic encoder, joint (x, z) discriminator) on the {dataset} 2-D Gaussian mixture.",
    ))


for _dataset in ("ring8", "grid25"):
    _ali_mixture_recipe(_dataset)
