"""LAPGAN (Denton, Chintala, Szlam & Fergus 2015, "Deep Generative Image Models using a
Laplacian Pyramid of Adversarial Networks", arXiv:1506.05751).

An image ``I`` is split into a Laplacian pyramid: ``I_{k+1} = d(I_k)`` (downsampling) and
band-pass residuals ``h_k = I_k - u(I_{k+1})`` (u: upsampling), with the coarsest image
``I_K`` kept whole, so that ``I_k = u(I_{k+1}) + h_k`` rebuilds it exactly (eq. 1-2).  One GAN
per level: the coarsest generates ``I_K`` from noise; every finer ``G_k(z_k, l_k)`` generates the
residual ``h_k`` given the low-pass image ``l_k = u(I_{k+1})``, and ``D_k`` judges ``(h_k, l_k)``
pairs (eq. 3, a conditional GAN on ``l_k``).  Levels are trained independently, each on the
*real* low-pass images; sampling runs coarse to fine on generated ones (eq. 3 / Figure 1).

Here ``d`` is 2×2 average pooling and ``u`` nearest-neighbour upsampling (the paper blurs
before subsampling); any such pair rebuilds exactly, and with this one each residual has
zero mean over every 2×2 block, so ``d(h_k) = 0``.

Levels are listed coarse to fine: ``generators[0]`` is ``z_0 -> I_K``, ``generators[k]`` is
``[z_k, l] -> h`` at twice the previous resolution.  The whole model's code is the
concatenation ``z = [z_0, z_1, ...]``, so ``model(z)``, ``sample`` and the export work as
for any family.
"""
import keras
import tensorflow as tf

from zoo import losses, papers, tricks
from zoo.families._adversarial import AdversarialModel, check_discriminator_input

LAPGAN_PAPER = papers.LAPGAN  # import-compatible alias


def downsample(images):
    """``d``: 2×2 average pooling, ``[N, H, W, C] -> [N, H/2, W/2, C]``."""
    return tf.nn.avg_pool2d(images, ksize=2, strides=2, padding="VALID")


def upsample(images):
    """``u``: nearest-neighbour upsampling, ``[N, H, W, C] -> [N, 2H, 2W, C]``.

    The closing reshape states the static shape, which changes no value.  TFLite's converter
    loses the height in ``tf.repeat``'s own reshapes (``?x?x28x1`` after two upsamplings, 7 -> 28)
    and then keeps the convolution that reads such a tensor as a TensorFlow (flex) op, which
    the native TFLite runtime cannot run: the 28×28 level of a 7 -> 14 -> 28 pyramid did not
    convert, while one upsampling (8×8 digits) did.
    """
    repeated = tf.repeat(tf.repeat(images, 2, axis=1), 2, axis=2)
    height, width, channels = images.shape[1:]
    if None in (height, width, channels):
        return repeated
    return tf.reshape(repeated, [-1, 2 * height, 2 * width, channels])


def laplacian_pyramid(images, levels):
    """``(bands, lows)`` coarse to fine: ``bands[0] = I_K`` (the coarsest image) and
    ``bands[k] = h`` for k >= 1, ``lows[k] = u(I_{coarser})`` (``lows[0] = None``)."""
    gaussians = [images]
    for _ in range(levels - 1):
        gaussians.append(downsample(gaussians[-1]))
    gaussians = gaussians[::-1]  # coarse to fine
    bands, lows = [gaussians[0]], [None]
    for coarse, fine in zip(gaussians[:-1], gaussians[1:]):
        low = upsample(coarse)
        lows.append(low)
        bands.append(fine - low)
    return bands, lows


def reconstruct(bands):
    """Inverse of :func:`laplacian_pyramid`: ``I_k = u(I_{k+1}) + h_k`` from the coarsest up."""
    image = bands[0]
    for band in bands[1:]:
        image = upsample(image) + band
    return image


@keras.saving.register_keras_serializable(package="zoo")
class LAPGAN(AdversarialModel):
    """A Laplacian pyramid of GANs.

    Args:
      generators: coarse to fine; ``generators[0]``: ``z_0 -> I_K``; ``generators[k]``:
        ``[z_k, low] -> residual``, each level doubling the resolution.
      discriminators: coarse to fine; ``discriminators[0]``: ``I_K -> logit``;
        ``discriminators[k]``: ``concat([residual, low], channels) -> logit`` (channels
        times ``packing`` with PacGAN packing).
      loss: generator loss, ``"non_saturating"`` or ``"minimax"`` (every level).
      band_pass: project each generated residual onto the residuals a pyramid can hold,
        ``h - u(d(h))`` (so ``d(h) = 0`` as for real ones): a finer level then adds detail and
        cannot shift the coarser image it is given.  Not in the paper (its blur-and-subsample
        pyramid has no such exact subspace); ``False`` gives the paper's unconstrained G_k.
      seed: seed of the training noise.
      packing, ema_decay, ema_start, instance_noise, noise_anneal_steps, historical_averaging,
        label_smoothing: every level's, see :class:`~zoo.families._adversarial.AdversarialModel`.
    """

    FAMILY = "lapgan"
    PAPERS = (papers.LAPGAN,)
    NETWORK_ARGS = ("generators", "discriminators")
    FEATURE_MATCHING = False  # one discriminator per level, no single layer to match
    GENERATOR_SEES_DATA = False

    def __init__(self, generators, discriminators, loss="non_saturating", band_pass=True, seed=None, **kwargs):
        generators, discriminators = list(generators), list(discriminators)
        if not generators or len(generators) != len(discriminators):
            raise ValueError(
                "LAPGAN needs one generator and one discriminator per pyramid level. Received: "
                f"{len(generators)} generators, {len(discriminators)} discriminators"
            )
        if loss not in losses.GENERATOR_LOSSES:
            raise ValueError(f"LAPGAN loss must be one of {sorted(losses.GENERATOR_LOSSES)}. Received: loss={loss!r}")
        tricks_kwargs = tricks.pop_trick_kwargs(kwargs)
        super().__init__(None, None, seed=seed, **kwargs)  # no single generator: levels below
        self.levels = len(generators)
        # The contract's names, per level: every player owns one network per level.  One
        # optimizer per player over all levels is the same as one per level (Adam's state is
        # per parameter, and levels share no variables).
        self.NETWORKS = tuple(f"generator_{k}" for k in range(self.levels)) + tuple(
            f"discriminator_{k}" for k in range(self.levels))
        self.OPTIMIZERS = {"d_optimizer": self.NETWORKS[self.levels:], "g_optimizer": self.NETWORKS[:self.levels]}
        for k, (g, d) in enumerate(zip(generators, discriminators)):
            setattr(self, f"generator_{k}", g)
            setattr(self, f"discriminator_{k}", d)
        self.objective = loss
        self.band_pass = bool(band_pass)
        for k in range(1, self.levels):
            previous, current = self._resolution(k - 1), self._resolution(k)
            if current != 2 * previous:
                raise ValueError(
                    f"each LAPGAN level doubles the resolution: level {k} must output {2 * previous}×{2 * previous}. "
                    f"Received: {current}×{current}"
                )
        for k, d in enumerate(discriminators):
            band = tuple(int(s) for s in generators[k].outputs[0].shape[1:])
            judged = band if k == 0 else band[:-1] + (2 * band[-1],)  # the residual beside the low-pass image
            check_discriminator_input(d, [judged], self.packing, role=f"discriminators[{k}]")
        self.init_tricks(**tricks_kwargs)
        self.init_ema()

    def _resolution(self, k):
        return int(getattr(self, f"generator_{k}").outputs[0].shape[1])

    # ------------------------------------------------- the contract, per level
    @property
    def generators(self):
        return [getattr(self, f"generator_{k}") for k in range(self.levels)]

    @property
    def discriminators(self):
        return [getattr(self, f"discriminator_{k}") for k in range(self.levels)]

    @property
    def level_latent_dims(self):
        return [int(g.inputs[0].shape[-1]) for g in self.generators]

    @property
    def latent_dim(self):
        return sum(self.level_latent_dims)

    @property
    def data_shape(self):
        return tuple(int(d) for d in self.generators[-1].outputs[0].shape[1:])

    # ------------------------------------------------------------- generation
    def split_latent(self, z):
        return tf.split(z, self.level_latent_dims, axis=-1)

    def synthesise(self, z, generators, training=False):
        """Coarse to fine (Figure 1): ``Ĩ_K = G_0(z_0)``, then ``Ĩ = u(Ĩ) + G_k(z_k, u(Ĩ))``."""
        codes = self.split_latent(z)
        image = generators[0](codes[0], training=training)
        for generator, code in zip(generators[1:], codes[1:]):
            low = upsample(image)
            image = low + self._residual(generator([code, low], training=training))
        # Residuals are unbounded; the zoo's images live in [-1, 1].
        return tf.clip_by_value(image, -1.0, 1.0)

    def call(self, z, training=False):
        return self.synthesise(z, self.generators, training)

    def generate(self, z):
        return self.synthesise(z, [self.served(f"generator_{k}") for k in range(self.levels)])

    def _residual(self, h):
        return h - upsample(downsample(h)) if self.band_pass else h

    # -------------------------------------------------------------- training
    # Each level is its own GAN on the real low-pass images; the losses are summed, and
    # since the levels share no variables the sum trains each one independently (§3).
    # What the critic compares: per level, D_k's input on real and on generated residuals.
    def discriminator_samples(self, x, labels=None):
        bands, lows = laplacian_pyramid(x, self.levels)
        codes = self.split_latent(self.sample_latent(tf.shape(x)[0]))
        judged = lambda band, low: band if low is None else tf.concat([band, low], axis=-1)  # noqa: E731
        real = [judged(band, low) for band, low in zip(bands, lows)]
        fake = [judged(self._fake_band(k, codes[k], lows[k]), lows[k]) for k in range(self.levels)]
        return real, fake

    def _fake_band(self, k, code, low):
        if low is None:
            return self.generators[k](code, training=True)
        return self._residual(self.generators[k]([code, low], training=True))

    def discriminator_cost(self, real, *fakes, labels=None):
        return tf.add_n([self.discriminator_loss(d(r, training=True), d(f, training=True))
                         for d, r, f in zip(self.discriminators, real, fakes[0])]), {}

    def generator_cost(self, real, *fakes, labels=None):
        return tf.add_n([self.generator_loss(d(f, training=True)) for d, f in zip(self.discriminators, fakes[0])])

    def generator_loss(self, fake_logits):
        return losses.GENERATOR_LOSSES[self.objective](fake_logits)

    # ----------------------------------------------------------- serialization
    def get_config(self):
        return {**super().get_config(), "loss": self.objective, "band_pass": self.band_pass}
