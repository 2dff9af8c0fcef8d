"""The datasets' shared pieces of the recipe rows: data pipelines, evaluations (docs/protocols.md)
and the networks several families train with on them.

Nothing here imports TensorFlow when imported: data and evaluations import it when called.
The evaluations sample with the protocol seed ``zoo.metrics.digits.EVAL_SEED`` plus the run's
seed, so seed k of every recipe is measured on the same draws.
"""
from __future__ import annotations

import math

import numpy as np

from recipes.base import LinearDecay, net
from zoo.data import DIGITS_SHAPE, NUM_CLASSES


def _eval_seed() -> int:
    from zoo.metrics.digits import EVAL_SEED

    return EVAL_SEED


# --------------------------------------------------------------------------- 2-D mixtures (§1)
MIXTURE_PROTOCOL = "the mixtures protocol (VEEGAN/PacGAN): 2,500 samples; high quality = within 3σ of nearest mean"
MIXTURE_EVAL_SAMPLES = 2500
MIXTURES = ("ring8", "grid25")


def mixture_data(dataset):
    def data(batch_size, seed):
        from zoo.data import mixture_dataset

        return mixture_dataset(dataset, batch_size, seed=seed)

    return data


def evaluate_mixture(dataset):
    def evaluate(model, seed):
        from zoo.metrics import mode_coverage

        samples, _ = model.sample(MIXTURE_EVAL_SAMPLES, _eval_seed() + seed)
        return mode_coverage(samples.numpy(), dataset)

    return evaluate


def mixture_networks(width=128, depth=3, critic_dim=1, generator_depth=None, batch_norm=False):
    """G: 2-D z, ReLU MLP; D: LeakyReLU MLP with ``critic_dim`` outputs.  No batch norm, unless
    ``batch_norm=True`` puts it into G (PacGAN's generator; the rows that keep their earlier
    training: ratio matching, instance noise).

    Why no batch norm in G (PacGAN's generator has it): the 2-D rows export the generator's
    moving average (``ema_decay``), and BN's batch statistics belong to the raw weights, not to
    the averaged ones.  In this repository's trials (GAN on ring8, 128×3, 20,000 steps) G with
    BN scored 43 % high quality raw and 31 % averaged; without BN 98.0 % raw, 98.6 % averaged.
    D has none either: the gradient penalties are per example."""
    return {"generator": net("mlp", 2, 2, hidden=(width,) * (generator_depth or depth), batch_norm=batch_norm,
                             name="generator"),
            "discriminator": net("mlp", 2, critic_dim, hidden=(width,) * depth, activation="leaky_relu",
                                 name="discriminator")}


# The 2-D adversarial rows' shared training: the generator's exponential moving average
# (Yazıcı et al. 2019, arXiv:1806.04498) is exported, and the discriminator judges pairs of
# samples (PacGAN2, Lin et al. 2018, arXiv:1712.04086), which penalises a generator that
# drops modes.  With both (and no BN in G), single-seed GAN trials reached 8/8 at 99.2 % on
# ring8 and 25/25 at 96.6-97.8 % on grid25, against 31-34 % and 8 % for the earlier rows.
MIXTURE_TRAINING = {"ema_decay": 0.999, "packing": 2}


def mixture_rate(dataset, learning_rate, steps):
    """The 2-D rows' learning rate: decayed linearly to 0 over ``steps`` on ring8
    (:class:`recipes.base.LinearDecay` says why), constant on grid25, whose 25 modes need the
    late updates (decayed over 20,000 steps, GAN seed 1 reached 92.6 % high quality there,
    constant 96.6 %)."""
    return LinearDecay(learning_rate, steps) if dataset == "ring8" else learning_rate


def mixture_rows(dataset):
    """The row fields every mixture recipe shares: data, evaluation, protocol."""
    return dict(dataset=dataset, data=mixture_data(dataset), evaluate=evaluate_mixture(dataset),
                protocol=MIXTURE_PROTOCOL)


# --------------------------------------------------------------------------- digits (§3)
DIGITS_LATENT = 32  # the code of the GAN image families on digits
DIGITS_EVAL_SAMPLES = 10_000  # the digits protocol's Parzen set (its FID set is the first 1,000)
LABEL_SAMPLES = 100  # per label, for the conditional accuracy
LABEL_PROTOCOL = ("; label accuracy: 100 samples per label k = 0..9, the share the digits classifier "
                  "calls k (label_accuracy_k per label)")
# The auto-encoders: MLPs with an 8-d code, or a 4-d one where the prior must be filled
# (VAE, WAE-MMD: ``SMALL_AE_LATENT``, the recipes say why).
AE_LATENT = 8
SMALL_AE_LATENT = 4
AE_HIDDEN = (256, 256)
AE_PROTOCOL = ("the digits protocol: reconstruction MSE of decode(encode(x)) on the 360-image test split "
               "([-1, 1] values); ELBO/IWAE (k = 1000, VAE) in nats per discrete image; ")
IWAE_K = 1000
# The digits take the 17 values v/8 - 1, v = 0..16: bins of width 1/8 on [-1, 1].  The VAE is
# trained and measured on uniformly dequantised data (Theis et al. 2016, arXiv:1511.01844, §3.1),
# so its continuous density is bounded and  log P(x) ≥ ELBO(x + u) + D log(1/8)  is a bound on
# the likelihood of the discrete images (uniform over 17 levels: -64 log 17 = -181.3 nats).
BIN_WIDTH = 1.0 / 8.0


def digits_protocol() -> str:
    """The digits sample protocol, as ``zoo.metrics.digits`` measures it."""
    from zoo.metrics.digits import PROTOCOL

    return PROTOCOL


def conditional_digits_protocol() -> str:
    return digits_protocol() + LABEL_PROTOCOL


def autoencoder_protocol() -> str:
    return AE_PROTOCOL + digits_protocol()


def dequantize(x, seed):
    """``x + u``, ``u ~ U(-w/2, w/2)`` per value (w = BIN_WIDTH)."""
    import tensorflow as tf

    return x + tf.random.stateless_uniform(tf.shape(x), seed=seed, minval=-BIN_WIDTH / 2, maxval=BIN_WIDTH / 2)


def digits_data(labels=False, dequantized=False):
    def data(batch_size, seed):
        import tensorflow as tf

        from zoo.data import digits_dataset

        dataset = digits_dataset(batch_size, seed=seed, labels=labels)
        if not dequantized:
            return dataset
        # A fresh dequantisation of every batch: the model never sees the same noise twice.
        seeds = tf.data.Dataset.random(seed=seed).batch(2)
        return tf.data.Dataset.zip((dataset, seeds)).map(
            lambda x, s: dequantize(x, tf.cast(s % (2**31 - 1), tf.int32)), num_parallel_calls=tf.data.AUTOTUNE)

    return data


def evaluate_digit_samples(model, seed):
    """The digits protocol (``zoo.metrics.evaluate_digits``) on 10,000 samples of ``model``."""
    from zoo.metrics import evaluate_digits

    samples, _ = model.sample(DIGITS_EVAL_SAMPLES, _eval_seed() + seed)
    return dict(evaluate_digits(np.asarray(samples)))


def label_accuracy(model, seed, per_label=LABEL_SAMPLES):
    """How often the digits classifier calls a sample drawn for label k "k".

    ``per_label`` samples for each of the 10 labels; returns the overall accuracy
    (``label_accuracy``) and one per label (``label_accuracy_k``).
    """
    from zoo.metrics.digits import classify

    labels = np.repeat(np.arange(NUM_CLASSES, dtype=np.int32), per_label)
    samples, _ = model.sample(len(labels), _eval_seed() + seed, labels)
    predicted = classify(np.asarray(samples))[1].argmax(axis=1)
    correct = predicted == labels
    metrics = {"label_accuracy": float(correct.mean())}
    metrics.update({f"label_accuracy_{k}": float(correct[labels == k].mean()) for k in range(NUM_CLASSES)})
    return metrics


def evaluate_conditional_digits(model, seed):
    return {**evaluate_digit_samples(model, seed), **label_accuracy(model, seed)}


def evaluate_autoencoder(bounds=False):
    """Reconstruction MSE on the test split, the digits sample protocol and, with ``bounds``,
    the ELBO and IWAE bound (k = 1000) of the discrete images."""
    def evaluate(model, seed):
        from zoo.data import digits_split
        from zoo.metrics.reconstruction import reconstruction_mse

        _, _, x_test, _ = digits_split()
        metrics = {"reconstruction_mse": reconstruction_mse(model.encode, model.decode, x_test)}
        if bounds:
            import tensorflow as tf

            x = dequantize(tf.constant(x_test), tf.constant([_eval_seed(), seed], tf.int32)).numpy()
            correction = x_test[0].size * math.log(BIN_WIDTH)
            values = model.evaluate_bounds(x, k=IWAE_K, seed=_eval_seed() + seed)
            metrics["elbo"] = values["elbo"] + correction
            metrics["iwae"] = values["iwae"] + correction
        metrics.update(evaluate_digit_samples(model, seed))
        return metrics

    return evaluate


def digits_rows(labels=False, dequantized=False, evaluate=evaluate_digit_samples, protocol=digits_protocol):
    """The row fields every digits recipe shares (batch 64, images)."""
    return dict(dataset="digits", data=digits_data(labels, dequantized), evaluate=evaluate, protocol=protocol,
                batch_size=64, data_kind="images")


def autoencoder_rows(bounds=False, dequantized=False):
    """The row fields of the auto-encoding recipes: reconstruction, sample metrics (and bounds)."""
    return digits_rows(dequantized=dequantized, evaluate=evaluate_autoencoder(bounds), protocol=autoencoder_protocol)


def ae_encoder(output_dim=AE_LATENT, **kwargs):
    return net("mlp_encoder", DIGITS_SHAPE, output_dim, hidden=AE_HIDDEN, **kwargs)


def ae_decoder(latent=AE_LATENT, **kwargs):
    return net("mlp_decoder", latent, DIGITS_SHAPE, hidden=AE_HIDDEN[::-1], **kwargs)


def latent_discriminator():
    """D on the code (AAE, WAE-GAN): does z come from the prior or from the encoder?"""
    return net("mlp", AE_LATENT, 1, hidden=AE_HIDDEN, activation="leaky_relu", name="discriminator")


# --------------------------------------------------------------------------- TFDS images
# Recipe-only: TFDS cannot download these here, so no weights ship; the cards say what to run.
REAL_LATENT = 100  # the DCGAN paper's z (uniform there, N(0, I) here as everywhere in the zoo)
REAL_BATCH = 128  # Radford et al. 2016 §4: mini-batch SGD with batch 128


def tfds_data(dataset, labels=False):
    """``(batch_size, seed) -> batches`` of a TFDS image dataset (``zoo.data.tfds_dataset``)."""
    def data(batch_size, seed):
        from zoo.data import tfds_dataset

        return tfds_dataset(dataset, batch_size, seed=seed, labels=labels)

    return data


def requires(dataset, shape):
    return (f"Needs the TFDS dataset {dataset!r} ({'×'.join(map(str, shape))} images in [-1, 1]) prepared on the "
            f"training machine: `tfds build {dataset}` where there is internet, then copy it into "
            f"~/tensorflow_datasets or set TFDS_DATA_DIR.")


def tfds_rows(dataset, shape, description, labels=False):
    """The row fields of a recipe-only TFDS image recipe: no evaluation, the data it needs said."""
    return dict(dataset=dataset, data=tfds_data(dataset, labels), evaluate=None, batch_size=REAL_BATCH,
                data_kind="images", description=f"{description} {requires(dataset, shape)}")


# ---------------------------------------------------------------- exact likelihoods (§5)
LIKELIHOOD_PROTOCOL = ("the exact-likelihood protocol: test-split log-likelihood (nats per image on the [-1, 1] scale, "
                       "log p = log P + 64 log 8) and bits per dimension (-log2 P / 64); flows: log-mean-exp over "
                       "16 dequantisations per image (a lower bound, Theis et al. 2016 §3.1)")
POINTS_PROTOCOL = ("; exact log-density of 10,000 test points (beside the true mixture's), and the density's "
                   "integral over a grid (cells of 0.005 on ring8, 0.02 on grid25; the exact-likelihood protocol: 1 within 1 %)")
# The squares the density integral covers (the mixtures lie within ±1.03 and ±4.15; a flow's
# tails reach further early in training), with cells of 0.005 and 0.02.
INTEGRAL_GRIDS = {"ring8": ((-3.0, 3.0), 1200), "grid25": ((-8.0, 8.0), 800)}


def likelihood_protocol() -> str:
    return f"{LIKELIHOOD_PROTOCOL}; samples: {digits_protocol()}"


def evaluate_exact_digits(dequantize):
    """The test-split likelihood (``zoo.metrics.likelihood``) and the digits sample protocol."""
    def evaluate(model, seed):
        from zoo.metrics.likelihood import digits_log_likelihood

        return {**digits_log_likelihood(model.log_prob, dequantize=dequantize, seed=seed),
                **evaluate_digit_samples(model, seed)}

    return evaluate


def exact_mixture_rows(dataset):
    """:func:`recipes.protocols.mixture_rows` plus the exact density's measures."""
    rows = mixture_rows(dataset)
    coverage = rows["evaluate"]

    def evaluate(model, seed):
        from zoo.metrics.likelihood import density_integral, points_log_likelihood

        bounds, resolution = INTEGRAL_GRIDS[dataset]
        return {**coverage(model, seed), **points_log_likelihood(model.log_prob, dataset),
                "density_integral": density_integral(model.log_prob, bounds, resolution)}

    return {**rows, "evaluate": evaluate, "protocol": rows["protocol"] + POINTS_PROTOCOL}


def flow_layers(builder, event_size, layers, hidden, prefix):
    """One network per flow layer: ``builder(event_size, hidden, name=f"{prefix}_{k}")``."""
    return [net(builder, event_size, hidden, name=f"{prefix}_{k}") for k in range(layers)]


# --------------------------------------------------------------------------- Fashion-MNIST
# 28×28 grey clothes (zoo.data.fashion_mnist), measured by zoo.metrics.fashion_mnist.
FASHION_SHAPE = (28, 28, 1)
FASHION_BATCH = 64  # the keras-io DCGAN's: twice the updates of the paper's 128 in the same time here


def fashion_data(labels=False):
    def data(batch_size, seed):
        from zoo.data.fashion_mnist import fashion_mnist_dataset

        return fashion_mnist_dataset(batch_size, seed=seed, labels=labels)

    return data


# The auto-encoding families on Fashion-MNIST (AAE, WAE-MMD, WAE-GAN, AVB, ALI): convolutional
# networks of the VAE's shape (zoo.networks.conv_encoder / conv_decoder) and an 8-d code, the
# code of the WAE paper's MNIST experiments (Tolstikhin et al. 2018, arXiv:1711.01558, §4) and
# of the digits rows: small enough for the 60,000 training codes to fill N(0, I), so that prior
# draws decode to clothes, and one PCA baseline (8 components) for all five.
FASHION_AE_LATENT = 8
FASHION_AE_FILTERS = 64  # the decoder's projection (7×7×64); its encoder keeps the VAE's 32


def fashion_ae_encoder(output_dim=FASHION_AE_LATENT, **kwargs):
    return net("conv_encoder", FASHION_SHAPE, output_dim, **kwargs)


def fashion_ae_decoder(latent=FASHION_AE_LATENT, **kwargs):
    return net("conv_decoder", latent, FASHION_SHAPE, filters=FASHION_AE_FILTERS, **kwargs)


def evaluate_fashion_samples(model, seed):
    """The Fashion-MNIST protocol on 10,000 samples of ``model`` (balanced labels for a
    conditional model, with the label accuracy)."""
    from zoo.metrics.fashion_mnist import EVAL_SEED, SAMPLES, evaluate_fashion_mnist, label_accuracy

    if getattr(model, "num_classes", None):
        labels = np.arange(SAMPLES, dtype=np.int32) % model.num_classes
        samples, _ = model.sample(SAMPLES, EVAL_SEED + seed, labels)
        samples = np.asarray(samples)
        return {**evaluate_fashion_mnist(samples), **label_accuracy(samples, labels)}
    samples, _ = model.sample(SAMPLES, EVAL_SEED + seed)
    return evaluate_fashion_mnist(np.asarray(samples))


def fashion_protocol() -> str:
    from zoo.metrics.fashion_mnist import PROTOCOL

    return PROTOCOL


def fashion_rows(labels=False):
    """The row fields every Fashion-MNIST recipe shares (batch 64, images, 1 seed unless said; the
    export's model.keras without the optimizers' state, to stay under 10 MB)."""
    return dict(dataset="fashion_mnist", data=fashion_data(labels), evaluate=evaluate_fashion_samples,
                protocol=fashion_protocol, batch_size=FASHION_BATCH, data_kind="images", seeds=1,
                optimizer_state=False)


# --------------------------------------------------------------------------- binarised images
# The binary-unit families (NADE, RBM, GSN) train on digits and Fashion-MNIST binarised once
# (zoo.data.binarized); their cards' dataset is "binarized_<dataset>".
BINARIZED_ROWS = {"binarized_digits": "digits", "binarized_fashion_mnist": "fashion-mnist"}


def binarized_data(dataset, labels=False):
    def data(batch_size, seed):
        from zoo.data.binarized import binarized_dataset

        return binarized_dataset(BINARIZED_ROWS[dataset], batch_size, seed=seed, labels=labels)

    return data


def binarized_rows(dataset, evaluate, protocol):
    """The row fields every binarised recipe shares: ``dataset`` is ``"binarized_digits"`` (batch 64,
    5 seeds) or ``"binarized_fashion_mnist"`` (batch 64, 1 seed, no optimizer state in the export);
    ``evaluate`` and ``protocol`` are the family's (an exact or an estimated likelihood)."""
    if dataset not in BINARIZED_ROWS:
        raise ValueError(f"dataset must be one of {sorted(BINARIZED_ROWS)}. Received: dataset={dataset!r}")
    fashion = dataset == "binarized_fashion_mnist"
    return dict(dataset=dataset, data=binarized_data(dataset), evaluate=evaluate, protocol=protocol,
                batch_size=FASHION_BATCH if fashion else 64, data_kind="images", seeds=1 if fashion else 5,
                optimizer_state=not fashion)


# --------------------------------------------------------------------------- Fashion-MNIST likelihoods
# Test bits per dimension on the 256 levels, the papers' scale (zoo.metrics.likelihood): flows
# by one uniform dequantisation per image (the bound Dinh et al. 2017 and Kingma & Dhariwal 2018
# report), PixelCNN by its exact discrete likelihood.
FASHION_LIKELIHOOD_PROTOCOL = ("Fashion-MNIST likelihood: test log-likelihood of the 10,000 test images (nats per "
                               "image on the [-1, 1] scale) and bits per dimension over the 256 levels (-log2 P / 784, "
                               "the papers' scale); flows: one uniform dequantisation per image (a bound, Theis et al. "
                               "2016 §3.1), PixelCNN: its exact discrete likelihood")


FASHION_BOUND_IMAGES = 1_000  # a VAE's IWAE bound (k = 1000) on the first 1,000 test images: 10^6 decoder passes


def evaluate_exact_fashion(dequantize, samples=True, count=None):
    """The test-split likelihood on the papers' scale (the first ``count`` images, or all), and
    (``samples``) the Fashion-MNIST sample protocol; PixelCNN passes ``samples=False``: its
    10,000 samples take about an hour even row-cached, so they are measured once, on the shipped
    weights (``zoo eval pixelcnn-fashion-mnist --seeds 1 --keras --write``)."""
    def evaluate(model, seed):
        from zoo.metrics.likelihood import fashion_mnist_log_likelihood

        metrics = fashion_mnist_log_likelihood(model.log_prob, dequantize=dequantize, seed=seed, count=count)
        if samples:
            metrics.update(evaluate_fashion_samples(model, seed))
        return metrics

    return evaluate


def fashion_likelihood_rows(dequantize, samples=True, count=None):
    """:func:`fashion_rows` measured by :func:`evaluate_exact_fashion`."""
    def protocol():
        text = FASHION_LIKELIHOOD_PROTOCOL
        if count is not None:
            text += (f"; a VAE: its IWAE bound (k = {IWAE_K}) of one dequantisation of the first {count:,} test "
                     "images")
        return text + (f"; samples: {fashion_protocol()}" if samples else "")

    return {**fashion_rows(), "evaluate": evaluate_exact_fashion(dequantize, samples, count), "protocol": protocol}


def dequantized_fashion_data():
    """Fashion-MNIST batches with a fresh uniform dequantisation each (u ~ U[-1/255, 1/255) per
    pixel: one level's bin), for the VAE's continuous density (Theis et al. 2016 §3.1)."""
    def data(batch_size, seed):
        import tensorflow as tf

        from zoo.data.fashion_mnist import fashion_mnist_dataset

        half = 1.0 / 255.0
        seeds = tf.data.Dataset.random(seed=seed).batch(2)
        return tf.data.Dataset.zip((fashion_mnist_dataset(batch_size, seed=seed), seeds)).map(
            lambda x, s: x + tf.random.stateless_uniform(tf.shape(x), seed=tf.cast(s % (2**31 - 1), tf.int32),
                                                         minval=-half, maxval=half),
            num_parallel_calls=tf.data.AUTOTUNE)

    return data
