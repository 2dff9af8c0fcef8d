"""ALI / BiGAN: adversarially learned inference (Dumoulin et al. 2016, arXiv:1606.00704) and
bidirectional GAN (Donahue et al. 2016, arXiv:1605.09782).

A generator ``x̃ = G(z)``, ``z ~ p(z)``, and an encoder ``ẑ = E(x)``, ``x ~ data``, are trained
jointly against one discriminator on *pairs* (eq. 2 of ALI):

    min_{G,E} max_D  E_x[log D(x, E(x))] + E_z[log(1 − D(G(z), z))]

At the optimum the joint distributions q(x, z) = p_data(x) q(z|x) and p(x, z) = p(z) p(x|z)
match, so E inverts G.  ALI's encoder is stochastic, ``E(x) = μ(x) + σ(x) ⊙ ε``
(reparameterised); BiGAN's is deterministic (``stochastic_encoder=False``).  G and E take the
non-saturating form of their loss (the labels swapped), as both papers do in practice.
"""
import keras
import tensorflow as tf

from zoo import losses, papers
from zoo.distributions import location_scale
from zoo.families._adversarial import AdversarialModel


@keras.saving.register_keras_serializable(package="zoo")
class ALI(AdversarialModel):
    """ALI (stochastic encoder) or BiGAN (deterministic encoder).

    Args:
      encoder: ``keras.Model`` x -> ``[N, 2 d]`` (location and raw scale; ALI) or ``[N, d]``
        (BiGAN).
      generator: ``keras.Model`` z -> x.
      discriminator: ``keras.Model`` ``[x, z]`` -> logit ``[N, 1]`` (with ``packing=m``, x and
        z each packed: ``zoo.networks.pair_discriminator(..., packing=m)``).
      stochastic_encoder: ALI (True) or BiGAN (False).
      seed, packing, ema_decay, ema_start and the tricks: see
        :class:`~zoo.families._adversarial.AdversarialModel`.
    """

    NETWORKS = ("encoder", "generator", "discriminator")
    OPTIMIZERS = {"d_optimizer": ("discriminator",), "g_optimizer": ("generator", "encoder")}
    LOSSES = ("d_loss", "g_loss")
    DISCRIMINATES = "xz"
    FEATURE_MATCHING = False  # both players' loss is the pair discriminator's game
    FAMILY = "ali"
    PAPERS = (papers.ALI, papers.BIGAN)

    def __init__(self, encoder, generator, discriminator, stochastic_encoder=True, seed=None, **kwargs):
        super().__init__(generator, discriminator, encoder=encoder, seed=seed, **kwargs)
        self.stochastic_encoder = bool(stochastic_encoder)
        expected = (2 if self.stochastic_encoder else 1) * self.latent_dim
        got = int(encoder.outputs[0].shape[-1])
        if got != expected:
            raise ValueError(
                f"the {'ALI (stochastic)' if self.stochastic_encoder else 'BiGAN (deterministic)'} encoder must "
                f"output {expected} values for latent size {self.latent_dim}. Received: encoder output size {got}")

    def _encoder_location_scale(self, x, training):
        out = self.encoder(x, training=training)
        if not self.stochastic_encoder:
            return out, None
        return location_scale(out)

    def infer(self, x, training=True):
        """ẑ ~ q(z|x): reparameterised for ALI (ALI §2.2), E(x) for BiGAN."""
        loc, scale = self._encoder_location_scale(x, training)
        if scale is None:
            return loc
        return loc + scale * self.normal(tf.shape(loc)[0], (self.latent_dim,))

    def encode(self, x):
        """The code of x: the mean of q(z|x) (ALI) or E(x) (BiGAN)."""
        return self._encoder_location_scale(x, training=False)[0]

    def generator_cost(self, real, *fakes, labels=None):
        # The discriminator's game with the labels swapped on the pairs: E makes the data pairs
        # (x, E(x)) look generated, G makes the model pairs (G(z), z) look real.
        return losses.gan_discriminator_loss(self.judge(fakes[0]), self.judge(real))

    def play(self, x, labels=None):
        """The base's round on pairs, with one prior draw z for both players' steps (the
        encoder draws afresh in each)."""
        z = self.sample_latent(tf.shape(x)[0])
        pairs = lambda: ([x, self.infer(x)], [self.generator(z, training=True), z])  # noqa: E731
        logs = self.discriminator_steps(x, samples=pairs)
        generator_logs, _ = self.generator_step(x, samples=pairs)
        return {**logs, **generator_logs}

    def get_config(self):
        return {**super().get_config(), "stochastic_encoder": self.stochastic_encoder}
