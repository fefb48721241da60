"""mme: opioid doses in morphine milligram equivalents, from versioned, sourced tables."""

__version__ = "0.1.0"
