"""RBM: a Bernoulli-Bernoulli restricted Boltzmann machine trained by persistent contrastive divergence.

The model (Smolensky 1986, "harmonium"; Hinton 2002, "Training products of experts by minimizing
contrastive divergence") joins binary visible units ``v ∈ {0,1}^D`` and hidden units
``h ∈ {0,1}^H`` by the energy

    E(v, h) = −a·v − b·h − vᵀ W h,        p(v, h) = exp(−E(v, h)) / Z,

whose hidden units sum out in closed form into the free energy

    F(v) = −a·v − Σ_j softplus(b_j + (vᵀW)_j),        p(v) = exp(−F(v)) / Z.

Both conditionals factorise, so a block-Gibbs step is two matrix products:

    p(h_j = 1 | v) = σ(b_j + (vᵀW)_j),        p(v_i = 1 | h) = σ(a_i + (W h)_i).

Training: ``∂ log p(v)/∂θ = −∂F(v)/∂θ + E_model[∂F/∂θ]``.  The second term needs samples of the
model.  Persistent contrastive divergence (Tieleman 2008, "Training restricted Boltzmann machines
using approximations to the likelihood gradient") keeps ``particles`` fantasy chains alive across
updates and advances them ``gibbs_steps`` block-Gibbs steps per update: with small learning rates
the chains stay close to the moving model's distribution.  The loss descended is the free-energy
gap

    mean_data F(v) − mean_chains F(stop_gradient(v̂)),

whose gradient with respect to (W, a, b) is exactly the CD/PCD estimate of −∇ log-likelihood.

Pixels: zoo's binarised images hold {−1, +1}; the RBM reads ``v = (x + 1) / 2``.  ``log p(v)``
needs ``log Z``, estimated by annealed importance sampling (:mod:`zoo.metrics.ais`).

Serving (``zoo.load``): ``sample(n, seed)`` runs ``DEFAULT_SAMPLE_STEPS`` Gibbs steps inside the
SavedModel; ``sample_steps(n, seed, steps)`` and ``chain(n, seed, steps)`` take the number of steps
as an input (a SavedModel signature has no optional input, hence two signatures); ``chain`` returns
every state.  The image of a state is the mean-field ``p(v = 1 | h)`` of its step, mapped to
[−1, 1] (what RBM papers draw: a binary sample of it adds pixel noise and no information), and
``unnormalized_log_prob(x)`` is ``−F(v)``.
"""
from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

from zoo import papers
from zoo.families._base import GenerativeModel, unpack_batch

DEFAULT_SAMPLE_STEPS = 1000  # Gibbs steps of ``sample`` (and of the export's ``sample`` signature)
MAX_SAMPLE_STEPS = 100_000  # the most ``sample_steps`` runs in one call
MAX_CHAIN_STEPS = 10_000  # the most states ``chain`` returns per chain
MAX_CHAIN_STATES = 2**17  # n × steps: 131,072 states of 28×28 are 411 MB of float32


def to_binary(x):
    """zoo's image pixels in [−1, 1] -> the RBM's visible units in [0, 1], flattened ``[N, D]``."""
    x = tf.convert_to_tensor(x, tf.float32)
    return tf.reshape((x + 1.0) / 2.0, [tf.shape(x)[0], -1])


def bernoulli(p, seed):
    """A stateless Bernoulli draw of every entry of ``p`` (1.0 or 0.0)."""
    return tf.cast(tf.random.stateless_uniform(tf.shape(p), seed=seed) < p, p.dtype)


@keras.saving.register_keras_serializable(package="zoo")
class RBMWeights(keras.layers.Layer):
    """The parameters of a Bernoulli-Bernoulli RBM: ``kernel`` W ``[D, H]``, ``visible_bias`` a
    ``[D]``, ``hidden_bias`` b ``[H]``.  W starts at N(0, 0.01²) and the biases at 0, as Hinton's
    practical guide (UTML TR 2010-003, §8) advises."""

    def __init__(self, visible_shape, hidden_units, **kwargs):
        super().__init__(**kwargs)
        self.visible_shape = tuple(int(d) for d in visible_shape)
        if isinstance(hidden_units, bool) or int(hidden_units) != hidden_units or hidden_units < 1:
            raise ValueError(f"hidden_units must be a positive integer. Received: hidden_units={hidden_units!r}")
        self.hidden_units = int(hidden_units)
        visible = int(np.prod(self.visible_shape))
        self.kernel = self.add_weight(shape=(visible, self.hidden_units), name="kernel",
                                      initializer=keras.initializers.RandomNormal(stddev=0.01))
        self.visible_bias = self.add_weight(shape=(visible,), name="visible_bias", initializer="zeros")
        self.hidden_bias = self.add_weight(shape=(self.hidden_units,), name="hidden_bias", initializer="zeros")
        self.built = True

    @property
    def visible_units(self) -> int:
        return int(np.prod(self.visible_shape))

    def call(self, v):
        """The hidden units' pre-activations ``b + vᵀW`` ``[N, H]`` of visible rows ``v`` ``[N, D]``."""
        return tf.matmul(v, self.kernel) + self.hidden_bias

    def get_config(self):
        return {**super().get_config(), "visible_shape": list(self.visible_shape), "hidden_units": self.hidden_units}


def rbm_weights(visible_shape, hidden_units, name="rbm"):
    """The recipes' builder: ``RBMWeights(visible_shape, hidden_units)``."""
    return RBMWeights(visible_shape, hidden_units, name=name)


@keras.saving.register_keras_serializable(package="zoo")
class RBM(GenerativeModel):
    """A Bernoulli-Bernoulli RBM trained by PCD-k (see the module docstring).

    Args:
      rbm: the parameters, :class:`RBMWeights` (``rbm_weights(visible_shape, hidden_units)``).
      particles: persistent fantasy chains (Tieleman 2008 kept 100).  Under ``tf.distribute``
        each replica advances its own ``particles / replicas`` of them and all replicas then hold
        the whole set, so N replicas train as 1 device.
      gibbs_steps: block-Gibbs steps the chains advance per update (k of PCD-k; 1 in the paper).
      seed: seed of the training noise and of the chains' random start.
    """

    NETWORKS = ("rbm",)
    OPTIMIZERS = {"rbm_optimizer": ("rbm",)}
    LOSSES = ("free_energy_gap", "reconstruction")
    FAMILY = "rbm"
    PAPERS = (papers.CONTRASTIVE_DIVERGENCE, papers.PCD)

    def __init__(self, rbm, particles=100, gibbs_steps=1, seed=None, **kwargs):
        super().__init__(None, seed=seed, **kwargs)  # no generator: the chain is the sampler
        self.rbm = rbm
        for name, value in (("particles", particles), ("gibbs_steps", gibbs_steps)):
            if isinstance(value, bool) or int(value) != value or value < 1:
                raise ValueError(f"{name} must be a positive integer. Received: {name}={value!r}")
        self.particles = int(particles)
        self.gibbs_steps = int(gibbs_steps)
        start = np.random.default_rng(0 if seed is None else seed).random((self.particles, rbm.visible_units)) < 0.5
        # The fantasy particles: state, not parameters (no optimizer moves them).  Every replica
        # holds the whole set, written with the same all-gathered value by each (train_step).
        self.chains = self.add_weight(shape=start.shape, name="chains", trainable=False,
                                      initializer=keras.initializers.Constant(start.astype(np.float32)),
                                      aggregation="only_first_replica")

    # ------------------------------------------------------------------ shapes
    @property
    def latent_dim(self) -> int:
        return 0  # no code to generate from: samples come from the Markov chain

    @property
    def data_shape(self):
        return self.rbm.visible_shape

    @property
    def hidden_units(self) -> int:
        return self.rbm.hidden_units

    # ------------------------------------------------------------- the energy
    def free_energy(self, v):
        """``F(v) = −a·v − Σ_j softplus(b_j + (vᵀW)_j)`` per row of ``v`` ``[N, D]`` in [0, 1]."""
        return -tf.linalg.matvec(v, self.rbm.visible_bias) - tf.reduce_sum(tf.nn.softplus(self.rbm(v)), axis=-1)

    def unnormalized_log_prob(self, x):
        """``−F(v)`` of images ``x`` in [−1, 1] (``v = (x + 1) / 2``): ``log p(v) + log Z`` for binary
        images; ``log Z`` comes from :func:`zoo.metrics.ais.ais_log_partition`."""
        return -self.free_energy(to_binary(x))

    def hidden_probabilities(self, v):
        return tf.sigmoid(self.rbm(v))

    def visible_probabilities(self, h):
        return tf.sigmoid(tf.matmul(h, self.rbm.kernel, transpose_b=True) + self.rbm.visible_bias)

    def gibbs_step(self, v, hidden_noise, visible_noise):
        """One block-Gibbs step ``v → h ~ p(h|v) → v' ~ p(v|h)`` with the given uniform noise;
        returns ``(v', p(v = 1 | h))``."""
        h = tf.cast(hidden_noise < self.hidden_probabilities(v), v.dtype)
        p = self.visible_probabilities(h)
        return tf.cast(visible_noise < p, v.dtype), p

    # -------------------------------------------------------------- training
    def replica_chains(self):
        """``(this replica's chains, replica id, replicas)``: replica r owns rows
        ``[r·P/R, (r+1)·P/R)`` of the P chains, the order in which ``tf.distribute`` splits a batch."""
        context = tf.distribute.get_replica_context()
        replicas = context.num_replicas_in_sync if context is not None else 1
        if self.particles % replicas:
            raise ValueError(f"particles must split evenly over the {replicas} replicas. "
                             f"Received: particles={self.particles}")
        if replicas == 1:
            return self.chains.value, context, 1
        per = self.particles // replicas
        start = context.replica_id_in_sync_group * per
        return self.chains.value[start:start + per], context, replicas

    def train_step(self, data):
        """PCD-k: advance this replica's chains k steps, then descend the free-energy gap
        ``mean F(v_data) − mean F(v_chains)`` (the chains under ``stop_gradient``)."""
        x, _ = unpack_batch(data)
        v_data = to_binary(x)
        chains, context, replicas = self.replica_chains()
        per = self.particles // replicas
        visible, hidden = self.rbm.visible_units, self.hidden_units
        for _ in range(self.gibbs_steps):
            chains, _ = self.gibbs_step(chains, self.uniform(per, (hidden,)), self.uniform(per, (visible,)))
        # All replicas store the whole set of chains: the gather is the same on each.
        self.chains.assign(chains if replicas == 1 else context.all_gather(chains, axis=0))
        v_model = tf.stop_gradient(chains)
        with tf.GradientTape() as tape:
            gap = tf.reduce_mean(self.free_energy(v_data)) - tf.reduce_mean(self.free_energy(v_model))
        self.apply_update(tape, gap, "rbm_optimizer")
        # Reconstruction error (mean squared, per pixel): v → h ~ p(h|v) → p(v|h).  A monitor only:
        # it says nothing of the likelihood (Hinton's practical guide, §5).
        batch = tf.shape(v_data)[0]
        h = tf.cast(self.uniform(batch, (hidden,)) < self.hidden_probabilities(v_data), tf.float32)
        reconstruction = tf.reduce_mean(tf.square(v_data - self.visible_probabilities(h)))
        return self.track(free_energy_gap=gap, reconstruction=reconstruction)

    # -------------------------------------------------------------- sampling
    def _run_chain(self, n, seed, steps, keep_states):
        """``steps`` block-Gibbs steps of ``n`` chains from v ~ Bernoulli(1/2), stateless from
        ``seed``; returns the last state's image ``[n, *data_shape]`` or, with ``keep_states``,
        every state's ``[steps, n, *data_shape]`` (images: ``2 p(v = 1 | h) − 1``)."""
        seed = tf.stack([tf.cast(seed, tf.int32), 0])
        v = bernoulli(tf.fill([n, self.rbm.visible_units], 0.5), seed)
        p = v
        states = tf.TensorArray(tf.float32, size=steps if keep_states else 0, dynamic_size=False,
                                element_shape=[None, self.rbm.visible_units])

        def body(i, v, p, states):
            step_seed = tf.random.experimental.stateless_fold_in(seed, i + 1)
            hidden_seed, visible_seed = tf.unstack(tf.random.experimental.stateless_split(step_seed, 2))
            hidden_noise = tf.random.stateless_uniform([n, self.hidden_units], seed=hidden_seed)
            visible_noise = tf.random.stateless_uniform([n, self.rbm.visible_units], seed=visible_seed)
            v, p = self.gibbs_step(v, hidden_noise, visible_noise)
            if keep_states:
                states = states.write(i, p)
            return i + 1, v, p, states

        _, v, p, states = tf.while_loop(lambda i, *_: i < steps, body, (tf.constant(0), v, p, states))
        if keep_states:
            return tf.reshape(2.0 * states.stack() - 1.0, tf.concat([[steps, n], self.data_shape], 0))
        return tf.reshape(2.0 * p - 1.0, [n, *self.data_shape])

    def _checked_steps(self, steps, limit):
        steps = tf.cast(steps, tf.int32)
        checks = [tf.debugging.assert_greater_equal(steps, 1, message=f"steps must be in [1, {limit}]"),
                  tf.debugging.assert_less_equal(steps, limit, message=f"steps must be in [1, {limit}]")]
        with tf.control_dependencies(checks):
            return tf.identity(steps)

    def draw(self, n, seed, steps):
        """``n`` images after ``steps`` (≤ ``MAX_SAMPLE_STEPS``) Gibbs steps, ``[n, *data_shape]``."""
        return self._run_chain(n, seed, self._checked_steps(steps, MAX_SAMPLE_STEPS), keep_states=False)

    def chain(self, n, seed, steps):
        """Every state of ``n`` chains over ``steps`` Gibbs steps, ``[steps, n, *data_shape]``
        (``steps ≤ MAX_CHAIN_STEPS``, ``n × steps ≤ MAX_CHAIN_STATES``)."""
        steps = self._checked_steps(steps, MAX_CHAIN_STEPS)
        size = tf.debugging.assert_less_equal(
            tf.cast(n, tf.int64) * tf.cast(steps, tf.int64), tf.constant(MAX_CHAIN_STATES, tf.int64),
            message=f"n × steps must be at most {MAX_CHAIN_STATES} states")
        with tf.control_dependencies([size]):
            return self._run_chain(n, seed, tf.identity(steps), keep_states=True)

    def _compiled(self, name, function):
        """``function(n, seed, steps)`` as a ``tf.function``, traced once per model and kept outside
        Keras' attribute tracking (the Gibbs loop runs an op at a time when called eagerly)."""
        key = f"_compiled_{name}"
        compiled = self.__dict__.get(key)
        if compiled is None:
            spec = tf.TensorSpec([], tf.int32)
            compiled = tf.function(function, input_signature=[spec, spec, spec])
            object.__setattr__(self, key, compiled)
        return compiled

    def _call(self, name, function, n, seed, steps):
        if tf.executing_eagerly():
            return self._compiled(name, function)(tf.constant(n, tf.int32), tf.constant(seed, tf.int32),
                                                  tf.constant(steps, tf.int32))
        return function(n, seed, steps)

    def sample(self, n, seed, labels=None, steps=DEFAULT_SAMPLE_STEPS):
        """``(x, z)``: ``n`` images after ``steps`` Gibbs steps from the stateless ``seed`` (the export's
        ``sample`` signature, or ``sample_steps`` for other ``steps``); ``z`` is empty ``[n, 0]``."""
        x = self._call("draw", self.draw, n, seed, steps)
        return x, tf.zeros([tf.shape(x)[0], 0])

    def sample_chain(self, n, seed, steps):
        """The export's ``chain``: ``[steps, n, *data_shape]`` images of successive states."""
        return self._call("chain", self.chain, n, seed, steps)

    def call(self, x, training=False):
        """``−F(v)`` of images ``x`` (the unnormalised log-probability)."""
        return self.unnormalized_log_prob(x)

    def generate(self, z):
        raise NotImplementedError("an RBM has no code to generate from: use sample(n, seed) (a Gibbs chain).")

    # ----------------------------------------------------------------- serving
    def serving_functions(self):
        """``sample(n, seed)``, ``sample_steps(n, seed, steps)`` -> {"x"}; ``chain(n, seed, steps)`` ->
        {"x": [steps, n, H, W, C]}; ``unnormalized_log_prob(x)`` -> {"unnormalized_log_prob": −F}."""
        n_spec = tf.TensorSpec([], tf.int32, name="n")
        seed_spec = tf.TensorSpec([], tf.int32, name="seed")
        steps_spec = tf.TensorSpec([], tf.int32, name="steps")
        x_spec = tf.TensorSpec([None, *self.data_shape], tf.float32, name="x")

        def sample(n, seed):
            return {"x": self.draw(n, seed, DEFAULT_SAMPLE_STEPS)}

        def sample_steps(n, seed, steps):
            return {"x": self.draw(n, seed, steps)}

        def chain(n, seed, steps):
            return {"x": self.chain(n, seed, steps)}

        def unnormalized_log_prob(x):
            return {"unnormalized_log_prob": self.unnormalized_log_prob(x)}

        return {"sample": (sample, [n_spec, seed_spec]), "sample_steps": (sample_steps, [n_spec, seed_spec, steps_spec]),
                "chain": (chain, [n_spec, seed_spec, steps_spec]),
                "unnormalized_log_prob": (unnormalized_log_prob, [x_spec])}

    def get_config(self):
        return {"name": self.name, "trainable": self.trainable, "seed": self.seed,
                "rbm": keras.saving.serialize_keras_object(self.rbm), "particles": self.particles,
                "gibbs_steps": self.gibbs_steps}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config["rbm"] = keras.saving.deserialize_keras_object(config["rbm"])
        return cls(**config)
