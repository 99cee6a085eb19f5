"""What a scan reads: Python files, notebooks, config files and ``[tool.umr]``.

Each reader takes one file's text and yields :class:`Reference` and :class:`Unresolved`
items, or raises :class:`FileSkipped` saying why the file could not be read (it is listed,
never fatal). Only regular files are read, and only below :data:`MAX_FILE_BYTES`. Configs and
notebooks are parsed under the input limits of :mod:`umr.spec.limits` (YAML through
:func:`~umr.spec.yamlio.load_yaml`, JSON through :func:`~umr.spec.jsonio.load_json`, TOML
checked with :func:`~umr.spec.limits.check_tree`): a file past a limit is listed as not read.
A notebook's outputs often hold terminal escapes, so there the text policy applies to the
code cells only.
"""

from __future__ import annotations

import bisect
import json
import re
import stat
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from umr.errors import RecordError, UmrError
from umr.scan.python import Found, may_reference, scan_source
from umr.scan.refs import Kind, Location, Reference, hf_keys
from umr.spec.aliases import Alias
from umr.spec.jsonio import load_json
from umr.spec.limits import MAX_BODY_VALUES, check_tree, text_problem
from umr.spec.refs import Ref
from umr.spec.yamlio import load_yaml

MAX_FILE_BYTES = 2 * 1024 * 1024  # larger files are listed as skipped, not read
# config keys that name a model or dataset, as training scripts and Hub tooling use them
MODEL_KEYS = frozenset(
    {"model_name_or_path", "pretrained_model_name_or_path", "base_model", "model_id"}
)
DATASET_KEYS = frozenset({"dataset_name"})
_MAGIC = re.compile(r"^\s*[%!]")  # IPython magics and shell escapes: not Python


class FileSkipped(UmrError, ValueError):
    """A file the scan could not read (too large, not UTF-8, does not parse)."""


def read_text(path: Path) -> str:
    """The file's text; a FIFO, device or socket (which could block or never end) and a file
    over :data:`MAX_FILE_BYTES` are skipped unread."""
    mode = path.stat().st_mode
    if not stat.S_ISREG(mode):
        raise FileSkipped("not a regular file")
    with path.open("rb") as f:
        data = f.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise FileSkipped(f"over {MAX_FILE_BYTES:,} bytes; larger files are not read")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FileSkipped(f"not UTF-8 (byte {exc.start:,})") from None


def _first_line(exc: UmrError) -> str:
    """The first problem, without the file name (the listing names the file)."""
    if isinstance(exc, RecordError) and exc.problems:
        p = exc.problems[0]
        where = " ".join(x for x in (f"line {p.line}" if p.line else "", p.path) if x)
        return f"{where}: {p.message}" if where else p.message
    return exc.message.splitlines()[0] if exc.message else str(exc)


def _toml(text: str, shown: str) -> Any:
    """TOML held to the input limits (tomllib recurses on nesting: past Python's stack it
    raises RecursionError, which is caught here before any value is used)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise FileSkipped(f"does not parse as TOML ({exc})") from None
    except RecursionError:
        raise FileSkipped("nested too deeply to read") from None
    try:
        check_tree(data, source=shown)
    except UmrError as exc:
        raise FileSkipped(f"does not parse: {_first_line(exc)}") from None
    return data


def python_file(path: Path, shown: str) -> Iterator[Found]:
    text = read_text(path)
    if not may_reference(text):
        return
    try:
        yield from scan_source(text, shown)
    except SyntaxError as exc:
        raise FileSkipped(f"line {exc.lineno}: does not parse as Python ({exc.msg})") from None
    except RecursionError:
        raise FileSkipped("nested too deeply to read") from None
    except MemoryError:
        raise FileSkipped("too large to read") from None


def notebook(path: Path, shown: str) -> Iterator[Found]:
    """The code cells of a Jupyter notebook, read as one module (names carry across cells, as
    they do in a kernel); each line is located by its cell and its line in the .ipynb file."""
    text = read_text(path)
    try:
        data = load_json(text, source=shown, max_values=MAX_BODY_VALUES, texts=False)
    except UmrError as exc:
        raise FileSkipped(f"does not parse: {_first_line(exc)}") from None
    cells = data.get("cells") if isinstance(data, dict) else None
    if not isinstance(cells, list):
        raise FileSkipped("not a Jupyter notebook (JSON with 'cells')")
    rows = _SourceRows(text)
    cursor = 0
    lines: list[str] = []
    places: list[Location] = []
    for number, cell in enumerate(cells, start=1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source") or []
        source = "".join(map(str, source)) if isinstance(source, list) else str(source)
        problem = text_problem(source)
        if problem is not None:
            raise FileSkipped(f"cell {number}: {problem}")
        for line in source.splitlines():
            found = rows.find(line, cursor)
            if found is not None:
                cursor = found
            lines.append("" if _MAGIC.match(line) else line)
            places.append(Location(path=shown, line=(found or cursor) + 1, cell=number))
        lines.append("")
        places.append(Location(path=shown, line=cursor + 1, cell=number))

    def place(line: int) -> Location:
        return places[min(line, len(places)) - 1] if places else Location(path=shown, line=1)

    try:
        yield from scan_source("\n".join(lines), shown, place)
    except SyntaxError as exc:
        where = place(exc.lineno or 1)
        raise FileSkipped(f"cell {where.cell}: does not parse as Python ({exc.msg})") from None


# one JSON string alone on its line (with its comma), as nbformat writes each source line, or
# a whole source written as one string after its key
_SOURCE_ROW = re.compile(r'\s*(?:"source"\s*:\s*)?("(?:[^"\\]|\\.)*")\s*,?\s*')


class _SourceRows:
    """Where each code line sits in the .ipynb text. nbformat writes a cell's source as a list
    of strings, one a line (or as one string); a code line is placed at the first such line at
    or after the previous one that holds it, looked up in an index, so placing every line
    costs time linear in the file."""

    def __init__(self, text: str) -> None:
        self.at: dict[str, list[int]] = {}
        for number, raw in enumerate(text.splitlines()):
            match = _SOURCE_ROW.fullmatch(raw)
            if match is None:
                continue
            try:
                value = json.loads(match.group(1))
            except ValueError:
                continue
            for line in value.splitlines():
                self.at.setdefault(line, []).append(number)

    def find(self, line: str, cursor: int) -> int | None:
        rows = self.at.get(line, [])
        i = bisect.bisect_left(rows, cursor)
        return rows[i] if i < len(rows) else None


def _config_refs(data: Any, path: tuple[str | int, ...], found: list[tuple[Any, ...]]) -> None:
    if isinstance(data, dict):
        for key, value in data.items():
            if isinstance(value, str) and key in MODEL_KEYS | DATASET_KEYS:
                found.append(((*path, key), key, value))
            else:
                _config_refs(value, (*path, key), found)
    elif isinstance(data, list):
        for i, item in enumerate(data):
            _config_refs(item, (*path, i), found)


def config_file(path: Path, shown: str) -> Iterator[Found]:
    """``model_name_or_path``-style keys in a YAML, JSON or TOML file, at any depth."""
    text = read_text(path)
    if not any(k in text for k in MODEL_KEYS | DATASET_KEYS):
        return  # most configs name no model: skip parsing them
    lines: dict[tuple[str | int, ...], int] = {}
    if path.suffix == ".toml":
        data: Any = _toml(text, shown)
    else:
        try:
            data, marks = load_yaml(text, source=shown)  # JSON is read as YAML, with lines
        except UmrError as exc:
            raise FileSkipped(f"does not parse: {_first_line(exc)}") from None
        lines = {p: line for p, (line, _) in marks.positions.items()}
    found: list[tuple[Any, ...]] = []
    _config_refs(data, (), found)
    for where, key, value in found:
        line = lines.get(where) or _line_of(text, key, value)
        dataset = key in DATASET_KEYS
        keys = hf_keys(value, dataset=dataset)
        if keys:
            kind: Kind = "dataset" if dataset else "model"
            yield Reference(
                location=Location(path=shown, line=line),
                api=f"config {key}",
                kind=kind,
                text=value,
                keys=keys,
            )


def _line_of(text: str, key: str, value: str) -> int:
    for number, line in enumerate(text.splitlines(), start=1):
        if key in line and value in line:
            return number
    return 1


def pyproject(path: Path, shown: str) -> Iterator[Found]:
    """``[tool.umr]``: what the code builds at run time, listed by hand.

    ``models`` and ``datasets`` take aliases (``hf:org/name``, ``timm:arch.tag``, ...) or plain
    Hub ids; ``records`` takes record refs (``llama-2-7b@^1``)."""
    text = read_text(path)
    if "tool.umr" not in text:
        return
    tool = _toml(text, shown).get("tool")
    table = tool.get("umr") if isinstance(tool, dict) else None
    if not isinstance(table, dict):
        return
    for field in ("models", "datasets", "records"):
        values = table.get(field, [])
        if not isinstance(values, list):
            raise FileSkipped(f"[tool.umr] {field}: a list of strings, got {values!r:.60}")
        for value in values:
            if not isinstance(value, str):
                raise FileSkipped(f"[tool.umr] {field}: {value!r:.60} is not a string")
            line = _line_of(text, value, value)
            dataset = field == "datasets"
            yield Reference(
                location=Location(path=shown, line=line),
                api=f"[tool.umr] {field}",
                kind="dataset" if dataset else "model",
                text=value,
                keys=_listed_keys(field, value, dataset),
            )


def _listed_keys(field: str, value: str, dataset: bool) -> tuple[str, ...]:
    if field == "records":
        try:
            return (f"record:{Ref.parse(value)}",)
        except UmrError as exc:
            raise FileSkipped(f"[tool.umr] records: {exc.message}") from None
    if ":" in value:
        try:
            return (Alias.parse(value).key,)
        except UmrError as exc:
            raise FileSkipped(f"[tool.umr] {field}: {exc.message}") from None
    keys = hf_keys(value, dataset=dataset)
    if not keys:
        raise FileSkipped(f"[tool.umr] {field}: {value!r} is neither an alias nor a Hub id")
    return keys
