"""Pausing the cyclic garbage collector around batch work that allocates many objects and
frees none (a large lineage, a batch of resolved records): collections would only rescan them.

For entry points only (the CLI's root command, bench scripts): the collector is process-wide,
so a library function that paused it would pause it for every thread of its caller. What the
pause is worth is measured in docs/benchmarks.md, "The cyclic GC pause".
"""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Iterator

_gc_lock = threading.Lock()
_gc_pausers = 0
_gc_was_enabled = False


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector, which otherwise rescans the growing result. The
    collector is process-wide and web requests run in threads, so pauses are counted: the
    last one out restores the state the first one in found."""
    global _gc_pausers, _gc_was_enabled
    with _gc_lock:
        if _gc_pausers == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_pausers += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_pausers -= 1
            if _gc_pausers == 0 and _gc_was_enabled:
                gc.enable()
