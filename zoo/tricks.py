"""Stabilisation tricks for any discriminator-based family.

- **Feature matching** (Salimans et al. 2016, "Improved Techniques for Training GANs",
  arXiv:1606.03498, §3.1): the generator matches the mean of an intermediate discriminator
  layer on data instead of maximising the discriminator's output.
- **Historical averaging** (ibid., §3.3): each player's cost gets ``λ‖θ - θ̄‖²`` where
  ``θ̄ = (1/t) Σ_{i≤t} θ[i]`` is the mean of its own past parameters.
- **One-sided label smoothing** (ibid., §3.4): the ``label_smoothing`` argument of
  :func:`zoo.losses.gan_discriminator_loss` and :class:`zoo.families.GAN`.
- **Instance noise** (Arjovsky & Bottou 2017, "Towards Principled Methods for Training
  GANs", arXiv:1701.04862, §4; Sønderby et al. 2016, arXiv:1610.04490): Gaussian noise of
  standard deviation σ added to *both* real and generated samples before the
  discriminator sees them, so that the two distributions overlap and the discriminator's
  gradients stay informative; σ is annealed to 0 as training proceeds.
- **Packing** (Lin et al. 2018, "PacGAN: The power of two samples in generative adversarial
  networks", arXiv:1712.04086): the discriminator judges ``m`` samples at once, concatenated
  along the feature axis, all real or all generated; a generator that drops modes makes
  packs whose lack of diversity the discriminator sees.

These are the pure parts; the tricks' losses (feature matching, historical averaging) are in
:mod:`zoo.losses`.  :class:`zoo.families._adversarial.AdversarialModel` offers them to
every discriminator-based family as constructor options
(``instance_noise=σ₀, noise_anneal_steps=T, historical_averaging=λ, feature_matching=True,
packing=m``).
"""
from __future__ import annotations

import keras
import tensorflow as tf

TRICK_DEFAULTS = {
    "instance_noise": 0.0,
    "noise_anneal_steps": 0,
    "historical_averaging": 0.0,
    "feature_matching": False,
    "label_smoothing": 0.0,
}


# ------------------------------------------------------------------------ pure parts
def instance_noise_stddev(step, initial_stddev, anneal_steps):
    """σ of instance noise at ``step``: linear anneal ``σ₀ max(0, 1 - t/T)``; ``T = 0``
    keeps σ₀ constant (Arjovsky & Bottou 2017 only require σ → 0 over training)."""
    step = tf.cast(step, tf.float32)
    if not anneal_steps:
        return tf.constant(float(initial_stddev))
    return float(initial_stddev) * tf.maximum(0.0, 1.0 - step / float(anneal_steps))


def add_instance_noise(x, stddev, noise):
    """``x + σ ε`` with ``ε ~ N(0, I)`` the given standard normal ``noise`` (shape of ``x``)."""
    return x + tf.cast(stddev, x.dtype) * tf.cast(noise, x.dtype)


def update_variables(variables, update_fn, values=None):
    """Apply ``update_fn(var[, value])`` to each variable, in replica or cross-replica context.

    Under ``tf.distribute`` a plain ``assign`` in replica context fails on mirrored
    variables; like Keras' own optimizers, go through ``merge_call`` + ``extended.update``
    (public ``tf.distribute`` API: ``ReplicaContext.merge_call``, ``StrategyExtended.update``).
    """
    variables = [v.value if isinstance(v, keras.Variable) else v for v in variables]

    def merge_fn(distribution, variables, values):
        for i, variable in enumerate(variables):
            args = () if values is None else (values[i],)
            distribution.extended.update(variable, update_fn, args=args, group=False)

    context = tf.distribute.get_replica_context()
    if context is None:  # cross-replica context: update directly
        merge_fn(tf.distribute.get_strategy(), variables, values)
    else:
        context.merge_call(merge_fn, args=(variables, values))


def pop_trick_kwargs(kwargs):
    """Remove the trick options from a family's ``**kwargs`` (for ``AdversarialModel.init_tricks``)."""
    return {key: kwargs.pop(key) for key in list(kwargs) if key in TRICK_DEFAULTS}


def discriminator_features(discriminator):
    """``x -> (features, logits)`` from a functional discriminator: its penultimate layer's
    output (the last hidden activation) and its output, sharing the weights."""
    try:
        if len(discriminator.layers) < 3:
            raise ValueError("no hidden layer")
        inputs = discriminator.inputs[0] if len(discriminator.inputs) == 1 else discriminator.inputs
        return keras.Model(inputs, [discriminator.layers[-2].output, discriminator.outputs[0]],
                           name=f"{discriminator.name}_features")
    except (AttributeError, ValueError) as error:
        raise ValueError(
            "feature matching needs a functional keras.Model discriminator with a hidden layer "
            f"(its penultimate layer gives the features). Received: {type(discriminator).__name__} "
            f"with {len(getattr(discriminator, 'layers', []))} layers ({error})"
        ) from None


def packed_shape(shape, packing):
    """The shape of one pack of ``packing`` examples of ``shape`` (batch axis excluded):
    the last (feature / channel) axis multiplied by ``packing`` (PacGAN, arXiv:1712.04086)."""
    shape = tuple(int(d) for d in shape)
    return shape[:-1] + (shape[-1] * int(packing),)


def pack(x, packing):
    """``[N, ..., C] -> [N/m, ..., m·C]``: consecutive rows ``m·i .. m·i + m - 1`` concatenated
    along the last axis, row ``m·i + j`` in block ``j`` (PacGAN, arXiv:1712.04086, §3: the
    packed discriminator's input is the concatenation of m samples).

    ``N`` must be a multiple of ``m`` (checked in the graph).  ``packing=1`` returns ``x``.
    """
    if packing == 1:
        return x
    rank = len(x.shape)
    tf.debugging.assert_equal(
        tf.math.floormod(tf.shape(x)[0], packing), 0,
        message=f"packing={packing}: the batch (per replica) must be a multiple of {packing}")
    # [N, d1..dk, C] -> [N/m, m, d1..dk, C] -> [N/m, d1..dk, m, C] -> [N/m, d1..dk, m·C]
    grouped = tf.reshape(x, tf.concat([[-1, packing], tf.shape(x)[1:]], 0))
    grouped = tf.transpose(grouped, [0, *range(2, rank), 1, rank])
    return tf.reshape(grouped, [-1, *packed_shape(x.shape[1:], packing)])
