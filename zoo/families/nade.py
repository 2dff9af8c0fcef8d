"""NADE (Larochelle & Murray 2011, "The Neural Autoregressive Distribution Estimator", AISTATS,
JMLR W&CP 15: 29-37).

A fully visible belief network over D binary pixels ``v ∈ {0, 1}^D`` in raster order,

    p(v) = Π_d p(v_d | v_<d),    p(v_d = 1 | v_<d) = σ(b_d + V_d · h_d),    h_d = σ(c + W_<d v_<d),

where every conditional's hidden layer reads the pixels before it through the *same* weights
W (D×H): the weight sharing of an RBM's mean-field step (§3).  The pre-activations then follow
one running sum (eq. 8 of the paper),

    a_1 = c,    a_{d+1} = a_d + W_d v_d,

so all D conditionals cost O(DH), not the O(D²H) of D separate networks: here the running sum is
an exclusive cumulative sum over the pixels (:func:`nade_logits`), and sampling keeps the sum
as it draws the pixels one at a time (:meth:`NADE._draw`).

The images zoo trains NADE on are binarised (``zoo.data.binarized``), in {-1, +1}; the model
reads ``v = (x + 1) / 2`` (a pixel counts as on when x > 0) and reports ``log p(v)`` in nats
per image: a probability of a binary image, with no bin-width term (the images are discrete).
NADE has no latent code (``latent_dim == 0``): it serves ``sample(n, seed)`` and ``log_prob(x)``.
"""
import keras
import numpy as np
import tensorflow as tf

from zoo.families._exact import LikelihoodModel, stateless_sample

NADE_PAPER = ("Larochelle & Murray 2011, The Neural Autoregressive Distribution Estimator, AISTATS "
              "(JMLR W&CP 15: 29-37), https://proceedings.mlr.press/v15/larochelle11a.html")


def binary_pixels(x):
    """Images in [-1, 1] (binary ones are in {-1, +1}) -> ``v ∈ {0, 1}``, ``[N, D]`` float32:
    a pixel is on when ``x > 0``."""
    x = tf.convert_to_tensor(x, tf.float32)
    return tf.cast(tf.reshape(x, [tf.shape(x)[0], -1]) > 0.0, tf.float32)


def bernoulli_log_prob(v, logits):
    """``Σ_d log p(v_d)`` of independent Bernoullis with ``logits``: ``v·log σ(l) + (1-v)·log σ(-l)``,
    written with softplus so that large logits stay finite."""
    return -tf.reduce_sum(v * tf.nn.softplus(-logits) + (1.0 - v) * tf.nn.softplus(logits), axis=-1)


def nade_logits(v, w, c, v_out, b):
    """The logits of every conditional ``p(v_d = 1 | v_<d)``, ``[N, D]``, in O(NDH).

    ``a_d = c + Σ_{k<d} v_k W_k`` is the exclusive cumulative sum over the pixels (the running
    pre-activation of Larochelle & Murray 2011, eq. 8); ``logit_d = b_d + V_d · σ(a_d)``.
    """
    a = c + tf.math.cumsum(v[:, :, None] * w[None], axis=1, exclusive=True)  # [N, D, H]
    return b + tf.reduce_sum(tf.sigmoid(a) * v_out[None], axis=-1)


@tf.function(jit_compile=True)
def compiled_log_prob(v, w, c, v_out, b):
    """``log p(v)`` per image, XLA-compiled (training only)."""
    return bernoulli_log_prob(v, nade_logits(v, w, c, v_out, b))


@keras.saving.register_keras_serializable(package="zoo")
class NADELayer(keras.layers.Layer):
    """NADE's parameters: ``W`` (D×H, pixels into the hidden layer, shared by all conditionals),
    ``c`` (H), ``V`` (D×H, hidden layer out to each pixel) and ``b`` (D).  ``call(v)`` gives the
    logits of all D conditionals given the binary pixels ``v [N, D]`` (teacher forcing).

    Weights start Glorot-uniform, biases at 0.
    """

    def __init__(self, dims, hidden, **kwargs):
        super().__init__(**kwargs)
        self.dims, self.hidden = int(dims), int(hidden)
        if self.dims < 1 or self.hidden < 1:
            raise ValueError(f"NADE needs at least one pixel and one hidden unit. Received: dims={dims}, hidden={hidden}")
        self.w = self.add_weight(shape=(self.dims, self.hidden), initializer="glorot_uniform", name="w")
        self.c = self.add_weight(shape=(self.hidden,), initializer="zeros", name="c")
        self.v = self.add_weight(shape=(self.dims, self.hidden), initializer="glorot_uniform", name="v")
        self.b = self.add_weight(shape=(self.dims,), initializer="zeros", name="b")

    def call(self, v):
        return nade_logits(v, self.w, self.c, self.v, self.b)

    def get_config(self):
        return {**super().get_config(), "dims": self.dims, "hidden": self.hidden}


def nade_network(data_shape, hidden=500, name="nade"):
    """``keras.Model``: binary pixels ``v [N, D]`` -> the D conditionals' logits ``[N, D]``.

    Args:
      data_shape: shape of one image, e.g. ``(28, 28, 1)`` (D = 784 pixels, raster order).
      hidden: H, the hidden units (500 in Larochelle & Murray 2011's MNIST experiments).
    """
    dims = int(np.prod(data_shape))
    v = keras.Input((dims,), name=f"{name}_pixels")
    return keras.Model(v, NADELayer(dims, hidden, name=f"{name}_layer")(v), name=name)


@keras.saving.register_keras_serializable(package="zoo")
class NADE(LikelihoodModel):
    """NADE over binary images, trained by Adam on the exact negative log-likelihood.

    Args:
      network: :func:`nade_network` (its one :class:`NADELayer` holds the parameters).
      data_shape: shape of one image (``(8, 8, 1)`` digits, ``(28, 28, 1)`` Fashion-MNIST).
      seed: seed of the training noise (NADE's training draws none).

    Example:
      >>> from zoo.families import NADE
      >>> from zoo.families.nade import nade_network
      >>> model = NADE(nade_network((8, 8, 1), hidden=64), data_shape=(8, 8, 1))
      >>> model.compile(nade_optimizer="adam")
    """

    NETWORKS = ("network",)
    OPTIMIZERS = {"nade_optimizer": ("network",)}
    FAMILY = "nade"
    PAPERS = [NADE_PAPER]

    def __init__(self, network, data_shape, seed=None, **kwargs):
        super().__init__(None, seed=seed, **kwargs)  # no generator: the network is the whole model
        self.network = network
        self._data_shape = tuple(int(d) for d in data_shape)
        layers = [layer for layer in network.layers if isinstance(layer, NADELayer)]
        if len(layers) != 1 or layers[0].dims != int(np.prod(self._data_shape)):
            raise ValueError(f"NADE needs a network with one NADELayer over the {int(np.prod(self._data_shape))} "
                             f"pixels of data_shape={self._data_shape} (build it with nade_network(data_shape)). "
                             f"Received: {[type(layer).__name__ for layer in network.layers]}")
        self.nade = layers[0]

    @property
    def latent_dim(self) -> int:
        return 0  # no latent code: every pixel is observed

    @property
    def data_shape(self):
        return self._data_shape

    # ------------------------------------------------------------- the density
    def log_prob(self, x):
        """Exact ``log p(v)`` per image, nats, of ``v = (x > 0)`` (binary images in {-1, +1})."""
        v = binary_pixels(x)
        return bernoulli_log_prob(v, self.network(v))

    # -------------------------------------------------------------- training
    def training_nll(self, x):
        """The mean NLL of the batch through :func:`compiled_log_prob` (XLA fuses the [N, D, H]
        running sums; measured 1.5-1.7× faster per step here).  Serving keeps the plain graph."""
        layer = self.nade
        nll = -tf.reduce_mean(compiled_log_prob(binary_pixels(x), layer.w.value, layer.c.value, layer.v.value,
                                                layer.b.value))
        return nll, nll

    # ---------------------------------------------------------------- sampling
    def sample(self, n, seed, labels=None):
        """``(x, z)``: ``n`` binary images in {-1, +1} drawn pixel by pixel in raster order from the
        stateless ``seed`` (ancestral sampling, the running sum kept as in training); ``z`` is
        empty (``[n, 0]``): NADE has no latent."""
        x, _, z = stateless_sample(self, self._draw_all, n, seed)
        return x, z

    def sample_with_probabilities(self, n, seed):
        """``(x, p)``: the binary draws and, for each pixel, the probability ``p(v_d = 1 | v_<d)`` it
        was drawn with, on the [-1, 1] scale as ``2p - 1`` (Larochelle & Murray 2011 show both)."""
        x, p, _ = stateless_sample(self, self._draw_all, n, seed)
        return x, p

    def _draw_all(self, n, seed):
        dims, layer = self.nade.dims, self.nade
        seed = tf.stack([tf.cast(seed, tf.int32), 0])
        u = tf.random.stateless_uniform([dims, n], seed=seed)  # one uniform per pixel and image

        def body(d, a, bits, probs):
            p = tf.sigmoid(layer.b[d] + tf.linalg.matvec(tf.sigmoid(a), layer.v[d]))  # [n]
            bit = tf.cast(u[d] < p, tf.float32)
            a = a + bit[:, None] * layer.w[d][None, :]  # the running pre-activation, eq. 8
            return d + 1, a, bits.write(d, bit), probs.write(d, p)

        a0 = tf.tile(layer.c[None, :], [n, 1])
        _, _, bits, probs = tf.while_loop(
            lambda d, *_: d < dims, body,
            (tf.constant(0), a0, tf.TensorArray(tf.float32, size=dims), tf.TensorArray(tf.float32, size=dims)))
        shape = tf.concat([[n], self._data_shape], 0)
        x = tf.reshape(tf.transpose(bits.stack()), shape) * 2.0 - 1.0
        p = tf.reshape(tf.transpose(probs.stack()), shape) * 2.0 - 1.0
        return x, p, tf.zeros([n, 0])

    def call(self, x, training=False):
        """The logits of every pixel's conditional given the (binarised) images ``x``, ``[N, D]``."""
        return self.network(binary_pixels(x), training=training)

    def generate(self, z):
        raise NotImplementedError("NADE has no latent code to generate from: use sample(n, seed).")

    # ----------------------------------------------------------------- serving
    def serving_functions(self):
        """``sample(n, seed)`` -> {"x": binary images in {-1, +1}, "probabilities": each pixel's
        ``p(v_d = 1 | v_<d)`` as ``2p - 1``} and ``log_prob(x)`` -> {"log_prob"} (nats per image)."""
        n_spec = tf.TensorSpec([], tf.int32, name="n")
        seed_spec = tf.TensorSpec([], tf.int32, name="seed")
        x_spec = tf.TensorSpec([None, *self.data_shape], tf.float32, name="x")

        def sample(n, seed):
            x, p = self.sample_with_probabilities(n, seed)
            return {"x": x, "probabilities": p}

        def log_prob(x):
            return {"log_prob": self.log_prob(x)}

        return {"sample": (sample, [n_spec, seed_spec]), "log_prob": (log_prob, [x_spec])}

    def get_config(self):
        return {"name": self.name, "trainable": self.trainable, "seed": self.seed,
                "network": keras.saving.serialize_keras_object(self.network), "data_shape": list(self._data_shape)}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config["network"] = keras.saving.deserialize_keras_object(config["network"])
        return cls(**config)
