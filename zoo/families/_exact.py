"""Machinery of the exact-likelihood families (PixelCNN, RealNVP, MAF), written once.

Discrete pixels (the exact-likelihood protocol, docs/protocols.md).  Digits take ``levels = 17`` grey levels, mapped to
[-1, 1] by ``v / 8 - 1``: the levels are ``w = 2 / (levels - 1)`` apart.  Each level owns the
bin ``[x - w/2, x + w/2)`` centred on it, so a probability ``P`` over the levels and a density
``p`` on the continuous [-1, 1] scale are related by ``log p = log P - D log w`` (D pixels;
``+ 64 log 8`` for digits), and the number a model reports per image sits on the same scale
as a Parzen estimate.

- Flows are trained on *dequantised* data, each level spread uniformly over its bin (Dinh et
  al. 2017, arXiv:1605.08803, §4.1; Theis et al. 2016, arXiv:1511.01844, §3.1): the
  continuous density then bounds the discrete model, ``E_u log p(x + u) ≤ log P(x) - D log w``.
- PixelCNN models ``P`` directly with a discretised likelihood (Salimans et al. 2017).

:class:`FlowModel` is the base of the normalizing flows: ``x = g(z)``, ``z ~ N(0, I_D)``,
``log p(x) = log N(g⁻¹(x)) + log |det ∂g⁻¹/∂x|`` (change of variables), all through
``tfp.distributions.TransformedDistribution``.  A family supplies the invertible map between
the latent and the (pre-processed) data as a ``tfp.bijectors`` chain built over Keras
networks it owns (:meth:`FlowModel.flow_bijector`).
"""
from __future__ import annotations

import math

import keras
import numpy as np
import tensorflow as tf
import tensorflow_probability as tfp

from zoo.families._base import GenerativeModel, unpack_batch

tfb = tfp.bijectors
tfd = tfp.distributions

# Dinh et al. 2017 §4.1 model logit(α + (1 - 2α) x) of pixels x in [0, 1] "to reduce the
# impact of boundary effects", with α = 0.05.
LOGIT_ALPHA = 0.05


# ------------------------------------------------------------------ discrete levels
def check_levels(levels):
    """``levels`` (int ≥ 2) or None for continuous data; raises with what to pass otherwise."""
    if levels is None:
        return None
    if int(levels) != levels or levels < 2:
        raise ValueError(f"levels is the number of discrete values of each pixel (17 for digits) or None for "
                         f"continuous data. Received: levels={levels!r}")
    return int(levels)


def bin_width(levels: int) -> float:
    """Distance between two neighbouring levels on the [-1, 1] scale (1/8 for 17 levels)."""
    return 2.0 / (levels - 1)


def log_bin_volume(levels: int, dims: int) -> float:
    """``D log w``: ``log p = log P - log_bin_volume`` (``-64 log 8`` for digits)."""
    return dims * math.log(bin_width(levels))


def level_index(x, levels: int):
    """The level ``v ∈ {0..levels-1}`` of each value of ``x`` (the bin it falls in), int32."""
    v = tf.round((tf.convert_to_tensor(x, tf.float32) + 1.0) / bin_width(levels))
    return tf.cast(tf.clip_by_value(v, 0.0, levels - 1.0), tf.int32)


def level_value(v, levels: int):
    """Level ``v`` -> its value on the [-1, 1] scale."""
    return tf.cast(v, tf.float32) * bin_width(levels) - 1.0


def support(levels: int) -> tuple[float, float]:
    """The union of the bins: ``[-1 - w/2, 1 + w/2]``."""
    half = bin_width(levels) / 2.0
    return -1.0 - half, 1.0 + half


def checkerboard_order(shape) -> np.ndarray:
    """Flat indices of an ``[H, W, C]`` image, the squares with even ``i + j`` first: the
    spatial checkerboard split of Dinh et al. 2017, §3.4 (a vector keeps its order)."""
    shape = tuple(int(d) for d in shape)
    if len(shape) != 3:
        return np.arange(int(np.prod(shape)))
    i, j, _ = np.indices(shape)
    parity = ((i + j) % 2).reshape(-1)
    return np.argsort(parity, kind="stable")


def compiled_draw(model, draw, name="draw", inputs=2, autograph=True):
    """``draw`` of ``inputs`` int32 scalars (``n, seed``...) as a ``tf.function`` traced once per
    model and ``name``: sampling loops over the pixels (PixelCNN, NADE) or the values (MAF),
    which run an op at a time when called eagerly.  Kept outside Keras's attribute tracking, so
    it is neither saved nor exported."""
    key = f"_compiled_{name}"
    function = model.__dict__.get(key)
    if function is None:
        function = tf.function(draw, input_signature=[tf.TensorSpec([], tf.int32)] * inputs, autograph=autograph)
        object.__setattr__(model, key, function)
    return function


def stateless_sample(model, draw, n, seed):
    """``draw(n, seed)``, compiled when called eagerly (:func:`compiled_draw`)."""
    if tf.executing_eagerly():
        return compiled_draw(model, draw)(tf.constant(n, tf.int32), tf.constant(seed, tf.int32))
    return draw(n, seed)


# ------------------------------------------------------------------ the likelihood game
class LikelihoodModel(GenerativeModel):
    """The step contract of the exact-likelihood families: one player, one optimizer, and
    ``train_step`` descends the mean negative log-likelihood of the batch.

    A family writes ``log_prob(x)`` (nats per example on the continuous [-1, 1] scale) and may
    override two hooks: ``training_inputs(x)`` (the flows dequantise here) and
    ``training_nll(x)``, which returns ``(loss to descend, nll to log)`` (PixelCNN descends the
    discrete NLL and logs it on the continuous scale).
    """

    LOSSES = ("nll",)

    def training_inputs(self, x):
        return x

    def training_nll(self, x):
        nll = -tf.reduce_mean(self.log_prob(x))
        return nll, nll

    def train_step(self, data):
        x, _ = unpack_batch(data)
        x = self.training_inputs(x)
        with tf.GradientTape() as tape:
            loss, nll = self.training_nll(x)
        self.apply_update(tape, loss, next(iter(self.OPTIMIZERS)))
        return self.track(nll=nll)

    def test_step(self, data):
        x, _ = unpack_batch(data)
        return self.track(nll=-tf.reduce_mean(self.log_prob(x)))


# ------------------------------------------------------------------ the flow base
class FlowModel(LikelihoodModel):
    """A normalizing flow ``x = g(z)`` on data of shape ``data_shape``, trained by exact
    maximum likelihood.  Subclasses set ``NETWORK_ARG`` / ``NETWORK_PREFIX`` (the constructor
    argument holding the list of networks, and their attribute names) and write
    :meth:`flow_bijector`.

    Args:
      networks: the list of Keras networks of the flow's layers (constructor argument
        ``NETWORK_ARG``).
      data_shape: shape of one example, e.g. ``(2,)`` or ``(8, 8, 1)``.
      levels: number of discrete levels of each value (17 for digits): training adds uniform
        dequantisation noise and the flow is put on the bounded support through Dinh et al.'s
        logit transform; ``None`` for continuous data.
      data_scale: continuous data only: a fixed scale ``x = data_scale · y`` so the flow works
        on values of order 1 (e.g. 4 for grid25).
      log_scale_bound: each affine layer's log-scale is soft-clipped to ``±bound``
        (``b·tanh(s/b)``), which keeps early training finite (Dinh et al. 2017 bound theirs
        with tanh, §4.1).
      seed: seed of the training noise.
    """

    NETWORK_ARG = "networks"
    NETWORK_PREFIX = "network"

    def __init__(self, networks, data_shape, levels=None, data_scale=1.0, log_scale_bound=3.0, seed=None, **kwargs):
        networks = list(networks)
        if not networks:
            raise ValueError(f"{type(self).__name__} needs at least one network in {self.NETWORK_ARG}. "
                             f"Received: {self.NETWORK_ARG}=[]")
        super().__init__(None, seed=seed, **kwargs)  # no single generator: the flow's layers below
        self.num_layers = len(networks)
        for k, network in enumerate(networks):
            setattr(self, f"{self.NETWORK_PREFIX}_{k}", network)
        self._data_shape = tuple(int(d) for d in data_shape)
        self.levels = check_levels(levels)
        self.data_scale = float(data_scale)
        self.log_scale_bound = float(log_scale_bound)
        if self.levels is not None and self.data_scale != 1.0:
            raise ValueError("data_scale applies to continuous data only: discrete data are mapped to their "
                             f"bounded support. Received: levels={self.levels}, data_scale={self.data_scale}")

    # ------------------------------------------------------------ the contract
    @property
    def NETWORKS(self):  # noqa: N802 (the contract's name)
        return tuple(f"{self.NETWORK_PREFIX}_{k}" for k in range(self.num_layers))

    @property
    def OPTIMIZERS(self):  # noqa: N802
        return {"flow_optimizer": self.NETWORKS}

    @property
    def networks(self):
        return [getattr(self, name) for name in self.NETWORKS]

    @property
    def latent_dim(self) -> int:
        return int(np.prod(self._data_shape))

    @property
    def data_shape(self):
        return self._data_shape

    # ------------------------------------------------------------- the density
    def soft_clip(self, log_scale):
        """``b·tanh(s/b)``: the identity near 0, bounded by ``±b``."""
        b = self.log_scale_bound
        return b * tf.tanh(log_scale / b)

    def flow_bijector(self):
        """The family's invertible map from the latent ``z`` (forward) to the pre-processed,
        flattened data ``y`` (``[N, D]`` both)."""
        raise NotImplementedError

    def data_bijector(self):
        """Fixed map from the flow's output ``y`` (flat) to the data ``x``: the inverse of
        Dinh et al.'s logit pre-processing on discrete data, a scale on continuous data."""
        reshape = tfb.Reshape(event_shape_out=self._data_shape, event_shape_in=[self.latent_dim], name="reshape")
        if self.levels is None:
            return tfb.Chain([reshape, tfb.Scale(self.data_scale, name="scale")], name="data")
        low, high = support(self.levels)
        # y -> s = sigmoid(y) ∈ (0, 1) -> x01 = (s - α) / (1 - 2α) -> x = low + (high - low) x01,
        # the inverse of y = logit(α + (1 - 2α) x01) (Dinh et al. 2017, §4.1).
        scale = (high - low) / (1.0 - 2.0 * LOGIT_ALPHA)
        return tfb.Chain([reshape, tfb.Shift(low - LOGIT_ALPHA * scale, name="shift"), tfb.Scale(scale, name="scale"),
                          tfb.Sigmoid(name="sigmoid")], name="data")

    def bijector(self):
        """``g``: z -> x, the whole flow.  Every bijector is named: TFP's default names nest
        ("chain_of_chain_of_reshape_of_...") into every graph node's name, which made a 2-D
        MAF's saved_model.pb 5 MB."""
        return tfb.Chain([self.data_bijector(), self.flow_bijector()], name="flow")

    def distribution(self):
        """``p(x)`` as a ``tfp.distributions.TransformedDistribution`` of ``N(0, I_D)``."""
        base = tfd.MultivariateNormalDiag(loc=tf.zeros([self.latent_dim]), name="prior")
        return tfd.TransformedDistribution(base, self.bijector(), name="p")

    def log_prob(self, x):
        """Exact ``log p(x)`` per example, nats, on the data's own (continuous [-1, 1]) scale."""
        return self.distribution().log_prob(tf.convert_to_tensor(x, tf.float32))

    def dequantize(self, x):
        """``x + u``, ``u ~ U[-w/2, w/2)`` per value, drawn replica-consistently (base helper)."""
        if self.levels is None:
            return x
        half = bin_width(self.levels) / 2.0
        return x + self.uniform(tf.shape(x)[0], self._data_shape, -half, half)

    # -------------------------------------------------------------- training
    def training_inputs(self, x):
        return self.dequantize(tf.convert_to_tensor(x, tf.float32))

    # ------------------------------------------------------ generation / codes
    def call(self, z, training=False):
        return self.generate(z)

    def generate(self, z):
        """x = g(z)."""
        return self.bijector().forward(tf.convert_to_tensor(z, tf.float32))

    def encode(self, x):
        """z = g⁻¹(x): the exact inverse."""
        return self.bijector().inverse(tf.convert_to_tensor(x, tf.float32))

    def decode(self, z):
        return self.generate(z)

    def _draw(self, n, seed):
        z = tf.random.stateless_normal([n, self.latent_dim], seed=tf.stack([seed, 0]))
        x = self.generate(z)
        if self.levels is not None:
            # The level whose bin holds g(z) is a draw of the discrete model P(v) = ∫_bin p, so
            # samples lie on the data's levels in [-1, 1] like the data (the little mass the
            # logit transform's α puts outside the support goes to the edge levels).
            x = level_value(level_index(x, self.levels), self.levels)
        return x, z

    def sample(self, n, seed, labels=None):
        """``(x, z)``: ``x = g(z)``, ``z ~ N(0, I)`` from the stateless ``seed`` (as the base and
        the export's ``sample``); on discrete data ``x`` is the level ``g(z)`` falls on."""
        return stateless_sample(self, self._draw, n, seed)

    # ----------------------------------------------------------------- serving
    def serving_functions(self):
        """The base's ``generate`` and ``sample``, plus ``encode`` (the inverse map) and
        ``log_prob`` (nats per example on the continuous [-1, 1] scale)."""
        functions = super().serving_functions()
        x_spec = tf.TensorSpec([None, *self.data_shape], tf.float32, name="x")

        def encode(x):
            return {"z": self.encode(x)}

        def log_prob(x):
            return {"log_prob": self.log_prob(x)}

        functions["encode"] = (encode, [x_spec])
        functions["log_prob"] = (log_prob, [x_spec])
        return functions

    # ----------------------------------------------------------- serialization
    def get_config(self):
        return {
            "name": self.name, "trainable": self.trainable, "seed": self.seed,
            self.NETWORK_ARG: [keras.saving.serialize_keras_object(n) for n in self.networks],
            "data_shape": list(self._data_shape), "levels": self.levels, "data_scale": self.data_scale,
            "log_scale_bound": self.log_scale_bound,
        }

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config[cls.NETWORK_ARG] = [keras.saving.deserialize_keras_object(c) for c in config[cls.NETWORK_ARG]]
        return cls(**config)
