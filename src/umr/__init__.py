"""umr: unified model records."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from umr.registry import Registry

__all__ = ["Registry", "__version__"]


def __getattr__(name: str) -> Any:
    # Lazy, so that 'import umr' (and the CLI's start-up) stays cheap.
    if name == "Registry":
        from umr.registry import Registry

        return Registry
    raise AttributeError(f"module 'umr' has no attribute {name!r}")
