"""The family contract (DESIGN.md), written once so every family reads the same.

A family subclasses :class:`GenerativeModel`, names its networks (``NETWORKS``), its
players' optimizers and the networks each one updates (``OPTIMIZERS``), its tracked losses
(``LOSSES``), and writes ``train_step`` with one ``GradientTape`` per player, applying each
update through :meth:`GenerativeModel.apply_update`.  What every family needs the same way
lives here:

- optimizers passed to ``compile`` are built on their variables at once: under
  ``tf.distribute`` a two-optimizer ``train_step`` otherwise fails inside the first step
  (NOTES.md);
- every loss is divided by ``num_replicas_in_sync`` before differentiation, because
  gradients are *summed* across replicas (NOTES.md): 2-replica training then equals
  1-device training on the same global batch;
- ``get_config`` / ``from_config`` and the compile config round-trip, so ``model.keras``
  (optimizer state included) resumes training;
- ``serving_functions`` lists what an export serves (``generate``, ``sample``,
  ``discriminate``, and ``encode``/``decode`` where a family adds them).
"""
from __future__ import annotations

import keras
import tensorflow as tf


def replica_scale(loss):
    """Per-replica mean loss -> the loss whose summed gradients equal the global mean's."""
    return loss / tf.cast(tf.distribute.get_strategy().num_replicas_in_sync, loss.dtype)


def unpack_batch(data):
    """``x`` or ``(x, labels)`` or ``(x, labels, sample_weight)`` as given by ``fit``."""
    if isinstance(data, (tuple, list)):
        return data[0], (data[1] if len(data) > 1 else None)
    return data, None


class GenerativeModel(keras.Model):
    """Base of every family: ``model(z)`` generates; see the module docstring."""

    NETWORKS: tuple[str, ...] = ("generator",)
    OPTIMIZERS: dict[str, tuple[str, ...]] = {"g_optimizer": ("generator",)}
    LOSSES: tuple[str, ...] = ("g_loss",)
    # What the network named "discriminator" judges: "x" (data; served as ``discriminate``),
    # "z" (codes: AAE, WAE-GAN) or "xz" (pairs: ALI/BiGAN), which are not served.
    DISCRIMINATES: str = "x"

    def __init__(self, generator, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.generator = generator
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.trackers = {name: keras.metrics.Mean(name=name) for name in self.LOSSES}
        self.built = True  # the networks arrive built

    # ----------------------------------------------------------------- shapes
    @property
    def latent_dim(self) -> int:
        return int(self.generator.inputs[0].shape[-1])

    @property
    def data_shape(self) -> tuple[int, ...]:
        return tuple(int(d) for d in self.generator.outputs[0].shape[1:])

    # ------------------------------------------------------------- generation
    def call(self, z, training=False):
        return self.generator(z, training=training)

    def generate(self, z):
        """x = G(z) in inference mode (batch-norm statistics frozen)."""
        return self.generator(z, training=False)

    def sample(self, n, seed):
        """``n`` samples from the stateless seed ``seed``: the same on every machine, and the
        same as the export's ``sample`` signature."""
        z = tf.random.stateless_normal([n, self.latent_dim], seed=tf.stack([seed, 0]))
        return self.generate(z), z

    def decode(self, z):
        """x = G(z): the decoder of families with an encoder (the generator otherwise)."""
        return self.generate(z)

    def encode(self, x):
        """The code ``z`` of ``x``; families with an ``"encoder"`` network override it."""
        raise NotImplementedError(f"{type(self).__name__} has no encoder.")

    def encode_outputs(self, x):
        """What the export's ``encode`` signature returns: ``{"z": code}`` plus family extras
        (the VAE adds its posterior ``mean`` and ``stddev``)."""
        return {"z": self.encode(x)}

    def sample_latent(self, batch_size):
        """z ~ N(0, I) for training, drawn from the model's seeded generator."""
        return self.normal(batch_size, (self.latent_dim,))

    # ---------------------------------------------------------- training noise
    # Every random draw of a train_step goes through these two helpers, so that training is
    # the same on 1 device and on N replicas (NOTES.md: plain ``tf.random`` draws differ per
    # replica).  Each replica draws the noise of the *global* batch with a stateless op seeded
    # by ``seed_generator.next()`` and keeps its own slice, in the order in which
    # ``tf.distribute`` splits the global batch: 2 replicas x b rows == 1 device x 2b rows.
    # With one replica the draw equals ``keras.random.normal(..., seed=self.seed_generator)``.
    def normal(self, batch_size, shape=()):
        """This replica's rows of N(0, 1) noise ``[batch_size, *shape]`` (see above)."""
        return self._replica_draw(tf.random.stateless_normal, batch_size, shape)

    def uniform(self, batch_size, shape=(), minval=0.0, maxval=1.0):
        """This replica's rows of U[minval, maxval) noise ``[batch_size, *shape]`` (e.g. the
        interpolation ε of a gradient penalty)."""
        return self._replica_draw(tf.random.stateless_uniform, batch_size, shape, minval=minval, maxval=maxval)

    def _replica_draw(self, draw, batch_size, shape, **kwargs):
        context = tf.distribute.get_replica_context()  # None in cross-replica context
        replicas = context.num_replicas_in_sync if context is not None else 1
        batch = tf.cast(batch_size, tf.int32)
        shape = tf.constant([int(d) for d in shape], tf.int32)
        rows = draw(tf.concat([[replicas * batch], shape], 0), seed=self.seed_generator.next(), **kwargs)
        if replicas == 1:
            return rows
        return tf.reshape(rows, tf.concat([[replicas, batch], shape], 0))[context.replica_id_in_sync_group]

    # The noise stream's position is saved with the weights (``model.keras``, ``save_weights``;
    # zoo.callbacks.BackupAndRestore checkpoints it too), so training resumed from them draws
    # the noise an uninterrupted run would.  Files written before this was saved lack the entry.
    _NOISE_STATE = "noise_state"

    def save_own_variables(self, store):
        super().save_own_variables(store)
        store[self._NOISE_STATE] = self.seed_generator.state.numpy()

    def load_own_variables(self, store):
        keys = [key for key in store.keys() if key != self._NOISE_STATE]
        if len(keys) != len(list(store.keys())):
            self.seed_generator.state.assign(store[self._NOISE_STATE])
        super().load_own_variables({key: store[key] for key in keys})

    # -------------------------------------------------------------- training
    def compile(self, **kwargs):
        """``compile(g_optimizer=..., d_optimizer=..., ...)``: one optimizer per player.

        Each optimizer (an instance, a name or a serialized config) is built on the
        variables of the networks it updates.
        """
        missing = [key for key in self.OPTIMIZERS if key not in kwargs]
        if missing:
            raise ValueError(
                f"{type(self).__name__}.compile needs one optimizer per player: "
                f"{', '.join(self.OPTIMIZERS)}. Missing: {', '.join(missing)}. "
                f"Example: compile({', '.join(k + '=keras.optimizers.Adam(1e-4)' for k in self.OPTIMIZERS)})"
            )
        optimizers = {key: keras.optimizers.get(kwargs.pop(key)) for key in self.OPTIMIZERS}
        # Keras would otherwise create its default RMSprop for ``model.optimizer``: no player
        # uses it, yet ``fit`` builds it over every variable and ``model.keras`` stores it.
        kwargs.setdefault("optimizer", None)
        super().compile(**kwargs)
        for key, optimizer in optimizers.items():
            setattr(self, key, optimizer)
            optimizer.build(self.player_variables(key))
        self._zoo_compile_config = {
            key: keras.optimizers.serialize(optimizer) for key, optimizer in optimizers.items()
        }

    def player_variables(self, optimizer_key):
        return [v for net in self.OPTIMIZERS[optimizer_key] for v in getattr(self, net).trainable_variables]

    def apply_update(self, tape, loss, optimizer_key):
        """One player's update: gradients of the replica-scaled ``loss`` w.r.t. its networks."""
        variables = self.player_variables(optimizer_key)
        grads = tape.gradient(loss, variables)
        getattr(self, optimizer_key).apply_gradients(zip(grads, variables))

    def alternating_step(self, x):
        """One discriminator update, then one generator update on fresh noise (Goodfellow et
        al. 2014, Algorithm 1 with k = 1), through the family's ``discriminator_loss(real,
        fake)`` and ``generator_loss(fake)`` on discriminator outputs.  Returns both losses."""
        batch_size = tf.shape(x)[0]
        z = self.sample_latent(batch_size)
        with tf.GradientTape() as tape:
            fake = self.generator(z, training=True)
            d_loss = self.discriminator_loss(
                self.discriminator(x, training=True), self.discriminator(fake, training=True)
            )
            scaled = replica_scale(d_loss)
        self.apply_update(tape, scaled, "d_optimizer")

        z = self.sample_latent(batch_size)
        with tf.GradientTape() as tape:
            g_loss = self.generator_loss(self.discriminator(self.generator(z, training=True), training=True))
            scaled = replica_scale(g_loss)
        self.apply_update(tape, scaled, "g_optimizer")
        return d_loss, g_loss

    def track(self, **losses):
        """Update the loss trackers and return the logs ``fit`` shows."""
        for name, value in losses.items():
            self.trackers[name].update_state(value)
        return {name: tracker.result() for name, tracker in self.trackers.items()}

    @property
    def metrics(self):
        return list(self.trackers.values())

    # ----------------------------------------------------------- serialization
    def get_config(self):
        config = {"name": self.name, "trainable": self.trainable, "seed": self.seed}
        for net in self.NETWORKS:
            config[net] = keras.saving.serialize_keras_object(getattr(self, net))
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        for net in cls.NETWORKS:
            config[net] = keras.saving.deserialize_keras_object(config[net])
        return cls(**config)

    def get_compile_config(self):
        return getattr(self, "_zoo_compile_config", None)

    def compile_from_config(self, config):
        self.compile(**config)

    # ---------------------------------------------------------------- serving
    def serving_functions(self):
        """name -> (function, input signature) for the SavedModel an export writes.

        ``generate`` is also ``serving_default``.  Families with an encoder add ``encode``
        and ``decode``; conditional families add ``labels`` inputs.
        """
        z_spec = tf.TensorSpec([None, self.latent_dim], tf.float32, name="z")
        n_spec = tf.TensorSpec([], tf.int32, name="n")
        seed_spec = tf.TensorSpec([], tf.int32, name="seed")

        def generate(z):
            return {"x": self.generate(z)}

        def sample(n, seed):
            x, z = self.sample(n, seed)
            return {"x": x, "z": z}

        functions = {"generate": (generate, [z_spec]), "sample": (sample, [n_spec, seed_spec])}
        x_spec = tf.TensorSpec([None, *self.data_shape], tf.float32, name="x")
        if "discriminator" in self.NETWORKS and self.DISCRIMINATES == "x":

            def discriminate(x):
                return {"logits": self.discriminator(x, training=False)}

            functions["discriminate"] = (discriminate, [x_spec])
        if "encoder" in self.NETWORKS:

            def encode(x):
                return self.encode_outputs(x)

            def decode(z):
                return {"x": self.decode(z)}

            functions["encode"] = (encode, [x_spec])
            functions["decode"] = (decode, [z_spec])
        return functions
