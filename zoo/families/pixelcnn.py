"""PixelCNN (van den Oord et al. 2016, "Conditional Image Generation with PixelCNN Decoders",
arXiv:1606.05328) with the PixelCNN++ likelihood and architecture (Salimans, Karpathy, Chen &
Kingma 2017, arXiv:1701.05517).

A fully visible belief network: the image is a product of conditionals in raster order,

    P(x) = Π_i P(x_i | x_1, ..., x_{i-1}),

each given by a convolutional network whose kernels are masked so that pixel ``i`` sees only
the pixels before it: a vertical stack (rows above) and a horizontal stack (the row so far),
which together have no blind spot (van den Oord et al. 2016, §2.1, Figure 1), with gated
residual blocks (§2.2, eq. 2) in a down/up-sampling U-net with skip connections
(Salimans et al. 2017, §2.4, Figure 2).  Each pixel's conditional is a mixture of logistics
discretised to the image's levels, the edge levels taking the tails (Salimans et al. 2017,
§2.1, eq. 2): ``P(v) = Σ_k π_k [σ((v + ½ - μ_k)/s_k) - σ((v - ½ - μ_k)/s_k)]``.

The network (:func:`pixelcnn_network`) is the one ``tfp.distributions.PixelCNN`` builds,
layer for layer, written as Keras 3 layers this model owns (TFP's is a tf-keras layer, which a
Keras 3 model can neither track nor save), and the likelihood is TFP's own construction
(``QuantizedDistribution`` of a shifted ``Logistic`` in a ``MixtureSameFamily``), so with the
same weights the two give the same ``log_prob`` (tests/test_pixelcnn.py).  PixelCNN has no
latent code: ``latent_dim == 0``; it serves ``sample(n, seed)`` and ``log_prob(x)``.
"""
import functools

import keras
import numpy as np
import tensorflow as tf
import tensorflow_probability as tfp

from zoo import papers
from zoo.families._exact import (LikelihoodModel, check_levels, compiled_draw, level_index, level_value,
                                 log_bin_volume)
from zoo.families._row_cache import RowPlan

tfd = tfp.distributions

# Images drawn at once: the row cache holds every layer's output for a chunk (about 14 MB an
# image at 28×28 with 32 filters), so a large n is drawn in chunks.
SAMPLE_CHUNK = 128
# The row cache first traces a step function a row (here about 11 s for 8×8 images and 50 s for
# 28×28), then saves most of every pixel's pass: it pays from about a dozen 28×28 images, but on
# 8×8 digits, whose passes are cheap, only from about 2,500.  Smaller images, and fewer images,
# are drawn a pass a pixel (the same pixels either way).
CACHE_MIN_PIXELS = 16 * 16
CACHE_MIN_IMAGES = 16
MIN_SCALE = float(np.exp(-7.0))  # TFP's floor of the logistic scales ("do not collapse to near-zero")


# ---------------------------------------------------------------- masked layers
def kernel_mask(kernel_size, valid_rows, valid_cols):
    """``[kh, kw, 1, 1]`` mask, 1 on ``rows[0]:rows[1]`` × ``cols[0]:cols[1]`` (TFP's
    ``_make_kernel_constraint``): the part of the kernel a pixel may see."""
    mask = np.zeros(tuple(kernel_size), np.float32)
    mask[valid_rows[0]:valid_rows[1], valid_cols[0]:valid_cols[1]] = 1.0
    return mask[:, :, None, None]


@keras.saving.register_keras_serializable(package="zoo")
class MaskedConv2D(keras.layers.Conv2D):
    """``Conv2D`` whose kernel is multiplied by :func:`kernel_mask` in every call, so the
    autoregressive property holds whatever the weights."""

    def __init__(self, filters, kernel_size, valid_rows, valid_cols, **kwargs):
        super().__init__(filters, kernel_size, **kwargs)
        self.valid_rows, self.valid_cols = tuple(valid_rows), tuple(valid_cols)
        self.mask = kernel_mask(self.kernel_size, self.valid_rows, self.valid_cols)

    def convolution_op(self, inputs, kernel):
        return super().convolution_op(inputs, kernel * self.mask)

    def get_config(self):
        return {**super().get_config(), "valid_rows": list(self.valid_rows), "valid_cols": list(self.valid_cols)}


@keras.saving.register_keras_serializable(package="zoo")
class MaskedConv2DTranspose(keras.layers.Conv2DTranspose):
    """``Conv2DTranspose`` with a masked kernel (the U-net's upsampling, Salimans et al. §2.4)."""

    def __init__(self, filters, kernel_size, valid_rows, valid_cols, **kwargs):
        super().__init__(filters, kernel_size, **kwargs)
        self.valid_rows, self.valid_cols = tuple(valid_rows), tuple(valid_cols)
        self.mask = kernel_mask(self.kernel_size, self.valid_rows, self.valid_cols)

    def call(self, inputs):
        outputs = keras.ops.conv_transpose(inputs, self.kernel * self.mask, strides=list(self.strides),
                                           padding=self.padding, output_padding=self.output_padding,
                                           data_format=self.data_format, dilation_rate=self.dilation_rate)
        if self.use_bias:
            outputs = outputs + self.bias
        return outputs if self.activation is None else self.activation(outputs)

    def get_config(self):
        return {**super().get_config(), "valid_rows": list(self.valid_rows), "valid_cols": list(self.valid_cols)}


@keras.saving.register_keras_serializable(package="zoo")
class ConcatELU(keras.layers.Layer):
    """``elu([x, -x])`` along channels (Salimans et al. 2017's resnet activation)."""

    def call(self, x):
        return keras.ops.elu(keras.ops.concatenate([x, -x], axis=-1))


@keras.saving.register_keras_serializable(package="zoo")
class GatedActivation(keras.layers.Layer):
    """``a ⊙ σ(b)`` for ``[a, b]`` split along channels (van den Oord et al. 2016, eq. 2)."""

    def call(self, x):
        a, b = keras.ops.split(x, 2, axis=-1)
        return a * keras.ops.sigmoid(b)


def pixelcnn_network(image_shape, num_resnet=1, num_hierarchies=2, num_filters=32, num_logistic_mix=5,
                     receptive_field_dims=(3, 3), dropout_p=0.0, name="pixelcnn"):
    """The PixelCNN++ network of ``tfp.distributions.PixelCNN`` (no weight normalisation, no
    conditional input) as a Keras 3 model: ``x [N, H, W, 1]`` in [-1, 1] -> the raw mixture
    parameters ``[N, H, W, num_logistic_mix · 3]`` (per component: logit, location, raw scale).

    Layers are created in TFP's order, so ``tfd.PixelCNN(...).network`` with the same
    arguments has the same weights in the same order.  ``num_hierarchies`` blocks of
    ``num_resnet`` gated residual layers on the way down (each block but the last ending with
    a stride-2 convolution), the mirror image on the way up with skip connections.
    """
    if len(image_shape) != 3 or image_shape[-1] != 1:
        raise ValueError(f"pixelcnn_network models grey images [H, W, 1] (the channel coupling of colour "
                         f"images is not implemented). Received: image_shape={tuple(image_shape)}")
    rows, cols = receptive_field_dims
    activation = ConcatELU  # a fresh layer per use keeps the layer order of TFP's model
    counter = iter(range(10_000))

    def conv(kernel_size, valid_rows, valid_cols, filters=num_filters, strides=1):
        return MaskedConv2D(filters, kernel_size, valid_rows, valid_cols, strides=strides, padding="same",
                            name=f"{name}_conv{next(counter)}")

    def deconv(kernel_size, valid_rows, valid_cols):
        return MaskedConv2DTranspose(num_filters, kernel_size, valid_rows, valid_cols, strides=2, padding="same",
                                     name=f"{name}_deconv{next(counter)}")

    def dense(units):
        return keras.layers.Dense(units, name=f"{name}_dense{next(counter)}")

    # Valid (unmasked) areas and kernel sizes of the stride-1 layers (TFP, after Figure 1 of
    # van den Oord et al. 2016): the vertical stack sees the rows above, the horizontal stack
    # the row so far and, through the vertical stack, everything above.
    valid = {"vertical": (rows - 1, cols), "horizontal": (2, cols // 2 + 1)}
    sizes = {"vertical": (2 * rows - 3, cols), "horizontal": (3, cols)}

    def stride1(stack, filters=num_filters):
        return conv(sizes[stack], (0, valid[stack][0]), (0, valid[stack][1]), filters)

    image = keras.Input(tuple(image_shape), name=f"{name}_input")
    vertical = conv((2 * rows - 1, cols), (0, rows - 1), (0, cols))(image)
    up = conv((3, cols), (0, 1), (0, cols))(image)
    left = conv((3, cols), (0, 2), (0, cols // 2))(image)
    stacks = {"vertical": [vertical], "horizontal": [keras.layers.Add()([up, left])]}

    def gated_residual(stack, input_x, skip):
        """One layer of Figure 2 of van den Oord et al. 2016; ``skip`` (or None) is added
        after a 1×1 projection (the horizontal stack's link to the vertical one, and the
        U-net's skip connections)."""
        x = stride1(stack)(activation()(input_x))
        if skip is not None:
            x = keras.layers.Add()([dense(num_filters)(activation()(skip)), x])
        x = activation()(x)
        x = keras.layers.Dropout(dropout_p)(x)
        x = stride1(stack, 2 * num_filters)(x)
        return keras.layers.Add()([input_x, GatedActivation()(x)])

    for i in range(num_hierarchies):  # downward pass
        for _ in range(num_resnet):
            for stack in ("vertical", "horizontal"):
                skip = stacks["vertical"][-1] if stack == "horizontal" else None
                stacks[stack].append(gated_residual(stack, stacks[stack][-1], skip))
        if i < num_hierarchies - 1:
            for stack in ("vertical", "horizontal"):
                h, w = valid[stack]
                width = w + 1 if stack == "vertical" else 2 * w
                stacks[stack].append(conv((2 * h, width), (0, h), (0, w), strides=2)(stacks[stack][-1]))

    upward = {key: stack.pop() for key, stack in stacks.items()}
    for i in range(num_hierarchies):  # upward pass, with skip connections from the downward one
        for _ in range(num_resnet if i == 0 else num_resnet + 1):
            for stack in ("vertical", "horizontal"):
                symmetric = stacks[stack].pop()
                if stack == "horizontal":
                    symmetric = keras.layers.Concatenate(axis=-1)([upward["vertical"], symmetric])
                upward[stack] = gated_residual(stack, upward[stack], symmetric)
        if i < num_hierarchies - 1:
            for stack in ("vertical", "horizontal"):
                h, w = valid[stack]
                height = 2 * h - 2
                if stack == "vertical":
                    kernel, valid_cols = (height, w + 1), (0, w)
                else:
                    kernel, valid_cols = (height, 2 * w - 2), (w - 2, 2 * w - 2)
                upward[stack] = deconv(kernel, (h - 2, height), valid_cols)(upward[stack])

    x = keras.layers.ELU()(upward["horizontal"])
    params = dense(num_logistic_mix * 3)(x)
    return keras.Model(image, params, name=name)


# ----------------------------------------------------------------- the family
@keras.saving.register_keras_serializable(package="zoo")
class PixelCNN(LikelihoodModel):
    """PixelCNN++ on grey images with ``levels`` discrete values per pixel.

    Args:
      network: ``keras.Model`` ``[N, H, W, 1] -> [N, H, W, 3K]`` (:func:`pixelcnn_network`).
      levels: grey levels of the data on [-1, 1] (17 for digits: ``v / 8 - 1``, v = 0..16).
      seed: seed of the training noise.

    Example:
      >>> from zoo.families import PixelCNN
      >>> from zoo.families.pixelcnn import pixelcnn_network
      >>> model = PixelCNN(pixelcnn_network((8, 8, 1)), levels=17)
      >>> model.compile(pixelcnn_optimizer="adam")
    """

    NETWORKS = ("network",)
    OPTIMIZERS = {"pixelcnn_optimizer": ("network",)}
    FAMILY = "pixelcnn"
    PAPERS = [papers.PIXELCNN, papers.PIXELCNN_PP]

    def __init__(self, network, levels=17, seed=None, **kwargs):
        levels = check_levels(levels)
        if levels is None:
            raise ValueError("PixelCNN models discrete pixels: pass their number of levels (17 for digits). "
                             "Received: levels=None")
        super().__init__(None, seed=seed, **kwargs)  # no generator: the network is the whole model
        self.network = network
        self.levels = levels
        out = int(network.outputs[0].shape[-1])
        if out % 3:
            raise ValueError(f"the PixelCNN network must output 3 values per mixture component (logit, location, "
                             f"raw scale). Received: {out} channels")
        self.num_logistic_mix = out // 3

    @property
    def latent_dim(self) -> int:
        return 0  # no latent code: every pixel is observed

    @property
    def data_shape(self):
        return tuple(int(d) for d in self.network.inputs[0].shape[1:])

    @property
    def dims(self) -> int:
        return int(np.prod(self.data_shape))

    # ------------------------------------------------------------- the density
    def mixture_parameters(self, x, training=False):
        """``(logits [N,H,W,K], locs [N,H,W,K,1], scales [N,H,W,K,1])`` as TFP's network gives them."""
        return self.split_parameters(self.network(x, training=training))

    def pixel_distribution(self, logits, locs, scales):
        """The discretised logistic mixture over levels ``0..levels-1`` of every pixel, built as
        ``tfd.PixelCNN._make_mixture_dist`` builds it (Salimans et al. 2017, eq. 2)."""
        high = float(self.levels - 1)
        locs = 0.5 * high * (locs + 1.0)  # [-1, 1] -> level units
        scales = scales * 0.5 * high
        logistic = tfd.QuantizedDistribution(
            tfd.TransformedDistribution(tfd.Logistic(loc=locs, scale=scales), tfp.bijectors.Shift(-0.5)),
            low=0.0, high=high)
        mixture = tfd.MixtureSameFamily(tfd.Categorical(logits=logits),
                                        tfd.Independent(logistic, reinterpreted_batch_ndims=1))
        return tfd.Independent(mixture, reinterpreted_batch_ndims=2)

    def log_prob_discrete(self, x, training=False):
        """``log P(x)`` of the levels of ``x`` (each value snapped to its level), nats per image."""
        v = level_index(x, self.levels)
        inputs = level_value(v, self.levels)
        distribution = self.pixel_distribution(*self.mixture_parameters(inputs, training=training))
        return distribution.log_prob(tf.cast(v, tf.float32))

    def log_prob(self, x):
        """``log p(x) = log P(x) - D log w``: the density on the continuous [-1, 1] scale, uniform
        within each level's bin (the exact-likelihood protocol; ``+ 64 log 8`` for digits)."""
        return self.log_prob_discrete(x) - log_bin_volume(self.levels, self.dims)

    # -------------------------------------------------------------- training
    def training_nll(self, x):
        nll_discrete = -tf.reduce_mean(self.log_prob_discrete(x, training=True))
        # Logged on the [-1, 1] scale, the flows' scale; the gradient is the same.
        return nll_discrete, nll_discrete + log_bin_volume(self.levels, self.dims)

    # ---------------------------------------------------------------- sampling
    def split_parameters(self, params):
        """Raw network outputs ``[..., 3K]`` -> ``(logits [..., K], locs [..., K, 1], scales [..., K, 1])``."""
        params = tf.reshape(params, tf.concat([tf.shape(params)[:-1], [self.num_logistic_mix, 3]], axis=0))
        logits, locs, raw_scales = tf.split(params, 3, axis=-1)
        return tf.squeeze(logits, -1), locs, tf.nn.softplus(raw_scales) + MIN_SCALE

    def draw_pixel(self, params, seed):
        """One draw of a pixel from its conditional, given its raw parameters ``[N, 3K]``:
        ``[N]`` values on the levels of [-1, 1] (stateless: ``seed`` is a shape-[2] int32 tensor)."""
        logits, locs, scales = self.split_parameters(params)
        component_seed, logistic_seed = tf.unstack(tf.random.experimental.stateless_split(seed, 2))
        k = tf.one_hot(tf.random.stateless_categorical(logits, 1, seed=component_seed)[:, 0], self.num_logistic_mix)
        loc, scale = tf.reduce_sum(locs[..., 0] * k, axis=-1), tf.reduce_sum(scales[..., 0] * k, axis=-1)
        u = tf.random.stateless_uniform(tf.shape(loc), seed=logistic_seed, minval=1e-6, maxval=1.0 - 1e-6)
        logistic = loc + scale * (tf.math.log(u) - tf.math.log1p(-u))  # inverse CDF, on [-1, 1]
        # Rounding the logistic draw to the nearest level is a draw of the discretised one.
        return level_value(level_index(logistic, self.levels), self.levels)

    def sample(self, n, seed, labels=None):
        """``(x, z)``: ``n`` images drawn pixel by pixel in raster order, stateless from ``seed``;
        ``z`` is empty (``[n, 0]``): PixelCNN has no latent.

        Called eagerly on at least :data:`CACHE_MIN_IMAGES` images of at least
        :data:`CACHE_MIN_PIXELS` pixels, the network's rows are cached (:meth:`_draw_by_rows`: 16
        to 19 times faster on 28×28 than a pass a pixel once traced,
        benchmarks/pixelcnn_sampling.py).  Otherwise, and in a graph (the export's ``sample``
        signature), the network runs whole for each pixel (:meth:`_draw_by_passes`): the cached
        sampler is a function a row, a SavedModel of megabytes that takes seconds to load.  The
        two draw the same pixels from the same seed.  Images are drawn :data:`SAMPLE_CHUNK` at a
        time (chunk ``k`` from the seed pair ``[seed, k]``), with a progress bar when called
        eagerly on more than one chunk.
        """
        if not tf.executing_eagerly():
            return self._draw_chunks(n, seed)
        n, seed = int(n), int(seed)
        if n < 0:
            raise ValueError(f"sample draws n >= 0 images. Received: n={n}")
        size = max(min(n, SAMPLE_CHUNK), 1)
        chunks = -(-n // size)
        cached = self.uses_row_cache(n)
        # The row cache's plan is static Python: autograph would only slow its tracing (by half).
        compiled = compiled_draw(self, functools.partial(self._draw_chunk, cached=cached),
                                 name="rows" if cached else "passes", inputs=3, autograph=False)
        progress = keras.utils.Progbar(n, unit_name="image") if chunks > 1 else None
        images = []
        for k in range(chunks):
            images.append(compiled(tf.constant(size), tf.constant(seed), tf.constant(k)).numpy())
            if progress:
                progress.add(min(size, n - k * size))
        x = np.concatenate(images)[:n] if images else np.zeros((0, *self.data_shape), np.float32)
        return tf.constant(x), tf.zeros([n, 0])

    def uses_row_cache(self, n) -> bool:
        """Whether an eager ``sample(n, ...)`` caches the network's rows (see :meth:`sample`)."""
        height, width, _ = self.data_shape
        return n >= CACHE_MIN_IMAGES and height * width >= CACHE_MIN_PIXELS and self.row_plan is not None

    def _draw_chunk(self, size, seed, k, cached):
        """Chunk ``k``: ``size`` images from the seed pair ``[seed, k]``, row-cached or a pass a pixel."""
        draw = self._draw_by_rows if cached else self._draw_by_passes
        return draw(size, tf.stack([tf.cast(seed, tf.int32), tf.cast(k, tf.int32)]))[0]

    def _draw_chunks(self, n, seed):
        """:meth:`sample` in a graph (the export's signature): the chunks by ``tf.map_fn``, a
        network pass a pixel."""
        n = tf.cast(n, tf.int32)
        size = tf.maximum(tf.minimum(n, SAMPLE_CHUNK), 1)
        chunks = tf.range((n + size - 1) // size)
        x = tf.map_fn(lambda k: self._draw_chunk(size, seed, k, cached=False), chunks,
                      fn_output_signature=tf.TensorSpec([None, *self.data_shape], tf.float32))
        return tf.reshape(x, [-1, *self.data_shape])[:n], tf.zeros(tf.stack([n, 0]))

    @property
    def row_plan(self):
        """The network's :class:`~zoo.families._row_cache.RowPlan`, or None if it has layers the
        row cache does not know (made once, outside Keras's attribute tracking)."""
        if "_row_plan" not in self.__dict__:
            try:
                plan = RowPlan(self.network, pointwise=(ConcatELU, GatedActivation))
            except ValueError:
                plan = None
            object.__setattr__(self, "_row_plan", plan)
        return self.__dict__["_row_plan"]

    @staticmethod
    def _pixel_seed(seeds, i):
        """Pixel ``i``'s seed from its chunk's seed pair."""
        return tf.random.experimental.stateless_fold_in(seeds, i)

    def _draw_by_passes(self, n, seeds):
        """The reference sampler: the whole network for each of the H·W pixels; ``n`` images
        from the seed pair ``seeds``."""
        height, width, _ = self.data_shape
        positions = tf.reshape(tf.eye(height * width), [height * width, 1, height, width, 1])

        def body(i, x):
            params = self.network(x, training=False)[:, i // width, i % width]
            draw = self.draw_pixel(params, self._pixel_seed(seeds, i))
            mask = positions[i]
            return i + 1, x * (1.0 - mask) + draw[:, None, None, None] * mask

        x = tf.zeros(tf.stack([n, height, width, 1]))
        _, x = tf.while_loop(lambda i, _: i < height * width, body, (tf.constant(0), x))
        return x, tf.zeros(tf.stack([n, 0]))

    def _draw_by_rows(self, n, seeds):
        """The same draws as :meth:`_draw_by_passes` (same seeds, same pixels up to float
        rounding): one full pass a row records every layer, then each pixel recomputes only the
        rows of the layers its row changes (:class:`~zoo.families._row_cache.RowPlan`)."""
        height, width, _ = self.data_shape
        plan = self.row_plan
        x = tf.zeros(tf.stack([n, height, width, 1]))
        record_layers = tf.function(plan.record, autograph=False)  # one function in the graph, called once a row
        for r in range(height):
            record = record_layers(x)
            step = tf.function(functools.partial(plan.step, r), autograph=False)

            def body(c, row, record=record, step=step, r=r):
                params = step(row, record)[:, 0, c]
                draw = self.draw_pixel(params, self._pixel_seed(seeds, r * width + c))
                mask = tf.reshape(tf.one_hot(c, width), [1, 1, width, 1])
                return c + 1, row * (1.0 - mask) + draw[:, None, None, None] * mask

            _, row = tf.while_loop(lambda c, _: c < width, body, (tf.constant(0), tf.zeros_like(x[:, :1])))
            x = tf.concat([x[:, :r], row, x[:, r + 1:]], axis=1)
        return x, tf.zeros(tf.stack([n, 0]))

    def call(self, x, training=False):
        """The raw mixture parameters of every pixel's conditional given ``x``."""
        return self.network(x, training=training)

    def generate(self, z):
        raise NotImplementedError("PixelCNN has no latent code to generate from: use sample(n, seed).")

    # ----------------------------------------------------------------- serving
    def serving_functions(self):
        """``sample(n, seed)`` -> {"x"} and ``log_prob(x)`` -> {"log_prob"} (nats per image, [-1, 1] scale)."""
        n_spec = tf.TensorSpec([], tf.int32, name="n")
        seed_spec = tf.TensorSpec([], tf.int32, name="seed")
        x_spec = tf.TensorSpec([None, *self.data_shape], tf.float32, name="x")

        def sample(n, seed):
            return {"x": self.sample(n, seed)[0]}

        def log_prob(x):
            return {"log_prob": self.log_prob(x)}

        return {"sample": (sample, [n_spec, seed_spec]), "log_prob": (log_prob, [x_spec])}

    def get_config(self):
        return {"name": self.name, "trainable": self.trainable, "seed": self.seed,
                "network": keras.saving.serialize_keras_object(self.network), "levels": self.levels}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config["network"] = keras.saving.deserialize_keras_object(config["network"])
        return cls(**config)
