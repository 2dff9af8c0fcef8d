"""AVB (Mescheder et al. 2017, "Adversarial Variational Bayes", arXiv:1701.04722).

A VAE whose encoder is *implicit*: ``z = f_φ(x, ε)``, ``ε ~ N(0, I)``, a black box with no
density.  The KL term of the ELBO needs ``log q_φ(z|x) − log p(z)``; an adversary
``T_ψ(x, z)`` learns it by logistic regression between pairs ``(x, z ~ q_φ(z|x))`` and
``(x, z ~ p(z))`` (eq. 3): at its optimum (Proposition 1)

    T*(x, z) = log q_φ(z|x) − log p(z),

so the ELBO becomes ``E_{x, ε}[log p_θ(x | f_φ(x, ε)) − T*(x, f_φ(x, ε))]`` (eq. 7), and
Algorithm 1 updates, on one mini-batch,

- θ (decoder) and φ (encoder) by ascending ``log p_θ(x|z) − T_ψ(x, z)`` with
  ``z = f_φ(x, ε)`` (Proposition 2: the gradient through T's z input is the right one);
- ψ (adversary) by ascending ``log σ(T(x, z_q)) + log(1 − σ(T(x, z_p)))``.

The decoder's likelihood is the VAE's (:mod:`zoo.distributions`).  AVB plays on the
adversarial base: T is its discriminator (on pairs), the encoder and decoder its generator
step.  T is a density-ratio estimator of single pairs, not a discriminator of the generator's
samples, so the options of the adversarial families (packing, instance noise...) do not
apply to it.

Adaptive contrast (§3.3, ``adaptive_contrast=True``).  Plain AVB asks T to tell ``q(z|x)``
from ``p(z)``; once the encoder is nearly deterministic the two are so far apart that a
logistic-regression adversary badly underestimates their log ratio, and the encoder is not
paid for its collapse.  (On 8×8 digits, the 6,000-step export's encoder spread each code by
σ ≈ 0.013 over ε, a true KL of roughly 30 nats per image, while T on those pairs averaged
7.9; the codes then left holes in N(0, I) and prior samples scored FID 62, samples from a
Gaussian fitted to the codes 20.)  With a Gaussian ``r_α(z|x)`` of the same mean μ(x) and
standard deviation σ(x) as q (here Monte-Carlo estimates over ``contrast_draws`` ε per x,
differentiated through), the ELBO becomes (eq. 13-14)

    E_q[log p(x|z)] − KL(q(z|x), r_α(z|x)) − KL(r_α(z|x), p(z)),

the middle term ``T*(x, z̃)`` learned on the normalised codes ``z̃ = (z − μ)/σ`` against
``N(0, I)`` (the Jacobians cancel), the last in closed form: it grows without bound as σ → 0,
so a collapsing encoder is penalised exactly.  E_q[log r_α − log p] equals that closed form
because log r_α and log p are quadratic in z and q shares r_α's first two moments.
"""
import keras
import tensorflow as tf

from zoo import losses, papers, tricks
from zoo.distributions import check_likelihood, likelihood_mean, log_likelihood
from zoo.families._adversarial import AdversarialModel, check_discriminator_input

ENCODE_DRAWS = 32  # ε draws averaged by ``encode`` for the posterior mean
# Added to the estimated variance of q(z|x) under adaptive contrast (the reference code adds
# 1e-4 too): keeps z̃ and log σ² finite for an encoder that ignores ε.
CONTRAST_VARIANCE_FLOOR = 1e-4


@keras.saving.register_keras_serializable(package="zoo")
class AVB(AdversarialModel):
    """Adversarial variational Bayes with an implicit encoder.

    Args:
      encoder: ``keras.Model`` ``[x, ε]`` -> z (``zoo.networks.mlp_encoder(..., noise_dim=k)``).
      generator: the decoder, z -> likelihood parameters (as the VAE's).
      adversary: ``keras.Model`` ``[x, z]`` -> T(x, z) ``[N, 1]``
        (``zoo.networks.pair_discriminator``); the adversarial base's discriminator.
      likelihood: ``"gaussian"`` or ``"bernoulli"``.
      adaptive_contrast: T judges the normalised codes ``(z − μ(x))/σ(x)`` against N(0, I)
        and ``KL(r_α, p)`` is added in closed form (§3.3; see the module docstring).
      contrast_draws: ε draws per example for the moments μ(x), σ(x) (each step runs the
        encoder, decoder and adversary on ``batch × contrast_draws`` rows).
      n_critic: adversary updates per step, on the step's codes (1, as Algorithm 1).
      seed, ema_decay, ema_start: as :class:`~zoo.families._base.GenerativeModel`.
    """

    NETWORKS = ("encoder", "generator", "adversary")
    OPTIMIZERS = {
        "g_optimizer": ("generator",),  # θ
        "e_optimizer": ("encoder",),  # φ
        "d_optimizer": ("adversary",),  # ψ
    }
    LOSSES = ("neg_elbo", "reconstruction", "kl", "d_loss")
    GENERATOR_OPTIMIZERS = ("g_optimizer", "e_optimizer")  # θ and φ: one loss, an update each
    GENERATOR_LOSS_NAME = "neg_elbo"
    DISCRIMINATES = "xz"
    # T estimates a density ratio on single pairs: packing, label smoothing or feature matching
    # would change what it estimates (the other options are refused in __init__).
    PACKING = LABEL_SMOOTHING = FEATURE_MATCHING = False
    FAMILY = "avb"
    PAPERS = (papers.AVB,)

    def __init__(self, encoder, generator, adversary, likelihood="gaussian", adaptive_contrast=False,
                 contrast_draws=16, seed=None, **kwargs):
        if len(encoder.inputs) != 2:
            raise ValueError("AVB's encoder is implicit: it takes [x, ε] (build it with "
                             f"zoo.networks.mlp_encoder(..., noise_dim=k)). Received: {len(encoder.inputs)} input(s)")
        options = {key: value for key, value in tricks.pop_trick_kwargs(kwargs).items() if value}
        if options:
            raise ValueError("AVB's adversary estimates log q(z|x) − log p(z) on single pairs, which the "
                             "stabilisation options would bias: leave them off. Received: "
                             + ", ".join(f"{key}={value!r}" for key, value in options.items()))
        super().__init__(generator, None, encoder=encoder, seed=seed, **kwargs)
        self.adversary = adversary
        check_discriminator_input(adversary, self.discriminator_input_shapes(), self.packing, role="adversary")
        self.init_tricks()
        self.likelihood = check_likelihood(likelihood)
        if isinstance(contrast_draws, bool) or int(contrast_draws) != contrast_draws or contrast_draws < 2:
            raise ValueError("contrast_draws must be an integer >= 2 (draws per example for the moments of "
                             f"q(z|x)). Received: contrast_draws={contrast_draws!r}")
        self.adaptive_contrast = bool(adaptive_contrast)
        self.contrast_draws = int(contrast_draws)

    @property
    def discriminator(self):
        """T, under the adversarial base's name (``adversary`` is the paper's, and the saved one)."""
        return self.adversary

    @property
    def noise_dim(self) -> int:
        return int(self.encoder.inputs[1].shape[-1])

    @property
    def data_shape(self):
        return tuple(int(d) for d in self.encoder.inputs[0].shape[1:])

    def log_likelihood(self, x, z, training=False):
        return log_likelihood(self.generator(z, training=training), x, self.likelihood, len(self.data_shape))

    # ---------------------------------------------------------- Algorithm 1
    def play(self, x, labels=None):
        """Algorithm 1 on one mini-batch: θ and φ descend ``−(log p(x|z) − T(x, z))``, then ψ
        takes its logistic-regression step on the same codes (stopped) against the contrast, so
        all three gradients are taken at the step's starting parameters, as in the paper."""
        logs, (rows, _, judged, _) = self.generator_step(x)
        contrast = lambda: ([rows, tf.stop_gradient(judged)],  # noqa: E731
                            [rows, self.normal(tf.shape(rows)[0], (self.latent_dim,))])  # p(z), or N(0, I) for z̃
        return {**logs, **self.discriminator_steps(x, samples=contrast)}

    def generator_samples(self, x, labels=None):
        """``(rows, z, judged, closed-form KL)``: the data repeated per draw, its codes
        ``z = f_φ(x, ε)``, what T judges of them, and ``KL(r_α ‖ p)`` (None without contrast).

        Plain AVB: one code per example, judged as it is.  Adaptive contrast (§3.3):
        ``contrast_draws`` codes per example give the moments of q(z|x); T judges the
        normalised codes and ``KL(r_α, p)`` is added in closed form.
        """
        batch = tf.shape(x)[0]
        draws = self.contrast_draws if self.adaptive_contrast else 1
        rows = tf.repeat(x, draws, axis=0) if draws > 1 else x  # row i*K + j: example i, draw j
        z = self.encoder([rows, self.normal(batch * draws, (self.noise_dim,))], training=True)
        judged, closed_form_kl = self.adversary_codes(z, batch) if draws > 1 else (z, None)
        return rows, z, judged, closed_form_kl

    def generator_step_loss(self, rows, z, judged, closed_form_kl, labels=None):
        """The negative ELBO, ``−log p(x|z) + T(x, z)`` (eq. 7; T ≈ log q(z|x) − log p(z))."""
        reconstruction = -tf.reduce_mean(self.log_likelihood(rows, z, training=True))
        kl = tf.reduce_mean(self.adversary([rows, judged], training=True))
        if closed_form_kl is not None:
            kl = kl + tf.reduce_mean(closed_form_kl)
        return reconstruction + kl, {"reconstruction": reconstruction, "kl": kl}

    def adversary_codes(self, z, batch):
        """Adaptive contrast (§3.3): ``(z̃, KL(r_α(z|x) ‖ N(0, I)))`` for the codes ``z`` of
        ``contrast_draws`` draws per example, ``z̃ = (z − μ)/σ`` with the Monte-Carlo moments
        of q(z|x) (differentiated through), the KL per example in closed form."""
        draws = self.contrast_draws
        codes = tf.reshape(z, [batch, draws, self.latent_dim])
        mean = tf.reduce_mean(codes, axis=1, keepdims=True)
        variance = tf.reduce_sum(tf.square(codes - mean), axis=1, keepdims=True) / float(draws - 1)
        variance = variance + CONTRAST_VARIANCE_FLOOR
        normalised = tf.reshape((codes - mean) * tf.math.rsqrt(variance), [-1, self.latent_dim])
        return normalised, losses.gaussian_kl_to_standard_normal(mean, variance)

    # ------------------------------------------------------ generation / codes
    def call(self, z, training=False):
        return likelihood_mean(self.generator(z, training=training), self.likelihood)

    def generate(self, z):
        return likelihood_mean(self.served("generator")(z, training=False), self.likelihood)

    def encode(self, x):
        """The posterior mean ``E_ε f(x, ε)`` over ``ENCODE_DRAWS`` fixed draws of ε."""
        x = tf.convert_to_tensor(x)
        n = tf.shape(x)[0]
        eps = tf.random.stateless_normal([ENCODE_DRAWS, self.noise_dim], seed=[0, 0])
        tiled_x = tf.repeat(x, ENCODE_DRAWS, axis=0)  # row i*D + j: example i, draw j
        tiled_eps = tf.tile(eps, [n, 1])
        z = self.encoder([tiled_x, tiled_eps], training=False)
        return tf.reduce_mean(tf.reshape(z, [n, ENCODE_DRAWS, self.latent_dim]), axis=1)

    def get_config(self):
        return {**super().get_config(), "likelihood": self.likelihood,
                "adaptive_contrast": self.adaptive_contrast, "contrast_draws": self.contrast_draws}
