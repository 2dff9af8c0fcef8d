"""DCGAN (Radford, Metz & Chintala 2016, "Unsupervised Representation Learning with Deep
Convolutional Generative Adversarial Networks", arXiv:1511.06434).

The DCGAN paper changes the *networks*, not the game: it is the GAN objective of Goodfellow
et al. (2014) played by the all-convolutional generator and discriminator of
:func:`zoo.networks.dcgan_generator` / :func:`zoo.networks.dcgan_discriminator`, trained with
Adam (lr 2e-4, β1 = 0.5, §4).  So this family is :class:`zoo.families.GAN` under its own name,
which exports record as ``family: "dcgan"`` with the DCGAN paper beside the GAN one.

Example::

    from zoo.networks import dcgan_generator, dcgan_discriminator
    model = DCGAN(dcgan_generator(100, 64, 3), dcgan_discriminator(64, 3, packing=2),
                  packing=2, ema_decay=0.999)  # PacGAN2 and an averaged generator: optional
    model.compile(g_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5),
                  d_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5))
"""
import keras

from zoo import papers
from zoo.families.gan import GAN

# Import-compatible aliases (recipes imported them from here); the strings live in zoo.papers.
GAN_PAPER = papers.GAN
DCGAN_PAPER = papers.DCGAN


@keras.saving.register_keras_serializable(package="zoo")
class DCGAN(GAN):
    """The GAN game (non-saturating generator loss by default) on DCGAN networks.

    Same arguments as :class:`zoo.families.GAN`; any networks are accepted, the name says
    which architecture the recipe gave it.
    """

    FAMILY = "dcgan"
    PAPERS = (papers.GAN, papers.DCGAN)
