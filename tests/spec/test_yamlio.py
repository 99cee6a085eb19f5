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


def test_alias_bomb_stops_at_the_alias_that_passes_the_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    copied: list[object] = []
    real = yamlio.copy.deepcopy

    def counting(value: Any) -> Any:
        copied.append(value)
        return real(value)

    monkeypatch.setattr(yamlio.copy, "deepcopy", counting)
    with pytest.raises(RecordError, match="expands to more than 100,000 values") as info:
        load_yaml(_billion_laughs(), source="bomb.yaml")
    # 'e' is ten aliases of 'd' (11,111 values each): the 8th passes the limit, and nothing
    # after it is copied
    assert info.value.problems[0].path == "e[7]"
    assert info.value.problems[0].line == 5
    assert len(copied) <= 1 + 10 + 10 + 10 + 7


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


def test_a_deep_flow_never_reaches_a_recursive_composer() -> None:
    # 25,000 '[' crashed PyYAML's C composer (it recurses per level) before any check ran
    text = "umr: 1\nname: d\nversion: 1.0.0\nkind: model\nextensions:\n  x: " + "[" * 25_000
    with pytest.raises(RecordError, match="nested deeper than 64 levels") as info:
        load_yaml(text, source="deep.yaml")
    assert info.value.problems[0].line == 6


def test_a_huge_flow_list_stops_at_the_limit_with_bounded_memory() -> None:
    # 4 MiB, 2 million values: refused after the first 100,001, never built whole
    text = "umr: 1\nx: [" + "0," * 2_000_000 + "0]\n"
    tracemalloc.start()
    with pytest.raises(RecordError, match="more than 100,000 values"):
        load_yaml(text, source="wide.yaml")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 32 * 1024 * 1024


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("x: " + "9" * 5000 + "\n", "number of 5,000 characters; the limit is 100"),
        ("x: 99999999999999999999\n", "outside the 64-bit range"),
        ("x: !!int many\n", "'many' is not a valid !!int"),
        ("x: !!bool perhaps\n", "'perhaps' is not a valid !!bool"),
        ("x: !!float 1.5.5\n", "'1.5.5' is not a valid !!float"),
        ("x: !!binary aGk=\n", "tag '!!binary' is not allowed"),
        ("x: 1\n---\ny: 2\n", "more than one YAML document"),
        ("x: *nowhere\n", "alias '*nowhere' has no anchor"),
        ("a: &k key\n*k : v\n", "an alias ('*k') cannot be a key"),
        ("? [a, b]\n: v\n", "key '...' must be a string"),
        ('x: "\\uFFFE"\n', "noncharacter U+FFFE"),
        ('"\\u202Ekey": v\n', "key '\\u202ekey': contains the bidirectional control"),
        ('x: "\\x9b"\n', "control character ('\\x9b')"),
    ],
)
def test_scalars_keys_and_documents_fail_clearly(text: str, message: str) -> None:
    with pytest.raises(RecordError) as info:
        load_yaml(text, source="t.yaml")
    assert message in str(info.value)
    assert str(info.value).startswith("t.yaml")


def test_a_lone_surrogate_in_text_given_as_str_is_refused() -> None:
    with pytest.raises(RecordError, match=r"t.yaml:2: contains U\+D800 \(a lone surrogate\)"):
        load_yaml("a: 1\nb: '\ud800'\n", source="t.yaml")


def test_an_explicit_tag_that_matches_its_value_is_read() -> None:
    data, _ = load_yaml("a: !!int '3'\nb: !!str 3\nc: ! 4\nd: !!float 1\n")
    assert data == {"a": 3, "b": "3", "c": "4", "d": 1.0}


def test_aliases_are_copies_and_keep_the_depth_limit() -> None:
    data, _ = load_yaml("a: &a {x: [1]}\nb: *a\n")
    assert data["a"] == data["b"] and data["a"] is not data["b"]
    deep = "a: &a " + "[" * 40 + "]" * 40 + "\nb: " + "[" * 30 + "*a" + "]" * 30 + "\n"
    with pytest.raises(RecordError, match="nested deeper than 64 levels"):
        load_yaml(deep)
