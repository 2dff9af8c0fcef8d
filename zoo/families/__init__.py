"""One family per file, each a ``keras.Model`` subclass with a custom ``train_step``."""
from zoo.families._base import GenerativeModel
from zoo.families._adversarial import AdversarialModel
from zoo.families.gan import GAN
from zoo.families.wgan import WGAN, WGANGP
from zoo.families.cramer import CramerGAN
from zoo.families.unrolled import UnrolledGAN

__all__ = ["GenerativeModel", "AdversarialModel", "GAN", "WGAN", "WGANGP", "CramerGAN", "UnrolledGAN"]

# Auto-encoding families (encoders exported beside the generator).
from zoo.families.vae import VAE  # noqa: E402
from zoo.families.avb import AVB  # noqa: E402
from zoo.families.aae import AAE  # noqa: E402
from zoo.families.wae import WAEGAN, WAEMMD  # noqa: E402
from zoo.families.ali import ALI  # noqa: E402

__all__ += ["VAE", "AVB", "AAE", "WAEMMD", "WAEGAN", "ALI"]

# Convolutional and conditional GANs, and the Laplacian pyramid of GANs.
from zoo.families.dcgan import DCGAN  # noqa: E402
from zoo.families.cgan import ConditionalGAN  # noqa: E402
from zoo.families.lapgan import LAPGAN  # noqa: E402

__all__ += ["DCGAN", "ConditionalGAN", "LAPGAN"]

# Variational divergence minimisation and density-ratio matching.
from zoo.families.fgan import FGAN  # noqa: E402
from zoo.families.ratio import RatioMatchingGAN  # noqa: E402

__all__ += ["FGAN", "RatioMatchingGAN"]

# Exact likelihood: an autoregressive model of the pixels and two normalizing flows.
from zoo.families.pixelcnn import PixelCNN  # noqa: E402
from zoo.families.realnvp import RealNVP  # noqa: E402
from zoo.families.maf import MAF  # noqa: E402

__all__ += ["PixelCNN", "RealNVP", "MAF"]
