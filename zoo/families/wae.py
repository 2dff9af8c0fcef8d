"""WAE (Tolstikhin et al. 2018, "Wasserstein Auto-Encoders", arXiv:1711.01558).

A deterministic encoder Q and a decoder G minimise the penalised optimal-transport cost (eq. 4)

    D_WAE(P_X, P_G) = E_x c(x, G(Q(x))) + λ · D_Z(Q_Z, P_Z),   c(x, y) = ‖x − y‖²

where ``Q_Z`` is the aggregated posterior (the codes of the data) and ``P_Z = N(0, σ_z² I)``
the prior.  Unlike the VAE, only the *aggregate* of the codes is pulled towards the prior,
so each code stays sharp and reconstructions stay good.

- **WAE-MMD** (Algorithm 2): ``D_Z`` is the unbiased MMD² with the inverse multiquadratic
  kernel summed over scales (``zoo.kernels``, as the paper's code).
- **WAE-GAN** (Algorithm 1): ``D_Z`` is estimated by a discriminator on z, which separates
  prior draws from codes; the encoder is trained to fool it.

λ as in the paper's MNIST experiments (§4): 10 for WAE-MMD, 1 for WAE-GAN; σ_z² = 1.
"""
import keras
import tensorflow as tf

from zoo import kernels, losses, papers
from zoo.families._adversarial import AdversarialModel
from zoo.families._autoencoding import PenalisedAutoEncoder

PAPERS = (papers.WAE,)  # import-compatible alias


def _gather_replicas(tensor):
    """The global batch of ``tensor`` (rows of every replica, in replica order)."""
    context = tf.distribute.get_replica_context()
    if context is None or context.num_replicas_in_sync == 1:
        return tensor
    return context.all_gather(tensor, axis=0)


class _WAE:
    """What both WAEs share (a mixin before the base class): the prior N(0, σ_z² I), the
    deterministic encoder, the reconstruction cost and the penalty weight λ."""

    FAMILY = "wae"
    PAPERS = (papers.WAE,)

    def init_wae(self, lam, prior_variance):
        self.lam = float(lam)
        self.prior_variance = float(prior_variance)

    def sample_latent(self, batch_size):
        return self.normal(batch_size, (self.latent_dim,)) * self.prior_variance ** 0.5

    def prior_sample(self, n, seed):
        return super().prior_sample(n, seed) * self.prior_variance ** 0.5

    def encode(self, x):
        return self.encoder(x, training=False)

    def reconstruction_cost(self, x, z):
        """``E_x c(x, G(z))`` on the batch, with the codes ``z = Q(x)``."""
        return tf.reduce_mean(losses.squared_l2_cost(x, self.generator(z, training=True)))

    def get_config(self):
        return {**super().get_config(), "lam": self.lam, "prior_variance": self.prior_variance}


@keras.saving.register_keras_serializable(package="zoo")
class WAEMMD(_WAE, PenalisedAutoEncoder):
    """WAE with the MMD penalty (Algorithm 2).

    Args:
      encoder: ``keras.Model`` x -> z (deterministic).
      generator: the decoder, z -> x.
      lam: λ, the weight of the MMD penalty (10 in the paper).
      prior_variance: σ_z² of the prior N(0, σ_z² I) (also the IMQ kernel's base scale).
      kernel: ``"imq"`` (the paper) or ``"rbf"``.
      seed, ema_decay, ema_start: as :class:`~zoo.families._base.GenerativeModel`.
    """

    NETWORKS = ("encoder", "generator")
    OPTIMIZERS = {"ae_optimizer": ("encoder", "generator")}
    LOSSES = ("wae_loss", "reconstruction", "mmd")
    FAMILY = "wae-mmd"

    def __init__(self, encoder, generator, lam=10.0, prior_variance=1.0, kernel="imq", seed=None, **kwargs):
        if kernel not in kernels.KERNELS:
            raise ValueError(f"kernel must be one of {sorted(kernels.KERNELS)}. Received: kernel={kernel!r}")
        super().__init__(generator, seed=seed, **kwargs)
        self.encoder = encoder
        self.init_wae(lam, prior_variance)
        self.kernel = kernel

    def penalty(self, z_encoded, z_prior):
        kwargs = {"prior_variance": self.prior_variance} if self.kernel == "imq" else {}
        return kernels.mmd(z_encoded, z_prior, kernel=self.kernel, unbiased=True, **kwargs)

    def autoencoding_terms(self, x):
        """``E_x c(x, G(Q(x)))`` and ``λ · MMD(Q_Z, P_Z)`` (Algorithm 2)."""
        z_prior = self.sample_latent(tf.shape(x)[0])
        z = self.encoder(x, training=True)
        reconstruction = self.reconstruction_cost(x, z)
        # MMD is a statistic of the whole batch (all pairs), not a mean over examples: on N
        # replicas it is computed on the gathered global batch, so that N-replica training
        # equals 1-device training (all_gather passes the gradient back to each replica).
        mmd = self.penalty(_gather_replicas(z), _gather_replicas(z_prior))
        return reconstruction, self.lam * mmd, {"mmd": mmd}

    def get_config(self):
        return {**super().get_config(), "kernel": self.kernel}


@keras.saving.register_keras_serializable(package="zoo")
class WAEGAN(_WAE, AdversarialModel):
    """WAE with an adversarial penalty in the latent space (Algorithm 1).

    Args:
      encoder: ``keras.Model`` x -> z (deterministic).
      generator: the decoder, z -> x.
      discriminator: ``keras.Model`` z -> logit ``[N, 1]`` (prior draws are "real"; ``[N / m, 1]``
        on packs of codes with ``packing=m``).
      lam: λ (1 in the paper).
      prior_variance: σ_z².
      seed, packing, ema_decay, ema_start and the tricks: see
        :class:`~zoo.families._adversarial.AdversarialModel`.
    """

    NETWORKS = ("encoder", "generator", "discriminator")
    OPTIMIZERS = {"d_optimizer": ("discriminator",), "ae_optimizer": ("encoder", "generator")}
    LOSSES = ("d_loss", "wae_loss", "reconstruction", "gan_penalty")
    GENERATOR_OPTIMIZERS = ("ae_optimizer",)
    GENERATOR_LOSS_NAME = "wae_loss"
    DISCRIMINATES = "z"
    FEATURE_MATCHING = False  # the encoder's step draws no prior sample to match features with
    FAMILY = "wae-gan"

    def __init__(self, encoder, generator, discriminator, lam=1.0, prior_variance=1.0, seed=None, **kwargs):
        super().__init__(generator, discriminator, encoder=encoder, seed=seed, **kwargs)
        self.init_wae(lam, prior_variance)

    def discriminator_samples(self, x, labels=None):
        # Prior draws are the data of the latent GAN, codes its samples.
        return self.sample_latent(tf.shape(x)[0]), self.encoder(x, training=True)

    def discriminator_cost(self, real, *fakes, labels=None):
        # D_γ ascends λ/n Σ log D(z_i) + log(1 − D(Q(x_i))); the paper's λ scales the
        # discriminator's loss too, which only rescales its learning rate.
        d_loss, logs = super().discriminator_cost(real, *fakes, labels=labels)
        return self.lam * d_loss, logs

    def generator_samples(self, x, labels=None):
        # The data and its codes Q(x): the encoder's step draws no prior sample.
        return x, self.encoder(x, training=True)

    def generator_step_loss(self, x, z, labels=None):
        """Q and G descend ``1/n Σ c(x_i, G(Q(x_i))) − λ log D(Q(x_i))`` (Algorithm 1)."""
        reconstruction = self.reconstruction_cost(x, z)
        gan_penalty, _ = super().generator_step_loss(None, z)
        return reconstruction + self.lam * gan_penalty, {"reconstruction": reconstruction, "gan_penalty": gan_penalty}
