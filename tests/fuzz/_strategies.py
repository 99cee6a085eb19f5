"""Hypothesis strategies for the fuzz targets: hostile text, record-shaped data, valid records.

Hostile data leans on what breaks parsers and outputs: characters the text policy refuses,
YAML and JSON syntax characters, huge and non-finite numbers, pydantic's type names as keys,
deep and wide nesting. Valid records are built field by field from the record format, with
text that passes the policy, so every renderer can be fed any of them.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from typing import Any

import yaml
from hypothesis import strategies as st

from umr.spec import FIELDS, KINDS, SEVERITIES, Relation
from umr.spec.limits import MAX_INT, MIN_INT

# Characters that have broken something, or could: refused ones, syntax, escapes, direction.
HOSTILE_CHARS = (
    "\x00\x07\x08\x0b\x1b\x7f\x85\x9b\ud800\udc00\udfff\ufdd0\ufdef\ufeff\ufffe\uffff"
    "\U0001fffe\U0010ffff\u200e\u200f\u061c\u202a\u202e\u2066\u2069\u2028\u2029"
    "[]{}:,-?&*!|>'\"#%@`\\\n\r\t <>=^~$_/{}"
)
TYPE_NAMES = ["str", "int", "float", "bool", "dict", "list", "tuple", "none", "is-instance"]


@functools.cache
def text(max_size: int = 30) -> st.SearchStrategy[str]:
    """Any text, weighted towards hostile characters."""
    return st.text(
        alphabet=st.one_of(
            st.characters(exclude_categories=()),  # surrogates included
            st.sampled_from(HOSTILE_CHARS),
        ),
        max_size=max_size,
    )


@functools.cache
def numbers() -> st.SearchStrategy[Any]:
    return st.one_of(
        st.integers(),
        st.integers(min_value=MIN_INT, max_value=MAX_INT),
        st.sampled_from([2**63, -(2**63) - 1, 10**400]),
        st.integers(4000, 6000).map(lambda digits: 10**digits),  # past Python's str() limit
        st.floats(allow_nan=True, allow_infinity=True),
    )


@functools.cache
def scalars() -> st.SearchStrategy[Any]:
    return st.one_of(
        st.none(),
        st.booleans(),
        numbers(),
        text(),
        st.sampled_from(["1.0.0", "^1", "x@^1", "2024-01-02", "yes", ".nan", "0x1F", "1:30"]),
    )


@functools.cache
def keys() -> st.SearchStrategy[Any]:
    return st.one_of(
        text(12),
        st.sampled_from([*FIELDS, *TYPE_NAMES, "a[b", "<<", "function-after[x]", "[key]"]),
        st.integers(-3, 3),
    )


@functools.cache
def trees(max_leaves: int = 25) -> st.SearchStrategy[Any]:
    """Plain data of any shape (non-string keys and non-finite numbers included)."""
    return st.recursive(
        scalars(),
        lambda kids: st.one_of(
            st.lists(kids, max_size=4),
            st.dictionaries(keys(), kids, max_size=4),
        ),
        max_leaves=max_leaves,
    )


def deep(depth: int) -> Any:
    value: Any = "leaf"
    for _ in range(depth):
        value = [value]
    return value


@st.composite
def record_like(draw: st.DrawFn) -> dict[Any, Any]:
    """Mostly the shape of a record, with any value in any field."""
    data: dict[Any, Any] = {
        "umr": draw(st.sampled_from([1, 1, 1, 2, "1", None])),
        "name": draw(st.one_of(slugs(12), text())),
        "version": draw(st.one_of(st.sampled_from(["1.0.0", "2.1.0-rc.1", "1.0"]), text(10))),
        "kind": draw(st.one_of(st.sampled_from(KINDS), text(6))),
    }
    for field in draw(st.lists(st.sampled_from(FIELDS[4:]), max_size=6, unique=True)):
        data[field] = draw(trees())
    for key in draw(st.lists(keys(), max_size=2)):
        data[key] = draw(scalars())
    if draw(st.booleans()):
        data.pop(draw(st.sampled_from(["umr", "name", "version", "kind"])))
    return data


_HUGE = re.compile(r"""["']?HUGE(\d+)["']?""")


def _placeholders(data: Any) -> Any:
    """Integers too long for str() (Python refuses past 4,300 digits) as placeholders that
    :func:`_digits` writes out after dumping."""
    if isinstance(data, dict):
        return {_placeholders(k): _placeholders(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_placeholders(v) for v in data]
    if isinstance(data, int) and not isinstance(data, bool) and data.bit_length() > 10_000:
        return f"HUGE{data.bit_length() * 3 // 10}"
    return data


def _digits(text: str) -> str:
    return _HUGE.sub(lambda m: "9" * int(m.group(1)), text)


def _yaml_text(data: Any, flow: bool) -> str:
    try:
        dumped = yaml.safe_dump(
            _placeholders(data), allow_unicode=True, sort_keys=False, default_flow_style=flow
        )
    except (yaml.YAMLError, ValueError, TypeError, UnicodeEncodeError):
        return "x: 1\n"
    return _digits(str(dumped))


def _json_text(data: Any) -> str:
    try:
        return _digits(json.dumps(_placeholders(data), ensure_ascii=False))
    except (ValueError, TypeError):
        return "{}"


@st.composite
def mutated(draw: st.DrawFn, base: str) -> str:
    """``base`` with a few characters inserted, deleted or replaced."""
    out = base
    for _ in range(draw(st.integers(0, 4))):
        pos = draw(st.integers(0, len(out)))
        action = draw(st.sampled_from(["insert", "delete", "replace"]))
        char = draw(st.sampled_from(HOSTILE_CHARS))
        if action == "insert":
            out = out[:pos] + char + out[pos:]
        elif action == "delete":
            out = out[:pos] + out[pos + 1 :]
        else:
            out = out[:pos] + char + out[pos + 1 :]
    return out


@st.composite
def yaml_documents(draw: st.DrawFn) -> str:
    """YAML text: record-shaped data dumped in block or flow style, then perhaps mutated, or
    plain hostile text."""
    kind = draw(st.sampled_from(["record", "record", "tree", "text"]))
    if kind == "text":
        return draw(text(200))
    data = draw(record_like()) if kind == "record" else draw(trees())
    base = _yaml_text(data, draw(st.booleans()))
    return draw(mutated(base)) if draw(st.booleans()) else base


@st.composite
def json_documents(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(["record", "record", "tree", "text"]))
    if kind == "text":
        return draw(text(200))
    data = draw(record_like()) if kind == "record" else draw(trees())
    base = _json_text(data)
    return draw(mutated(base)) if draw(st.booleans()) else base


# ---- valid records -------------------------------------------------------------------------

_REFUSED = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff"
    "\U0001fffe\U0001ffff\U0010fffe\U0010ffff\u202a-\u202e\u2066-\u2069]"
)


@functools.cache
def clean_text(min_size: int = 0, max_size: int = 40) -> st.SearchStrategy[str]:
    """Text that passes the policy, still rich in markup and script characters."""
    return text(max_size).map(lambda s: _REFUSED.sub("", s)).filter(lambda s: len(s) >= min_size)


@functools.cache
def slugs(max_size: int = 20) -> st.SearchStrategy[str]:
    return st.from_regex(rf"[a-z0-9][a-z0-9_-]{{0,{max_size}}}", fullmatch=True)


@functools.cache
def versions() -> st.SearchStrategy[str]:
    part = st.integers(0, 10**6).map(str)
    pre = st.from_regex(
        r"(rc|alpha|beta)(\.(0|[1-9][0-9]{0,3}|[a-z][0-9a-z]{0,3})){0,2}", fullmatch=True
    )
    return st.tuples(part, part, part, st.none() | pre).map(
        lambda t: f"{t[0]}.{t[1]}.{t[2]}" + (f"-{t[3]}" if t[3] else "")
    )


@functools.cache
def ranges() -> st.SearchStrategy[str]:
    return st.one_of(
        st.just("*"),
        versions(),
        versions().map(lambda v: "^" + v),
        versions().map(lambda v: "~" + v),
        st.tuples(versions(), versions()).map(lambda t: f">={t[0]} <{t[1]}"),
        st.just("1.x || >=2.0.0"),
    )


@functools.cache
def http_urls() -> st.SearchStrategy[str]:
    path = st.from_regex(r"[A-Za-z0-9._~%!$&()*+,;=:@/?#-]{0,30}", fullmatch=True)
    return path.map(lambda p: f"https://example.org/{p}")


@functools.cache
def clean_values(max_leaves: int = 12) -> st.SearchStrategy[Any]:
    leaf = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(MIN_INT, MAX_INT),
        st.floats(allow_nan=False, allow_infinity=False),
        clean_text(),
    )
    return st.recursive(
        leaf,
        lambda kids: st.one_of(
            st.lists(kids, max_size=4), st.dictionaries(clean_text(0, 12), kids, max_size=4)
        ),
        max_leaves=max_leaves,
    )


def _optional(draw: st.DrawFn, strategy: st.SearchStrategy[Any]) -> Any:
    return draw(strategy) if draw(st.booleans()) else None


@functools.cache
def _record_fields() -> dict[str, st.SearchStrategy[Any]]:
    """A strategy per optional record field, each value valid."""
    unlearning = st.fixed_dictionaries(
        {},
        optional={
            "method": st.one_of(clean_text(), st.integers(MIN_INT, MAX_INT)),
            "forget": st.dictionaries(
                st.sampled_from(["size", "kind", "sha256"]), clean_values(3), max_size=3
            ),
            "before": st.dictionaries(st.sampled_from(["forget_acc", "test_acc"]), clean_values(2)),
            "after": st.dictionaries(st.sampled_from(["forget_acc", "tow"]), clean_values(2)),
            "fraction_changed": clean_values(1),
        },
    )
    return {
        "title": clean_text(),
        "summary": clean_text(0, 200),
        "description": clean_text(0, 400),
        "publisher": clean_text(),
        "license": st.one_of(
            clean_text(1),
            st.fixed_dictionaries(
                {"id": clean_text(1)}, optional={"name": clean_text(), "url": http_urls()}
            ),
        ),
        "released": st.dates(dt.date(1900, 1, 1), dt.date(2100, 1, 1)).map(str),
        "artifacts": st.lists(
            st.fixed_dictionaries(
                {
                    "uri": st.sampled_from(
                        ["hf://a/b/c.bin", "s3://x/y", "https://e.org/w?x=%3Cy%3E&a=b"]
                    )
                },
                optional={
                    "sha256": st.from_regex(r"[0-9a-f]{64}", fullmatch=True),
                    "size": st.integers(0, MAX_INT),
                    "format": clean_text(),
                },
            ),
            max_size=3,
        ),
        "evaluations": st.lists(
            st.fixed_dictionaries(
                {
                    "benchmark": clean_text(1),
                    "metric": clean_text(1),
                    "value": st.one_of(
                        st.floats(allow_nan=False, allow_infinity=False),
                        st.integers(MIN_INT, MAX_INT),
                        st.booleans(),
                        clean_text(),
                    ),
                },
                optional={"split": clean_text(), "source": http_urls(), "notes": clean_text()},
            ),
            max_size=3,
        ),
        "risks": st.lists(
            st.fixed_dictionaries(
                {
                    "category": clean_text(1),
                    "severity": st.sampled_from(SEVERITIES),
                    "summary": clean_text(1),
                }
            ),
            max_size=3,
        ),
        "transparency": st.dictionaries(
            slugs(8),
            st.dictionaries(
                slugs(8),
                st.fixed_dictionaries(
                    {"answer": st.booleans()},
                    optional={"evidence": http_urls(), "note": clean_text()},
                ),
                max_size=3,
            ),
            max_size=2,
        ),
        "references": st.lists(
            st.fixed_dictionaries({"url": http_urls()}, optional={"title": clean_text()}),
            max_size=3,
        ),
        "tags": st.lists(clean_text(), max_size=4),
        "task": clean_text(),
        "languages": st.lists(clean_text(), max_size=3),
        "extensions": st.dictionaries(slugs(8), clean_values(), max_size=3).flatmap(
            lambda ext: st.one_of(st.just(ext), unlearning.map(lambda u: {**ext, "unlearning": u}))
        ),
    }


@functools.cache
def _upstream_edges() -> st.SearchStrategy[list[dict[str, Any]]]:
    return st.lists(
        st.fixed_dictionaries(
            {
                "ref": st.sampled_from(["up-a", "up-b"]),
                "relation": st.sampled_from([r.value for r in Relation]),
            },
            optional={"note": clean_text(), "uncertain": st.booleans()},
        ),
        max_size=3,
    )


@st.composite
def valid_records(draw: st.DrawFn, name: str | None = None) -> dict[str, Any]:
    """Plain data of a valid record (every optional field perhaps present)."""
    fields = _record_fields()
    data: dict[str, Any] = {
        "umr": 1,
        "name": name or draw(slugs().filter(lambda s: not s.startswith("up-"))),
        "version": draw(versions()),
        "kind": draw(st.sampled_from(KINDS)),
    }
    for field in draw(st.lists(st.sampled_from(sorted(fields)), unique=True)):
        data[field] = draw(fields[field])
    upstream = draw(_upstream_edges())
    if upstream:
        data["upstream"] = [
            {**edge, "ref": edge["ref"] + draw(st.sampled_from(["", "@^1", "@*", "@>=1.0.0 <9"]))}
            for edge in upstream
        ]
    if draw(st.booleans()):
        data["inherits"] = "up-base@^1"
    return data
