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

Multi-scale architecture (§3.6, ``num_scales ≥ 1``, images): at each scale three couplings
with checkerboard masks, a squeeze (each 2×2×c block of pixels becomes 1×1×4c), three
couplings with channel masks, then half the channels are factored out (they go to the
Gaussian as they are, later couplings leave them alone); after the last scale four
checkerboard couplings.  The networks are convolutional (:func:`conv_coupling_network`): they
see the image of the scale with the transformed values zeroed and the mask as extra
channels (§3.4: ``b ⊙ x``), and give a shift and log-scale per value.  Every step is a
permutation of the flat values and a ``tfb.RealNVP`` on them, so the Jacobian stays exact.
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


def conv_coupling_network(shape, filters=32, blocks=2, name="coupling"):
    """``[N, h, w, 2c]`` (the masked image and its mask) ``-> [N, h, w, 2c]`` (shift, then raw
    log-scale of every value) for a multi-scale coupling on an ``[h, w, c]`` image: a 3×3
    convolution, ``blocks`` residual blocks of two 3×3 convolutions (ReLU), and a 3×3
    convolution that starts at zero, so each coupling starts as the identity (Dinh et al. 2017
    use deeper ResNets with batch normalisation, §4.1; this one fits a CPU budget)."""
    h, w, c = (int(d) for d in shape)
    inputs = keras.Input((h, w, 2 * c), name=f"{name}_input")
    x = keras.layers.Conv2D(filters, 3, padding="same", activation="relu", name=f"{name}_in")(inputs)
    for b in range(blocks):
        y = keras.layers.Conv2D(filters, 3, padding="same", activation="relu", name=f"{name}_block{b}a")(x)
        y = keras.layers.Conv2D(filters, 3, padding="same", name=f"{name}_block{b}b")(y)
        x = keras.layers.ReLU(name=f"{name}_block{b}relu")(keras.layers.Add(name=f"{name}_block{b}add")([x, y]))
    outputs = keras.layers.Conv2D(2 * c, 3, padding="same", kernel_initializer="zeros", name=f"{name}_out")(x)
    return keras.Model(inputs, outputs, name=name)


def _squeeze(grid):
    """``[h, w, c] -> [h/2, w/2, 4c]``: each 2×2 block of values becomes one position (§3.6)."""
    h, w, c = grid.shape
    return grid.reshape(h // 2, 2, w // 2, 2, c).transpose(0, 2, 1, 3, 4).reshape(h // 2, w // 2, 4 * c)


def _checkerboard_mask(grid, k):
    i, j = np.indices(grid.shape[:2])
    return np.broadcast_to((((i + j) % 2) == k % 2)[..., None], grid.shape)


def multiscale_layout(data_shape, num_scales, checkerboard=3, channel=3, final=4):
    """The couplings of the multi-scale architecture, data side first: one ``(grid, mask)``
    per coupling, ``grid [h, w, c]`` the flat indices of the data values it acts on (laid out
    as the scale's image) and ``mask`` True where a value conditions (passes unchanged).

    Raises if a squeeze meets an odd side or a factoring-out a single channel."""
    shape = tuple(int(d) for d in data_shape)
    if len(shape) != 3:
        raise ValueError(f"the multi-scale RealNVP models images [H, W, C]. Received: data_shape={shape}")
    grid = np.arange(int(np.prod(shape))).reshape(shape)
    layers = []
    for scale in range(int(num_scales)):
        h, w, _ = grid.shape
        if h % 2 or w % 2:
            raise ValueError(f"scale {scale} squeezes an image of {h}×{w}: each side must be even. Received: "
                             f"data_shape={shape}, num_scales={num_scales}")
        layers += [(grid, _checkerboard_mask(grid, k)) for k in range(checkerboard)]
        grid = _squeeze(grid)
        c = grid.shape[-1]
        first = np.zeros(grid.shape, bool)
        first[..., :c // 2] = True
        layers += [(grid, first if k % 2 == 0 else ~first) for k in range(channel)]
        grid = grid[..., :c // 2]  # the other half is factored out: Gaussian from here on
    layers += [(grid, _checkerboard_mask(grid, k)) for k in range(final)]
    return layers


def multiscale_shapes(data_shape, num_scales):
    """The ``[h, w, c]`` image each coupling network of :func:`multiscale_layout` works on."""
    return [tuple(int(d) for d in grid.shape) for grid, _ in multiscale_layout(data_shape, num_scales)]


def conv_couplings(data_shape, num_scales, filters=32, blocks=2, name="coupling"):
    """One :func:`conv_coupling_network` per coupling of the multi-scale architecture, on the
    shapes :func:`multiscale_shapes` gives (the recipes' builder)."""
    return [conv_coupling_network(shape, filters=filters, blocks=blocks, name=f"{name}_{k}")
            for k, shape in enumerate(multiscale_shapes(data_shape, num_scales))]


@keras.saving.register_keras_serializable(package="zoo")
class RealNVP(FlowModel):
    """RealNVP: affine coupling layers between a Gaussian latent and the data.

    Args:
      couplings: list of Keras networks ``[N, ⌊D/2⌋] -> [N, 2·⌈D/2⌉]``, one per coupling layer
        (:func:`coupling_network`); ``D = prod(data_shape)``.  With ``num_scales``: one
        :func:`conv_coupling_network` per coupling of :func:`multiscale_layout`, on the shapes
        :func:`multiscale_shapes` gives.
      num_scales: None for the couplings over MLPs (halves of a checkerboard, swapped between
        layers); ``k ≥ 1`` for the multi-scale convolutional architecture with ``k`` squeezes
        (Dinh et al. 2017 §3.6; module doc).
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
                 num_scales=None, **kwargs):
        super().__init__(couplings, data_shape, levels=levels, data_scale=data_scale,
                         log_scale_bound=log_scale_bound, seed=seed, **kwargs)
        self.num_scales = None if num_scales is None else int(num_scales)
        if self.num_scales is not None:
            self._check_multiscale()
            return
        d = self.latent_dim
        if d < 2:
            raise ValueError(f"a coupling layer splits the values in two: RealNVP needs at least 2 values per "
                             f"example. Received: data_shape={self.data_shape}")
        for k, net in enumerate(self.networks):
            got = (int(net.inputs[0].shape[-1]), int(net.outputs[0].shape[-1]))
            if got != (d // 2, 2 * (d - d // 2)):
                raise ValueError(f"coupling {k} must map {d // 2} values to {2 * (d - d // 2)} (shift and log-scale "
                                 f"of the other {d - d // 2}). Received: {got[0]} -> {got[1]}")

    def _check_multiscale(self):
        shapes = multiscale_shapes(self.data_shape, self.num_scales)
        if len(shapes) != self.num_layers:
            raise ValueError(f"the multi-scale RealNVP with num_scales={self.num_scales} on {self.data_shape} has "
                             f"{len(shapes)} couplings. Received: {self.num_layers} networks")
        for k, (net, (h, w, c)) in enumerate(zip(self.networks, shapes)):
            got = (tuple(net.inputs[0].shape[1:]), tuple(net.outputs[0].shape[1:]))
            if got != ((h, w, 2 * c), (h, w, 2 * c)):
                raise ValueError(f"coupling {k} must map [{h}, {w}, {2 * c}] to [{h}, {w}, {2 * c}] (the masked image "
                                 f"and its mask -> shift and log-scale; conv_coupling_network(({h}, {w}, {c}))). "
                                 f"Received: {list(got[0])} -> {list(got[1])}")

    @property
    def couplings(self):
        return self.networks

    def get_config(self):
        return {**super().get_config(), "num_scales": self.num_scales}

    def _shift_and_log_scale(self, network):
        def fn(x_a, output_units):
            shift, log_scale = tf.split(network(x_a), 2, axis=-1)
            return shift, self.soft_clip(log_scale)

        return fn

    def _masked_coupling_fn(self, network, grid, mask):
        """``tfb.RealNVP``'s function for a coupling on the values ``[cond, trans, rest]`` (the
        flat order :meth:`_multiscale_bijector` permutes them into): the network sees the
        scale's image with only the conditioning values (the rest zero) and the mask; the
        values of other scales get shift 0 and log-scale 0 (left alone, no Jacobian)."""
        h, w, c = grid.shape
        flat_mask = mask.reshape(-1)
        n_cond = int(flat_mask.sum())
        # Each cell's position among [cond..., 0]: the transformed cells read the zero.
        scatter = np.full(flat_mask.size, n_cond, np.int32)
        scatter[flat_mask] = np.arange(n_cond, dtype=np.int32)
        transformed = np.flatnonzero(~flat_mask).astype(np.int32)
        rest = self.latent_dim - flat_mask.size
        mask_image = tf.constant(mask.astype(np.float32)[None])

        def fn(x_cond, output_units):
            n = tf.shape(x_cond)[0]
            padded = tf.concat([x_cond, tf.zeros([n, 1], x_cond.dtype)], axis=-1)
            image = tf.reshape(tf.gather(padded, scatter, axis=-1), [n, h, w, c])
            inputs = tf.concat([image, tf.broadcast_to(mask_image, tf.shape(image))], axis=-1)
            out = network(inputs)
            shift = tf.gather(tf.reshape(out[..., :c], [n, -1]), transformed, axis=-1)
            log_scale = self.soft_clip(tf.gather(tf.reshape(out[..., c:], [n, -1]), transformed, axis=-1))
            if rest:
                zeros = tf.zeros([n, rest], shift.dtype)
                shift, log_scale = tf.concat([shift, zeros], -1), tf.concat([log_scale, zeros], -1)
            return shift, log_scale

        return fn, n_cond

    def _multiscale_bijector(self):
        layers = []  # data side first (tfb.Chain applies the last one first from z)
        everything = np.arange(self.latent_dim)
        for k, (network, (grid, mask)) in enumerate(
                zip(self.couplings, multiscale_layout(self.data_shape, self.num_scales))):
            rest = np.setdiff1d(everything, grid.reshape(-1))
            order = np.concatenate([grid[mask], grid[~mask], rest])
            fn, n_cond = self._masked_coupling_fn(network, grid, mask)
            # inverse (data -> latent): x[order], the coupling, then back to the data's order.
            layers += [tfb.Permute(np.argsort(order), name=f"to{k}"),
                       tfb.RealNVP(num_masked=n_cond, shift_and_log_scale_fn=fn, name=f"coupling{k}"),
                       tfb.Permute(order, name=f"from{k}")]
        return tfb.Chain(layers, name="realnvp")

    def flow_bijector(self):
        if self.num_scales is not None:
            return self._multiscale_bijector()
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
