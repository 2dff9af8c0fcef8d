"""Conditional GAN (Mirza & Osindero 2014, "Conditional Generative Adversarial Nets",
arXiv:1411.1784).

Both players see the label ``y``: D maximises ``E_{x,y}[log D(x|y)] + E_{z,y}[log(1 - D(G(z|y)|y))]``
(eq. 2), G plays the non-saturating ``-E_{z,y}[log D(G(z|y)|y)]`` by default.  The networks take
``[z, labels]`` and ``[x, labels]`` (``zoo.networks`` builders with ``num_classes``), labels
int32 ``[N]``.  An export serves ``generate(z, labels)`` and ``sample(n, seed, labels)``.
"""
import keras
import tensorflow as tf

from zoo import papers
from zoo.families.gan import GAN

CGAN_PAPER = papers.CGAN  # import-compatible alias


@keras.saving.register_keras_serializable(package="zoo")
class ConditionalGAN(GAN):
    """The GAN game conditioned on class labels.

    Args:
      generator: ``keras.Model`` ``[z, labels] -> x``.
      discriminator: ``keras.Model`` ``[x, labels] -> logit`` ``[batch, 1]``.
      num_classes: number of labels; labels are ints in ``[0, num_classes)``.
      loss, label_smoothing, seed, ema_decay, ema_start and the tricks: as
        :class:`zoo.families.GAN` (packing does not apply: a pack would mix labels).

    ``model(z)`` (no labels) generates the labels ``0, 1, ..., num_classes - 1, 0, 1, ...``
    so that the generator contract ``model(z)`` still holds; ``model((z, labels))`` chooses.
    Training batches must be ``(x, labels)``.
    """

    FAMILY = "cgan"
    PAPERS = (papers.GAN, papers.CGAN)
    PACKING = False

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
        return self.served("generator")([z, tf.cast(labels, tf.int32)], training=False)

    # -------------------------------------------------------------- training
    def training_labels(self, labels):
        if labels is None:
            raise ValueError(
                "ConditionalGAN trains on (images, labels) batches, e.g. "
                "zoo.data.digits_dataset(batch_size, labels=True). Received: images only"
            )
        return tf.cast(tf.reshape(labels, [-1]), tf.int32)

    def fake_samples(self, batch_size, labels=None):
        # Fakes are drawn for the batch's own labels, so y follows the data's p(y) in both
        # terms of eq. 2 and D cannot tell fakes by their label frequencies.
        return self.generator([self.sample_latent(batch_size), labels], training=True)

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
