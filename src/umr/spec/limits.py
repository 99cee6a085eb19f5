"""The one set of input limits, and the one text policy, for every input path.

YAML record and advisory files, JSON request bodies, importers and any parser added later all
hold what they read to the same bounds, checked before (or while) the input is parsed, so a
hostile input costs time proportional to the prefix read before the first limit, never a crash.

A parser calls, at each value it reads:

- :func:`text_problem` for every string (values and mapping keys),
- :func:`number_problem` for every number (:func:`number_text_problem` first, on its digits),
- the depth and count bounds (:data:`MAX_DEPTH`, :data:`MAX_VALUES`) as it goes,

or, for data some other parser already built, :func:`check_tree` once over the whole value.
Each ``*_problem`` function returns the message to show (None when the value is fine), so the
caller can locate it (file, line, field path) the way its input allows; :func:`check_tree`
raises :class:`~umr.errors.RecordError` naming the field itself.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable
from typing import Any

from umr.errors import Problem, RecordError

MAX_BYTES = 4 * 1024 * 1024  # one file; larger ones are refused unread
MAX_DEPTH = 64  # nesting of mappings and lists; the document's top-level mapping is depth 0
MAX_VALUES = 100_000  # values in one document, counted after YAML alias expansion
# A request body may carry a batch of records: its bytes are bounded by the server's body
# limit (``umr serve --max-body-mb``), its values by this, and each record in it by the above.
MAX_BODY_VALUES = 1_000_000
MAX_TEXT = 1024 * 1024  # characters in one string
MAX_KEY = 1024  # characters in one mapping key
MAX_NUMBER_TEXT = 100  # characters in the written form of one number
MAX_INT = 2**63 - 1  # integers lie within the signed 64-bit range
MIN_INT = -(2**63)
MAX_INHERITS = 64  # `inherits` edges from a record to the root of its chain

Path = tuple[str | int, ...]

# XML 1.0 refuses C0 controls other than tab, LF and CR, and surrogates; C1 controls and DEL
# are invisible and refused too. Noncharacters (U+FDD0..U+FDEF and the last two code points of
# every plane) are never text. Bidi embeddings, overrides and isolates can make text display in
# an order other than the one it is stored in, so they are refused everywhere; the implicit
# marks (U+200E, U+200F, U+061C) cannot reorder anything beyond themselves and are kept.
_PLANE_ENDS = "".join(f"{chr(p * 0x10000 + 0xFFFE)}{chr(p * 0x10000 + 0xFFFF)}" for p in range(17))
_REFUSED = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef"
    + _PLANE_ENDS
    + "\u202a-\u202e\u2066-\u2069]"
)
_ASCII_REFUSED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def char_name(ch: str) -> str:
    """``U+202E (RIGHT-TO-LEFT OVERRIDE)``: a character as a message names it."""
    code = ord(ch)
    if 0xD800 <= code <= 0xDFFF:
        return f"U+{code:04X} (a lone surrogate)"
    name = unicodedata.name(ch, "")
    return f"U+{code:04X} ({name})" if name else f"U+{code:04X}"


def text_problem(value: str, *, limit: int = MAX_TEXT) -> str | None:
    """Why ``value`` cannot be record text, or None. Linear in ``len(value)``."""
    if len(value) > limit:
        return (
            f"text of {len(value):,} characters; the limit is {limit:,}: shorten it, or "
            "move long content into an artifact file that the record points to"
        )
    found = (_ASCII_REFUSED if value.isascii() else _REFUSED).search(value)
    if found is None:
        return None
    ch = found.group()
    code = ord(ch)
    at = f"at character {found.start() + 1:,}"
    if code < 0x20 or 0x7F <= code <= 0x9F:
        return (
            f"contains a control character ({ch!r}) {at}; remove it: text fields hold "
            "printable text, newlines and tabs only"
        )
    if 0xD800 <= code <= 0xDFFF:
        return (
            f"contains {char_name(ch)} {at}, which is not a character: the text was "
            "decoded or escaped wrongly; write it as UTF-8"
        )
    if 0x202A <= code <= 0x202E or 0x2066 <= code <= 0x2069:
        return (
            f"contains the bidirectional control {char_name(ch)} {at}, which can make text "
            "display in another order than it is stored: remove it (use U+200E or U+200F, "
            "the direction marks, where a direction must be set)"
        )
    return (
        f"contains the noncharacter {char_name(ch)} {at}, which XML and many tools refuse: "
        "remove it"
    )


def key_problem(key: object) -> str | None:
    """Why ``key`` cannot be a mapping key, or None."""
    if not isinstance(key, str):
        return f"key {str(key)[:80]!r} must be a string: quote it"
    problem = text_problem(key, limit=MAX_KEY)
    return None if problem is None else f"key {key[:80]!r}: {problem}"


def number_text_problem(text: str) -> str | None:
    """Why a number written as ``text`` is refused before it is converted, or None.

    Converting a long digit string costs time quadratic in its length (and Python refuses
    past 4,300 digits), so the written form is bounded first."""
    if len(text) > MAX_NUMBER_TEXT:
        return (
            f"number of {len(text):,} characters; the limit is {MAX_NUMBER_TEXT}: "
            "write it as a quoted string if it is an identifier"
        )
    return None


def number_problem(value: int | float, *, written: str | None = None) -> str | None:
    """Why ``value`` cannot be a record number (JSON holds finite numbers only), or None.
    ``written`` is the number as the input wrote it, shown in the message."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        if MIN_INT <= value <= MAX_INT:
            return None
        return (
            f"integer {_short(written or value)} is outside the 64-bit range ({MIN_INT:,} "
            f"to {MAX_INT:,}): write it as a quoted string"
        )
    if math.isfinite(value):
        return None
    return f"{written or str(value)!r} is not a finite number (JSON cannot hold it)"


def _short(value: object) -> str:
    if isinstance(value, int):  # str() of a huge int costs quadratic time: say its size
        return str(value) if value.bit_length() <= 256 else f"of {value.bit_length():,} bits"
    return repr(value) if len(str(value)) <= 30 else f"{str(value)[:27]!r}..."


def too_deep(limit: int = MAX_DEPTH) -> str:
    return f"nested deeper than {limit} levels: flatten the data"


def too_many(limit: int = MAX_VALUES) -> str:
    return (
        f"the document has more than {limit:,} values: split the record, or move bulk "
        "data into an artifact file that the record points to"
    )


class Refused:
    """Put in place of a value a parser could not accept, so that :func:`check_tree` reports
    it at its field path (a parser's hooks see values, not where they sit)."""

    __slots__ = ("message",)

    def __init__(self, message: str) -> None:
        self.message = message


def format_path(path: Path) -> str:
    """``("upstream", 1, "ref")`` -> ``"upstream[1].ref"``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


_TYPE_TAGS = {"str", "int", "float", "bool", "dict", "list", "tuple", "none", "is-instance"}


def field_path(loc: tuple[Any, ...], data: Any) -> tuple[str | int, ...]:
    """The field path of a pydantic error location: the parts that name keys and indexes of
    ``data``, without the labels pydantic adds for the branch of a union it tried ("str",
    "tuple[...]", "function-after[...]"). A part is a label only where the data has no such
    key, so a field or extension key spelled like a label ("str", "a[b") stays in the path."""
    out: list[str | int] = []
    node = data
    for part in loc:
        if _has_part(node, part):
            node = node[part]
        elif isinstance(part, str) and ("[" in part or part in _TYPE_TAGS):
            continue  # a union branch or validator label
        else:
            node = None  # a missing field: nothing below it to look into
        out.append(part)
    return tuple(out)


def _has_part(node: Any, part: Any) -> bool:
    if isinstance(node, dict):
        return part in node
    return isinstance(node, list | tuple) and isinstance(part, int) and 0 <= part < len(node)


Locate = Callable[[Path, str], Problem]


def check_tree(
    data: Any,
    *,
    source: str | None = None,
    locate: Locate | None = None,
    path: Path = (),
    max_depth: int = MAX_DEPTH,
    max_values: int = MAX_VALUES,
    texts: bool = True,
) -> None:
    """Hold already-parsed plain data to the limits and the text policy.

    Raises RecordError at the first problem, naming its field path (and, through ``locate``,
    its line where the caller knows it). Values other than dict, list, tuple, str, int, float,
    bool and None are left to the schema that reads them (a ``Version``, say). Linear in the
    size of ``data``, and never deeper than :data:`MAX_DEPTH` + 1 Python frames.

    ``texts=False`` leaves string values to the caller (keys are still checked): for a
    document of which umr keeps only a part, such as a notebook's code cells beside outputs
    that hold terminal escapes, the caller holds that part to :func:`text_problem` itself."""
    counter = [0]

    def fail(where: Path, message: str) -> RecordError:
        if locate is not None:
            return RecordError([locate(where, message)])
        return RecordError([Problem(source=source, path=format_path(where), message=message)])

    _walk(data, path, 0, (counter, max_depth, max_values, texts), fail)


# (values counted so far, max depth, max values, whether strings are held to the text policy)
_Bounds = tuple[list[int], int, int, bool]


def _walk(
    value: Any, path: Path, depth: int, bounds: _Bounds, fail: Callable[[Path, str], Exception]
) -> None:
    counter, max_depth, max_values, texts = bounds
    counter[0] += 1
    if counter[0] > max_values:
        raise fail(path[:3], too_many(max_values))
    if depth > max_depth:
        raise fail(path[:3], too_deep(max_depth))
    if isinstance(value, str):
        problem = text_problem(value) if texts else None
        if problem is not None:
            raise fail(path, problem)
        return
    if isinstance(value, int | float):
        problem = number_problem(value)
        if problem is not None:
            raise fail(path, problem)
        return
    if isinstance(value, Refused):
        raise fail(path, value.message)
    if isinstance(value, dict):
        for key, child in value.items():
            problem = key_problem(key)
            if problem is not None:
                raise fail(path, problem)
            _walk(child, (*path, key), depth + 1, bounds, fail)
    elif isinstance(value, list | tuple):
        for i, child in enumerate(value):
            _walk(child, (*path, i), depth + 1, bounds, fail)
