"""Bounded JSON (umr.spec.jsonio): the YAML records' limits and text policy, field by field."""

from __future__ import annotations

import tracemalloc

import pytest

from umr.errors import RecordError
from umr.spec.jsonio import load_json


@pytest.mark.parametrize(
    ("text", "path", "message"),
    [
        ('{"a": NaN}', "a", "'NaN' is not a finite number"),
        ('{"a": [1, Infinity]}', "a[1]", "'Infinity' is not a finite number"),
        ('{"a": -Infinity}', "a", "'-Infinity' is not a finite number"),
        ('{"a": 1e400}', "a", "'1e400' is not a finite number"),
        ('{"a": ' + "9" * 5000 + "}", "a", "number of 5,000 characters"),
        ('{"a": 18446744073709551616}', "a", "outside the 64-bit range"),
        ('{"a": {"b": 1, "b": 2}}', "a.b", "duplicate key 'b': keep one"),
        ('{"t": "\\ud800"}', "t", "U+D800 (a lone surrogate)"),
        ('{"t": "\\uffff"}', "t", "noncharacter U+FFFF"),
        ('{"t": "x\\u202ey"}', "t", "bidirectional control U+202E"),
        ('{"t": "\\u0000"}', "t", "control character"),
    ],
)
def test_values_json_accepts_and_records_refuse(text: str, path: str, message: str) -> None:
    with pytest.raises(RecordError) as info:
        load_json(text, source="<body>")
    (problem,) = info.value.problems
    assert (problem.source, problem.path) == ("<body>", path)
    assert message in problem.message


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[" * 900 + "]" * 900, "nested deeper than 64 levels"),
        ("[" + ",".join(["0"] * 100_001) + "]", "more than 100,000 values"),
        ('{"x": "' + "y" * (4 * 1024 * 1024) + '"}', "the limit is 4,194,304"),
    ],
    ids=["deep", "many", "big"],
)
def test_structure_is_refused_before_parsing(text: str, message: str) -> None:
    tracemalloc.start()
    with pytest.raises(RecordError, match=message):
        load_json(text.encode(), source="<body>")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 3 * len(text) + 1024 * 1024  # the text and its copy without strings, no tree


def test_brackets_and_commas_inside_strings_are_not_structure() -> None:
    text = '{"a": "[[[[,,,,{{{{", "b": ["\\"[", 1]}'
    assert load_json(text) == {"a": "[[[[,,,,{{{{", "b": ['"[', 1]}
    deep_ok = "[" * 65 + "]" * 65  # the top-level list is depth 0, the innermost 64
    assert load_json(deep_ok) is not None
    with pytest.raises(RecordError, match="nested deeper"):
        load_json("[" * 66 + "]" * 66)


def test_syntax_errors_are_located_and_bytes_are_utf8() -> None:
    with pytest.raises(RecordError, match=r"<body>:2:7: JSON syntax: Expecting ':' delimiter"):
        load_json('{\n  "x" 1}', source="<body>")
    with pytest.raises(RecordError, match="not UTF-8 text"):
        load_json(b'{"x": "\xff"}', source="<body>")
    assert load_json(b'\xef\xbb\xbf{"x": "\xc3\xa9"}') == {"x": "é"}
