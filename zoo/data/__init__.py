"""Datasets as tf.data pipelines.  ``mixtures``: the 2-D Gaussian mixtures of PROTOCOLS.md §1."""
from zoo.data.mixtures import MIXTURES, Mixture, mixture, mixture_dataset, mixture_samples

__all__ = ["MIXTURES", "Mixture", "mixture", "mixture_dataset", "mixture_samples"]
