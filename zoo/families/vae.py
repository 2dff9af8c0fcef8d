"""VAE (Kingma & Welling 2013, "Auto-Encoding Variational Bayes", arXiv:1312.6114).

An encoder gives the Gaussian posterior ``q_φ(z|x) = N(μ_φ(x), diag σ_φ²(x))``, a decoder the
likelihood ``p_θ(x|z)`` (Gaussian or Bernoulli); both are trained on the evidence lower bound

    ELBO(x) = E_{q(z|x)}[log p(x|z)] - KL(q(z|x) ‖ p(z)) ≤ log p(x),   p(z) = N(0, I)

with the reparameterised sample ``z = μ + σ ⊙ ε`` (§2.4) and the KL term in closed form
(Appendix B), both through ``tensorflow_probability``.  Optionally part of the code is a
categorical variable relaxed with Gumbel-softmax (Jang et al. 2017, arXiv:1611.01144;
Maddison et al. 2017, arXiv:1611.00712), ``tfp.distributions.RelaxedOneHotCategorical``.

The importance-weighted bound of Burda et al. 2016 (arXiv:1509.00519, eq. 8),
``IWAE_k(x) = E[log 1/k Σ_i p(x, z_i) / q(z_i|x)]``, is tighter than the ELBO for k > 1 and
is the test log-likelihood estimate of the paper (k = 5000 there; 1000 here).  With
``log_prob_samples = k`` the model (and its export, as the ``log_prob`` signature) gives it
per example as ``log_prob(x)``, drawn in chunks from a fixed stateless seed: a density
model's ``log_prob`` that is a lower bound in expectation, comparable with the flows' once
the images are dequantised (``zoo.metrics.likelihood``).
"""
import math

import keras
import tensorflow as tf
import tensorflow_probability as tfp

from zoo import papers
from zoo.distributions import (
    check_likelihood,
    gaussian_posterior,
    gumbel_softmax,
    likelihood_distribution,
    likelihood_mean,
    log_likelihood,
)
from zoo.families._autoencoding import PenalisedAutoEncoder

tfd = tfp.distributions


IWAE_CHUNK = 100  # importance samples drawn at once by log_prob: k · N · D values held per chunk


@keras.saving.register_keras_serializable(package="zoo")
class VAE(PenalisedAutoEncoder):
    """Variational auto-encoder trained on the negative ELBO.

    Args:
      encoder: ``keras.Model`` x -> ``[N, 2 d_c + K]``: posterior location and raw scale of the
        ``d_c`` Gaussian dimensions, then the logits of the K-way categorical (if any).
      generator: the decoder, ``keras.Model`` z ``[N, d_c + K]`` -> likelihood parameters:
        ``[N, *data_shape[:-1], 2 C]`` (Gaussian) or ``[N, *data_shape]`` (Bernoulli logits).
      likelihood: ``"gaussian"`` or ``"bernoulli"``.
      discrete_dim: K, the size of an optional categorical latent (0: none).
      temperature: temperature of the Gumbel-softmax relaxation.
      log_prob_samples: k of the IWAE bound that :meth:`log_prob` (and the export's ``log_prob``
        signature) gives; 0 (the default): no ``log_prob``.  A multiple of 100 above 100.
      seed: seed of the training noise.
    """

    NETWORKS = ("encoder", "generator")
    OPTIMIZERS = {"vae_optimizer": ("encoder", "generator")}
    LOSSES = ("neg_elbo", "reconstruction", "kl")
    FAMILY = "vae"
    PAPERS = (papers.VAE,)

    def __init__(self, encoder, generator, likelihood="gaussian", discrete_dim=0, temperature=0.5, seed=None,
                 log_prob_samples=0, **kwargs):
        super().__init__(generator, seed=seed, **kwargs)
        self.encoder = encoder
        self.likelihood = check_likelihood(likelihood)
        self.discrete_dim = int(discrete_dim)
        self.temperature = float(temperature)
        self.log_prob_samples = int(log_prob_samples)
        k = self.log_prob_samples
        if k < 0 or (k > IWAE_CHUNK and k % IWAE_CHUNK):
            raise ValueError(f"log_prob_samples is the k of the IWAE bound log_prob gives: 0 (none), at most "
                             f"{IWAE_CHUNK}, or a multiple of {IWAE_CHUNK}. Received: log_prob_samples={log_prob_samples!r}")
        expected = 2 * self.continuous_dim + self.discrete_dim
        got = int(encoder.outputs[0].shape[-1])
        if got != expected:
            raise ValueError(
                f"the encoder must output 2 × {self.continuous_dim} Gaussian parameters + {self.discrete_dim} "
                f"categorical logits = {expected} values for a decoder with latent size {self.latent_dim}. "
                f"Received: encoder output size {got}"
            )

    # ----------------------------------------------------------------- shapes
    @property
    def continuous_dim(self) -> int:
        return self.latent_dim - self.discrete_dim

    @property
    def data_shape(self):
        return tuple(int(d) for d in self.encoder.inputs[0].shape[1:])

    # ------------------------------------------------------- the distributions
    def posterior(self, x, training=False):
        """``(q(z_c|x), logits of q(c|x) or None)``."""
        params = self.encoder(x, training=training)
        d = self.continuous_dim
        q = gaussian_posterior(params[:, : 2 * d])
        return q, (params[:, 2 * d:] if self.discrete_dim else None)

    def prior(self):
        return tfd.MultivariateNormalDiag(loc=tf.zeros([self.continuous_dim]))

    def decoder_distribution(self, z, training=False):
        return likelihood_distribution(self.generator(z, training=training), self.likelihood, len(self.data_shape))

    def kl(self, q, logits=None):
        """KL(q(z|x) ‖ p(z)) in closed form: Gaussian part (Kingma & Welling, Appendix B) plus,
        with a categorical latent, KL(Cat(π) ‖ uniform) of the unrelaxed variable (Jang et al.
        2017, as in their code)."""
        kl = tfd.kl_divergence(q, self.prior())
        if logits is not None:
            uniform = tfd.OneHotCategorical(logits=tf.zeros([self.discrete_dim]), dtype=q.dtype)
            kl += tfd.kl_divergence(tfd.OneHotCategorical(logits=logits, dtype=q.dtype), uniform)
        return kl

    def reparameterised_sample(self, q, logits=None):
        """z ~ q(z|x) as a differentiable function of the encoder's outputs (§2.4):
        ``z = μ + σ ⊙ ε`` (what ``q.sample()`` computes), with ε from the family's
        replica-consistent noise; the categorical part by :func:`gumbel_softmax`."""
        mean = q.mean()
        batch = tf.shape(mean)[0]
        z = mean + q.stddev() * self.normal(batch, (self.continuous_dim,))
        if logits is not None:
            c = gumbel_softmax(logits, self.uniform(batch, (self.discrete_dim,)), self.temperature)
            z = tf.concat([z, c], axis=-1)
        return z

    # -------------------------------------------------------------- training
    def negative_elbo_terms(self, x, training=False):
        """Per-example ``(-E_q log p(x|z), KL)`` with one reparameterised sample."""
        q, logits = self.posterior(x, training=training)
        z = self.reparameterised_sample(q, logits)
        reconstruction = -log_likelihood(self.generator(z, training=training), x, self.likelihood,
                                         len(self.data_shape))
        return reconstruction, self.kl(q, logits)

    def autoencoding_terms(self, x):
        """The negative ELBO's two terms, batch means: ``-E_q log p(x|z)`` and the KL."""
        reconstruction, kl = self.negative_elbo_terms(x, training=True)
        reconstruction, kl = tf.reduce_mean(reconstruction), tf.reduce_mean(kl)
        return reconstruction, kl, {"kl": kl}

    # ------------------------------------------------------------ the bounds
    def _continuous_only(self, what):
        if self.discrete_dim:
            raise ValueError(f"{what} needs a purely Gaussian latent (the relaxed categorical has no "
                             f"tractable prior density here). Received: discrete_dim={self.discrete_dim}")

    def _posterior_samples(self, x, k, seed):
        """``(q(z|x), z [k, N, d], log p(x|z) [k, N])`` for ``k`` draws per example."""
        self._continuous_only("the likelihood bounds")
        x = tf.convert_to_tensor(x, tf.float32)
        q, _ = self.posterior(x)
        z = q.sample(k, seed=tf.cast(seed, tf.int32))  # [k, N, d]
        n = tf.shape(x)[0]
        params = self.generator(tf.reshape(z, [-1, self.latent_dim]), training=False)
        params = tf.reshape(params, tf.concat([[k, n], tf.shape(params)[1:]], axis=0))
        return q, z, log_likelihood(params, x, self.likelihood, len(self.data_shape))

    def importance_log_weights(self, x, k, seed=(0, 0)):
        """``[k, N]`` log weights ``log p(x|z_i) + log p(z_i) - log q(z_i|x)``, ``z_i ~ q(z|x)``.

        Their mean over i is a Monte-Carlo ELBO; their log-mean-exp the IWAE_k bound.
        """
        q, z, log_px_z = self._posterior_samples(x, k, seed)
        return log_px_z + self.prior().log_prob(z) - q.log_prob(z)

    def elbo(self, x, k=1, seed=(0, 0)):
        """Per-example ELBO: ``E_q log p(x|z)`` over ``k`` samples minus the closed-form KL."""
        q, _, log_px_z = self._posterior_samples(x, k, seed)
        return tf.reduce_mean(log_px_z, axis=0) - self.kl(q)

    def iwae_bound(self, x, k=1000, seed=(0, 0)):
        """Per-example importance-weighted bound ``log 1/k Σ_i w_i`` (Burda et al. 2016, eq. 8)."""
        log_w = self.importance_log_weights(x, k, seed)
        return tf.reduce_logsumexp(log_w, axis=0) - math.log(k)

    def log_prob(self, x):
        """Per-example ``IWAE_k(x)``, ``k = log_prob_samples`` (Burda et al. 2016, eq. 8), nats on
        the data's scale: the importance samples come in chunks of :data:`IWAE_CHUNK` from the
        stateless seeds ``(0, i)``, so the model and its export give the same number."""
        k = self.log_prob_samples
        if not k:
            raise ValueError("this VAE gives no log_prob: build it with log_prob_samples=k (e.g. 1000), the "
                             "importance samples of the IWAE bound. Received: log_prob_samples=0")
        self._continuous_only("log_prob")
        x = tf.convert_to_tensor(x, tf.float32)
        chunk = min(k, IWAE_CHUNK)

        def body(i, total):
            log_w = self.importance_log_weights(x, chunk, seed=tf.stack([0, i]))
            return i + 1, tf.reduce_logsumexp(tf.stack([total, tf.reduce_logsumexp(log_w, axis=0)]), axis=0)

        start = tf.fill(tf.shape(x)[:1], tf.constant(-math.inf, tf.float32))
        _, total = tf.while_loop(lambda i, _: i < k // chunk, body, (tf.constant(0), start))
        return total - math.log(k)

    def serving_functions(self):
        """The auto-encoder's signatures, and ``log_prob`` (:meth:`log_prob`) when
        ``log_prob_samples`` is set."""
        functions = super().serving_functions()
        if self.log_prob_samples:
            def log_prob(x):
                return {"log_prob": self.log_prob(x)}

            functions["log_prob"] = (log_prob, [tf.TensorSpec([None, *self.data_shape], tf.float32, name="x")])
        return functions

    def evaluate_bounds(self, x, k=1000, chunk=16, seed=0):
        """Mean ELBO (closed-form KL, 1 sample) and IWAE_k over ``x`` in nats per example."""
        elbos, iwaes = [], []
        for i, start in enumerate(range(0, len(x), chunk)):
            batch = x[start: start + chunk]
            elbos.append(self.elbo(batch, k=1, seed=(seed, 2 * i)).numpy())
            iwaes.append(self.iwae_bound(batch, k=k, seed=(seed, 2 * i + 1)).numpy())
        import numpy as np

        return {"elbo": float(np.concatenate(elbos).mean()), "iwae": float(np.concatenate(iwaes).mean())}

    # ------------------------------------------------------ generation / codes
    def call(self, z, training=False):
        return likelihood_mean(self.generator(z, training=training), self.likelihood)

    def generate(self, z):
        """E[x|z]: the mean of the likelihood, in the data's range (served weights)."""
        return likelihood_mean(self.served("generator")(z, training=False), self.likelihood)

    def sample_latent(self, batch_size):
        z = self.normal(batch_size, (self.continuous_dim,))
        if self.discrete_dim:
            u = self.uniform(batch_size, (), 0.0, float(self.discrete_dim))
            z = tf.concat([z, tf.one_hot(tf.cast(tf.floor(u), tf.int32), self.discrete_dim)], axis=-1)
        return z

    def prior_sample(self, n, seed):
        """z from the prior: Gaussian, then a one-hot class for the categorical part."""
        seed = tf.stack([seed, 0])
        z = tf.random.stateless_normal([n, self.continuous_dim], seed=seed)
        if self.discrete_dim:
            c = tf.random.stateless_uniform([n], seed=seed + [0, 1], maxval=self.discrete_dim, dtype=tf.int32)
            z = tf.concat([z, tf.one_hot(c, self.discrete_dim)], axis=-1)
        return z

    def encode(self, x):
        """The posterior mean (class probabilities for the categorical part)."""
        q, logits = self.posterior(x)
        z = q.mean()
        if logits is not None:
            z = tf.concat([z, tf.nn.softmax(logits)], axis=-1)
        return z

    def encode_outputs(self, x):
        q, logits = self.posterior(x)
        outputs = {"z": self.encode(x), "mean": q.mean(), "stddev": q.stddev()}
        if logits is not None:
            outputs["logits"] = logits
        return outputs

    def get_config(self):
        return {**super().get_config(), "likelihood": self.likelihood, "discrete_dim": self.discrete_dim,
                "temperature": self.temperature, "log_prob_samples": self.log_prob_samples}
