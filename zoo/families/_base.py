"""The family contract, written once so every family reads the same.

A family subclasses the step contract of its kind of game, each a subclass of
:class:`GenerativeModel` that writes ``train_step`` once:
:class:`~zoo.families._adversarial.AdversarialModel` (a generator against a discriminator),
:class:`~zoo.families._autoencoding.PenalisedAutoEncoder` (one penalised loss) or
:class:`~zoo.families._exact.LikelihoodModel` (an exact likelihood).  It names its networks
(``NETWORKS``), its players' optimizers and the networks each one updates (``OPTIMIZERS``),
its tracked losses (``LOSSES``) and its papers (``PAPERS``, from :mod:`zoo.papers`).  A family
on no contract writes ``train_step`` with one ``GradientTape`` per player, applying each update
through :meth:`GenerativeModel.apply_update` with the plain per-replica mean loss.  What every
family needs the same way lives here:

- optimizers passed to ``compile`` are built on their variables at once: under
  ``tf.distribute`` a two-optimizer ``train_step`` otherwise fails inside the first step
  (a placeholder error, measured here);
- ``apply_update`` scales every loss by ``1 / num_replicas_in_sync`` before differentiation,
  because gradients are *summed* across replicas (measured here): 2-replica training then equals
  1-device training on the same global batch;
- ``ema_decay=``: an exponential moving average of the generator's weights, updated right
  after each generator update inside ``train_step``, served by ``generate`` / ``sample`` /
  ``decode`` and so by the export (``served_weights == "ema"``);
- ``prior_sample(n, seed)``: the stateless prior draw behind ``sample`` and the export;
- ``get_config`` / ``from_config`` and the compile config round-trip, so ``model.keras``
  (optimizer state and EMA weights included) resumes training;
- ``serving_functions`` lists what an export serves (``generate``, ``sample``,
  ``discriminate``, and ``encode``/``decode`` where a family adds them).
"""
from __future__ import annotations

import keras
import tensorflow as tf

from zoo import tricks


def replica_scale(loss):
    """Per-replica mean loss -> the loss whose summed gradients equal the global mean's."""
    return loss / tf.cast(tf.distribute.get_strategy().num_replicas_in_sync, loss.dtype)


def unpack_batch(data):
    """``x`` or ``(x, labels)`` or ``(x, labels, sample_weight)`` as given by ``fit``."""
    if isinstance(data, (tuple, list)):
        return data[0], (data[1] if len(data) > 1 else None)
    return data, None


def _clone(network, name):
    """An independent copy of ``network`` (same architecture and weights, new variables)."""
    config = keras.saving.serialize_keras_object(network)
    config["config"] = {**config["config"], "name": name}
    copy = keras.saving.deserialize_keras_object(config)
    copy.set_weights(network.get_weights())
    copy.trainable = False  # updated by the average, never by an optimizer
    return copy


def _serialize(value):
    if isinstance(value, (list, tuple)):
        return [keras.saving.serialize_keras_object(v) for v in value]
    return keras.saving.serialize_keras_object(value)


def _deserialize(value):
    if isinstance(value, list):
        return [keras.saving.deserialize_keras_object(v) for v in value]
    return keras.saving.deserialize_keras_object(value)


class GenerativeModel(keras.Model):
    """Base of every family: ``model(z)`` generates; see the module docstring.

    Args:
      generator: ``keras.Model`` z -> x (the decoder of auto-encoding families).
      seed: seed of the training noise.
      ema_decay: β of an exponential moving average of the generator's weights,
        ``θ̄ ← β θ̄ + (1 − β) θ`` after every generator update (Yazıcı et al. 2019,
        arXiv:1806.04498; Karras et al. 2018, arXiv:1710.10196, use β = 0.999).  ``None``: off.
      ema_start: generator updates before the averaging starts; until then the average is
        a copy of the weights (the early weights are far from the later ones).
    """

    NETWORKS: tuple[str, ...] = ("generator",)
    OPTIMIZERS: dict[str, tuple[str, ...]] = {"g_optimizer": ("generator",)}
    LOSSES: tuple[str, ...] = ("g_loss",)
    PAPERS: tuple[str, ...] = ()
    # Constructor arguments that hold networks (serialized by get_config); NETWORKS by default.
    NETWORK_ARGS: tuple[str, ...] | None = None
    # What the network named "discriminator" judges: "x" (data; served as ``discriminate``),
    # "z" (codes: AAE, WAE-GAN) or "xz" (pairs: ALI/BiGAN), which are not served.
    DISCRIMINATES: str = "x"

    def __init__(self, generator, seed=None, ema_decay=None, ema_start=0, **kwargs):
        super().__init__(**kwargs)
        self.generator = generator
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.trackers = {name: keras.metrics.Mean(name=name) for name in self.LOSSES}
        if ema_decay is not None and not 0.0 < float(ema_decay) < 1.0:
            raise ValueError(f"ema_decay must be in (0, 1) (e.g. 0.999), or None for no average. "
                             f"Received: ema_decay={ema_decay!r}")
        if isinstance(ema_start, bool) or int(ema_start) != ema_start or ema_start < 0:
            raise ValueError(f"ema_start must be an integer >= 0. Received: ema_start={ema_start!r}")
        self.ema_decay = None if ema_decay is None else float(ema_decay)
        self.ema_start = int(ema_start)
        if generator is not None:
            self.init_ema()
        self.built = True  # the networks arrive built

    def init_ema(self):
        """Create the averaged copies ``ema_<name>`` of the generator networks (the base does
        it for ``generator``; a family with other generator networks calls it once they are set)."""
        if self.ema_decay is None:
            return
        for name in self.ema_networks():
            setattr(self, f"ema_{name}", _clone(getattr(self, name), f"ema_{name}"))

    # ----------------------------------------------------------------- shapes
    @property
    def latent_dim(self) -> int:
        return int(self.generator.inputs[0].shape[-1])

    @property
    def data_shape(self) -> tuple[int, ...]:
        return tuple(int(d) for d in self.generator.outputs[0].shape[1:])

    # --------------------------------------------------------------- averaging
    def ema_networks(self) -> tuple[str, ...]:
        """The networks the EMA averages: every generator (decoder) network."""
        return tuple(name for name in self.NETWORKS if name.startswith("generator"))

    @property
    def served_weights(self) -> str:
        """``"ema"`` when ``generate``/``sample``/``decode`` (and the export) use the averaged
        generator, ``"raw"`` otherwise; the export writes it into the card as ``weights``."""
        return "raw" if self.ema_decay is None else "ema"

    def served(self, name="generator"):
        """The network ``name`` as served: its moving average when ``ema_decay`` is on."""
        if self.ema_decay is not None and name in self.ema_networks():
            return getattr(self, f"ema_{name}")
        return getattr(self, name)

    def update_ema(self, optimizer_key):
        """After ``optimizer_key``'s update: average the generator networks it moved.

        ``θ̄ ← β θ̄ + (1 − β) θ`` (Yazıcı et al. 2019, arXiv:1806.04498, eq. 2), β = 0 (a copy)
        for the first ``ema_start`` updates.  Non-trainable state (batch-norm moving
        statistics) is copied, as StyleGAN2-ADA copies buffers, so the averaged network runs
        in inference mode with statistics of a network close to it.
        """
        names = [n for n in self.OPTIMIZERS[optimizer_key] if n in self.ema_networks()]
        if self.ema_decay is None or not names:
            return
        step = getattr(self, optimizer_key).iterations  # updates so far, this one included
        decay = tf.where(step > self.ema_start, self.ema_decay, 0.0)
        averaged, copied = self.ema_pairs(names)
        tricks.update_variables([a for a, _ in averaged], lambda a, v: a.assign(decay * a + (1.0 - decay) * v),
                                values=[v.value for _, v in averaged])
        if copied:
            tricks.update_variables([a for a, _ in copied], lambda a, v: a.assign(v),
                                    values=[v.value for _, v in copied])

    def ema_pairs(self, names):
        """``(averaged, copied)``: (EMA variable, raw variable) pairs of the networks ``names``,
        the raw network's trainable weights first, its non-trainable state second."""
        averaged, copied = [], []
        for name in names:
            raw = getattr(self, name)
            trainable = {id(v) for v in raw.trainable_weights}
            for average, current in zip(getattr(self, f"ema_{name}").weights, raw.weights):
                (averaged if id(current) in trainable else copied).append((average, current))
        return averaged, copied

    # ------------------------------------------------------------- generation
    def call(self, z, training=False):
        """The raw generator (the network being trained); ``generate`` serves the average."""
        return self.generator(z, training=training)

    def generate(self, z):
        """x = G(z) in inference mode (batch-norm statistics frozen), with the served weights."""
        return self.served("generator")(z, training=False)

    def prior_sample(self, n, seed):
        """``n`` codes from the prior p(z) for the stateless seed ``seed``: the same on every
        machine.  Families with another prior override this one hook."""
        return tf.random.stateless_normal([n, self.latent_dim], seed=tf.stack([seed, 0]))

    def sample(self, n, seed, labels=None):
        """``(x, z)``: ``n`` samples from the stateless seed ``seed``, the same as the export's
        ``sample`` signature (``labels`` for conditional families)."""
        z = self.prior_sample(n, seed)
        return (self.generate(z) if labels is None else self.generate(z, labels)), z

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
    # the same on 1 device and on N replicas (plain ``tf.random`` draws differ per
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
        """One player's update: descend the per-replica mean ``loss`` recorded on ``tape``.

        Gradients are summed across replicas, so the loss is scaled by
        ``1 / num_replicas_in_sync`` here (as ``output_gradients``: the same numbers as
        differentiating ``loss / n``); families pass the plain mean.  Then the update of the
        networks the player moves is applied, and their moving averages follow.
        """
        variables = self.player_variables(optimizer_key)
        replicas = tf.distribute.get_strategy().num_replicas_in_sync
        grads = tape.gradient(loss, variables, output_gradients=tf.cast(1.0 / replicas, loss.dtype))
        grads = self.regularised_gradients(optimizer_key, variables, grads)
        getattr(self, optimizer_key).apply_gradients(zip(grads, variables))
        self.update_ema(optimizer_key)

    def regularised_gradients(self, optimizer_key, variables, grads):
        """Hook: gradients of penalties on the parameters themselves (historical averaging)."""
        return grads

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
        for arg in self.NETWORK_ARGS or self.NETWORKS:
            config[arg] = _serialize(getattr(self, arg))
        return {**config, "ema_decay": self.ema_decay, "ema_start": self.ema_start}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        for arg in cls.NETWORK_ARGS or cls.NETWORKS:
            config[arg] = _deserialize(config[arg])
        return cls(**config)

    def get_compile_config(self):
        return getattr(self, "_zoo_compile_config", None)

    def compile_from_config(self, config):
        self.compile(**config)

    # ---------------------------------------------------------------- serving
    def serving_networks(self):
        """The networks the serving functions read, which an export must track: every network
        of ``NETWORKS`` and, with ``ema_decay``, the averaged copies it serves."""
        networks = [getattr(self, name) for name in self.NETWORKS]
        if self.ema_decay is not None:
            networks += [getattr(self, f"ema_{name}") for name in self.ema_networks()]
        return networks

    def discriminate(self, x):
        """The discriminator's output on data ``x`` (families that serve it override this)."""
        raise NotImplementedError(f"{type(self).__name__} serves no discriminator.")

    def serving_functions(self):
        """name -> (function, input signature) for the SavedModel an export writes.

        ``generate`` is also ``serving_default``.  Families with an encoder add ``encode``
        and ``decode``; conditional families add ``labels`` inputs; families whose
        discriminator judges single examples serve ``discriminate`` (not with packing > 1).
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
        # A packed discriminator (PacGAN) judges packs of m examples, not one example: its
        # output per input row would be ill-defined, so it is not served (model.discriminate
        # still judges packs of consecutive rows in Python).
        if "discriminator" in self.NETWORKS and self.DISCRIMINATES == "x" and getattr(self, "packing", 1) == 1:

            def discriminate(x):
                return {"logits": self.discriminate(x)}

            functions["discriminate"] = (discriminate, [x_spec])
        if "encoder" in self.NETWORKS:

            def encode(x):
                return self.encode_outputs(x)

            def decode(z):
                return {"x": self.decode(z)}

            functions["encode"] = (encode, [x_spec])
            functions["decode"] = (decode, [z_spec])
        return functions
