"""Hostile YAML fails fast, with bounded memory, and says why."""

from __future__ import annotations

import itertools
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest

from umr.errors import RecordError
from umr.spec import load_record, load_yaml


def _billion_laughs() -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    names = "abcdefghij"
    for prev, cur in itertools.pairwise(names):
        lines.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 10) + "]")
    return "\n".join(lines) + "\n"


def _deep() -> str:
    return "umr: 1\nx: " + "[" * 10_000 + "]" * 10_000 + "\n"


def _big(tmp: Path) -> Path:
    path = tmp / "big.yaml"
    with path.open("w") as fh:
        fh.write("umr: 1\nname: big\nversion: 1.0.0\nkind: model\ndescription: |\n")
        chunk = "  " + "x" * 1000 + "\n"
        for _ in range(50 * 1024):
            fh.write(chunk)
    return path


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda tmp: _billion_laughs(), "expands to more than 100,000 values"),
        (lambda tmp: _deep(), "nested deeper than 64 levels"),
        (_big, "the limit is 4,194,304"),
    ],
    ids=["billion-laughs", "10000-levels", "50MB"],
)
def test_hostile_files_fail_fast_with_bounded_memory(
    tmp_path: Path, make: Callable[[Path], object], message: str
) -> None:
    thing = make(tmp_path)
    tracemalloc.start()
    start = time.perf_counter()
    with pytest.raises(RecordError, match=message):
        if isinstance(thing, Path):
            load_record(thing)
        else:
            load_yaml(str(thing), source="hostile.yaml")
    elapsed = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert elapsed < 2.0
    assert peak < 64 * 1024 * 1024


def test_locations_are_one_based() -> None:
    _, marks = load_yaml("a: 1\nb:\n  c: [x, y]\n")
    assert marks.positions[("b", "c", 1)] == (3, 10)


def test_timestamps_stay_text_and_no_objects_are_built() -> None:
    data, _ = load_yaml("d: 2024-01-02\nn: null\nf: 1.5\nb: yes\n")
    assert data == {"d": "2024-01-02", "n": None, "f": 1.5, "b": True}
