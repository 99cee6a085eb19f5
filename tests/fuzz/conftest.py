"""Fuzzing: how many targets share the time, and the examples tried per target at the end.

``make test`` runs the bounded profile: one round of a few hundred examples per target (fewer
for the slow ones), no example database. ``make fuzz`` sets ``UMR_FUZZ_SECONDS`` (600 by
default there): each target then runs rounds of fresh examples until its share of that time is
spent, with hypothesis' example database kept outside the repository (see tests/conftest.py),
and the examples tried per target are printed at the end and written to ``$UMR_FUZZ_REPORT``
when set.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from fuzz._run import STATS, TARGETS


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    TARGETS[0] = sum(1 for item in items if here in Path(str(item.path)).parents)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not STATS:
        return
    rows = sorted(STATS.items())
    terminalreporter.section("fuzz targets: examples tried")
    for name, s in rows:
        # a target shows its rounds and time; a row counted inside a target that covers
        # several (one per renderer) shows its examples only
        where = f"{int(s['rounds']):>5} rounds {s['seconds']:8.1f} s" if s["rounds"] else " " * 20
        accepted = f"  ({int(s['accepted']):,} accepted)" if "accepted" in s else ""
        terminalreporter.write_line(
            f"{name:28} {int(s['examples']):>9,} examples {where}  slowest "
            f"{s['slowest'] * 1000:8.1f} ms{accepted}"
        )
    total = sum(int(s["examples"]) for _, s in rows)
    terminalreporter.write_line(f"{'total':28} {total:>9,} examples")
    report = os.environ.get("UMR_FUZZ_REPORT")
    if report:
        Path(report).write_text(json.dumps(dict(rows), indent=2) + "\n", encoding="utf-8")
