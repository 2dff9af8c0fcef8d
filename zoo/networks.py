"""Network builders.  Families take networks as constructor arguments, so the same family
trains on 2-D points or images; these functions build the usual ones.

Discriminator builders take ``packing=m``: the network then judges packs of m samples
concatenated along the last axis (PacGAN, Lin et al. 2018, arXiv:1712.04086), the input a
family with ``packing=m`` gives it.
"""
import math

import keras
from keras import layers

from zoo.tricks import packed_shape


def mlp(input_dim, output_dim, hidden=(128, 128, 128), activation="relu", batch_norm=False,
        output_activation=None, packing=1, name="mlp"):
    """A fully connected network ``input_dim -> hidden... -> output_dim``.

    ``batch_norm=True`` puts batch normalisation before each hidden activation, as the
    PacGAN generator on the 2-D mixtures (4×400, BN + ReLU).  ``packing=m``: the input is m
    concatenated samples (``m · input_dim`` values), a packed discriminator.
    """
    inputs = keras.Input(packed_shape((input_dim,), packing), name=f"{name}_input")
    h = inputs
    for i, units in enumerate(hidden):
        h = layers.Dense(units, use_bias=not batch_norm, name=f"{name}_dense{i}")(h)
        if batch_norm:
            h = layers.BatchNormalization(name=f"{name}_bn{i}")(h)
        h = layers.Activation(activation, name=f"{name}_act{i}")(h)
    outputs = layers.Dense(output_dim, activation=output_activation, name=f"{name}_out")(h)
    return keras.Model(inputs, outputs, name=name)


def mlp_encoder(data_shape, output_dim, hidden=(256, 256), activation="relu", noise_dim=0, name="encoder"):
    """``x [N, *data_shape] -> [N, output_dim]`` through a flattening MLP (auto-encoding families).

    With ``noise_dim > 0`` the network takes a second input ε ``[N, noise_dim]`` concatenated
    to the flattened ``x``: the implicit encoder ``z = f(x, ε)`` of AVB.
    """
    x_in = keras.Input(tuple(data_shape), name=f"{name}_x")
    inputs = [x_in]
    h = layers.Flatten(name=f"{name}_flatten")(x_in)
    if noise_dim:
        eps = keras.Input((noise_dim,), name=f"{name}_noise")
        inputs.append(eps)
        h = layers.Concatenate(name=f"{name}_concat")([h, eps])
    for i, units in enumerate(hidden):
        h = layers.Dense(units, activation=activation, name=f"{name}_dense{i}")(h)
    outputs = layers.Dense(output_dim, name=f"{name}_out")(h)
    return keras.Model(inputs if noise_dim else x_in, outputs, name=name)


def mlp_decoder(latent_dim, data_shape, hidden=(256, 256), activation="relu", output_activation=None,
                channels_multiplier=1, name="generator"):
    """``z [N, latent_dim] -> [N, *data_shape]`` through an MLP and a reshape.

    ``channels_multiplier=2`` doubles the last axis: a decoder giving two parameters per
    value (a Gaussian likelihood's location and scale).
    """
    data_shape = tuple(data_shape)
    out_shape = data_shape[:-1] + (data_shape[-1] * channels_multiplier,)
    z = keras.Input((latent_dim,), name=f"{name}_input")
    h = z
    for i, units in enumerate(hidden):
        h = layers.Dense(units, activation=activation, name=f"{name}_dense{i}")(h)
    size = 1
    for d in out_shape:
        size *= d
    h = layers.Dense(size, activation=output_activation, name=f"{name}_out")(h)
    outputs = layers.Reshape(out_shape, name=f"{name}_reshape")(h)
    return keras.Model(z, outputs, name=name)


def pair_discriminator(data_shape, latent_dim, hidden=(256, 256), activation="leaky_relu", dropout=0.0,
                       packing=1, name="discriminator"):
    """``(x, z) -> logit [N, 1]``: the joint discriminator of ALI/BiGAN and the adversary
    T(x, z) of AVB, an MLP on the concatenation of the flattened ``x`` and ``z``.
    ``packing=m``: x and z each hold m samples on their last axis."""
    x_in = keras.Input(packed_shape(data_shape, packing), name=f"{name}_x")
    z_in = keras.Input(packed_shape((latent_dim,), packing), name=f"{name}_z")
    h = layers.Concatenate(name=f"{name}_concat")([layers.Flatten(name=f"{name}_flatten")(x_in), z_in])
    for i, units in enumerate(hidden):
        h = layers.Dense(units, activation=activation, name=f"{name}_dense{i}")(h)
        if dropout:
            h = layers.Dropout(dropout, name=f"{name}_dropout{i}")(h)
    outputs = layers.Dense(1, name=f"{name}_out")(h)
    return keras.Model([x_in, z_in], outputs, name=name)


# --------------------------------------------------------------------------- images
# DCGAN (Radford et al. 2016, "Unsupervised Representation Learning with Deep Convolutional
# GANs", arXiv:1511.06434, §3): strided convolutions instead of pooling, batch norm in both
# networks (not on G's output nor D's input), ReLU in G with tanh output, LeakyReLU(0.2) in D,
# no fully connected hidden layers; weights from N(0, 0.02) (§4).
DCGAN_INIT_STDDEV = 0.02


def _dcgan_init():
    return keras.initializers.RandomNormal(0.0, DCGAN_INIT_STDDEV)


def dcgan_start_size(resolution: int) -> int:
    """Side of the first feature map: ``resolution`` halved while it stays even and above 4.

    64 -> 4 (4 upsamplings, the paper's LSUN/CelebA generator), 32 -> 4, 28 -> 7, 8 -> 4.
    """
    if isinstance(resolution, bool) or not isinstance(resolution, int) or resolution < 2:
        raise ValueError(f"resolution must be an integer >= 2. Received: resolution={resolution!r}")
    size = resolution
    while size % 2 == 0 and size > 4:
        size //= 2
    return size


def _num_upsamplings(resolution: int, start_size: int | None) -> tuple[int, int]:
    start_size = start_size or dcgan_start_size(resolution)
    n, size = 0, resolution
    while size > start_size and size % 2 == 0:
        size //= 2
        n += 1
    if size != start_size or n == 0:
        raise ValueError(
            f"start_size must be resolution / 2**k for some k >= 1 (resolution={resolution}: e.g. "
            f"{resolution // 2}). Received: start_size={start_size}"
        )
    return start_size, n


def _batch_norm(batch_norm, name):
    """BN as the paper has it (``True``), with statistics over the *global* batch under
    ``tf.distribute`` (``"synchronized"``: then N replicas train exactly as one device), or none."""
    if batch_norm not in (True, False, "synchronized"):
        raise ValueError(f"batch_norm must be True, False or 'synchronized'. Received: batch_norm={batch_norm!r}")
    if not batch_norm:
        return lambda h: h
    return layers.BatchNormalization(synchronized=batch_norm == "synchronized", name=name)


def _label_input(num_classes: int, name: str):
    if isinstance(num_classes, bool) or not isinstance(num_classes, int) or num_classes < 2:
        raise ValueError(f"num_classes must be an integer >= 2. Received: num_classes={num_classes!r}")
    return keras.Input((), dtype="int32", name=f"{name}_labels")


def _label_code(labels, num_classes, conditioning, embedding_dim, name):
    """Labels -> the vector a conditional network concatenates: one-hot (Mirza & Osindero
    2014, §4.1 feed y as a one-hot vector) or a learned embedding (as later cGANs do)."""
    if conditioning == "one_hot":
        return layers.CategoryEncoding(num_classes, output_mode="one_hot", name=f"{name}_onehot")(labels)
    if conditioning == "embedding":
        return layers.Embedding(num_classes, embedding_dim, name=f"{name}_embedding")(labels)
    raise ValueError(f"conditioning must be 'one_hot' or 'embedding'. Received: conditioning={conditioning!r}")


def dcgan_generator(latent_dim, resolution, channels, filters=64, start_size=None, num_classes=None,
                    conditioning="one_hot", embedding_dim=16, kernel_size=4, batch_norm=True, name="generator"):
    """The DCGAN generator for ``resolution``×``resolution``×``channels`` images in [-1, 1].

    ``z`` is projected (one matrix multiply, "which could be called fully connected", §3) and
    reshaped to ``start_size``² × ``filters·2^(n-1)`` feature maps, then ``n`` stride-2
    transposed convolutions, each halving the filters, reach the resolution; BN + ReLU
    everywhere but the tanh output.  ``resolution=64, filters=64`` is the paper's Figure 1
    network (1024 maps there: our ``filters`` counts the widest layer's / 8).

    With ``num_classes`` the network takes ``[z, labels]`` (labels int32 ``[N]``) and
    concatenates the label code to ``z`` (conditional GAN, Mirza & Osindero 2014):
    ``conditioning="one_hot"`` (the paper) or ``"embedding"`` (``embedding_dim`` learned values).
    ``batch_norm``: ``True`` (the paper), ``"synchronized"`` (global-batch statistics under
    ``tf.distribute``) or ``False``.
    """
    start_size, n = _num_upsamplings(resolution, start_size)
    z = keras.Input((latent_dim,), name=f"{name}_z")
    inputs, h = [z], z
    if num_classes is not None:
        labels = _label_input(num_classes, name)
        inputs.append(labels)
        h = layers.Concatenate(name=f"{name}_concat")(
            [z, _label_code(labels, num_classes, conditioning, embedding_dim, name)])
    width = filters * 2 ** (n - 1)
    h = layers.Dense(start_size * start_size * width, use_bias=not batch_norm, kernel_initializer=_dcgan_init(),
                     name=f"{name}_project")(h)
    h = layers.Reshape((start_size, start_size, width), name=f"{name}_reshape")(h)
    h = _batch_norm(batch_norm, f"{name}_bn0")(h)
    h = layers.ReLU(name=f"{name}_relu0")(h)
    for i in range(1, n):
        width //= 2
        h = layers.Conv2DTranspose(width, kernel_size, strides=2, padding="same", use_bias=not batch_norm,
                                   kernel_initializer=_dcgan_init(), name=f"{name}_deconv{i}")(h)
        h = _batch_norm(batch_norm, f"{name}_bn{i}")(h)
        h = layers.ReLU(name=f"{name}_relu{i}")(h)
    x = layers.Conv2DTranspose(channels, kernel_size, strides=2, padding="same", activation="tanh",
                               kernel_initializer=_dcgan_init(), name=f"{name}_out")(h)
    return keras.Model(inputs if len(inputs) > 1 else z, x, name=name)


def dcgan_discriminator(resolution, channels, filters=64, start_size=None, num_classes=None,
                        conditioning="one_hot", embedding_dim=16, kernel_size=4, input_channels=None,
                        batch_norm=True, packing=1, name="discriminator"):
    """The DCGAN discriminator: the generator mirrored, ending in one logit (pre-sigmoid).

    ``n`` stride-2 convolutions (``filters``, ``2·filters``, ...) with LeakyReLU(0.2) and batch
    norm (none on the input layer, §3) down to ``start_size``², then the last feature maps are
    flattened into a single output unit.

    With ``num_classes`` the network takes ``[x, labels]`` and the label code is broadcast to
    ``resolution``² planes concatenated to the image channels (Mirza & Osindero 2014 concatenate
    y to the discriminator's input).  ``input_channels`` (default ``channels``) lets a caller
    feed extra planes, e.g. LAPGAN's low-pass image beside the residual.  ``packing=m``: the
    input holds m images on its channel axis (PacGAN: m × the channels).
    """
    if num_classes is not None and packing != 1:
        raise ValueError("a conditional discriminator judges one labelled image at a time: packing does not "
                         f"apply with num_classes. Received: num_classes={num_classes}, packing={packing}")
    start_size, n = _num_upsamplings(resolution, start_size)
    x = keras.Input(packed_shape((resolution, resolution, input_channels or channels), packing), name=f"{name}_x")
    inputs, h = [x], x
    if num_classes is not None:
        labels = _label_input(num_classes, name)
        inputs.append(labels)
        code = _label_code(labels, num_classes, conditioning, embedding_dim, name)
        planes = layers.Reshape((1, 1, code.shape[-1]), name=f"{name}_code_reshape")(code)
        planes = layers.UpSampling2D(resolution, name=f"{name}_code_planes")(planes)
        h = layers.Concatenate(name=f"{name}_concat")([x, planes])
    width = filters
    for i in range(n):
        h = layers.Conv2D(width, kernel_size, strides=2, padding="same", use_bias=i == 0 or not batch_norm,
                          kernel_initializer=_dcgan_init(), name=f"{name}_conv{i}")(h)
        if i > 0:
            h = _batch_norm(batch_norm, f"{name}_bn{i}")(h)
        h = layers.LeakyReLU(0.2, name=f"{name}_lrelu{i}")(h)
        width *= 2
    h = layers.Flatten(name=f"{name}_flatten")(h)
    logit = layers.Dense(1, kernel_initializer=_dcgan_init(), name=f"{name}_logit")(h)
    return keras.Model(inputs if len(inputs) > 1 else x, logit, name=name)


def mlp_generator(latent_dim, data_shape, hidden=(256, 256), batch_norm=False, num_classes=None,
                  name="generator"):
    """An MLP ``z -> x`` reshaped to ``data_shape``, tanh output in [-1, 1] (the fully connected
    GAN of Goodfellow et al. 2014; images flattened).  ``num_classes``: takes ``[z, labels]``."""
    z = keras.Input((latent_dim,), name=f"{name}_z")
    inputs, h = [z], z
    if num_classes is not None:
        labels = _label_input(num_classes, name)
        inputs.append(labels)
        h = layers.Concatenate(name=f"{name}_concat")([z, _label_code(labels, num_classes, "one_hot", 0, name)])
    body = mlp(h.shape[-1], int(math.prod(data_shape)), hidden=hidden, batch_norm=batch_norm,
               output_activation="tanh", name=f"{name}_mlp")
    x = layers.Reshape(tuple(data_shape), name=f"{name}_reshape")(body(h))
    return keras.Model(inputs if len(inputs) > 1 else z, x, name=name)


def mlp_discriminator(data_shape, hidden=(256, 256), dropout=0.0, packing=1, name="discriminator"):
    """An MLP ``x -> logit`` on flattened inputs, LeakyReLU(0.2) hidden layers with dropout
    (Goodfellow et al. 2014 train D with dropout, §5).  ``packing=m``: m samples concatenated
    on the last axis of each input."""
    x = keras.Input(packed_shape(data_shape, packing), name=f"{name}_x")
    h = _leaky_dense_layers(layers.Flatten(name=f"{name}_flatten")(x), hidden, dropout, name)
    logit = layers.Dense(1, name=f"{name}_logit")(h)
    return keras.Model(x, logit, name=name)


def _leaky_dense_layers(h, hidden, dropout, name, first_activation=0):
    """A discriminator's dense layers: Dense, LeakyReLU(0.2) and (``dropout``) Dropout per width
    in ``hidden``; the activations are numbered from ``first_activation``."""
    for i, units in enumerate(hidden):
        h = layers.Dense(units, name=f"{name}_dense{i}")(h)
        h = layers.LeakyReLU(0.2, name=f"{name}_lrelu{i + first_activation}")(h)
        if dropout:
            h = layers.Dropout(dropout, name=f"{name}_dropout{i}")(h)
    return h


def laplacian_generator(resolution, channels, noise_dim, filters=64, depth=3, kernel_size=5, batch_norm=True,
                        name="level_generator"):
    """One LAPGAN level ``G_k(z_k, l_k) -> h_k``: a band-pass residual from noise and the
    upsampled coarser image (Denton et al. 2015, arXiv:1506.05751, §3).

    As in the paper's CIFAR-10 levels (§4) the noise enters as an extra plane beside the
    low-pass image (here ``z_k`` of ``noise_dim`` values, linearly projected to one plane),
    followed by ``depth`` stride-1 convolutions (BN + ReLU) with a linear output: residuals
    are signed and not bounded by tanh.
    """
    z = keras.Input((noise_dim,), name=f"{name}_z")
    low = keras.Input((resolution, resolution, channels), name=f"{name}_low")
    plane = layers.Dense(resolution * resolution, name=f"{name}_noise_plane")(z)
    plane = layers.Reshape((resolution, resolution, 1), name=f"{name}_noise_reshape")(plane)
    h = layers.Concatenate(name=f"{name}_concat")([low, plane])
    for i in range(depth - 1):
        h = layers.Conv2D(filters, kernel_size, padding="same", use_bias=not batch_norm, kernel_initializer=_dcgan_init(),
                          name=f"{name}_conv{i}")(h)
        h = _batch_norm(batch_norm, f"{name}_bn{i}")(h)
        h = layers.ReLU(name=f"{name}_relu{i}")(h)
    residual = layers.Conv2D(channels, kernel_size, padding="same", kernel_initializer=_dcgan_init(),
                             name=f"{name}_out")(h)
    return keras.Model([z, low], residual, name=name)


# --------------------------------------------------------------------------- convolutional auto-encoders
# The auto-encoding families' networks on 28×28 images (the Fashion-MNIST VAE, AAE, WAE, AVB
# and ALI): two stride-2 4×4 convolutions each way, with an implicit encoder's noise input
# (AVB), one output per value or two (a Gaussian likelihood's, the VAE's), and a joint (x, z)
# critic (ALI).
def conv_encoder(data_shape, output_dim, filters=32, hidden=(), noise_dim=0, name="encoder"):
    """``x [N, H, W, C] -> [N, output_dim]``: two stride-2 4×4 convolutions (``filters``,
    ``2·filters``, ReLU), flattened, then ``hidden`` dense ReLU layers and a dense output.

    With ``noise_dim > 0`` the network takes ``[x, ε]``, ε ``[N, noise_dim]`` concatenated to
    the flattened features: AVB's implicit encoder ``z = f(x, ε)``.  Give it ``hidden`` layers
    then, or ε reaches z only linearly and q(z|x) is a Gaussian of one fixed covariance.
    """
    x_in = keras.Input(tuple(data_shape), name=f"{name}_x")
    h = layers.Conv2D(filters, 4, strides=2, padding="same", activation="relu", name=f"{name}_conv0")(x_in)
    h = layers.Conv2D(2 * filters, 4, strides=2, padding="same", activation="relu", name=f"{name}_conv1")(h)
    h = layers.Flatten(name=f"{name}_flatten")(h)
    inputs = [x_in]
    if noise_dim:
        eps = keras.Input((noise_dim,), name=f"{name}_noise")
        inputs.append(eps)
        h = layers.Concatenate(name=f"{name}_concat")([h, eps])
    for i, units in enumerate(hidden):
        h = layers.Dense(units, activation="relu", name=f"{name}_dense{i}")(h)
    outputs = layers.Dense(output_dim, name=f"{name}_out")(h)
    return keras.Model(inputs if noise_dim else x_in, outputs, name=name)


def conv_decoder(latent_dim, data_shape, filters=32, output_activation=None, channels_multiplier=1,
                 name="generator"):
    """``z -> [N, H, W, C · channels_multiplier]``: a dense projection to ``H/4 × W/4 × filters``
    maps (ReLU) and two stride-2 4×4 transposed convolutions (``filters / 2`` maps, ReLU; then
    the output with ``output_activation``).  ``channels_multiplier=2``: a location and a raw
    scale per value (a Gaussian likelihood's, as the VAE's decoder)."""
    h_size, w_size, channels = (int(d) for d in data_shape)
    if h_size % 4 or w_size % 4:
        raise ValueError(f"conv_decoder upsamples twice by 2: height and width must be multiples of 4. "
                         f"Received: data_shape={tuple(data_shape)}")
    z = keras.Input((latent_dim,), name=f"{name}_z")
    h = layers.Dense(h_size // 4 * w_size // 4 * filters, activation="relu", name=f"{name}_project")(z)
    h = layers.Reshape((h_size // 4, w_size // 4, filters), name=f"{name}_reshape")(h)
    h = layers.Conv2DTranspose(filters // 2, 4, strides=2, padding="same", activation="relu",
                               name=f"{name}_deconv0")(h)
    out = layers.Conv2DTranspose(channels * channels_multiplier, 4, strides=2, padding="same",
                                 activation=output_activation, name=f"{name}_out")(h)
    return keras.Model(z, out, name=name)


def conv_pair_discriminator(data_shape, latent_dim, filters=32, hidden=(256,), dropout=0.2, packing=1,
                            name="discriminator"):
    """``(x, z) -> logit [N, 1]``: x through two stride-2 4×4 convolutions (LeakyReLU 0.2),
    flattened and concatenated to z, then ``hidden`` dense LeakyReLU layers with dropout: ALI's
    joint discriminator (Dumoulin et al. 2017 give x and z their own paths, then a joint one)
    at the encoder's size.  ``packing=m``: x and z each hold m samples on their last axis."""
    x_in = keras.Input(packed_shape(data_shape, packing), name=f"{name}_x")
    z_in = keras.Input(packed_shape((latent_dim,), packing), name=f"{name}_z")
    h = layers.Conv2D(filters, 4, strides=2, padding="same", name=f"{name}_conv0")(x_in)
    h = layers.LeakyReLU(0.2, name=f"{name}_lrelu0")(h)
    h = layers.Conv2D(2 * filters, 4, strides=2, padding="same", name=f"{name}_conv1")(h)
    h = layers.LeakyReLU(0.2, name=f"{name}_lrelu1")(h)
    h = layers.Concatenate(name=f"{name}_concat")([layers.Flatten(name=f"{name}_flatten")(h), z_in])
    h = _leaky_dense_layers(h, hidden, dropout, name, first_activation=2)
    outputs = layers.Dense(1, name=f"{name}_out")(h)
    return keras.Model([x_in, z_in], outputs, name=name)
