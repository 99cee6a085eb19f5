"""Unlearning methods, one module each, registered by name in :data:`METHODS`."""

from umr.unlearn.methods import (  # noqa: F401  (imported to register)
    del_,
    finetune,
    gradient_ascent,
    l1_sparse,
    neggrad_plus,
    retrain,
    salun,
    scrub,
    ssd,
)
from umr.unlearn.methods._base import METHODS, Context, Outcome, get_method, register_method

__all__ = ["METHODS", "Context", "Outcome", "get_method", "register_method"]


def available_methods() -> list[str]:
    """Names of every registered method, sorted."""
    return sorted(METHODS)


__all__ += ["available_methods"]
