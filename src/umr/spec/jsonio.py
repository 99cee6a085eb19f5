"""Bounded JSON: the same limits and text policy as YAML records (:mod:`umr.spec.limits`).

Python's ``json`` accepts ``NaN`` and ``Infinity``, turns ``1e400`` into infinity, converts
digit strings of any length (quadratic time, and an error past 4,300 digits) and keeps the last
of two equal keys. :func:`load_json` refuses each of these, naming the field, and checks size,
nesting and the number of values before the document is parsed: the pre-pass is linear (a
regular expression without backtracking removes the strings, then the structure is counted),
so a hostile body costs time proportional to its size, which is bounded first.
"""

from __future__ import annotations

import json
import re
from typing import Any

from umr.errors import Problem, RecordError
from umr.spec import limits
from umr.spec.limits import MAX_BYTES, MAX_DEPTH, MAX_VALUES, Refused
from umr.spec.yamlio import decode_utf8

# A JSON string, unrolled so that it never backtracks; an unterminated one is left for the
# parser to report.
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_EMPTY = re.compile(r"\[\s*\]|\{\s*\}")
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")


def load_json(
    data: str | bytes,
    *,
    source: str = "<string>",
    max_bytes: int = MAX_BYTES,
    max_depth: int = MAX_DEPTH,
    max_values: int = MAX_VALUES,
    texts: bool = True,
) -> Any:
    """Parse one JSON document into plain data held to the input limits; RecordError if not.

    ``source`` names the input in messages (a file name, or ``<body>`` for a request). The
    limits are a record file's unless given (a request body carrying a batch of records has
    its own: see :func:`umr.web._http.json_body`). ``texts=False``: see
    :func:`umr.spec.limits.check_tree`."""
    size = len(data) if isinstance(data, bytes) else len(data.encode("utf-8", "surrogatepass"))
    if size > max_bytes:
        raise _fail(source, f"{size:,} bytes; the limit is {max_bytes:,}: send less at once")
    text = decode_utf8(data, source=source) if isinstance(data, bytes) else data
    _prescan(text, source, max_depth, max_values)
    try:
        value = json.loads(
            text,
            parse_constant=_constant,
            parse_int=_int,
            parse_float=_float,
            object_pairs_hook=_object,
        )
    except json.JSONDecodeError as exc:
        raise RecordError(
            [
                Problem(
                    source=source,
                    line=exc.lineno,
                    column=exc.colno,
                    message=f"JSON syntax: {exc.msg}",
                )
            ],
            hint="give one JSON document (RFC 8259), UTF-8 encoded",
        ) from None
    limits.check_tree(value, source=source, max_depth=max_depth, max_values=max_values, texts=texts)
    return value


def _fail(source: str, message: str) -> RecordError:
    return RecordError([Problem(source=source, message=message)])


def _prescan(text: str, source: str, max_depth: int, max_values: int) -> None:
    """Refuse, before parsing, a document with too many values or nested too deep."""
    bare = _STRING.sub('""', text)
    opens = bare.count("[") + bare.count("{")
    # Every value but the first follows a comma or opens a non-empty container; keys are not
    # values. Exact for valid JSON, and invalid JSON fails in the parser anyway.
    values = 1 + bare.count(",") + opens - len(_EMPTY.findall(bare))
    if values > max_values:
        raise _fail(source, limits.too_many(max_values))
    depth = 0
    for ch in _NOT_BRACKET.sub("", bare):
        if ch in "[{":
            depth += 1
            if depth > max_depth + 1:  # the top-level value is at depth 0
                raise _fail(source, limits.too_deep(max_depth))
        else:
            depth -= 1


def _constant(text: str) -> Refused:
    return Refused(f"{text!r} is not a finite number (JSON cannot hold it)")


def _int(text: str) -> int | Refused:
    problem = limits.number_text_problem(text)
    return int(text) if problem is None else Refused(problem)


def _float(text: str) -> float | Refused:
    problem = limits.number_text_problem(text)
    if problem is not None:
        return Refused(problem)
    value = float(text)
    problem = limits.number_problem(value, written=text)
    return value if problem is None else Refused(problem)


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            out[key] = Refused(f"duplicate key {key!r}: keep one")
        else:
            out[key] = value
    return out
