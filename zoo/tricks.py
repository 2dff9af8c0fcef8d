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

The pure parts are the functions below.  :class:`DiscriminatorTricks` is the mixin through
which a family offers them as constructor options
(``instance_noise=σ₀, noise_anneal_steps=T, historical_averaging=λ, feature_matching=True``);
GAN, UnrolledGAN, WGAN, WGAN-GP and Cramér GAN use it.
"""
from __future__ import annotations

import keras
import tensorflow as tf

TRICK_DEFAULTS = {
    "instance_noise": 0.0,
    "noise_anneal_steps": 0,
    "historical_averaging": 0.0,
    "feature_matching": False,
}


# ------------------------------------------------------------------------ pure parts
def feature_matching_loss(real_features, fake_features):
    """Feature matching (Salimans et al. 2016, §3.1, eq. before §3.2).

    Formula: ``‖E_x f(x) - E_z f(G(z))‖₂²`` with ``f`` an intermediate discriminator layer,
    the expectations being batch means.

    Args:
      real_features: ``[batch, ...]`` features of data.
      fake_features: ``[batch, ...]`` features of generated samples.
    Returns:
      scalar loss (the generator's).
    """
    difference = tf.reduce_mean(real_features, axis=0) - tf.reduce_mean(fake_features, axis=0)
    return tf.reduce_sum(tf.square(difference))


def historical_averaging_penalty(variables, averages):
    """Historical averaging (Salimans et al. 2016, §3.3).

    Formula: ``Σ_i ‖θ_i - θ̄_i‖₂²`` summed over a player's parameter tensors ``θ_i`` with
    ``θ̄_i`` their historical means; multiply by λ in the player's cost.  Its gradient is
    ``2(θ - θ̄)``, which :class:`DiscriminatorTricks` adds to the player's gradient.
    """
    return tf.add_n([tf.reduce_sum(tf.square(v - a)) for v, a in zip(variables, averages)])


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
    variables; like Keras' own optimizers, go through ``merge_call`` + ``extended.update``.
    """
    variables = [v.value if isinstance(v, keras.Variable) else v for v in variables]

    def merge_fn(distribution, variables, values):
        for i, variable in enumerate(variables):
            args = () if values is None else (values[i],)
            distribution.extended.update(variable, update_fn, args=args, group=False)

    tf.__internal__.distribute.interim.maybe_merge_call(merge_fn, tf.distribute.get_strategy(), variables, values)


def pop_trick_kwargs(kwargs):
    """Remove the trick options from a family's ``**kwargs`` (for ``init_tricks``)."""
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


# ------------------------------------------------------------------------ the mixin
class DiscriminatorTricks:
    """Mixin giving a discriminator-based family the tricks as constructor options.

    Put it before :class:`~zoo.families._base.GenerativeModel` in the bases; in
    ``__init__`` pop the options with :func:`pop_trick_kwargs`, call ``init_tricks`` after
    the networks are set; route every discriminator input through ``critic_inputs``; add
    ``tricks_config()`` to ``get_config``.  ``apply_update`` adds historical averaging to
    every player's update.

    Options:
      instance_noise: σ₀ of instance noise (0: off).
      noise_anneal_steps: T, discriminator updates over which σ decays linearly to 0
        (0: σ stays σ₀).
      historical_averaging: λ of the historical-averaging penalty on every player (0: off).
      feature_matching: the generator matches the discriminator's penultimate-layer means
        (families with a classifier discriminator only).
    """

    def init_tricks(self, instance_noise=0.0, noise_anneal_steps=0, historical_averaging=0.0,
                    feature_matching=False):
        if instance_noise < 0 or noise_anneal_steps < 0 or historical_averaging < 0:
            raise ValueError(
                "instance_noise, noise_anneal_steps and historical_averaging must be >= 0. Received: "
                f"instance_noise={instance_noise!r}, noise_anneal_steps={noise_anneal_steps!r}, "
                f"historical_averaging={historical_averaging!r}"
            )
        self.instance_noise = float(instance_noise)
        self.noise_anneal_steps = int(noise_anneal_steps)
        self.historical_averaging = float(historical_averaging)
        self.feature_matching = bool(feature_matching)
        self._features = discriminator_features(self.discriminator) if self.feature_matching else None
        self._averages, self._average_counts = {}, {}
        if self.historical_averaging:
            for key, networks in self.OPTIMIZERS.items():
                variables = [v for net in networks for v in getattr(self, net).trainable_variables]
                # A copy of the values (a keras.Variable built from a tf.Variable shares it).
                self._averages[key] = [
                    keras.Variable(keras.ops.convert_to_numpy(v), trainable=False, name=f"historical_{key}_{i}")
                    for i, v in enumerate(variables)
                ]
                self._average_counts[key] = keras.Variable(0.0, trainable=False, name=f"historical_{key}_count")

    def tricks_config(self):
        return {
            "instance_noise": self.instance_noise,
            "noise_anneal_steps": self.noise_anneal_steps,
            "historical_averaging": self.historical_averaging,
            "feature_matching": self.feature_matching,
        }

    def noise_stddev(self):
        """σ now, annealed over the discriminator's updates so far."""
        return instance_noise_stddev(self.d_optimizer.iterations, self.instance_noise, self.noise_anneal_steps)

    def critic_inputs(self, *xs):
        """The discriminator's inputs: with instance noise, each gets its own draw."""
        if not self.instance_noise:
            return xs
        stddev = self.noise_stddev()
        return tuple(add_instance_noise(x, stddev, self.normal(tf.shape(x)[0], tuple(x.shape[1:]))) for x in xs)

    def matching_loss(self, real, fake):
        """Feature-matching generator loss on discriminator inputs ``real`` and ``fake``."""
        real_features, _ = self._features(real, training=True)
        fake_features, _ = self._features(fake, training=True)
        context = tf.distribute.get_replica_context()
        if context is not None and tf.distribute.get_strategy().num_replicas_in_sync > 1:
            # The loss is not a mean over examples: match the *global* batch means, so that
            # n replicas compute what one device would (and each its 1/n share after scaling).
            real_mean, fake_mean = context.all_reduce(
                tf.distribute.ReduceOp.MEAN, [tf.reduce_mean(real_features, 0), tf.reduce_mean(fake_features, 0)]
            )
            return tf.reduce_sum(tf.square(tf.stop_gradient(real_mean) - fake_mean))
        return feature_matching_loss(tf.stop_gradient(real_features), fake_features)

    def apply_update(self, tape, loss, optimizer_key):
        if not self.historical_averaging:
            return super().apply_update(tape, loss, optimizer_key)
        variables = self.player_variables(optimizer_key)
        grads = tape.gradient(loss, variables)
        averages, count = self._averages[optimizer_key], self._average_counts[optimizer_key]
        # θ̄_t = θ̄_{t-1} + (θ_t - θ̄_{t-1}) / t: the mean of θ[1..t], the current θ included.
        new_count = count + 1.0
        update_variables([count], lambda c: c.assign_add(1.0))
        update_variables(averages, lambda a, v: a.assign(a + (v - a) / new_count), values=[v.value for v in variables])
        # d/dθ λ‖θ - θ̄‖² = 2λ(θ - θ̄); it is the same on every replica and gradients are
        # summed across replicas, so each replica contributes its 1/n share.
        replicas = float(tf.distribute.get_strategy().num_replicas_in_sync)
        grads = [
            g + (2.0 * self.historical_averaging / replicas) * (v - a)
            for g, v, a in zip(grads, variables, averages)
        ]
        getattr(self, optimizer_key).apply_gradients(zip(grads, variables))
