"""Validate record files: syntax, schema, inheritance and refs, every problem located."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from umr.errors import Problem, RecordError
from umr.spec.batch import BatchCheck
from umr.spec.canonical import digest
from umr.spec.inherit import Resolver
from umr.spec.load import load_record_text, read_text
from umr.spec.names import new_name_problems
from umr.spec.record import Record
from umr.spec.source import MemorySource, RecordSource, iter_yaml_files
from umr.spec.yamlio import Marks


@dataclass
class Report:
    """What ``umr validate`` found."""

    files: int = 0
    records: list[Record] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict[str, object]:
        return {
            "ok": self.ok,
            "files": self.files,
            "records": [r.id for r in self.records],
            "problems": [p.to_dict() for p in self.problems],
        }


def collect_files(paths: Iterable[str | Path]) -> list[Path]:
    """Files named directly, plus the record files found under named folders."""
    from umr.spec.source import _looks_like_record

    out: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            out.extend(f for f in iter_yaml_files(p) if _looks_like_record(f))
        else:
            out.append(p)
    return out


def load_files(files: Iterable[Path], report: Report) -> list[tuple[Record, Marks]]:
    """Load each file; a ``name@version`` defined twice must have one content (publishing
    stores it once), else it is a problem."""
    loaded: list[tuple[Record, Marks]] = []
    seen: dict[str, tuple[str, str]] = {}  # id -> (file, digest)
    for path in files:
        report.files += 1
        if not path.exists():
            report.problems.append(Problem(source=str(path), message="no such file"))
            continue
        try:
            record, marks = load_record_text(read_text(path), source=str(path))
        except RecordError as exc:
            report.problems.extend(exc.problems)
            continue
        dig = digest(record.to_dict())
        if record.id in seen:
            where, other = seen[record.id]
            if other != dig:
                report.problems.append(
                    marks.locate(
                        ("version",),
                        f"{record.id} is also defined in {where} with other content: bump one",
                    )
                )
            continue
        seen[record.id] = (str(path), dig)
        loaded.append((record, marks))
    return loaded


def check_refs(
    loaded: list[tuple[Record, Marks]], fallback: RecordSource | None, report: Report
) -> None:
    """The batch checks publishing runs (:class:`umr.spec.batch.BatchCheck`), over the files
    read: refs resolve, no lineage cycle, every record resolves within the depth rule."""
    source = MemorySource((r for r, _ in loaded), fallback=fallback)
    marks = {r.id: m for r, m in loaded}
    records = [r for r, _ in loaded]
    check = BatchCheck(source, lambda record, path, message: marks[record.id].locate(path, message))
    check.lock(records)
    check.resolve(records, Resolver(source))
    report.problems.extend(check.problems)
    report.records.extend(r for r in records if r.id not in check.failed)


Registered = Callable[[Iterable[str]], tuple[set[str], dict[str, str]]]


def check_names(
    loaded: list[tuple[Record, Marks]], registered: Registered | None, report: Report
) -> None:
    """The name check publishing runs (:func:`umr.spec.names.new_name_problems`): a new name
    ends in a letter or digit, not in a served suffix, and reads like no other new name of the
    files nor (with ``registered``, the registry's answer) a registered one."""
    names = {r.name for r, _ in loaded}
    known, taken = registered(names) if registered is not None else (set(), {})
    refused = new_name_problems(names, known, taken)
    first: dict[str, Marks] = {}
    for record, marks in loaded:
        first.setdefault(record.name, marks)
    report.problems.extend(first[name].locate(("name",), why) for name, why in refused.items())
    report.records[:] = [r for r in report.records if r.name not in refused]


def validate_paths(
    paths: Iterable[str | Path],
    *,
    source: RecordSource | None = None,
    registered: Registered | None = None,
) -> Report:
    """Validate files and folders as publishing them would: refs resolve against the files
    themselves, then ``source``; names pass the publish name check, against the registry
    when ``registered`` (:meth:`umr.registry.Registry.registered_names`) is given."""
    report = Report()
    loaded = load_files(collect_files(paths), report)
    check_refs(loaded, source, report)
    check_names(loaded, registered, report)
    return report
