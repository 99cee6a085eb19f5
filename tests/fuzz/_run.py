"""Per-target tallies and the time-sharing runner (see conftest.py for the profiles)."""

from __future__ import annotations

import os
import time
from collections.abc import Callable

SECONDS = float(os.environ.get("UMR_FUZZ_SECONDS", "0"))
LONG = SECONDS > 0
TARGETS = [0]  # how many fuzz targets were collected: they share SECONDS evenly

# Per-target tallies: examples tried, rounds, seconds, and the slowest example.
STATS: dict[str, dict[str, float]] = {}
MAX_EXAMPLE_SECONDS = 10.0  # an example slower than this fails the target: work grew too fast


class Counter:
    """Counts the examples a target runs and times the slowest (call it in the property)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.stats = STATS.setdefault(
            name, {"examples": 0, "rounds": 0, "seconds": 0.0, "slowest": 0.0}
        )
        self._start = 0.0

    def __enter__(self) -> Counter:
        self._start = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        took = time.perf_counter() - self._start
        self.stats["examples"] += 1
        self.stats["slowest"] = max(self.stats["slowest"], took)
        assert took < MAX_EXAMPLE_SECONDS, f"{self.name}: one example took {took:.1f} s"


def run(name: str, prop: Callable[[], None], *, share: float = 1.0) -> None:
    """Run the @given property ``prop``: once (bounded), or in rounds until this target's
    share of ``UMR_FUZZ_SECONDS`` is spent (long)."""
    stats = STATS.setdefault(name, {"examples": 0, "rounds": 0, "seconds": 0.0, "slowest": 0.0})
    start = time.perf_counter()
    budget = SECONDS * share / max(TARGETS[0], 1)
    while True:
        prop()
        stats["rounds"] += 1
        if not LONG or time.perf_counter() - start >= budget:
            break
    stats["seconds"] += time.perf_counter() - start


def examples(bounded: int, long: int = 500) -> int:
    """Examples per round: ``bounded`` in ``make test``, ``long`` per round in ``make fuzz``."""
    return long if LONG else bounded
