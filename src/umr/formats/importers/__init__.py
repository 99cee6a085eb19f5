"""Importers: records from other formats, written into a workspace.

Each importer is a function ``(path) -> ImportResult`` registered by name; it never writes
files itself. :func:`import_into` writes the records and reports what could not be carried
over, so the user knows what to fill in by hand.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from umr.errors import NotFoundError, RecordError

_BUILTINS = ("hf_card", "cyclonedx", "umr_legacy", "timm", "open_clip")


@dataclass(kw_only=True)
class ImportResult:
    records: list[dict[str, Any]] = field(default_factory=list)  # plain record data
    lost: list[str] = field(default_factory=list)  # "where: what was not carried over"
    # "where: how the source contradicts itself", and which reading was imported
    disagreements: list[str] = field(default_factory=list)


@dataclass(kw_only=True)
class ImportReport:
    written: list[Path]
    lost: list[str]
    unchanged: list[Path] = field(default_factory=list)  # already held what would be written
    disagreements: list[str] = field(default_factory=list)

    def text(self) -> str:
        lines = [f"wrote {p}" for p in self.written]
        lines += [f"unchanged {p}" for p in self.unchanged]
        if self.disagreements:
            lines.append(f"disagreements in the source ({len(self.disagreements)}):")
            lines += [f"  - {item}" for item in self.disagreements]
        if self.lost:
            lines.append(f"not carried over ({len(self.lost)}):")
            lines += [f"  - {item}" for item in self.lost]
        else:
            lines.append("everything was carried over")
        if self.written or self.unchanged:
            where = (self.written or self.unchanged)[0].parent
            lines.append(f"next: review the files, then run 'umr validate {where}'")
        return "\n".join(lines)


Importer = Callable[[Path], ImportResult]  # zoo importers also take None: the installed package
_IMPORTERS: dict[str, Importer] = {}
_loaded = False


def register(name: str) -> Callable[[Importer], Importer]:
    def deco(func: Importer) -> Importer:
        _IMPORTERS[name] = func
        return func

    return deco


def available() -> list[str]:
    global _loaded
    if not _loaded:
        _loaded = True
        for module in _BUILTINS:
            importlib.import_module(f"umr.formats.importers.{module}")
    return list(_IMPORTERS)


def read(kind: str, path: str | Path | None) -> ImportResult:
    """Parse ``path`` with importer ``kind`` (validated records, nothing written); the zoo
    importers (``timm``, ``open-clip``) read the installed package when ``path`` is None."""
    if kind not in available():
        raise NotFoundError(
            f"no importer {kind!r}; available: {', '.join(_IMPORTERS)}",
            hint="run 'umr import --help'",
        )
    return _IMPORTERS[kind](Path(path) if path is not None else None)  # type: ignore[arg-type]


def import_into(
    kind: str, path: str | Path | None, workspace: str | Path, *, force: bool = False
) -> ImportReport:
    """Import ``path`` and write one YAML file per record under ``workspace``.

    All or nothing: every record is validated, and every target checked, before the first file
    is written; a target that exists with other content is refused unless ``force``. Each file
    is written to a temporary name and renamed, so none is ever left half written."""
    from umr.spec import dump_yaml, parse_record

    result = read(kind, path)
    root = Path(workspace)
    planned: dict[Path, tuple[str, str]] = {}  # target: (content, record id)
    for data in result.records:
        record = parse_record(data, source=str(path or kind))  # refuse to write an invalid one
        target = root / f"{record.name}-{record.version}.yaml"
        content = dump_yaml(record.to_dict())
        if target in planned:
            if planned[target][0] == content:
                continue  # the same record listed twice (e.g. a component and an ancestor)
            raise RecordError(
                f"{path}: {planned[target][1]} and {record.id} differ but would both be written "
                f"to {target.name}",
                hint="make the two names or versions in the source distinct (names are "
                "normalized to slugs, so 'Foo' and 'foo' are one name)",
            )
        planned[target] = (content, record.id)
    not_files = [str(t) for t in planned if t.exists() and not t.is_file()]
    if not_files:
        raise RecordError(
            f"nothing imported: {', '.join(not_files)} exist but are not files",
            hint="move them aside or import into another --workspace",
        )
    unchanged = {
        t
        for t, (content, _) in planned.items()
        if t.exists() and t.read_bytes() == content.encode("utf-8")
    }
    clashes = [str(t) for t in planned if t.exists() and t not in unchanged]
    if clashes and not force:
        raise RecordError(
            f"nothing imported: {len(clashes)} file(s) already exist with other content: "
            + ", ".join(clashes),
            hint="move them aside, import into another --workspace, or pass --force to "
            "overwrite them",
        )
    root.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for target, (content, _) in planned.items():
        if target in unchanged:  # already what the import would write: leave it be
            continue
        tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        try:
            tmp.write_text(content, encoding="utf-8")
            os.replace(tmp, target)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise RecordError(
                f"wrote {len(written)} of {len(planned) - len(unchanged)} files, then could "
                f"not write {target}: {exc.strerror}",
                hint="fix the cause and run the same command again (with --force if you used "
                "it): the files already written now match and are left as they are",
            ) from None
        written.append(target)
    return ImportReport(
        written=written,
        lost=result.lost,
        unchanged=[t for t in planned if t in unchanged],
        disagreements=result.disagreements,
    )
