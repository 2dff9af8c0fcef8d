"""A generative stochastic network: the walkback denoising auto-encoder of Bengio, Yao, Alain &
Vincent 2013 ("Generalized Denoising Auto-Encoders as Generative Models", arXiv:1305.6663) and
Bengio, Thibodeau-Laufer, Alain & Yosinski 2014 ("Deep Generative Stochastic Networks Trainable
by Backprop", arXiv:1306.1091).

Binary pixels ``x ∈ {0, 1}^D``.  A corruption ``C(x̃ | x)`` and a learned reconstruction
``P_θ(x | x̃)`` define a Markov chain

    x̃_t ~ C(x̃ | x_t),    x_{t+1} ~ P_θ(x | x̃_t),

whose stationary distribution estimates the data distribution when ``P_θ(x | x̃)`` is a
consistent estimator of the true ``P(x | x̃)`` of the joint ``C(x̃ | x) P_data(x)`` (Bengio et
al. 2013, Theorem 1).  Here:

- ``C`` is salt-and-pepper noise: each pixel, with probability ``noise``, is replaced by a fair
  coin flip (:func:`salt_and_pepper`);
- ``P_θ(x | x̃)`` is a product of Bernoullis whose logits an MLP computes from ``x̃`` (fed as
  ``2x̃ - 1``, centred);
- training is *walkback* (Bengio et al. 2013, §3.3, Algorithm 2; the GSN paper's fixed-length
  walkback): from each training example ``x`` the model walks ``walkback`` steps of its own
  chain, ``x̃_k ~ C(· | x*_k)``, ``x*_{k+1} ~ P_θ(· | x̃_k)`` (``x*_1 = x``), and every step pays
  ``-log P_θ(x | x̃_k)``: the walk visits the spurious modes the chain would wander into and
  teaches the reconstruction to lead back to the data.  The draws ``x*`` are not differentiated
  through.  :func:`walkback_nll` is the loss.

Samples come from the chain itself, inside the SavedModel: ``sample(n, seed)`` runs
``sample_steps`` steps (``sample_steps`` signature: any number up to :data:`MAX_STEPS`) from
uniformly random bits; ``chain(n, seed, steps)`` returns every state.  A state is the binary
draw ``x_t`` in {-1, +1} (the chain's own sample, what the stationary distribution is about,
like the binarised data); each output also carries ``mean``, the probabilities
``P_θ(x = 1 | x̃_{t-1})`` it was drawn from as ``2p - 1`` in [-1, 1] (the grey picture the GSN
papers' figures show).  GSN has no latent code (``latent_dim == 0``) and no tractable likelihood
(the papers report a Parzen estimate).
"""
import keras
import numpy as np
import tensorflow as tf

from zoo.families._base import GenerativeModel, unpack_batch

GDAE_PAPER = ("Bengio, Yao, Alain & Vincent 2013, Generalized Denoising Auto-Encoders as Generative Models, "
              "arXiv:1305.6663")
GSN_PAPER = ("Bengio, Thibodeau-Laufer, Alain & Yosinski 2014, Deep Generative Stochastic Networks Trainable by "
             "Backprop, arXiv:1306.1091")

MAX_STEPS = 10_000  # chain steps one `sample` call may run
MAX_CHAIN_STATES = 1_000  # states one `chain` call returns (all held in memory: steps × n images)


# ---------------------------------------------------------------- pure functions
def salt_and_pepper(v, noise, which, coin):
    """Salt-and-pepper corruption ``C(x̃ | x)`` of binary pixels ``v ∈ {0, 1}``.

    Each pixel with ``which < noise`` is replaced by the fair coin ``coin < 1/2``; the others are
    kept.  ``which`` and ``coin`` are uniforms on [0, 1) of ``v``'s shape (drawn by the caller, so
    the corruption is a pure, testable function of its noise).  A pixel then flips with
    probability ``noise / 2``.
    """
    replaced = tf.cast(which < noise, v.dtype)
    return (1.0 - replaced) * v + replaced * tf.cast(coin < 0.5, v.dtype)


def bernoulli_nll(v, logits):
    """``-log P(v | logits)`` per example, summed over pixels (nats): the reconstruction cost."""
    per_pixel = v * tf.nn.softplus(-logits) + (1.0 - v) * tf.nn.softplus(logits)
    return tf.reduce_sum(tf.reshape(per_pixel, [tf.shape(v)[0], -1]), axis=-1)


def walkback_nll(reconstruct, v, noise, uniforms):
    """The walkback loss: ``(mean over steps and examples of -log P(v | x̃_k), per-step means [K])``.

    Args:
      reconstruct: ``x̃ ∈ {0, 1} -> logits of P(x | x̃)`` (same shape).
      v: the training examples, binary ``{0, 1}``.
      noise: the salt-and-pepper probability.
      uniforms: ``[(which, coin, draw), ...]``, one triple of uniforms (``v``'s shape) per
        walkback step: the corruption's and the reconstruction draw's noise.
    Step k corrupts the walk's current point ``x*_k`` (``x*_1 = v``), pays ``-log P(v | x̃_k)``
    and moves to ``x*_{k+1} ~ P(· | x̃_k)`` (not differentiated through).
    """
    point, costs = v, []
    for which, coin, draw in uniforms:
        corrupted = salt_and_pepper(point, noise, which, coin)
        logits = reconstruct(corrupted)
        costs.append(tf.reduce_mean(bernoulli_nll(v, logits)))
        point = tf.stop_gradient(tf.cast(draw < tf.sigmoid(logits), v.dtype))
    per_step = tf.stack(costs)
    return tf.reduce_mean(per_step), per_step


def gsn_network(data_shape, hidden=(1000,), activation="tanh", name="gsn"):
    """``keras.Model``: a corrupted image ``2x̃ - 1`` ``[N, H, W, 1]`` -> the logits of
    ``P(x = 1 | x̃)`` of every pixel, same shape (an MLP; tanh hidden layers as the GSN papers')."""
    inputs = keras.Input(tuple(data_shape), name=f"{name}_input")
    h = keras.layers.Flatten(name=f"{name}_flatten")(inputs)
    for k, units in enumerate(hidden):
        h = keras.layers.Dense(units, activation=activation, name=f"{name}_dense{k}")(h)
    logits = keras.layers.Dense(int(np.prod(data_shape)), name=f"{name}_logits")(h)
    return keras.Model(inputs, keras.layers.Reshape(tuple(data_shape), name=f"{name}_reshape")(logits), name=name)


def check_steps(steps, limit, what="steps"):
    """``steps`` if an integer in ``[1, limit]``, else a ValueError saying what to pass."""
    if isinstance(steps, bool) or int(steps) != steps or not 1 <= steps <= limit:
        raise ValueError(f"{what} is the number of chain steps, an integer in [1, {limit:,}]. Received: {what}={steps!r}")
    return int(steps)


# ------------------------------------------------------------------ the family
@keras.saving.register_keras_serializable(package="zoo")
class GSN(GenerativeModel):
    """Walkback denoising auto-encoder on binary images, sampled by its Markov chain.

    Args:
      network: :func:`gsn_network`: ``2x̃ - 1`` -> logits of ``P(x | x̃)``.
      noise: salt-and-pepper probability of ``C`` (each pixel replaced by a coin flip with it).
      walkback: chain steps walked from each training example (each pays its reconstruction).
      sample_steps: chain steps ``sample(n, seed)`` runs from random bits (the export's default).
      seed: seed of the training noise.

    Example:
      >>> from zoo.families import GSN
      >>> from zoo.families.gsn import gsn_network
      >>> model = GSN(gsn_network((8, 8, 1), hidden=(256,)), noise=0.4, walkback=3)
      >>> model.compile(gsn_optimizer="adam")
    """

    NETWORKS = ("network",)
    OPTIMIZERS = {"gsn_optimizer": ("network",)}
    LOSSES = ("walkback_nll", "first_step_nll")
    FAMILY = "gsn"
    PAPERS = (GDAE_PAPER, GSN_PAPER)

    def __init__(self, network, noise=0.4, walkback=3, sample_steps=100, seed=None, **kwargs):
        super().__init__(None, seed=seed, **kwargs)  # no generator: samples come from the chain
        self.network = network
        if not 0.0 < float(noise) <= 1.0:
            raise ValueError(f"noise is the salt-and-pepper probability, in (0, 1]. Received: noise={noise!r}")
        self.noise = float(noise)
        self.walkback = check_steps(walkback, 100, "walkback")
        self.sample_steps = check_steps(sample_steps, MAX_STEPS, "sample_steps")
        if tuple(network.inputs[0].shape[1:]) != tuple(network.outputs[0].shape[1:]):
            raise ValueError(f"the GSN network maps a corrupted image to the logits of the same shape. Received: "
                             f"{tuple(network.inputs[0].shape[1:])} -> {tuple(network.outputs[0].shape[1:])}")

    @property
    def latent_dim(self) -> int:
        return 0  # no latent code: the chain's state is an image

    @property
    def data_shape(self):
        return tuple(int(d) for d in self.network.inputs[0].shape[1:])

    def reconstruct(self, corrupted, training=False):
        """Logits of ``P(x = 1 | x̃)`` for binary ``x̃ ∈ {0, 1}``."""
        return self.network(2.0 * corrupted - 1.0, training=training)

    # -------------------------------------------------------------- training
    def train_step(self, data):
        x, _ = unpack_batch(data)
        v = tf.cast(tf.convert_to_tensor(x, tf.float32) > 0.0, tf.float32)
        batch = tf.shape(v)[0]
        uniforms = [tuple(self.uniform(batch, self.data_shape) for _ in range(3)) for _ in range(self.walkback)]
        with tf.GradientTape() as tape:
            loss, per_step = walkback_nll(lambda c: self.reconstruct(c, training=True), v, self.noise, uniforms)
        self.apply_update(tape, loss, "gsn_optimizer")
        return self.track(walkback_nll=loss, first_step_nll=per_step[0])

    def test_step(self, data):
        x, _ = unpack_batch(data)
        v = tf.cast(tf.convert_to_tensor(x, tf.float32) > 0.0, tf.float32)
        uniforms = [tuple(self.uniform(tf.shape(v)[0], self.data_shape) for _ in range(3)) for _ in range(self.walkback)]
        loss, per_step = walkback_nll(self.reconstruct, v, self.noise, uniforms)
        return self.track(walkback_nll=loss, first_step_nll=per_step[0])

    # ------------------------------------------------------------- the chain
    def chain_step(self, v, seed):
        """One transition from binary ``v`` with the stateless ``seed`` (shape [2]):
        ``(x_{t+1} ∈ {0, 1}, P(x = 1 | x̃_t))``."""
        which, coin, draw = (tf.random.stateless_uniform(tf.shape(v), seed=s)
                             for s in tf.unstack(tf.random.experimental.stateless_split(seed, 3)))
        p = tf.sigmoid(self.reconstruct(salt_and_pepper(v, self.noise, which, coin)))
        return tf.cast(draw < p, tf.float32), p

    def _run(self, n, seed, steps, keep_states):
        """The chain from uniformly random bits: ``steps`` transitions; the last state or every one
        (``[steps, n, ...]``), each as ``(x in {-1, +1}, mean 2p - 1)``."""
        steps = tf.convert_to_tensor(steps, tf.int32)
        limit = MAX_CHAIN_STATES if keep_states else MAX_STEPS
        check = tf.debugging.Assert(tf.logical_and(steps >= 1, steps <= limit),
                                    [f"steps must be in [1, {limit}]; received steps =", steps])
        with tf.control_dependencies([check]):
            base = tf.stack([tf.cast(seed, tf.int32), 0])
        shape = tf.concat([[n], self.data_shape], 0)
        v0 = tf.cast(tf.random.stateless_uniform(shape, seed=base + [0, 1]) < 0.5, tf.float32)
        size = steps if keep_states else 1
        arrays = (tf.TensorArray(tf.float32, size=size), tf.TensorArray(tf.float32, size=size))

        def body(t, v, p, xs, means):
            v, p = self.chain_step(v, tf.random.experimental.stateless_fold_in(base, t))
            if keep_states:
                xs, means = xs.write(t, 2.0 * v - 1.0), means.write(t, 2.0 * p - 1.0)
            return t + 1, v, p, xs, means

        _, v, p, xs, means = tf.while_loop(lambda t, *_: t < steps, body, (tf.constant(0), v0, v0, *arrays))
        if keep_states:
            return xs.stack(), means.stack()
        return 2.0 * v - 1.0, 2.0 * p - 1.0

    def _compiled(self, keep_states):
        """``(n, seed, steps) -> chain`` as a ``tf.function`` traced once per model (kept out of
        Keras's tracking, so neither saved nor exported)."""
        key = f"_compiled_chain_{int(keep_states)}"
        function = self.__dict__.get(key)
        if function is None:
            spec = tf.TensorSpec([], tf.int32)
            function = tf.function(lambda n, seed, steps: self._run(n, seed, steps, keep_states),
                                   input_signature=[spec, spec, spec])
            object.__setattr__(self, key, function)
        return function

    def _call_chain(self, n, seed, steps, keep_states):
        if tf.executing_eagerly():
            check_steps(steps, MAX_CHAIN_STATES if keep_states else MAX_STEPS)
            return self._compiled(keep_states)(tf.constant(n, tf.int32), tf.constant(seed, tf.int32),
                                               tf.constant(steps, tf.int32))
        return self._run(n, seed, steps, keep_states)

    def sample(self, n, seed, labels=None, steps=None):
        """``(x, z)``: the chain's state after ``steps`` (default ``sample_steps``) transitions from
        random bits, binary images in {-1, +1}, stateless from ``seed``; ``z`` is empty ``[n, 0]``."""
        x, _ = self.sample_with_means(n, seed, steps)
        return x, tf.zeros([n, 0])

    def sample_with_means(self, n, seed, steps=None):
        """``(x, mean)``: the last state and the probabilities it was drawn from (``2p - 1``)."""
        return self._call_chain(n, seed, self.sample_steps if steps is None else steps, keep_states=False)

    def chain(self, n, seed, steps):
        """``(x, mean)`` of every state, ``[steps, n, H, W, 1]`` each (``steps`` ≤ :data:`MAX_CHAIN_STATES`)."""
        return self._call_chain(n, seed, steps, keep_states=True)

    def call(self, x, training=False):
        """The logits of ``P(x | x̃)`` for images ``x`` in [-1, 1] taken as the corrupted input."""
        return self.reconstruct(tf.cast(tf.convert_to_tensor(x, tf.float32) > 0.0, tf.float32), training=training)

    def generate(self, z):
        raise NotImplementedError("GSN has no latent code to generate from: use sample(n, seed) (its Markov chain).")

    # ----------------------------------------------------------------- serving
    def serving_functions(self):
        """``sample(n, seed)`` (``sample_steps`` steps), ``sample_steps(n, seed, steps)`` (steps in
        [1, MAX_STEPS]) -> {"x", "mean"}; ``chain(n, seed, steps)`` (steps in [1, MAX_CHAIN_STATES])
        -> {"x", "mean"} ``[steps, n, H, W, 1]``."""
        n_spec = tf.TensorSpec([], tf.int32, name="n")
        seed_spec = tf.TensorSpec([], tf.int32, name="seed")
        steps_spec = tf.TensorSpec([], tf.int32, name="steps")

        def sample(n, seed):
            x, mean = self._run(n, seed, self.sample_steps, keep_states=False)
            return {"x": x, "mean": mean}

        def sample_steps(n, seed, steps):
            x, mean = self._run(n, seed, steps, keep_states=False)
            return {"x": x, "mean": mean}

        def chain(n, seed, steps):
            x, mean = self._run(n, seed, steps, keep_states=True)
            return {"x": x, "mean": mean}

        return {"sample": (sample, [n_spec, seed_spec]), "sample_steps": (sample_steps, [n_spec, seed_spec, steps_spec]),
                "chain": (chain, [n_spec, seed_spec, steps_spec])}

    def get_config(self):
        return {"name": self.name, "trainable": self.trainable, "seed": self.seed,
                "network": keras.saving.serialize_keras_object(self.network), "noise": self.noise,
                "walkback": self.walkback, "sample_steps": self.sample_steps}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config["network"] = keras.saving.deserialize_keras_object(config["network"])
        return cls(**config)
