"""Hostile YAML fails with bounded memory and work, and says why.

No wall-clock bounds here (speed belongs to bench/): the alias bomb is checked by how many
values get built (none), the others by peak memory.
"""

from __future__ import annotations

import itertools
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from umr.errors import RecordError
from umr.spec import load_record, load_yaml, yamlio


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
def test_hostile_files_fail_with_bounded_memory(
    tmp_path: Path, make: Callable[[Path], object], message: str
) -> None:
    thing = make(tmp_path)
    tracemalloc.start()
    with pytest.raises(RecordError, match=message):
        if isinstance(thing, Path):
            load_record(thing)
        else:
            load_yaml(str(thing), source="hostile.yaml")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 64 * 1024 * 1024


def test_alias_bomb_is_refused_before_any_value_is_built(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    built: list[object] = []
    real = yamlio._build

    def counting(*args: Any, **kwargs: Any) -> Any:
        built.append(args[1])
        return real(*args, **kwargs)

    monkeypatch.setattr(yamlio, "_build", counting)
    with pytest.raises(RecordError, match="expands to more than 100,000 values") as info:
        load_yaml(_billion_laughs(), source="bomb.yaml")
    assert built == []
    # the first value past the limit is named: 'e' expands to 111,111 values
    assert info.value.problems[0].path == "e"
    assert info.value.problems[0].line == 5


@pytest.mark.parametrize("note", ["", "# R&D *draft*\n"], ids=["plain", "with-&-and-*"])
def test_a_plain_file_with_too_many_values_is_told_to_split_not_about_aliases(note: str) -> None:
    text = note + "umr: 1\nextensions:\n  big: [" + ",".join(["1"] * 100_001) + "]\n"
    with pytest.raises(RecordError, match="has more than 100,000 values: split") as info:
        load_yaml(text, source="plain.yaml")
    assert "alias" not in str(info.value)
    assert info.value.problems[0].line == 3 + note.count("\n")


def test_wide_but_honest_alias_use_is_accepted() -> None:
    # one anchor used 500 times expands to 500 * 11 values: well under the limit
    text = "base: &b [1,2,3,4,5,6,7,8,9,10]\nuses:\n" + "  - *b\n" * 500
    data, _ = load_yaml(text)
    assert len(data["uses"]) == 500 and data["uses"][499] == list(range(1, 11))


def test_an_alias_inside_its_own_anchor_is_refused() -> None:
    with pytest.raises(RecordError, match="refers to the value that contains it") as info:
        load_yaml("a: &a [1, *a]\n", source="loop.yaml")
    assert str(info.value).startswith("loop.yaml:1:")


def test_locations_are_one_based() -> None:
    _, marks = load_yaml("a: 1\nb:\n  c: [x, y]\n")
    assert marks.positions[("b", "c", 1)] == (3, 10)


def test_timestamps_stay_text_and_no_objects_are_built() -> None:
    data, _ = load_yaml("d: 2024-01-02\nn: null\nf: 1.5\nb: yes\n")
    assert data == {"d": "2024-01-02", "n": None, "f": 1.5, "b": True}
