"""Quality measures by published protocols (docs/protocols.md)."""
from zoo.metrics.mixtures import mode_coverage, summarize
from zoo.metrics.digits import digits_baselines, digits_classifier, evaluate_digits
from zoo.metrics.features import class_coverage, class_kl, fid, kid, memorisation_ratio, parzen_log_likelihood

__all__ = ["mode_coverage", "summarize", "digits_baselines", "digits_classifier", "evaluate_digits",
           "class_coverage", "class_kl", "fid", "kid", "memorisation_ratio", "parzen_log_likelihood"]

# Kernel two-sample distance (zoo.kernels) and reconstruction error (encoders, generator inversion).
from zoo.kernels import mmd  # noqa: E402
from zoo.metrics.reconstruction import invert_generator, reconstruction_mse  # noqa: E402

__all__ += ["mmd", "invert_generator", "reconstruction_mse"]

# Divergence estimation by a trained critic, density-ratio estimators (the divergence-estimation protocol).
from zoo.metrics.divergence import (  # noqa: E402
    DensityRatio, classifier_density_ratio, estimate_divergence, f_divergence_1d,
    ratio_matching_density_ratio, wasserstein1_1d,
)

__all__ += ["DensityRatio", "classifier_density_ratio", "estimate_divergence", "f_divergence_1d",
            "ratio_matching_density_ratio", "wasserstein1_1d"]
