"""RealNVP (Dinh, Sohl-Dickstein & Bengio 2017, "Density estimation using Real NVP",
arXiv:1605.08803).

A stack of affine coupling layers (§3.3, eq. 4-5): the values are split in two halves
``x = (x_a, x_b)``; the first passes unchanged and gives the shift ``t`` and log-scale ``s``
of the second,

    y_a = x_a,   y_b = x_b ⊙ exp(s(x_a)) + t(x_a),   log |det ∂y/∂x| = Σ s(x_a),

so both directions and the Jacobian cost one pass of the coupling network, and
``log p(x)`` is exact by the change of variables (eq. 3).  Successive layers swap the roles
of the halves (§3.4); on images the halves are the two colours of a spatial checkerboard.
Each coupling is ``tfp.bijectors.RealNVP`` around a Keras network this model owns
(:func:`coupling_network`), so every variable is tracked by Keras and saved.
"""
import keras
import numpy as np
import tensorflow as tf

from zoo import papers
from zoo.families._exact import FlowModel, checkerboard_order, tfb



def coupling_network(event_size, hidden=(64, 64), activation="relu", name="coupling"):
    """``x_a [N, ⌊D/2⌋] -> [N, 2·⌈D/2⌉]`` (shift, then raw log-scale of ``x_b``): an MLP whose
    last layer starts at zero, so each coupling starts as the identity (as Glow, Kingma &
    Dhariwal 2018, arXiv:1807.03039, §3.3, initialise theirs)."""
    masked = event_size // 2
    inputs = keras.Input((masked,), name=f"{name}_input")
    h = inputs
    for i, units in enumerate(hidden):
        h = keras.layers.Dense(units, activation=activation, name=f"{name}_dense{i}")(h)
    outputs = keras.layers.Dense(2 * (event_size - masked), kernel_initializer="zeros", name=f"{name}_out")(h)
    return keras.Model(inputs, outputs, name=name)


@keras.saving.register_keras_serializable(package="zoo")
class RealNVP(FlowModel):
    """RealNVP: affine coupling layers between a Gaussian latent and the data.

    Args:
      couplings: list of Keras networks ``[N, ⌊D/2⌋] -> [N, 2·⌈D/2⌉]``, one per coupling layer
        (:func:`coupling_network`); ``D = prod(data_shape)``.
      data_shape, levels, data_scale, log_scale_bound, seed: see :class:`zoo.families._exact.FlowModel`.

    Example:
      >>> from zoo.families import RealNVP
      >>> from zoo.families.realnvp import coupling_network
      >>> flow = RealNVP([coupling_network(2, (16,)) for _ in range(4)], data_shape=(2,))
      >>> flow.compile(flow_optimizer="adam")
    """

    NETWORK_ARG = "couplings"
    NETWORK_PREFIX = "coupling"
    FAMILY = "realnvp"
    PAPERS = [papers.REALNVP]

    def __init__(self, couplings, data_shape, levels=None, data_scale=1.0, log_scale_bound=3.0, seed=None,
                 **kwargs):
        super().__init__(couplings, data_shape, levels=levels, data_scale=data_scale,
                         log_scale_bound=log_scale_bound, seed=seed, **kwargs)
        d = self.latent_dim
        if d < 2:
            raise ValueError(f"a coupling layer splits the values in two: RealNVP needs at least 2 values per "
                             f"example. Received: data_shape={self.data_shape}")
        for k, net in enumerate(self.networks):
            got = (int(net.inputs[0].shape[-1]), int(net.outputs[0].shape[-1]))
            if got != (d // 2, 2 * (d - d // 2)):
                raise ValueError(f"coupling {k} must map {d // 2} values to {2 * (d - d // 2)} (shift and log-scale "
                                 f"of the other {d - d // 2}). Received: {got[0]} -> {got[1]}")

    @property
    def couplings(self):
        return self.networks

    def _shift_and_log_scale(self, network):
        def fn(x_a, output_units):
            shift, log_scale = tf.split(network(x_a), 2, axis=-1)
            return shift, self.soft_clip(log_scale)

        return fn

    def flow_bijector(self):
        d = self.latent_dim
        reverse = tfb.Permute(np.arange(d)[::-1], name="reverse")  # swap the halves' roles (§3.4)
        layers = []  # from the data side to the latent side
        order = checkerboard_order(self.data_shape)
        if not np.array_equal(order, np.arange(d)):
            # inverse(x) = x[order]: checkerboard squares first, so the halves are its colours.
            layers.append(tfb.Permute(np.argsort(order), name="checkerboard"))
        for k, network in enumerate(self.couplings):
            if k:
                layers.append(reverse)
            # tfb.Chain applies its last bijector first in the forward (z -> x) direction,
            # so the list runs from the data side to the latent side.
            layers.append(tfb.RealNVP(num_masked=d // 2, shift_and_log_scale_fn=self._shift_and_log_scale(network),
                                      name=f"coupling{k}"))
        return tfb.Chain(layers, name="realnvp")
