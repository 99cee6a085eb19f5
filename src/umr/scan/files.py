"""What a scan reads: Python files, notebooks, config files and ``[tool.umr]``.

Each reader takes one file's text and yields :class:`Reference` and :class:`Unresolved`
items, or raises :class:`FileSkipped` saying why the file could not be read (it is listed,
never fatal). Files are read whole only below :data:`MAX_FILE_BYTES`.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from umr.errors import UmrError
from umr.scan.python import Found, may_reference, scan_source
from umr.scan.refs import Kind, Location, Reference, hf_keys
from umr.spec.aliases import Alias
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
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise FileSkipped(f"{size:,} bytes; files over {MAX_FILE_BYTES:,} are not read")
    try:
        return path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FileSkipped(f"not UTF-8 (byte {exc.start:,})") from None


def python_file(path: Path, shown: str) -> Iterator[Found]:
    text = read_text(path)
    if not may_reference(text):
        return
    try:
        yield from scan_source(text, shown)
    except SyntaxError as exc:
        raise FileSkipped(f"line {exc.lineno}: does not parse as Python ({exc.msg})") from None
    except (RecursionError, MemoryError):
        raise FileSkipped("nested too deeply to read") from None


def notebook(path: Path, shown: str) -> Iterator[Found]:
    """The code cells of a Jupyter notebook, read as one module (names carry across cells, as
    they do in a kernel); each line is located by its cell and its line in the .ipynb file."""
    text = read_text(path)
    try:
        cells = json.loads(text).get("cells") or []
    except (ValueError, AttributeError):
        raise FileSkipped("not a Jupyter notebook (JSON with 'cells')") from None
    raw_lines = text.splitlines()
    cursor = 0
    lines: list[str] = []
    places: list[Location] = []
    for number, cell in enumerate(cells, start=1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source") or []
        source = "".join(source) if isinstance(source, list) else str(source)
        for line in source.splitlines():
            needle = json.dumps(line)[1:-1]
            found = next((i for i in range(cursor, len(raw_lines)) if needle in raw_lines[i]), None)
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
        try:
            data: Any = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise FileSkipped(f"does not parse as TOML ({exc})") from None
    else:
        try:
            data, marks = load_yaml(text, source=shown)  # JSON is read as YAML, with lines
        except UmrError as exc:
            raise FileSkipped(f"does not parse: {exc.message.splitlines()[0]}") from None
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
    try:
        table = tomllib.loads(text).get("tool", {}).get("umr", {})
    except tomllib.TOMLDecodeError as exc:
        raise FileSkipped(f"does not parse as TOML ({exc})") from None
    for field in ("models", "datasets", "records"):
        for value in table.get(field) or ():
            if not isinstance(value, str):
                raise FileSkipped(f"[tool.umr] {field}: {value!r} is not a string")
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
