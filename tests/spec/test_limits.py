"""The one text policy and set of limits (umr.spec.limits), as every input path applies them."""

from __future__ import annotations

from typing import Any

import pytest

from umr.errors import RecordError
from umr.spec import limits, parse_record
from umr.spec.limits import check_tree, key_problem, number_problem, text_problem

REFUSED = [
    ("\x07", "control character ('\\x07')"),
    ("\x7f", "control character ('\\x7f')"),
    ("\x85", "control character ('\\x85')"),
    ("\ud800", "U+D800 (a lone surrogate)"),
    ("\udfff", "U+DFFF (a lone surrogate)"),
    ("\ufffe", "noncharacter U+FFFE"),
    ("\uffff", "noncharacter U+FFFF"),
    ("\ufdd0", "noncharacter U+FDD0"),
    ("\U0010ffff", "noncharacter U+10FFFF"),
    ("\U0001fffe", "noncharacter U+1FFFE"),
    ("\u202e", "bidirectional control U+202E (RIGHT-TO-LEFT OVERRIDE)"),
    ("\u202a", "bidirectional control U+202A (LEFT-TO-RIGHT EMBEDDING)"),
    ("\u2066", "bidirectional control U+2066 (LEFT-TO-RIGHT ISOLATE)"),
    ("\u2069", "bidirectional control U+2069 (POP DIRECTIONAL ISOLATE)"),
]


@pytest.mark.parametrize(("char", "named"), REFUSED, ids=[hex(ord(c)) for c, _ in REFUSED])
def test_refused_characters_are_named_with_their_position(char: str, named: str) -> None:
    problem = text_problem(f"abc{char}def")
    assert problem is not None
    assert named in problem and "at character 4" in problem


@pytest.mark.parametrize(
    "text",
    [
        "tab\tnewline\ncr\r",
        "Équipe — 模型 — نموذج",
        "emoji 🙂 and 𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
        "marks \u200e\u200f\u061c stay",  # direction marks reorder nothing beyond themselves
        "\ufffd replacement character",
        "",
    ],
)
def test_ordinary_text_is_kept(text: str) -> None:
    assert text_problem(text) is None


def test_length_limits() -> None:
    assert text_problem("x" * limits.MAX_TEXT) is None
    assert "limit is 1,048,576" in (text_problem("x" * (limits.MAX_TEXT + 1)) or "")
    assert key_problem("k" * limits.MAX_KEY) is None
    assert "limit is 1,024" in (key_problem("k" * (limits.MAX_KEY + 1)) or "")
    assert key_problem(3) == "key '3' must be a string: quote it"


def test_numbers_are_finite_and_64_bit() -> None:
    assert number_problem(limits.MAX_INT) is None and number_problem(limits.MIN_INT) is None
    assert "outside the 64-bit range" in (number_problem(limits.MAX_INT + 1) or "")
    assert "outside the 64-bit range" in (number_problem(10**5000) or "")  # no str() of it
    assert number_problem(float("inf"), written="1e400") == (
        "'1e400' is not a finite number (JSON cannot hold it)"
    )
    assert number_problem(float("nan")) is not None
    assert number_problem(True) is None
    assert "limit is 100" in (limits.number_text_problem("9" * 101) or "")


def _nested(depth: int) -> Any:
    value: Any = "leaf"
    for _ in range(depth):
        value = [value]
    return value


@pytest.mark.parametrize(
    ("data", "path", "message"),
    [
        ({"a": {"b": ["ok", "\u202e"]}}, "a.b[1]", "bidirectional control U+202E"),
        ({"a": {"k\ufffe": 1}}, "a", "key 'k\\ufffe': contains the noncharacter U+FFFE"),
        ({"a": {1: "x"}}, "a", "key '1' must be a string"),
        ({"a": [float("nan")]}, "a[0]", "not a finite number"),
        ({"a": 2**64}, "a", "outside the 64-bit range"),
        ({"x": _nested(64)}, "x[0][0]", "nested deeper than 64 levels"),
        ({"x": list(range(100_000))}, "x[99998]", "more than 100,000 values"),
        ({"x": limits.Refused("duplicate key 'y': keep one")}, "x", "duplicate key 'y'"),
    ],
    ids=["bidi", "key", "int-key", "nan", "big-int", "deep", "many", "refused"],
)
def test_check_tree_names_the_field(data: Any, path: str, message: str) -> None:
    with pytest.raises(RecordError) as info:
        check_tree(data, source="<body>")
    (problem,) = info.value.problems
    assert (problem.source, problem.path) == ("<body>", path)
    assert message in problem.message


def test_check_tree_accepts_data_at_the_limits() -> None:
    check_tree({"x": _nested(63), "y": list(range(99_000))})


def test_parse_record_holds_plain_data_to_the_policy() -> None:
    data = {
        "umr": 1,
        "name": "x",
        "version": "1.0.0",
        "kind": "model",
        "extensions": {"lab": {"note": "\u2066hidden\u2069"}},
    }
    with pytest.raises(RecordError, match=r"extensions\.lab\.note: contains the bidirectional"):
        parse_record(data, source="<body>[0]")


def test_texts_false_leaves_strings_to_the_caller_but_checks_the_rest() -> None:
    """A notebook keeps its code cells only; its outputs hold terminal escapes."""
    from umr.spec.jsonio import load_json

    doc = '{"cells": [{"outputs": ["\\u001b[31mred"]}]}'
    with pytest.raises(RecordError, match="control character"):
        load_json(doc)
    assert load_json(doc, texts=False)["cells"][0]["outputs"] == ["\x1b[31mred"]
    with pytest.raises(RecordError, match="key 'a\\\\x1bb'"):
        check_tree({"a\x1bb": 1}, texts=False)  # keys are still held to the policy
    with pytest.raises(RecordError, match="nested deeper than 64"):
        load_json("[" * 70 + "]" * 70, texts=False)
    with pytest.raises(RecordError, match="not a finite number"):
        load_json('{"x": NaN}', texts=False)
