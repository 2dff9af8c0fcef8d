"""Unrolled GAN: k = 0 is the GAN step; the unrolled Adam step is Keras Adam's; the
generator's gradient is the derivative of the unrolled objective (eq. 6), checked by
central differences; a few training steps."""
import keras
import numpy as np
import pytest
import tensorflow as tf
from family_cases import CASES

from zoo import losses
from zoo.families import GAN, UnrolledGAN
from zoo.networks import mlp


def pair(family, optimizer=lambda: keras.optimizers.SGD(0.1), seed=0, activation="relu", **kwargs):
    keras.utils.set_random_seed(seed)
    model = family(mlp(2, 2, hidden=(8,), activation=activation, name="generator"),
                   mlp(2, 1, hidden=(8, 8), activation=activation, name="discriminator"), seed=seed, **kwargs)
    model.compile(g_optimizer=optimizer(), d_optimizer=optimizer())
    return model


@pytest.mark.parametrize("optimizer", [lambda: keras.optimizers.SGD(0.1), lambda: keras.optimizers.Adam(0.01)])
def test_zero_unroll_steps_takes_the_gan_step(optimizer):
    gan = pair(GAN, optimizer)
    unrolled = pair(UnrolledGAN, optimizer, unroll_steps=0)
    unrolled.set_weights(gan.get_weights())
    x = CASES["gan"](seed=0)[1]
    for model in (gan, unrolled):
        model.fit(x, batch_size=len(x), epochs=2, verbose=0, shuffle=False)
    for a, b in zip(gan.get_weights(), unrolled.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_one_unrolled_adam_step_is_the_optimizers_step():
    model = pair(UnrolledGAN, lambda: keras.optimizers.Adam(0.01), unroll_steps=1)
    x = CASES["gan"](seed=0)[1]
    model.fit(x, batch_size=len(x), epochs=1, verbose=0)  # the Adam moments are no longer zero
    fake = model.generator(tf.random.normal([16, 2], seed=1))
    unrolled = model.unrolled_parameters(x, fake)
    d = model.discriminator
    with tf.GradientTape() as tape:
        loss = model.discriminator_loss(d(x, training=True), d(fake, training=True))
    model.d_optimizer.apply_gradients(zip(tape.gradient(loss, d.trainable_variables), d.trainable_variables))
    for got, want in zip(unrolled, d.trainable_variables):
        np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-5, atol=1e-7)


def test_unrolled_generator_loss_of_a_logistic_discriminator_by_hand():
    # D(x) = σ(w·x + b): one SGD step on L_D = E softplus(-l(x)) + E softplus(l(G(z))) has
    # ∇w = -E σ(-l(x)) x + E σ(l(x_g)) x_g, ∇b = -E σ(-l(x)) + E σ(l(x_g)).
    eta = 0.5
    model = pair(UnrolledGAN, unroll_steps=1, unroll_optimizer="sgd", unroll_learning_rate=eta)
    d = mlp(2, 1, hidden=(), name="discriminator")
    w, b = np.array([[0.5], [-1.0]], np.float32), np.array([0.2], np.float32)
    d.set_weights([w, b])
    model.discriminator = d
    real = np.array([[1.0, 0.0], [0.0, 1.0]], np.float32)
    fake = np.array([[2.0, 1.0], [-1.0, 0.5]], np.float32)
    sigmoid = lambda t: 1 / (1 + np.exp(-t))  # noqa: E731
    softplus = lambda t: np.log1p(np.exp(t))  # noqa: E731
    l_r, l_f = real @ w + b, fake @ w + b
    grad_w = -(sigmoid(-l_r) * real).mean(0) + (sigmoid(l_f) * fake).mean(0)
    grad_b = -sigmoid(-l_r).mean() + sigmoid(l_f).mean()
    w1, b1 = w - eta * grad_w[:, None], b - eta * grad_b
    expected = softplus(-(fake @ w1 + b1)).mean()
    params = model.unrolled_parameters(real, fake)
    np.testing.assert_allclose(params[0].numpy(), w1, rtol=1e-5)
    got = losses.non_saturating_generator_loss(d.stateless_call(params, [], fake)[0])
    assert float(got) == pytest.approx(expected, rel=1e-5)


def unrolled_objective(model, z, x, eta):
    """f(θ_G, θ_D - η ∇_D f(θ_G, θ_D)) evaluated without any differentiation through it."""
    d = model.discriminator
    fake = model.generator(z, training=True)
    with tf.GradientTape() as tape:
        loss = model.discriminator_loss(d(x, training=True), d(fake, training=True))
    grads = tape.gradient(loss, d.trainable_variables)
    params = [v - eta * g for v, g in zip(d.trainable_variables, grads)]
    return float(losses.non_saturating_generator_loss(d.stateless_call(params, [], fake, training=True)[0]))


def test_generator_gradient_flows_through_the_unrolled_step():
    eta = 1.0  # large, so that the unrolled term (the second of eq. 6) is not negligible
    # tanh networks: the objective is smooth, so central differences converge (ReLU kinks
    # make them jump at this η).
    model = pair(UnrolledGAN, unroll_steps=1, unroll_optimizer="sgd", unroll_learning_rate=eta, activation="tanh")
    x = tf.constant(CASES["gan"](seed=0)[1])
    z = tf.random.normal([16, 2], seed=2)
    g = model.generator
    with tf.GradientTape() as tape:
        fake = g(z, training=True)
        params = model.unrolled_parameters(x, fake)
        loss = losses.non_saturating_generator_loss(model.discriminator.stateless_call(params, [], fake)[0])
    grads = tape.gradient(loss, g.trainable_variables)
    with tf.GradientTape() as tape:  # the plain GAN gradient, against the current D
        plain = losses.non_saturating_generator_loss(model.discriminator(g(z, training=True)))
    plain_grads = tape.gradient(plain, g.trainable_variables)

    rng = np.random.default_rng(0)
    direction = [rng.normal(size=v.shape).astype(np.float32) for v in g.trainable_variables]
    analytic = sum(float(np.sum(gr.numpy() * d)) for gr, d in zip(grads, direction))
    plain_slope = sum(float(np.sum(gr.numpy() * d)) for gr, d in zip(plain_grads, direction))
    h, start = 3e-3, [v.numpy() for v in g.trainable_variables]
    values = []
    for sign in (1.0, -1.0):
        for v, s, d in zip(g.trainable_variables, start, direction):
            v.assign(s + sign * h * d)
        values.append(unrolled_objective(model, z, x, eta))
    numeric = (values[0] - values[1]) / (2 * h)
    assert analytic == pytest.approx(numeric, rel=2e-2, abs=1e-4)
    assert abs(analytic - plain_slope) > 10 * abs(analytic - numeric)  # the unrolled term matters


def test_trains_a_few_steps_on_points():
    model, data = CASES["unrolled"](seed=0)
    before = [w.copy() for w in model.get_weights()]
    history = model.fit(data, batch_size=8, epochs=2, verbose=0)
    assert all(np.isfinite(v[-1]) for v in history.history.values())
    assert any(not np.allclose(a, b) for a, b in zip(before, model.get_weights()))


def test_argument_errors():
    with pytest.raises(ValueError, match="unroll_steps"):
        pair(UnrolledGAN, unroll_steps=-1)
    with pytest.raises(ValueError, match="unroll_optimizer"):
        pair(UnrolledGAN, unroll_optimizer="rmsprop")
    with pytest.raises(ValueError, match="Adam"):
        pair(UnrolledGAN, unroll_optimizer="adam")  # SGD discriminator optimizer
