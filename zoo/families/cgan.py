"""Conditional GAN (Mirza & Osindero 2014, "Conditional Generative Adversarial Nets",
arXiv:1411.1784).

Both players see the label ``y``: D maximises ``E_{x,y}[log D(x|y)] + E_{z,y}[log(1 - D(G(z|y)|y))]``
(eq. 2), G plays the non-saturating ``-E_{z,y}[log D(G(z|y)|y)]`` by default.  The networks take
``[z, labels]`` and ``[x, labels]`` (``zoo.networks`` builders with ``num_classes``), labels
int32 ``[N]``.  An export serves ``generate(z, labels)`` and ``sample(n, seed, labels)``.
"""
import keras
import tensorflow as tf

from zoo.families._base import replica_scale, unpack_batch
from zoo.families.dcgan import GAN_PAPER
from zoo.families.gan import GAN

CGAN_PAPER = "Mirza & Osindero 2014, Conditional Generative Adversarial Nets, arXiv:1411.1784"


@keras.saving.register_keras_serializable(package="zoo")
class ConditionalGAN(GAN):
    """The GAN game conditioned on class labels.

    Args:
      generator: ``keras.Model`` ``[z, labels] -> x``.
      discriminator: ``keras.Model`` ``[x, labels] -> logit`` ``[batch, 1]``.
      num_classes: number of labels; labels are ints in ``[0, num_classes)``.
      loss, label_smoothing, seed: as :class:`zoo.families.GAN`.

    ``model(z)`` (no labels) generates the labels ``0, 1, ..., num_classes - 1, 0, 1, ...``
    so that the generator contract ``model(z)`` still holds; ``model((z, labels))`` chooses.
    Training batches must be ``(x, labels)``.
    """

    FAMILY = "cgan"
    PAPERS = (GAN_PAPER, CGAN_PAPER)

    def __init__(self, generator, discriminator, num_classes, loss="non_saturating", label_smoothing=0.0,
                 seed=None, **kwargs):
        if isinstance(num_classes, bool) or not isinstance(num_classes, int) or num_classes < 2:
            raise ValueError(f"num_classes must be an integer >= 2. Received: num_classes={num_classes!r}")
        for role, net in (("generator", generator), ("discriminator", discriminator)):
            if len(net.inputs) != 2:
                raise ValueError(
                    f"a conditional GAN's {role} takes two inputs ([{'z' if role == 'generator' else 'x'}, labels]); "
                    f"build it with num_classes={num_classes} (zoo.networks). Received: {len(net.inputs)} input(s)"
                )
        super().__init__(generator, discriminator, loss=loss, label_smoothing=label_smoothing, seed=seed, **kwargs)
        self.num_classes = num_classes

    # ------------------------------------------------------------- generation
    def default_labels(self, n):
        """``0, 1, ..., K-1, 0, 1, ...``: every class equally often (up to one)."""
        return tf.math.floormod(tf.range(n, dtype=tf.int32), self.num_classes)

    def call(self, inputs, training=False):
        if isinstance(inputs, (tuple, list)):
            z, labels = inputs
        else:
            z, labels = inputs, self.default_labels(tf.shape(inputs)[0])
        return self.generator([tf.convert_to_tensor(z, tf.float32), tf.cast(labels, tf.int32)], training=training)

    def generate(self, z, labels=None):
        z = tf.convert_to_tensor(z, tf.float32)
        if labels is None:
            labels = self.default_labels(tf.shape(z)[0])
        return self.generator([z, tf.cast(labels, tf.int32)], training=False)

    def sample(self, n, seed, labels=None):
        z = tf.random.stateless_normal([n, self.latent_dim], seed=tf.stack([seed, 0]))
        return self.generate(z, labels), z

    # -------------------------------------------------------------- training
    def train_step(self, data):
        x, labels = unpack_batch(data)
        if labels is None:
            raise ValueError(
                "ConditionalGAN trains on (images, labels) batches, e.g. "
                "zoo.data.digits_dataset(batch_size, labels=True). Received: images only"
            )
        labels = tf.cast(tf.reshape(labels, [-1]), tf.int32)
        batch_size = tf.shape(x)[0]

        # Fakes are drawn for the batch's own labels, so y follows the data's p(y) in both
        # terms of eq. 2 and D cannot tell fakes by their label frequencies.
        z = self.sample_latent(batch_size)
        with tf.GradientTape() as tape:
            fake = self.generator([z, labels], training=True)
            d_loss = self.discriminator_loss(
                self.discriminator([x, labels], training=True), self.discriminator([fake, labels], training=True)
            )
            scaled = replica_scale(d_loss)
        self.apply_update(tape, scaled, "d_optimizer")

        z = self.sample_latent(batch_size)
        with tf.GradientTape() as tape:
            fake = self.generator([z, labels], training=True)
            g_loss = self.generator_loss(self.discriminator([fake, labels], training=True))
            scaled = replica_scale(g_loss)
        self.apply_update(tape, scaled, "g_optimizer")
        return self.track(d_loss=d_loss, g_loss=g_loss)

    # ----------------------------------------------------------- serialization
    def get_config(self):
        return {**super().get_config(), "num_classes": self.num_classes}

    # ---------------------------------------------------------------- serving
    def serving_functions(self):
        """``generate(z, labels)``, ``sample(n, seed, labels)``, ``discriminate(x, labels)``."""
        z_spec = tf.TensorSpec([None, self.latent_dim], tf.float32, name="z")
        labels_spec = tf.TensorSpec([None], tf.int32, name="labels")
        x_spec = tf.TensorSpec([None, *self.data_shape], tf.float32, name="x")

        def generate(z, labels):
            return {"x": self.generate(z, labels)}

        def sample(n, seed, labels):
            x, z = self.sample(n, seed, labels)
            return {"x": x, "z": z}

        def discriminate(x, labels):
            return {"logits": self.discriminator([x, labels], training=False)}

        return {
            "generate": (generate, [z_spec, labels_spec]),
            "sample": (sample, [tf.TensorSpec([], tf.int32, name="n"), tf.TensorSpec([], tf.int32, name="seed"),
                                labels_spec]),
            "discriminate": (discriminate, [x_spec, labels_spec]),
        }
