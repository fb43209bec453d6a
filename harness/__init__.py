"""compete: a local, Kaggle-style competition harness."""

__version__ = "0.1.0"
