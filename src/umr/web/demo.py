"""The demo registry that ``umr serve --demo`` serves: an SQLite file in the user's cache,
loaded from the bundled data (:mod:`umr.demo`) on first use and rebuilt when that data changes."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from umr.registry import Registry


def _fingerprint() -> str:
    from umr import __version__
    from umr.demo import advisories_dir, records_dir

    h = hashlib.sha256(__version__.encode())
    for root in (records_dir(), advisories_dir()):
        for path in sorted(root.rglob("*.yaml")):
            h.update(path.relative_to(root).as_posix().encode())
            h.update(path.read_bytes())
    return h.hexdigest()[:12]


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "umr"


def demo_url() -> str:
    """``$UMR_DEMO_REGISTRY`` if set, else a cache file named for the demo data's digest."""
    if url := os.environ.get("UMR_DEMO_REGISTRY"):
        return url
    path = cache_dir() / f"demo-{_fingerprint()}.db"
    return f"sqlite:///{path}"


def ensure_loaded(registry: Registry) -> None:
    """Publish the bundled demo records and advisories into ``registry`` unless already there,
    through the same loader as ``umr demo load``; the registry stays open."""
    from umr.registry.demo import load_demo

    if not registry.names():
        load_demo(registry)
