"""Load records from YAML files or plain data, with every error located."""

from __future__ import annotations

import re
import stat
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from umr.errors import Problem, RecordError
from umr.spec.limits import MAX_BYTES, check_tree, field_path
from umr.spec.record import FIELDS, Record
from umr.spec.yamlio import Marks, load_yaml
from umr.suggest import did_you_mean

_HINTS = {
    "umr": "start the record with 'umr: 1'",
    "name": "add 'name: <slug>'",
    "version": "add 'version: 1.0.0'",
    "kind": "add 'kind: model' (or dataset, family, system)",
}


def _problem(err: Any, marks: Marks | None, source: str | None, data: Any) -> Problem:
    loc = field_path(tuple(err["loc"]), data)
    kind = err["type"] if loc else "root"
    value = err.get("input")
    shown = repr(value) if not isinstance(value, dict | list) else type(value).__name__
    if len(shown) > 120:
        shown = shown[:117] + "..."
    if kind == "extra_forbidden":
        if len(loc) == 1:
            near = did_you_mean(str(loc[0]), FIELDS)
            msg = (
                f"unknown field {loc[0]!r}; {near + ' ' if near else ''}record fields are: "
                f"{', '.join(FIELDS)}; put anything else under 'extensions: {{<namespace>: ...}}'"
            )
        else:
            msg = f"unknown field {loc[-1]!r} here; check the spelling (see 'umr schema')"
    elif kind == "missing":
        msg = f"required field {loc[-1]!r} is missing"
        if len(loc) == 1 and loc[0] in _HINTS:
            msg += f": {_HINTS[str(loc[0])]}"
    elif kind == "literal_error" and loc == ("umr",):
        msg = f"unsupported spec version {shown}: this umr reads 'umr: 1'"
    else:
        text = err["msg"].replace("valid tuple", "list")
        if text.startswith("Value error, "):  # our own validators quote the value already
            msg = text.removeprefix("Value error, ")
        else:
            msg = f"{text} (got {shown})" if shown not in text else text
        if kind == "enum" and isinstance(value, str):  # a relation, a kind, a severity
            expected = re.findall(r"'([^']*)'", str(err.get("ctx", {}).get("expected", "")))
            near = did_you_mean(value, expected)
            msg += f"; {near}" if near else ""
    if marks is not None:
        return marks.locate(loc, msg)
    from umr.spec.yamlio import format_path

    return Problem(source=source, path=format_path(loc), message=msg)


def parse_record(data: Any, *, marks: Marks | None = None, source: str | None = None) -> Record:
    """Validate plain data as a record; raise RecordError listing every problem, located.

    Data that :func:`~umr.spec.yamlio.load_yaml` read (``marks`` given) was held to the input
    limits and the text policy as it was read; any other data (a JSON body, an importer's
    output, a dict built in code) is held to them here, before the schema sees it."""
    src = marks.source if marks else source
    if marks is None:
        check_tree(data, source=src)
    if not isinstance(data, dict):
        raise RecordError(
            [
                Problem(
                    source=src,
                    line=1,
                    column=1,
                    message="a record is a mapping starting with 'umr: 1'",
                )
            ]
        )
    try:
        return Record.from_dict(data)
    except ValidationError as exc:
        problems = [_problem(e, marks, src, data) for e in exc.errors(include_url=False)]
        raise RecordError(
            problems, hint="fix the fields above, then run 'umr validate' again"
        ) from None


def load_record_text(text: str | bytes, *, source: str = "<string>") -> tuple[Record, Marks]:
    data, marks = load_yaml(text, source=source)
    return parse_record(data, marks=marks), marks


def read_text(path: Path) -> bytes:
    """Read a regular file, refusing oversized ones before reading them (and reading no more
    than the limit, should the file grow meanwhile)."""
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            kind = "a folder" if stat.S_ISDIR(info.st_mode) else "not a regular file"
            raise RecordError([Problem(source=str(path), message=f"cannot read: {kind}")])
        if info.st_size > MAX_BYTES:
            raise RecordError([Problem(source=str(path), message=_too_big(info.st_size))])
        with path.open("rb") as fh:
            data = fh.read(MAX_BYTES + 1)
        if len(data) > MAX_BYTES:
            raise RecordError([Problem(source=str(path), message=_too_big(len(data)))])
        return data
    except OSError as exc:
        raise RecordError(
            [Problem(source=str(path), message=f"cannot read: {exc.strerror}")]
        ) from None


def _too_big(size: int) -> str:
    return f"file is {size:,} bytes; the limit is {MAX_BYTES:,}: split it"


def load_record(path: str | Path) -> Record:
    """Load and validate one record file."""
    p = Path(path)
    record, _ = load_record_text(read_text(p), source=str(p))
    return record
