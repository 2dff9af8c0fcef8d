"""Conditional GAN (Mirza & Osindero 2014) rows with DCGAN networks: shipped on 8×8 digits
(the digits protocol, plus the label accuracy), recipe-only on MNIST."""
from recipes.base import Recipe, players, register
from recipes.dcgan import DCGAN_ADAM, dcgan_networks
from recipes.protocols import (DIGITS_LATENT, FASHION_SHAPE, REAL_LATENT, conditional_digits_protocol, digits_rows,
                               evaluate_conditional_digits, fashion_rows, tfds_rows)
from zoo.data import NUM_CLASSES

register(Recipe(
    name="cgan-digits", family="ConditionalGAN",
    **digits_rows(labels=True, evaluate=evaluate_conditional_digits, protocol=conditional_digits_protocol),
    # The DCGAN-digits networks with the one-hot label concatenated to z and to D's input.
    networks=dcgan_networks(DIGITS_LATENT, 8, 1, filters=32, start_size=2, num_classes=NUM_CLASSES),
    # 20,000 steps: seed 0 FID 2.0 (12,000: 2.5; 3,000: 3.3 over 3 seeds).
    options={"num_classes": NUM_CLASSES}, optimizers=players(DCGAN_ADAM), steps=20_000,
    description=("Conditional GAN (Mirza & Osindero 2014) on 8×8 digits with DCGAN networks: one-hot labels "
                 "concatenated to z and, as 10 constant planes, to D's input. sample(n, seed, labels) draws "
                 "the digits asked for."),
))

register(Recipe(
    name="cgan-mnist", family="ConditionalGAN",
    **tfds_rows("mnist", (28, 28, 1), "Conditional GAN (Mirza & Osindero 2014) on MNIST with DCGAN networks at "
                "28×28 and one-hot labels; sample(n, seed, labels).", labels=True),
    networks=dcgan_networks(REAL_LATENT, 28, 1, filters=64, num_classes=10),
    options={"num_classes": 10}, optimizers=players(DCGAN_ADAM), steps=20_000,
))

register(Recipe(
    name="cgan-fashion-mnist", family="ConditionalGAN", **{**fashion_rows(labels=True), "seeds": 3},
    # dcgan-fashion-mnist's networks and schedule with the one-hot label concatenated to z and,
    # as 10 constant planes, to D's input; the label accuracy is measured by the classifier.
    networks=dcgan_networks(REAL_LATENT, FASHION_SHAPE[0], 1, filters=64, num_classes=10),
    options={"num_classes": 10}, optimizers=players(DCGAN_ADAM), steps=8000,
    description=("Conditional GAN (Mirza & Osindero 2014) on Fashion-MNIST with DCGAN networks at 28×28 and "
                 "one-hot labels; sample(n, seed, labels) draws the classes asked for (0 T-shirt/top, 1 trouser, "
                 "2 pullover, 3 dress, 4 coat, 5 sandal, 6 shirt, 7 sneaker, 8 bag, 9 ankle boot)."),
))
