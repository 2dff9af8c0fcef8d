"""Unrolled GAN (Metz, Poole, Pfau & Sohl-Dickstein 2017, "Unrolled Generative Adversarial
Networks", arXiv:1611.02163).

The generator is trained against the discriminator it would face ``k`` discriminator
updates from now: its loss is ``f_K(θ_G, θ_D) = f(θ_G, θ_D^K)`` with
``θ_D^{k+1} = θ_D^k + η ∂f(θ_G, θ_D^k)/∂θ_D^k`` (eq. 4-5), and its gradient flows through
the ``k`` updates (the second term of eq. 6, which lets the generator anticipate the
discriminator's response and so discourages mode hopping).  The discriminator itself is
updated as in the GAN: only the first step is applied (§2.2).
"""
import keras
import tensorflow as tf

from zoo import _private_api, papers
from zoo.families._base import replica_scale
from zoo.families.gan import GAN

UNROLL_OPTIMIZERS = ("adam", "sgd")


@keras.saving.register_keras_serializable(package="zoo")
class UnrolledGAN(GAN):
    """GAN whose generator differentiates through ``unroll_steps`` discriminator updates.

    ``train_step`` updates the discriminator exactly as :class:`GAN` does, then, on a fresh
    ``z``, copies the discriminator's weights as tensors, takes ``unroll_steps`` differentiable
    updates of the copy (same data batch and generated batch each time, as Metz et al.'s
    code), evaluates the generator loss with the unrolled copy
    (``keras.Model.stateless_call``) and updates the generator with the gradient through the
    whole unrolled computation (a tape around the inner tapes).  ``unroll_steps=0`` is the
    GAN step.

    The unrolled updates use ``unroll_optimizer``:

    - ``"adam"`` (Metz et al.): the update math of the discriminator's Keras ``Adam``,
      continuing its current moments and step count; requires ``d_optimizer`` to be Adam.
    - ``"sgd"``: ``θ ← θ - η ∇θ`` (cheaper; the usual simplification in re-implementations).

    Args:
      generator, discriminator, loss, label_smoothing, seed: as :class:`GAN`.
      unroll_steps: k, unrolled discriminator updates (the paper uses 5 on the mixtures).
      unroll_optimizer: ``"adam"`` or ``"sgd"``.
      unroll_learning_rate: η of the unrolled steps (default: the discriminator's).
    """

    FAMILY = "unrolled"
    PAPERS = (papers.GAN, papers.UNROLLED)
    FEATURE_MATCHING = False  # the generator's loss is the unrolled discriminator's output

    def __init__(self, generator, discriminator, unroll_steps=5, unroll_optimizer="adam",
                 unroll_learning_rate=None, loss="non_saturating", label_smoothing=0.0, seed=None, **kwargs):
        if isinstance(unroll_steps, bool) or int(unroll_steps) != unroll_steps or unroll_steps < 0:
            raise ValueError(f"unroll_steps must be an integer >= 0. Received: unroll_steps={unroll_steps!r}")
        if unroll_optimizer not in UNROLL_OPTIMIZERS:
            raise ValueError(
                f"unroll_optimizer must be one of {UNROLL_OPTIMIZERS}. Received: unroll_optimizer={unroll_optimizer!r}"
            )
        super().__init__(generator, discriminator, loss=loss, label_smoothing=label_smoothing, seed=seed, **kwargs)
        if self.discriminator.non_trainable_variables:
            # Batch-norm statistics would need unrolling too; the paper's discriminators on
            # the mixtures have none, and neither does ours.
            raise ValueError(
                "UnrolledGAN needs a discriminator without non-trainable state (e.g. no batch "
                "normalisation). Received: non-trainable variables "
                f"{[v.path for v in self.discriminator.non_trainable_variables]}"
            )
        self.unroll_steps = int(unroll_steps)
        self.unroll_optimizer = unroll_optimizer
        self.unroll_learning_rate = None if unroll_learning_rate is None else float(unroll_learning_rate)

    def compile(self, **kwargs):
        super().compile(**kwargs)
        if self.unroll_steps and self.unroll_optimizer == "adam" and not (
            isinstance(self.d_optimizer, keras.optimizers.Adam) and not self.d_optimizer.amsgrad
        ):
            raise ValueError(
                "UnrolledGAN(unroll_optimizer='adam') continues the discriminator's Adam state, so "
                "d_optimizer must be keras.optimizers.Adam (amsgrad=False); or use "
                f"unroll_optimizer='sgd'. Received: d_optimizer={type(self.d_optimizer).__name__}"
            )

    # ------------------------------------------------------------ the unrolling
    def _d_loss_with(self, params, real, fake):
        d = self.discriminator
        real_logits, _ = d.stateless_call(params, [], real, training=True)
        fake_logits, _ = d.stateless_call(params, [], fake, training=True)
        return self.discriminator_loss(real_logits, fake_logits)

    def _global_gradients(self, loss, params):
        """∇ of the global-mean loss: what the real discriminator update would use."""
        with tf.GradientTape() as inner:
            inner.watch(params)
            scaled = replica_scale(loss(params))
        grads = inner.gradient(scaled, params)
        context = tf.distribute.get_replica_context()
        if context is not None and tf.distribute.get_strategy().num_replicas_in_sync > 1:
            grads = context.all_reduce(tf.distribute.ReduceOp.SUM, grads)
        return grads

    def unrolled_parameters(self, real, fake):
        """θ_D^K as tensors, differentiable w.r.t. whatever ``fake`` depends on (eq. 4-5)."""
        variables = self.discriminator.trainable_variables
        params = [tf.convert_to_tensor(v.value) for v in variables]
        if self.unroll_steps == 0:
            return params
        opt = self.d_optimizer
        lr = tf.cast(self.unroll_learning_rate if self.unroll_learning_rate is not None else opt.learning_rate,
                     tf.float32)
        if self.unroll_optimizer == "adam":
            # Adam's slots by Keras' own (private) lookup, kept in zoo/_private_api.py;
            # tests/test_unrolled.py holds one unrolled step equal to the optimizer's real step.
            slots = [_private_api.adam_slots(opt, v) for v in variables]
            m = [tf.convert_to_tensor(m.value) for m, _ in slots]
            s = [tf.convert_to_tensor(v.value) for _, v in slots]
            step = tf.cast(opt.iterations, tf.float32)
            beta_1, beta_2 = float(opt.beta_1), float(opt.beta_2)
        loss = lambda p: self._d_loss_with(p, real, fake)  # noqa: E731
        for _ in range(self.unroll_steps):
            grads = self._global_gradients(loss, params)
            if self.unroll_optimizer == "sgd":
                params = [p - lr * g for p, g in zip(params, grads)]
                continue
            # Keras Adam's update (keras/optimizers/adam.py) written out on tensors.
            step = step + 1.0
            alpha = lr * tf.sqrt(1.0 - beta_2**step) / (1.0 - beta_1**step)
            m = [mi + (g - mi) * (1.0 - beta_1) for mi, g in zip(m, grads)]
            s = [si + (tf.square(g) - si) * (1.0 - beta_2) for si, g in zip(s, grads)]
            params = [p - alpha * mi / (tf.sqrt(si) + opt.epsilon) for p, mi, si in zip(params, m, s)]
        return params

    # --------------------------------------------------------------- the step
    # The discriminator's update is GAN's, unchanged (only the first unrolled step is real);
    # the generator's loss is taken with the unrolled discriminator θ_D^K.
    def generator_cost(self, real, *fakes, labels=None):
        fake = fakes[0]
        params = self.unrolled_parameters(real, fake)
        fake_logits, _ = self.discriminator.stateless_call(params, [], fake, training=True)
        return self.generator_loss(fake_logits)

    def get_config(self):
        return {
            **super().get_config(),
            "unroll_steps": self.unroll_steps,
            "unroll_optimizer": self.unroll_optimizer,
            "unroll_learning_rate": self.unroll_learning_rate,
        }
