"""Quality measures by published protocols (PROTOCOLS.md)."""
from zoo.metrics.mixtures import mode_coverage, summarize

__all__ = ["mode_coverage", "summarize"]
