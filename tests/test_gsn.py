"""The walkback denoising auto-encoder (GSN; Bengio et al. 2013, 2014): its corruption and loss
by hand, and Theorem 1 of Bengio et al. 2013 on a 2-pixel distribution."""
import itertools

import keras
import numpy as np
import pytest
import tensorflow as tf

from zoo.families import GSN
from zoo.families.gsn import gsn_network, salt_and_pepper, walkback_nll


def softplus(x):
    return np.log1p(np.exp(x))


def test_salt_and_pepper_by_hand():
    v = tf.constant([[1.0, 0.0, 1.0, 0.0]])
    which = tf.constant([[0.1, 0.2, 0.8, 0.45]])  # noise 0.5: the first, second and last are replaced
    coin = tf.constant([[0.7, 0.3, 0.0, 0.6]])  # ... by coin < 1/2: 0, 1, (kept), 0
    np.testing.assert_array_equal(salt_and_pepper(v, 0.5, which, coin).numpy(), [[0.0, 1.0, 1.0, 0.0]])


def test_salt_and_pepper_flips_a_pixel_with_half_the_noise():
    v = tf.ones([200_000])
    which, coin = (tf.random.stateless_uniform([200_000], seed=[1, k]) for k in (0, 1))
    assert 1.0 - salt_and_pepper(v, 0.4, which, coin).numpy().mean() == pytest.approx(0.2, abs=0.005)


def test_walkback_loss_by_hand():
    v = tf.constant([[1.0, 0.0, 1.0]])
    uniforms = [  # (which, coin, draw) per step, noise 0.5
        (tf.constant([[0.2, 0.9, 0.7]]), tf.constant([[0.6, 0.1, 0.3]]), tf.constant([[0.1, 0.5, 0.95]])),
        (tf.constant([[0.9, 0.4, 0.1]]), tf.constant([[0.0, 0.2, 0.9]]), tf.constant([[0.5, 0.5, 0.5]])),
    ]
    loss, per_step = walkback_nll(lambda c: 3.0 * c - 1.0, v, 0.5, uniforms)
    # Step 1: x̃ = (0, 0, 1) -> logits (-1, -1, 2); -log P(1, 0, 1) = sp(1) + sp(-1) + sp(-2).
    # The walk draws (1, 0, 0) (uniforms 0.1 < σ(-1), 0.5 ≥ σ(-1), 0.95 ≥ σ(2)).
    # Step 2: x̃ = (1, 1, 0) -> logits (2, 2, -1); -log P(1, 0, 1) = sp(-2) + sp(2) + sp(1).
    first = softplus(1) + softplus(-1) + softplus(-2)
    second = softplus(-2) + softplus(2) + softplus(1)
    np.testing.assert_allclose(per_step.numpy(), [first, second], rtol=1e-6)
    assert loss.numpy() == pytest.approx((first + second) / 2, rel=1e-6)


# ------------------------------------------------- Theorem 1 on two pixels
STATES = np.array(list(itertools.product([0.0, 1.0], repeat=2)))
PI = np.array([0.45, 0.05, 0.05, 0.45])  # two correlated pixels: (0,0) and (1,1) likely
NOISE = 0.2


def corruption_matrix(noise):
    """``C[x, x̃]`` of salt-and-pepper noise: a pixel is kept with 1 - noise/2, flipped with noise/2."""
    return np.array([[np.prod(np.where(x == xt, 1 - noise / 2, noise / 2)) for xt in STATES] for x in STATES])


def stationary(transition):
    values, vectors = np.linalg.eig(transition.T)
    s = np.real(vectors[:, np.argmax(np.real(values))])
    return s / s.sum()


def factorised_chain(q, corruption):
    """Transition matrix of the chain whose reconstruction is the product of Bernoulli(q[x̃])."""
    reconstruction = np.array([[np.prod(np.where(x == 1, q[j], 1 - q[j])) for x in STATES] for j in range(4)])
    return corruption @ reconstruction


@pytest.fixture(scope="module")
def trained():
    keras.utils.set_random_seed(0)
    model = GSN(gsn_network((1, 2, 1), hidden=(16,)), noise=NOISE, walkback=1, sample_steps=30, seed=0)
    model.compile(gsn_optimizer=keras.optimizers.Adam(0.02))
    rng = np.random.default_rng(0)
    x = STATES[rng.choice(4, 8192, p=PI)].reshape(-1, 1, 2, 1) * 2.0 - 1.0
    model.fit(x.astype(np.float32), batch_size=512, epochs=15, verbose=0)
    return model


def test_reconstruction_learns_the_posterior_and_the_chain_its_stationary_law(trained):
    corruption = corruption_matrix(NOISE)
    joint = PI[:, None] * corruption  # P(x, x̃)
    posterior_marginals = (STATES.T @ (joint / joint.sum(axis=0))).T  # [x̃, pixel]: P(x_i = 1 | x̃)
    q = tf.sigmoid(trained.reconstruct(tf.constant(STATES.reshape(4, 1, 2, 1), tf.float32))).numpy().reshape(4, 2)
    # A factorised P(x | x̃) trained by walkback 1 converges to the posterior's marginals.
    np.testing.assert_allclose(q, posterior_marginals, atol=0.03)
    # Bengio et al. 2013, Theorem 1: the chain with the exact posterior P(x | x̃) has the data as its
    # stationary law; with the factorised one (all this model can represent) the law is near it.
    exact = stationary(corruption @ (joint / joint.sum(axis=0)).T)
    np.testing.assert_allclose(exact, PI, atol=1e-9)
    best = stationary(factorised_chain(posterior_marginals, corruption))
    learned = stationary(factorised_chain(q, corruption))
    assert 0.5 * np.abs(learned - best).sum() < 0.03
    assert 0.5 * np.abs(learned - PI).sum() < 0.15 < 0.5 * np.abs(0.25 - PI).sum()
    # The exported chain itself (salt-and-pepper, draws, 30 steps from random bits) samples that law.
    x, _ = trained.sample(20_000, 4)
    index = (np.asarray(x).reshape(-1, 2) > 0).astype(int) @ np.array([2, 1])
    frequencies = np.bincount(index, minlength=4) / len(index)
    assert 0.5 * np.abs(frequencies - learned).sum() < 0.02


def test_chain_returns_every_state_and_sample_its_last(trained):
    x, mean = trained.chain(5, 9, 7)
    assert x.shape == (7, 5, 1, 2, 1) and mean.shape == (7, 5, 1, 2, 1)
    last, last_mean = trained.sample_with_means(5, 9, steps=7)
    np.testing.assert_array_equal(x[-1], last)
    np.testing.assert_allclose(mean[-1], last_mean)
    assert set(np.unique(np.asarray(x))) <= {-1.0, 1.0} and np.all(np.abs(np.asarray(mean)) <= 1.0)
    np.testing.assert_array_equal(trained.sample(5, 9)[0], trained.sample_with_means(5, 9, steps=30)[0])


def test_steps_out_of_range_are_refused(trained):
    with pytest.raises(ValueError, match=r"integer in \[1, 1,000\]. Received: steps=1001"):
        trained.chain(2, 0, 1001)
    with pytest.raises(ValueError, match="Received: steps=0"):
        trained.sample(2, 0, steps=0)
