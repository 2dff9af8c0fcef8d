"""The adversarial game written once: the order of the updates, the discriminator step, the
generator step, and the stabilisation options every discriminator-based family offers.

One name per concept:

| name | what it is |
|---|---|
| discriminator | the second player (the papers' critic, ratio network or adversary) |
| samples | what a step draws: ``discriminator_samples`` / ``generator_samples`` |
| critic inputs | the samples as the discriminator sees them (``discriminator_inputs``: instance noise, packing) |
| loss | a pure function of :mod:`zoo.losses` on the discriminator's outputs |
| cost | a player's loss on critic inputs, penalties included |
| step loss | the whole loss the generator step descends, on its samples |
| step | one update of one player; ``play`` orders the steps of one ``train_step`` |

A family fills hooks, each with the signature of the base:

- ``discriminator_samples(x, labels)`` -> ``(real, *fakes)``: what the discriminator compares
  (the data and ``G(z)`` on fresh noise by default; two generator samples in Cramér GAN;
  prior draws and codes in AAE / WAE-GAN; pyramid levels in LAPGAN);
- ``generator_samples(x, labels)`` -> the arguments of ``generator_step_loss``
  (``discriminator_samples`` on fresh noise by default; the codes of the data in AAE and
  WAE-GAN, which draw no prior sample there);
- ``discriminator_loss(real_outputs, fake_outputs)`` / ``generator_loss(fake_outputs)``: the
  losses on the outputs (logistic and non-saturating by default);
- ``discriminator_cost(real, *fakes, labels=None)`` -> ``(d_loss, logs)`` on critic inputs
  (``discriminator_loss`` by default) plus any penalty;
- ``generator_cost(real, *fakes, labels=None)`` -> ``g_loss`` on critic inputs
  (``generator_loss`` by default; ``real`` is None unless ``GENERATOR_SEES_DATA``);
- ``generator_step_loss(*samples, labels=None)`` -> ``(loss, logs)``: ``generator_cost`` on the
  critic inputs of the samples by default (or feature matching); WAE-GAN and AVB add the
  reconstruction here;
- ``after_discriminator_update()``: WGAN clips the weights here;
- ``play(x, labels)`` -> logs: the order of the steps.  By default ``n_critic``
  discriminator steps then one generator step (Arjovsky et al. 2017, Algorithm 1); AAE puts
  its reconstruction step first, ALI draws one z for both players, AVB steps the generator
  first and its adversary then learns on the same codes.

Class attributes beside ``NETWORKS`` / ``OPTIMIZERS`` / ``LOSSES``: ``GENERATOR_OPTIMIZERS``
(the optimizers of the generator step, each applied to its one loss, in order),
``GENERATOR_LOSS_NAME`` (how the generator step logs its loss), ``GENERATOR_SEES_DATA``
(whether ``generator_cost`` receives the data's critic inputs), ``DISCRIMINATES`` and
``FEATURE_MATCHING`` / ``LABEL_SMOOTHING`` / ``PACKING`` (whether the option applies).

Every random draw is made in the hooks through ``self.normal`` / ``self.uniform``, in the
order the steps call them, so a family's noise stream is fixed by ``play`` and its hooks.
Every input of the discriminator goes through :meth:`AdversarialModel.discriminator_inputs`,
so instance noise and packing reach every family; historical averaging enters through
``apply_update``.
"""
import keras
import tensorflow as tf

from zoo import losses, tricks
from zoo.families._base import GenerativeModel, unpack_batch

OPTION_NEEDS = {
    "feature_matching": "feature matching replaces the generator loss of a classifier discriminator",
    "label_smoothing": "one-sided label smoothing changes the targets of a logistic discriminator loss",
    "packing": "packing concatenates m unlabelled samples for the discriminator",
}


def check_discriminator_input(network, shapes, packing, role="discriminator"):
    """Raise if ``network``'s inputs are not ``shapes`` packed ``packing`` at a time.

    ``shapes``: the unpacked shape of each input the critic judges (batch axis excluded);
    further inputs (class labels) are not checked.  Networks without symbolic inputs
    (subclassed models) are not checked.
    """
    inputs = getattr(network, "inputs", None)
    if not inputs:
        return
    expected = [tricks.packed_shape(shape, packing) for shape in shapes]
    got = [tuple(int(d) if d is not None else None for d in tensor.shape[1:]) for tensor in inputs[: len(shapes)]]
    if got != expected:
        hint = (f"build it with packing={packing} (zoo.networks builders take packing=) so that the last axis "
                f"holds {packing} samples" if packing > 1 else "build it for the data it judges")
        raise ValueError(
            f"the {role} must take inputs of shape {expected} (per example, {packing} sample(s) per pack); "
            f"{hint}. Received: {role} input shapes {got}"
        )


class AdversarialModel(GenerativeModel):
    """Base of the families that train a generator against a discriminator (or critic).

    Args:
      generator: ``keras.Model`` z -> x.
      discriminator: ``keras.Model`` judging what ``discriminator_samples`` returns.
      encoder: the encoder of auto-encoding families (set before the options are built).
      n_critic: critic updates per generator update.
      packing: m, samples the discriminator judges together, concatenated along their last
        axis (PacGAN, Lin et al. 2018, arXiv:1712.04086); build the discriminator with the
        same ``packing`` (``zoo.networks``).  1: off.
      instance_noise, noise_anneal_steps, historical_averaging, feature_matching,
      label_smoothing: the stabilisation tricks of :mod:`zoo.tricks` (all off by default).
      seed, ema_decay, ema_start: as :class:`~zoo.families._base.GenerativeModel`.
    """

    NETWORKS = ("generator", "discriminator")
    OPTIMIZERS = {"d_optimizer": ("discriminator",), "g_optimizer": ("generator",)}
    LOSSES = ("d_loss", "g_loss")
    FEATURE_MATCHING = True  # a classifier discriminator whose penultimate layer can be matched
    LABEL_SMOOTHING = True  # the critic's loss is the logistic GAN loss
    PACKING = True
    GENERATOR_SEES_DATA = True  # generator_cost receives the critic inputs of the data
    GENERATOR_OPTIMIZERS = ("g_optimizer",)  # the generator step's updates, each on its one loss
    GENERATOR_LOSS_NAME = "g_loss"  # how the generator step logs its loss

    def __init__(self, generator, discriminator, encoder=None, n_critic=1, packing=1, seed=None, **kwargs):
        tricks_kwargs = tricks.pop_trick_kwargs(kwargs)
        super().__init__(generator, seed=seed, **kwargs)
        if encoder is not None:
            self.encoder = encoder
        if isinstance(n_critic, bool) or int(n_critic) != n_critic or n_critic < 1:
            raise ValueError(f"n_critic must be a positive integer. Received: n_critic={n_critic!r}")
        if isinstance(packing, bool) or int(packing) != packing or packing < 1:
            raise ValueError(f"packing must be a positive integer (1: off). Received: packing={packing!r}")
        self.n_critic = int(n_critic)
        self.packing = int(packing)
        self._refuse_inapplicable(packing=self.packing > 1)
        if discriminator is not None:
            self.discriminator = discriminator
            check_discriminator_input(discriminator, self.discriminator_input_shapes(), self.packing)
            self.init_tricks(**tricks_kwargs)

    def _refuse_inapplicable(self, **options):
        for option, on in options.items():
            if on and not getattr(self, option.upper()):
                raise ValueError(f"{option} does not apply to {type(self).__name__}: {OPTION_NEEDS[option]}, "
                                 f"which {type(self).__name__} does not have. Received: {option} on")

    def discriminator_input_shapes(self):
        """The unpacked shapes the discriminator judges, from ``DISCRIMINATES``."""
        return {"x": [self.data_shape], "z": [(self.latent_dim,)],
                "xz": [self.data_shape, (self.latent_dim,)]}[self.DISCRIMINATES]

    # --------------------------------------------------------------- the hooks
    def discriminator_samples(self, x, labels=None):
        """``(real, *fakes)`` the discriminator compares: the data and one generated batch."""
        return x, self.fake_samples(tf.shape(x)[0], labels)

    def generator_samples(self, x, labels=None):
        """The arguments of ``generator_step_loss``: by default ``(real, *fakes)`` on fresh noise."""
        return self.discriminator_samples(x, labels)

    def fake_samples(self, batch_size, labels=None):
        """``G(z)`` on fresh noise, in training mode."""
        return self.generator(self.sample_latent(batch_size), training=True)

    def judge(self, x, labels=None):
        """The discriminator's output on critic inputs ``x`` (with ``labels`` if conditional)."""
        return self.discriminator(x if labels is None else [x, labels], training=True)

    def discriminator_loss(self, real_outputs, fake_outputs):
        """The logistic GAN loss (Goodfellow et al. 2014, eq. 1), with one-sided label smoothing."""
        return losses.gan_discriminator_loss(real_outputs, fake_outputs, self.label_smoothing)

    def generator_loss(self, fake_outputs):
        """The non-saturating generator loss (Goodfellow et al. 2014, §3)."""
        return losses.non_saturating_generator_loss(fake_outputs)

    def discriminator_cost(self, real, *fakes, labels=None):
        """``(d_loss, logs)`` on critic inputs."""
        return self.discriminator_loss(self.judge(real, labels), self.judge(fakes[0], labels)), {}

    def generator_cost(self, real, *fakes, labels=None):
        """The generator's loss on critic inputs (``real`` is None unless GENERATOR_SEES_DATA)."""
        return self.generator_loss(self.judge(fakes[0], labels))

    def generator_step_loss(self, real, *fakes, labels=None):
        """``(loss, logs)`` the generator step descends on its samples: ``generator_cost`` on
        their critic inputs, or with ``feature_matching`` the feature-matching loss (Salimans
        et al. 2016, arXiv:1606.03498, §3.1)."""
        if self.feature_matching:
            real, fake = self.discriminator_inputs(real, fakes[0])
            return self.matching_loss(real, fake, labels), {}
        real = real if self.GENERATOR_SEES_DATA else None
        return self.generator_cost(*self.discriminator_inputs(real, *fakes), labels=labels), {}

    def after_discriminator_update(self):
        """Run after each discriminator update (WGAN clips the critic's weights here)."""

    def training_labels(self, labels):
        """The labels a step uses: none for unconditional families (any given are ignored)."""
        return None

    # ---------------------------------------------------------------- the game
    def train_step(self, data):
        x, labels = unpack_batch(data)
        return self.track(**self.play(x, self.training_labels(labels)))

    def play(self, x, labels=None):
        """One round: ``n_critic`` discriminator steps, then one generator step on fresh noise
        against the updated discriminator (Arjovsky et al. 2017, Algorithm 1).  Returns the logs."""
        logs = self.discriminator_steps(x, labels)
        generator_logs, _ = self.generator_step(x, labels)
        return {**logs, **generator_logs}

    def discriminator_steps(self, x, labels=None, samples=None):
        """``n_critic`` discriminator steps; the logs of the last."""
        for _ in range(self.n_critic):
            logs = self.discriminator_step(x, labels, samples)
        return logs

    def discriminator_step(self, x, labels=None, samples=None):
        """One update of the discriminator: descend ``discriminator_cost`` on the critic inputs of
        ``discriminator_samples(x)`` (or of ``samples()``).  Returns ``{"d_loss": ..., **logs}``."""
        samples = samples or (lambda: self.discriminator_samples(x, labels))
        with tf.GradientTape() as tape:
            d_loss, logs = self.discriminator_cost(*self.discriminator_inputs(*samples()), labels=labels)
        self.apply_update(tape, d_loss, "d_optimizer")
        self.after_discriminator_update()
        return {"d_loss": d_loss, **logs}

    def generator_step(self, x, labels=None, samples=None):
        """One update of the generator: descend ``generator_step_loss`` on ``generator_samples(x)``
        (or ``samples()``), through each of ``GENERATOR_OPTIMIZERS`` in turn.

        Returns ``(logs, samples)``: the logs, the step loss under ``GENERATOR_LOSS_NAME``,
        and the samples drawn, for a ``play`` whose discriminator learns on them (AVB).
        """
        samples = samples or (lambda: self.generator_samples(x, labels))
        with tf.GradientTape(persistent=len(self.GENERATOR_OPTIMIZERS) > 1) as tape:
            drawn = samples()
            loss, logs = self.generator_step_loss(*drawn, labels=labels)
        for key in self.GENERATOR_OPTIMIZERS:
            self.apply_update(tape, loss, key)
        return {self.GENERATOR_LOSS_NAME: loss, **logs}, drawn

    # ------------------------------------------------------------- the tricks
    def init_tricks(self, instance_noise=0.0, noise_anneal_steps=0, historical_averaging=0.0,
                    feature_matching=False, label_smoothing=0.0):
        """Set the options of :mod:`zoo.tricks` once every network is set."""
        if instance_noise < 0 or noise_anneal_steps < 0 or historical_averaging < 0:
            raise ValueError(
                "instance_noise, noise_anneal_steps and historical_averaging must be >= 0. Received: "
                f"instance_noise={instance_noise!r}, noise_anneal_steps={noise_anneal_steps!r}, "
                f"historical_averaging={historical_averaging!r}"
            )
        if not 0.0 <= label_smoothing < 1.0:
            raise ValueError(f"label_smoothing must be in [0, 1). Received: label_smoothing={label_smoothing!r}")
        self._refuse_inapplicable(feature_matching=bool(feature_matching), label_smoothing=bool(label_smoothing))
        self.instance_noise = float(instance_noise)
        self.noise_anneal_steps = int(noise_anneal_steps)
        self.historical_averaging = float(historical_averaging)
        self.feature_matching = bool(feature_matching)
        self.label_smoothing = float(label_smoothing)
        self._features = tricks.discriminator_features(self.discriminator) if self.feature_matching else None
        self._averages, self._average_counts = {}, {}
        if self.historical_averaging:
            for key in self.OPTIMIZERS:
                # A copy of the values (a keras.Variable built from a tf.Variable shares it).
                self._averages[key] = [
                    keras.Variable(keras.ops.convert_to_numpy(v), trainable=False, name=f"historical_{key}_{i}")
                    for i, v in enumerate(self.player_variables(key))
                ]
                self._average_counts[key] = keras.Variable(0.0, trainable=False, name=f"historical_{key}_count")

    def tricks_config(self):
        return {
            "instance_noise": self.instance_noise,
            "noise_anneal_steps": self.noise_anneal_steps,
            "historical_averaging": self.historical_averaging,
            "feature_matching": self.feature_matching,
            "label_smoothing": self.label_smoothing,
        }

    def noise_stddev(self):
        """σ of instance noise now, annealed over the discriminator's updates so far."""
        return tricks.instance_noise_stddev(self.d_optimizer.iterations, self.instance_noise,
                                            self.noise_anneal_steps)

    def discriminator_inputs(self, *xs):
        """What the critic sees of each batch in ``xs`` (tensors, lists of them: pairs, pyramid
        levels; None stays None): with instance noise, each gets its own draw (Arjovsky & Bottou 2017,
        arXiv:1701.04862, §4); with packing, ``m`` consecutive examples become one
        (Lin et al. 2018, arXiv:1712.04086)."""
        if not self.instance_noise and self.packing == 1:
            return xs
        stddev = self.noise_stddev() if self.instance_noise else None

        def view(x):
            if stddev is not None:
                x = tricks.add_instance_noise(x, stddev, self.normal(tf.shape(x)[0], tuple(x.shape[1:])))
            return tricks.pack(x, self.packing)

        return tuple(None if x is None else tf.nest.map_structure(view, x) for x in xs)

    def matching_loss(self, real, fake, labels=None):
        """Feature-matching generator loss on critic inputs ``real`` and ``fake`` (Salimans
        et al. 2016, arXiv:1606.03498, §3.1)."""
        with_labels = (lambda x: x) if labels is None else (lambda x: [x, labels])  # noqa: E731
        real_features, _ = self._features(with_labels(real), training=True)
        fake_features, _ = self._features(with_labels(fake), training=True)
        context = tf.distribute.get_replica_context()
        if context is not None and tf.distribute.get_strategy().num_replicas_in_sync > 1:
            # The loss is not a mean over examples: match the *global* batch means, so that
            # n replicas compute what one device would (and each its 1/n share after scaling).
            real_mean, fake_mean = context.all_reduce(
                tf.distribute.ReduceOp.MEAN, [tf.reduce_mean(real_features, 0), tf.reduce_mean(fake_features, 0)]
            )
            return tf.reduce_sum(tf.square(tf.stop_gradient(real_mean) - fake_mean))
        return losses.feature_matching_generator_loss(tf.stop_gradient(real_features), fake_features)

    def regularised_gradients(self, optimizer_key, variables, grads):
        """Historical averaging (Salimans et al. 2016, arXiv:1606.03498, §3.3): add the
        gradient of ``λ‖θ - θ̄‖²`` to every player's update."""
        if not self.historical_averaging:
            return grads
        averages, count = self._averages[optimizer_key], self._average_counts[optimizer_key]
        # θ̄_t = θ̄_{t-1} + (θ_t - θ̄_{t-1}) / t: the mean of θ[1..t], the current θ included.
        new_count = count + 1.0
        tricks.update_variables([count], lambda c: c.assign_add(1.0))
        tricks.update_variables(averages, lambda a, v: a.assign(a + (v - a) / new_count),
                                values=[v.value for v in variables])
        # d/dθ λ‖θ - θ̄‖² = 2λ(θ - θ̄); it is the same on every replica and gradients are
        # summed across replicas, so each replica contributes its 1/n share.
        replicas = float(tf.distribute.get_strategy().num_replicas_in_sync)
        return [g + (2.0 * self.historical_averaging / replicas) * (v - a)
                for g, v, a in zip(grads, variables, averages)]

    # ---------------------------------------------------------- serialization
    def get_config(self):
        return {**super().get_config(), **self.tricks_config(), "n_critic": self.n_critic,
                "packing": self.packing}

    # ---------------------------------------------------------------- serving
    def discriminate(self, x):
        """The discriminator's logits on data ``x`` in inference mode.  With ``packing=m``
        it judges packs of ``m`` consecutive rows: ``x`` ``[N, ...]`` with N a multiple of m
        gives ``[N / m, 1]``."""
        return self.discriminator(tricks.pack(tf.convert_to_tensor(x, tf.float32), self.packing), training=False)
