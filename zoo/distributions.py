"""Probability pieces shared by families: the Gaussian posterior of an encoder, the
decoder likelihoods, the Gumbel-softmax relaxation (VAE, AVB, ALI use them).

Built on ``tensorflow_probability``; every function is pure (tensors in, a distribution or
a tensor out).
"""
import tensorflow as tf
import tensorflow_probability as tfp

tfd = tfp.distributions

MIN_SCALE = 1e-3  # floor of the Gaussian scales: keeps log-densities finite early in training
LIKELIHOODS = ("gaussian", "bernoulli")


def check_likelihood(likelihood):
    """``likelihood`` if it names one of :data:`LIKELIHOODS`; a ``ValueError`` otherwise."""
    if likelihood not in LIKELIHOODS:
        raise ValueError(f"likelihood must be one of {LIKELIHOODS}. Received: likelihood={likelihood!r}")
    return likelihood


def location_scale(params):
    """``[..., 2d]`` network output -> ``(μ, σ)`` with ``σ = softplus(raw) + MIN_SCALE`` > 0."""
    loc, raw_scale = tf.split(params, 2, axis=-1)
    return loc, tf.nn.softplus(raw_scale) + MIN_SCALE


def gaussian_posterior(params):
    """``[N, 2d]`` encoder output -> ``N(μ, diag σ²)`` (see :func:`location_scale`)."""
    loc, scale = location_scale(params)
    return tfd.MultivariateNormalDiag(loc=loc, scale_diag=scale)


def gumbel_softmax(logits, uniform, temperature):
    """A draw of ``tfd.RelaxedOneHotCategorical(temperature, logits)`` from uniform noise.

    Formula: ``y = softmax((logits + g) / τ)``, ``g = −log(−log u)`` Gumbel noise (Jang et al.
    2017, arXiv:1611.01144, eq. 1; tfp's sampler computes the same): differentiable in the
    logits, and one-hot as ``τ → 0``.  Taking ``u`` as an argument lets the family draw it
    replica-consistently.
    """
    tiny = 1e-20
    gumbel = -tf.math.log(-tf.math.log(uniform + tiny) + tiny)
    return tf.nn.softmax((logits + gumbel) / temperature, axis=-1)


def likelihood_distribution(params, likelihood, event_ndims=None):
    """The decoder's ``p(x|z)`` over whole examples (``tfd.Independent`` over the data axes).

    - ``"gaussian"``: ``params`` hold location and raw scale on the last axis (2 channels per
      value), ``x ~ N(loc, softplus(raw)²)`` on the data's own [-1, 1] scale.
    - ``"bernoulli"``: ``params`` are logits of the pixel intensities mapped to [0, 1]
      (``(x + 1) / 2``); for grey levels this is the usual cross-entropy, not a normalised
      density, so only the Gaussian gives a likelihood bound in nats.

    ``event_ndims``: the number of data axes (default: all axes after the first).
    """
    rank = len(params.shape) - 1 if event_ndims is None else event_ndims
    if likelihood == "gaussian":
        loc, scale = location_scale(params)
        base = tfd.Normal(loc=loc, scale=scale)
    else:
        base = tfd.Bernoulli(logits=params, dtype=params.dtype)
    return tfd.Independent(base, reinterpreted_batch_ndims=rank)


def likelihood_target(x, likelihood):
    """The values ``p(x|z)`` is evaluated at: ``x`` (Gaussian) or ``(x + 1) / 2`` (Bernoulli)."""
    return x if likelihood == "gaussian" else (x + 1.0) / 2.0


def likelihood_mean(params, likelihood):
    """E[x|z] in the data's [-1, 1] range."""
    if likelihood == "gaussian":
        return tf.split(params, 2, axis=-1)[0]
    return 2.0 * tf.sigmoid(params) - 1.0


def log_likelihood(params, x, likelihood, event_ndims):
    """``log p(x|z)`` per example, from the decoder's ``params`` (any leading batch axes)."""
    return likelihood_distribution(params, likelihood, event_ndims).log_prob(likelihood_target(x, likelihood))
