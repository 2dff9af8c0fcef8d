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

The decoder's likelihood is the VAE's (:mod:`zoo.distributions`).  The adversary T is a
density-ratio estimator of single pairs, not a discriminator of the generator's samples, so
the options of the adversarial families (packing, instance noise) do not apply to it.
"""
import keras
import tensorflow as tf

from zoo import losses, papers
from zoo.distributions import check_likelihood, likelihood_mean, log_likelihood
from zoo.families._base import GenerativeModel, unpack_batch

ENCODE_DRAWS = 32  # ε draws averaged by ``encode`` for the posterior mean


@keras.saving.register_keras_serializable(package="zoo")
class AVB(GenerativeModel):
    """Adversarial variational Bayes with an implicit encoder.

    Args:
      encoder: ``keras.Model`` ``[x, ε]`` -> z (``zoo.networks.mlp_encoder(..., noise_dim=k)``).
      generator: the decoder, z -> likelihood parameters (as the VAE's).
      adversary: ``keras.Model`` ``[x, z]`` -> T(x, z) ``[N, 1]``
        (``zoo.networks.pair_discriminator``).
      likelihood: ``"gaussian"`` or ``"bernoulli"``.
    """

    NETWORKS = ("encoder", "generator", "adversary")
    OPTIMIZERS = {
        "g_optimizer": ("generator",),  # θ
        "e_optimizer": ("encoder",),  # φ
        "d_optimizer": ("adversary",),  # ψ
    }
    LOSSES = ("neg_elbo", "reconstruction", "kl", "d_loss")
    FAMILY = "avb"
    PAPERS = (papers.AVB,)

    def __init__(self, encoder, generator, adversary, likelihood="gaussian", seed=None, **kwargs):
        if len(encoder.inputs) != 2:
            raise ValueError("AVB's encoder is implicit: it takes [x, ε] (build it with "
                             f"zoo.networks.mlp_encoder(..., noise_dim=k)). Received: {len(encoder.inputs)} input(s)")
        super().__init__(generator, seed=seed, **kwargs)
        self.encoder = encoder
        self.adversary = adversary
        self.likelihood = check_likelihood(likelihood)

    @property
    def noise_dim(self) -> int:
        return int(self.encoder.inputs[1].shape[-1])

    @property
    def data_shape(self):
        return tuple(int(d) for d in self.encoder.inputs[0].shape[1:])

    def log_likelihood(self, x, z, training=False):
        return log_likelihood(self.generator(z, training=training), x, self.likelihood, len(self.data_shape))

    def train_step(self, data):
        x, _ = unpack_batch(data)
        batch = tf.shape(x)[0]
        eps = self.normal(batch, (self.noise_dim,))
        z_prior = self.sample_latent(batch)

        # θ and φ share one objective, -(log p(x|z) - T(x, z)); each gets its own update.
        with tf.GradientTape(persistent=True) as tape:
            z = self.encoder([x, eps], training=True)
            reconstruction = -tf.reduce_mean(self.log_likelihood(x, z, training=True))
            kl = tf.reduce_mean(self.adversary([x, z], training=True))  # T ≈ log q(z|x) - log p(z)
            neg_elbo = reconstruction + kl
        self.apply_update(tape, neg_elbo, "g_optimizer")
        self.apply_update(tape, neg_elbo, "e_optimizer")
        del tape

        z = tf.stop_gradient(z)  # the codes of this mini-batch, as in Algorithm 1
        with tf.GradientTape() as tape:
            d_loss = losses.gan_discriminator_loss(
                self.adversary([x, z], training=True), self.adversary([x, z_prior], training=True))
        self.apply_update(tape, d_loss, "d_optimizer")
        return self.track(neg_elbo=neg_elbo, reconstruction=reconstruction, kl=kl, d_loss=d_loss)

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
        return {**super().get_config(), "likelihood": self.likelihood}
