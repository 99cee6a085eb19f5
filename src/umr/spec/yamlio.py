"""Safe, bounded YAML: plain data only, every value located.

Nothing is composed by the parser's own composer (PyYAML's C composer recurses once per level
of nesting, so a file of 25,000 ``[`` crashes the interpreter before any check could run).
Instead :func:`load_yaml` reads the parser's event stream, which is produced without recursion,
and builds plain data from it in one pass, holding every value to :mod:`umr.spec.limits` as it
arrives: nesting, the number of values (counted after alias expansion, so a "billion laughs"
file stops at the alias that passes the limit), the length and characters of every string
(:func:`umr.spec.limits.text_problem`) and the size of every number. The first limit reached
stops the read, so a hostile file costs time proportional to the prefix read. Duplicate keys,
unknown tags, merge keys, non-string keys and an alias inside its own anchor are refused, and
the ``line:column`` of every value is kept by its field path.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from typing import Any

import yaml

from umr.errors import Problem, RecordError
from umr.spec import limits
from umr.spec.limits import MAX_BYTES, MAX_DEPTH, MAX_VALUES, format_path

try:  # the C parser is much faster; fall back to the pure-Python one where libyaml is absent
    _Loader: type = yaml.CSafeLoader
    _Dumper: type = yaml.CSafeDumper
except AttributeError:  # pragma: no cover - depends on the PyYAML build
    _Loader = yaml.SafeLoader
    _Dumper = yaml.SafeDumper

__all__ = ["MAX_BYTES", "MAX_DEPTH", "MAX_VALUES", "Marks", "dump_yaml", "format_path", "load_yaml"]

Path = tuple[str | int, ...]

_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"  # kept as its text: records hold JSON data only
_MERGE = "tag:yaml.org,2002:merge"
_CONSTRUCTED = {_INT, _FLOAT, "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null"}
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_IMPLICIT = yaml.resolver.Resolver.yaml_implicit_resolvers
_ScalarEvent, _AliasEvent, _MappingStartEvent = (
    yaml.ScalarEvent,
    yaml.AliasEvent,
    yaml.MappingStartEvent,
)
_SURROGATE = re.compile("[\ud800-\udfff]")
_constructor = yaml.SafeLoader("")  # used only for the core-schema scalar tags above


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


def _fail(source: str, mark: Any, path: Path, message: str) -> RecordError:
    line = col = None
    if mark is not None:
        line, col = mark.line + 1, mark.column + 1
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
        size = len(text) if text.isascii() else len(text.encode("utf-8", "surrogatepass"))
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
    if not text.isascii() and (bad := _SURROGATE.search(text)) is not None:
        line = text.count("\n", 0, bad.start()) + 1
        message = (
            f"contains {limits.char_name(bad.group())}, which is not a character: "
            "write the text as UTF-8"
        )
        raise RecordError([Problem(source=source, line=line, message=message)])
    builder = _Builder(source)
    try:
        builder.run(_Loader(text))
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
    if builder.documents == 0:
        raise _fail(source, None, (), "the file is empty; a record starts with 'umr: 1'")
    return builder.root, Marks(source=source, packed=builder.positions)


_NO_KEY = object()  # a mapping frame waiting for its next key


class _Frame:
    """A mapping or list being built: its value, path, and the key its next value goes to."""

    __slots__ = ("anchor", "height", "is_map", "key", "path", "seen", "start", "value")

    def __init__(self, value: Any, path: Path, anchor: str | None, start: int) -> None:
        self.value = value
        self.path = path
        self.anchor = anchor
        self.start = start  # the value count before this one: its own size is count - start
        self.height = 0  # how far below it its deepest value sits
        self.is_map = isinstance(value, dict)
        self.key: Any = _NO_KEY
        self.seen: dict[str, int] = {}  # key -> line, for duplicate reports


class _Builder:
    """Plain data from a YAML event stream, one event at a time (see the module docstring)."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.stack: list[_Frame] = []
        self.positions: dict[Path, int] = {}
        # anchor -> (value, values it holds, height); None while the anchored value is open
        self.anchors: dict[str, tuple[Any, int, int] | None] = {}
        self.count = 0
        self.documents = 0
        self.root: Any = None

    def run(self, parser: Any) -> None:
        """Read every event of ``parser`` (a PyYAML loader), then dispose of it."""
        stack, get = self.stack, parser.get_event
        node_event, ends = yaml.NodeEvent, (yaml.MappingEndEvent, yaml.SequenceEndEvent)
        try:
            while True:
                event = get()
                if isinstance(event, node_event):
                    top = stack[-1] if stack else None
                    if top is not None and top.is_map and top.key is _NO_KEY:
                        self._key(top, event)
                    else:
                        self._node(top, event)
                elif isinstance(event, ends):
                    frame = stack.pop()
                    if frame.anchor is not None:
                        size = self.count - frame.start
                        self.anchors[frame.anchor] = (frame.value, size, frame.height)
                    self._attach(frame.value, frame.height)
                elif isinstance(event, yaml.DocumentStartEvent) and self.documents:
                    raise _fail(
                        self.source,
                        event.start_mark,
                        (),
                        "more than one YAML document ('---') in the file: keep one record per file",
                    )
                elif isinstance(event, yaml.DocumentEndEvent):
                    self.documents += 1
                elif event is None or isinstance(event, yaml.StreamEndEvent):
                    return
        finally:
            parser.dispose()

    def _attach(self, value: Any, height: int) -> None:
        if not self.stack:
            self.root = value
            return
        top = self.stack[-1]
        if height + 1 > top.height:
            top.height = height + 1
        if top.is_map:
            top.value[top.key] = value
            top.key = _NO_KEY
        else:
            top.value.append(value)

    def _key(self, frame: _Frame, event: yaml.NodeEvent) -> None:
        mark: Any = event.start_mark  # always set on parser events
        if isinstance(event, _AliasEvent):
            raise _fail(
                self.source,
                mark,
                frame.path,
                f"an alias ('*{event.anchor}') cannot be a key: write the key out",
            )
        if not isinstance(event, _ScalarEvent):
            raise _fail(self.source, mark, frame.path, "key '...' must be a string: quote it")
        tag = _tag_of(event)
        if tag == _MERGE:
            raise _fail(
                self.source,
                mark,
                frame.path,
                "merge keys ('<<') are not supported: write the keys out, or use "
                "'inherits:' to build on another record",
            )
        key = event.value
        if tag != _STR:
            raise _fail(self.source, mark, frame.path, f"key {key!r} must be a string: quote it")
        problem = limits.key_problem(key)
        if problem is not None:
            raise _fail(self.source, mark, frame.path, problem)
        if key in frame.seen:
            raise _fail(
                self.source,
                mark,
                (*frame.path, key),
                f"duplicate key {key!r} (first at line {frame.seen[key]}): keep one",
            )
        frame.seen[key] = mark.line + 1
        if event.anchor is not None:
            self.anchors[event.anchor] = (key, 1, 0)
        frame.key = key

    def _node(self, top: _Frame | None, event: yaml.NodeEvent) -> None:
        if top is None:
            path: Path = ()
        else:
            path = (*top.path, top.key if top.is_map else len(top.value))
        mark: Any = event.start_mark  # always set on parser events
        depth = len(self.stack)
        if depth > MAX_DEPTH:
            raise _fail(self.source, mark, path[:3], limits.too_deep())
        self.count += 1
        if self.count > MAX_VALUES:
            raise _fail(self.source, mark, path[:3], limits.too_many())
        self.positions[path] = (mark.line + 1) * _COL + mark.column + 1
        if isinstance(event, _ScalarEvent):
            value = self._scalar(event, path)
            if event.anchor is not None:
                self.anchors[event.anchor] = (value, 1, 0)
            self._attach(value, 0)
        elif isinstance(event, _AliasEvent):
            self._alias(event, path, depth)
        else:
            assert isinstance(event, yaml.CollectionStartEvent)
            is_map = isinstance(event, _MappingStartEvent)
            if event.tag not in (None, "!", _MAP if is_map else _SEQ):
                raise _fail(self.source, mark, path, _tag_message(event.tag))
            if event.anchor is not None:
                self.anchors[event.anchor] = None
            self.stack.append(_Frame({} if is_map else [], path, event.anchor, self.count - 1))

    def _alias(self, event: yaml.AliasEvent, path: Path, depth: int) -> None:
        mark = event.start_mark
        name = event.anchor
        if name not in self.anchors:
            raise _fail(
                self.source, mark, path, f"alias '*{name}' has no anchor '&{name}' before it"
            )
        entry = self.anchors[name]
        if entry is None:
            raise _fail(
                self.source,
                mark,
                path[:3],
                "an alias refers to the value that contains it (endless nesting): "
                "write the data out without '*' aliases",
            )
        value, size, height = entry
        self.count += size - 1
        if self.count > MAX_VALUES:
            raise _fail(
                self.source,
                mark,
                path[:3],
                f"document expands to more than {MAX_VALUES:,} values (alias bomb?): "
                "write the data out without '*' aliases",
            )
        if depth + height > MAX_DEPTH:
            raise _fail(self.source, mark, path[:3], limits.too_deep())
        # A copy, so no two places in the data share one object; the copies together hold
        # at most MAX_VALUES values (the count above).
        self._attach(copy.deepcopy(value) if height else value, height)

    def _scalar(self, event: yaml.ScalarEvent, path: Path) -> Any:
        tag = _tag_of(event)
        text = event.value
        if tag in (_STR, _TIMESTAMP):
            problem = limits.text_problem(text)
            if problem is not None:
                raise _fail(self.source, event.start_mark, path, problem)
            return text
        if tag not in _CONSTRUCTED:
            raise _fail(self.source, event.start_mark, path, _tag_message(tag))
        if tag in (_INT, _FLOAT):
            problem = limits.number_text_problem(text)
            if problem is not None:
                raise _fail(self.source, event.start_mark, path, problem)
        try:
            value = _constructor.construct_object(yaml.ScalarNode(tag, text))
        except (ValueError, KeyError, TypeError, yaml.YAMLError):
            shown = tag.replace("tag:yaml.org,2002:", "!!")
            raise _fail(
                self.source,
                event.start_mark,
                path,
                f"{text[:80]!r} is not a valid {shown}: fix the value or remove the tag",
            ) from None
        if isinstance(value, int | float):
            problem = limits.number_problem(value, written=text)
            if problem is not None:
                raise _fail(self.source, event.start_mark, path, problem)
        return value


def _tag_of(event: yaml.ScalarEvent) -> str:
    """The scalar's tag: as written, else resolved from a plain scalar's text, else str."""
    tag = event.tag
    if tag is not None and tag != "!":
        return str(tag)
    if tag is None and event.implicit[0]:
        value = event.value
        for resolved, regexp in _IMPLICIT.get(value[0] if value else "", ()):
            if regexp.match(value):
                return str(resolved)
    return _STR


def _tag_message(tag: str) -> str:
    shown = tag.replace("tag:yaml.org,2002:", "!!")
    return (
        f"tag {shown!r} is not allowed: records hold plain data (strings, numbers, "
        "booleans, null, lists, mappings); remove the tag"
    )


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
