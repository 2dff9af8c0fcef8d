"""MAF (Papamakarios, Pavlakou & Murray 2017, "Masked Autoregressive Flow for Density
Estimation", arXiv:1705.07057).

Each layer is a Gaussian autoregressive model read as an invertible map (§3.1, eq. 2-3):

    x_i = u_i exp(α_i) + μ_i,   (μ_i, α_i) = f(x_{1:i-1}),   log |det ∂u/∂x| = -Σ α_i,

with ``f`` a MADE network (Germain et al. 2015, arXiv:1502.03509): one masked pass gives every
``(μ_i, α_i)``, so the density (x -> u) costs one pass and sampling (u -> x) D passes.
Layers are stacked with the order reversed between them (§3.1).  Each layer is
``tfp.bijectors.MaskedAutoregressiveFlow`` around :class:`MADE`, a Keras layer this model
owns (TFP's own ``AutoregressiveNetwork`` is a tf-keras layer, which a Keras 3 model can
neither track nor save); its masks are the ones ``tfp.bijectors.AutoregressiveNetwork`` builds
(``input_order="left-to-right"``, ``hidden_degrees="equal"``), so with the same weights both
give the same flow (tests/test_flows.py).
"""
import keras
import numpy as np
import tensorflow as tf

from zoo import papers
from zoo.families._exact import FlowModel, tfb



def made_degrees(event_size, hidden_units):
    """Degrees of a MADE's units with left-to-right input order (Germain et al. 2015, §4): input
    ``i`` has degree ``i`` (1..D), hidden units degrees spread evenly over 1..D-1 (TFP's
    ``"equal"``).  A list of int arrays: the inputs', then each hidden layer's."""
    degrees = [np.arange(1, event_size + 1)]
    for units in hidden_units:
        lowest = min(int(np.min(degrees[-1])), event_size - 1)
        evenly = np.ceil(np.arange(1, units + 1) * (event_size - 1) / (units + 1)).astype(np.int64)
        degrees.append(np.maximum(lowest, evenly))
    return degrees


def made_masks(event_size, hidden_units, params):
    """Masks ``[fan_in, fan_out]`` of a MADE with the degrees of :func:`made_degrees`: a hidden
    unit sees inputs of degree ≤ its own, output ``i`` only units of degree < ``i``.  The output
    layer holds ``params`` values per input, input-major (``[D, params]`` flattened), as TFP
    lays them out."""
    degrees = made_degrees(event_size, hidden_units)
    masks = [previous[:, None] <= current for previous, current in zip(degrees[:-1], degrees[1:])]
    output = degrees[-1][:, None] < degrees[0]  # [units, D]
    masks.append(np.repeat(output, params, axis=1))
    return [mask.astype(np.float32) for mask in masks]


def _graph_masks(degrees, params):
    """:func:`made_masks` computed in the graph from the degree vectors (``tf.int32``)."""
    masks = [tf.cast(previous[:, None] <= current[None, :], tf.float32)
             for previous, current in zip(degrees[:-1], degrees[1:])]
    output = tf.cast(degrees[-1][:, None] < degrees[0][None, :], tf.float32)  # [units, D]
    masks.append(tf.repeat(output, params, axis=1))
    return masks


@keras.saving.register_keras_serializable(package="zoo")
class MADE(keras.layers.Layer):
    """Masked autoencoder for distribution estimation: ``[N, D] -> [N, D, params]`` with output
    ``i`` a function of inputs ``< i`` only (Germain et al. 2015, arXiv:1502.03509).

    The kernels are multiplied by their masks in ``call``, so the autoregressive property holds
    whatever the weights (TFP instead masks the initial values and re-masks after each update
    with a constraint).  The output layer starts at zero: every MAF layer starts as the
    identity.

    Args:
      event_size: D.
      hidden_units: sizes of the hidden layers (each ≥ D - 1 so every degree is represented).
      params: outputs per input (2: shift and log-scale).
      activation: of the hidden layers.
    """

    def __init__(self, event_size, hidden_units=(64, 64), params=2, activation="relu", **kwargs):
        super().__init__(**kwargs)
        self.event_size = int(event_size)
        self.hidden_units = [int(u) for u in hidden_units]
        self.params = int(params)
        self.activation = keras.activations.get(activation)
        self._activation_name = activation
        self.masks = made_masks(self.event_size, self.hidden_units, self.params)
        # The masks are rebuilt in the graph from the units' degrees (a few thousand integers):
        # stored as constants, they made the SavedModel hold every kernel's size a second time
        # (MAF on 784 pixels: 5 MB of masks per 5 MB of weights), and NumPy masks were
        # embedded again at every use (MAF's inverse runs the network D times: a 9 MB
        # saved_model.pb for 8×8 digits).  Rebuilding them costs a comparison per weight, next
        # to a multiply-add per weight and example.
        self._degree_tensors = [tf.constant(d, tf.int32) for d in made_degrees(self.event_size, self.hidden_units)]
        sizes = [self.event_size, *self.hidden_units, self.event_size * self.params]
        self.kernels, self.biases = [], []
        for k, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
            last = k == len(sizes) - 2
            self.kernels.append(self.add_weight(shape=(fan_in, fan_out), name=f"kernel_{k}",
                                                initializer="zeros" if last else "glorot_uniform"))
            self.biases.append(self.add_weight(shape=(fan_out,), name=f"bias_{k}", initializer="zeros"))
        self.built = True

    def call(self, x):
        h = x
        masks = _graph_masks(self._degree_tensors, self.params)
        for k, (kernel, bias, mask) in enumerate(zip(self.kernels, self.biases, masks)):
            h = tf.matmul(h, kernel * mask) + bias
            if k < len(self.kernels) - 1:
                h = self.activation(h)
        return tf.reshape(h, [-1, self.event_size, self.params])

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.event_size, self.params)

    def get_config(self):
        return {**super().get_config(), "event_size": self.event_size, "hidden_units": self.hidden_units,
                "params": self.params, "activation": self._activation_name}


@keras.saving.register_keras_serializable(package="zoo")
class MAF(FlowModel):
    """Masked autoregressive flow: MADE layers between a Gaussian latent and the data.

    Args:
      mades: list of :class:`MADE` layers with ``event_size = prod(data_shape)`` and
        ``params = 2``, one per flow layer.
      data_shape, levels, data_scale, log_scale_bound, seed: see :class:`zoo.families._exact.FlowModel`.

    Example:
      >>> from zoo.families import MAF
      >>> from zoo.families.maf import MADE
      >>> flow = MAF([MADE(2, (16, 16)) for _ in range(4)], data_shape=(2,))
      >>> flow.compile(flow_optimizer="adam")
    """

    NETWORK_ARG = "mades"
    NETWORK_PREFIX = "made"
    FAMILY = "maf"
    PAPERS = [papers.MAF]

    def __init__(self, mades, data_shape, levels=None, data_scale=1.0, log_scale_bound=3.0, seed=None, **kwargs):
        super().__init__(mades, data_shape, levels=levels, data_scale=data_scale, log_scale_bound=log_scale_bound,
                         seed=seed, **kwargs)
        for k, made in enumerate(self.networks):
            if (getattr(made, "event_size", None), getattr(made, "params", None)) != (self.latent_dim, 2):
                raise ValueError(f"MAF layer {k} must be a MADE with event_size={self.latent_dim} "
                                 f"(= prod(data_shape)) and params=2. Received: {made!r} with event_size="
                                 f"{getattr(made, 'event_size', None)}, params={getattr(made, 'params', None)}")

    @property
    def mades(self):
        return self.networks

    def _shift_and_log_scale(self, made):
        def fn(y):
            shift, log_scale = tf.unstack(made(y), num=2, axis=-1)
            return shift, self.soft_clip(log_scale)

        return fn

    def flow_bijector(self):
        reverse = tfb.Permute(np.arange(self.latent_dim)[::-1], name="reverse")  # §3.1: reverse the order between layers
        layers = []  # data side first: tfb.Chain applies the last one first from z
        for k, made in enumerate(self.mades):
            if k:
                layers.append(reverse)
            layers.append(tfb.MaskedAutoregressiveFlow(shift_and_log_scale_fn=self._shift_and_log_scale(made), name=f"maf{k}"))
        return tfb.Chain(layers, name="maf")
