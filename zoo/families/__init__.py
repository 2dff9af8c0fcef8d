"""One family per file, each a ``keras.Model`` subclass with a custom ``train_step``."""
from zoo.families._base import GenerativeModel
from zoo.families.gan import GAN

__all__ = ["GenerativeModel", "GAN"]
