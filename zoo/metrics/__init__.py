"""Quality measures by published protocols (PROTOCOLS.md)."""
from zoo.metrics.mixtures import mode_coverage, summarize
from zoo.metrics.digits import digits_baselines, digits_classifier, evaluate_digits
from zoo.metrics.features import class_coverage, class_kl, fid, kid, memorisation_ratio, parzen_log_likelihood

__all__ = ["mode_coverage", "summarize", "digits_baselines", "digits_classifier", "evaluate_digits",
           "class_coverage", "class_kl", "fid", "kid", "memorisation_ratio", "parzen_log_likelihood"]
