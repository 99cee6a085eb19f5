"""Safe, bounded YAML: plain data only, every value located.

PyYAML's C composer builds the node graph (no object is ever constructed from a tag); we then
walk it ourselves so that we can refuse duplicate keys, unknown tags and merge keys, bound the
size after alias expansion (counted on the node graph before anything is built, so a
"billion laughs" file fails at once), refuse an alias inside its own anchor, bound nesting, and
remember the ``line:column`` of every value by its field path.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import yaml

from umr.errors import Problem, RecordError

try:  # the C loader is much faster; fall back to the pure-Python one where libyaml is absent
    _Loader: type = yaml.CSafeLoader
    _Dumper: type = yaml.CSafeDumper
except AttributeError:  # pragma: no cover - depends on the PyYAML build
    _Loader = yaml.SafeLoader
    _Dumper = yaml.SafeDumper

MAX_BYTES = 4 * 1024 * 1024  # a record or advisory file larger than this is refused unread
MAX_DEPTH = 64  # nesting of mappings and sequences
MAX_NODES = 100_000  # nodes after alias expansion

Path = tuple[str | int, ...]

_STR = "tag:yaml.org,2002:str"
_SCALAR_TAGS = {
    _STR,
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",  # kept as its text: records hold JSON data only
}
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_scalar_constructor = yaml.SafeLoader("")  # used only for the core-schema scalar tags above


def format_path(path: Path) -> str:
    """``("upstream", 1, "ref")`` -> ``"upstream[1].ref"``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


_COL = 1 << 24  # a position is packed as line * _COL + column: one int, not a tuple


@dataclass(frozen=True)
class Marks:
    """Where each value of a loaded document starts, by field path (1-based line/column).

    Positions are kept packed in one int each: a batch of records holds tens of values per
    record, and a tuple per value would be one more object for the cyclic GC to scan."""

    source: str
    packed: dict[Path, int]

    @property
    def positions(self) -> dict[Path, tuple[int, int]]:
        """``path -> (line, column)``, unpacked."""
        return {path: divmod(pos, _COL) for path, pos in self.packed.items()}

    def locate(self, path: Path, message: str) -> Problem:
        """A Problem at the longest prefix of ``path`` that has a position."""
        probe = tuple(path)
        while probe and probe not in self.packed:
            probe = probe[:-1]
        pos = self.packed.get(probe)
        line, col = divmod(pos, _COL) if pos is not None else (None, None)
        return Problem(
            source=self.source, line=line, column=col, path=format_path(path), message=message
        )


def _fail(source: str, node: yaml.Node | None, path: Path, message: str) -> RecordError:
    line = col = None
    if node is not None:
        line, col = node.start_mark.line + 1, node.start_mark.column + 1
    return RecordError(
        [Problem(source=source, line=line, column=col, path=format_path(path), message=message)]
    )


def decode_utf8(data: bytes, *, source: str) -> str:
    """``data`` as text (a leading UTF-8 byte-order mark, as some Windows tools write, is
    dropped), or a RecordError naming ``source``, the line and the first bad byte."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise RecordError(
            [
                Problem(
                    source=source,
                    line=line,
                    message=f"not UTF-8 text (byte {exc.start:,} is {data[exc.start]:#04x}): "
                    "save the file as UTF-8",
                )
            ]
        ) from None


def load_yaml(text: str | bytes, *, source: str = "<string>") -> tuple[Any, Marks]:
    """Parse one YAML document into plain data (dict, list, str, int, float, bool, None)."""
    if isinstance(text, bytes):
        size = len(text)
    else:  # a str's UTF-8 size without encoding it when it is ASCII (most records)
        size = len(text) if text.isascii() else len(text.encode("utf-8"))
    if size > MAX_BYTES:
        raise _fail(
            source,
            None,
            (),
            f"file is {size:,} bytes; the limit is {MAX_BYTES:,}: split it or move large "
            "content into an artifact",
        )
    if isinstance(text, bytes):
        text = decode_utf8(text, source=source)
    if "\x00" in text:
        raise _fail(source, None, (), "contains a NUL byte: this is not a text file")
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = Problem(
            source=source,
            line=mark.line + 1 if mark else None,
            column=mark.column + 1 if mark else None,
            message=f"YAML syntax: {exc.problem or exc.context}; fix the indentation or quoting",
        )
        raise RecordError([problem]) from None
    except yaml.YAMLError as exc:
        raise _fail(source, None, (), f"YAML: {exc}") from None
    if node is None:
        raise _fail(source, None, (), "the file is empty; a record starts with 'umr: 1'")
    if "&" in text and "*" in text:  # no anchor, no alias: nothing can expand
        _count(node, (), 0, source, {}, [False])
    positions: dict[Path, int] = {}
    data = _build(node, (), 0, source, positions)
    return data, Marks(source=source, packed=positions)


def _too_many(source: str, node: yaml.Node, path: Path, aliased: bool = False) -> RecordError:
    if aliased:
        message = (
            f"document expands to more than {MAX_NODES:,} values (alias bomb?): "
            "write the data out without '*' aliases"
        )
    else:
        message = (
            f"the document has more than {MAX_NODES:,} values: split the record, or "
            "move bulk data into an artifact file that the record points to"
        )
    return _fail(source, node, path[:3], message)


def _count(
    node: yaml.Node,
    path: Path,
    depth: int,
    source: str,
    memo: dict[int, int],
    aliased: list[bool],
) -> int:
    """How many values ``node`` expands to, each distinct node visited once.

    An alias is the same node object as its anchor, so the memo makes this linear in the size
    of the file however large the expansion; the first node found to expand past MAX_NODES is
    reported. Nesting deeper than MAX_DEPTH is left for ``_build`` to report.
    """
    key = id(node)
    if key in memo:
        aliased[0] = True
        if memo[key] < 0:
            raise _fail(
                source,
                node,
                path[:3],
                "an alias refers to the value that contains it (endless nesting): "
                "write the data out without '*' aliases",
            )
        return memo[key]
    if depth > MAX_DEPTH or isinstance(node, yaml.ScalarNode):
        return 1
    memo[key] = -1
    # A running total, stopping at the first child that passes the limit; child paths are
    # built one at a time (a list of them all would double the memory of a wide document).
    total = 1
    if isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            total += _count(item, (*path, i), depth + 1, source, memo, aliased)
            if total > MAX_NODES:
                raise _too_many(source, node, path, aliased[0])
    else:
        for k, v in node.value:
            where = (*path, k.value if isinstance(k, yaml.ScalarNode) else "?")
            total += _count(v, where, depth + 1, source, memo, aliased)
            if total > MAX_NODES:
                raise _too_many(source, node, path, aliased[0])
    memo[key] = total
    return total


def _build(node: yaml.Node, path: Path, depth: int, source: str, positions: dict[Path, int]) -> Any:
    # A file with anchors and aliases has had its expansion bounded by _count; this bounds a
    # plain file, which is simply too big.
    if len(positions) >= MAX_NODES:
        raise _too_many(source, node, path)
    if depth > MAX_DEPTH:
        raise _fail(
            source, node, path[:3], f"nested deeper than {MAX_DEPTH} levels: flatten the data"
        )
    positions[path] = (node.start_mark.line + 1) * _COL + node.start_mark.column + 1
    if isinstance(node, yaml.ScalarNode):
        return _scalar(node, path, source)
    if isinstance(node, yaml.SequenceNode):
        if node.tag != _SEQ:
            raise _fail(source, node, path, _tag_message(node.tag))
        return [
            _build(item, (*path, i), depth + 1, source, positions)
            for i, item in enumerate(node.value)
        ]
    if isinstance(node, yaml.MappingNode):
        if node.tag != _MAP:
            raise _fail(source, node, path, _tag_message(node.tag))
        out: dict[str, Any] = {}
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise _fail(
                    source,
                    key_node,
                    path,
                    "merge keys ('<<') are not supported: write the keys out, or use "
                    "'inherits:' to build on another record",
                )
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag != _STR:
                shown = key_node.value if isinstance(key_node, yaml.ScalarNode) else "..."
                raise _fail(source, key_node, path, f"key {shown!r} must be a string: quote it")
            key = key_node.value
            if key in seen:
                raise _fail(
                    source,
                    key_node,
                    (*path, key),
                    f"duplicate key {key!r} (first at line {seen[key]}): keep one",
                )
            seen[key] = key_node.start_mark.line + 1
            out[key] = _build(value_node, (*path, key), depth + 1, source, positions)
        return out
    raise _fail(source, node, path, "unsupported YAML node")  # pragma: no cover


def _tag_message(tag: str) -> str:
    shown = tag.replace("tag:yaml.org,2002:", "!!")
    return (
        f"tag {shown!r} is not allowed: records hold plain data (strings, numbers, "
        "booleans, null, lists, mappings); remove the tag"
    )


def _scalar(node: yaml.ScalarNode, path: Path, source: str) -> Any:
    tag = node.tag
    if tag not in _SCALAR_TAGS:
        raise _fail(source, node, path, _tag_message(tag))
    if tag in (_STR, "tag:yaml.org,2002:timestamp"):
        return node.value
    value = _scalar_constructor.construct_object(node)
    if isinstance(value, float) and not math.isfinite(value):
        raise _fail(
            source, node, path, f"{node.value!r} is not a finite number (JSON cannot hold it)"
        )
    return value


def dump_yaml(data: Any) -> str:
    """Plain block YAML, keys in their given order, Unicode kept."""
    return str(
        yaml.dump(
            data,
            Dumper=_Dumper,
            sort_keys=False,
            allow_unicode=True,
            default_flow_style=False,
            width=100,
        )
    )
