"""umr: unified model records."""
__version__ = "0.1.0"
