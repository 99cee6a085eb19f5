"""``umr scan``: the models and datasets a project uses, found statically, and what reaches them.

Nothing of the project is imported or run, and nothing is fetched. :func:`extract` walks the
given paths and reads Python files, notebooks, config files and ``[tool.umr]``;
:func:`scan` maps every reference to published records through the identifiers they carry
(``aliases`` and ``hf://`` artifacts) and audits each record found.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from umr.errors import NotFoundError
from umr.registry.aliases import AliasRow
from umr.registry.store import Registry
from umr.scan.files import FileSkipped, config_file, notebook, pyproject, python_file
from umr.scan.python import Found
from umr.scan.refs import Location, Reference, Unresolved
from umr.scan.report import ScanFinding, ScanReport, Use
from umr.spec.versions import Version

__all__ = [
    "Location",
    "Reference",
    "ScanFinding",
    "ScanReport",
    "Unresolved",
    "Use",
    "extract",
    "scan",
]

Reader = Callable[[Path, str], Iterator[Found]]
_READERS: dict[str, Reader] = {
    ".py": python_file,
    ".ipynb": notebook,
    ".yaml": config_file,
    ".yml": config_file,
    ".json": config_file,
    ".toml": config_file,
}
_SKIP_DIRS = frozenset({"node_modules", "__pycache__"})


def _files(root: Path) -> Iterator[Path]:
    """Files under ``root`` in a stable order, without hidden folders, virtual environments
    (a folder holding ``pyvenv.cfg``) or ``node_modules``, and without following links."""
    if root.is_file():
        yield root
        return
    for here, dirs, names in os.walk(root):
        dirs[:] = sorted(
            d
            for d in dirs
            if not d.startswith(".")
            and d not in _SKIP_DIRS
            and not (Path(here) / d / "pyvenv.cfg").exists()
        )
        for name in sorted(names):
            if Path(name).suffix in _READERS:
                yield Path(here) / name


def extract(paths: Iterable[str | Path], report: ScanReport | None = None) -> ScanReport:
    """Read every file under ``paths``; references not yet resolved are kept in ``unknown``."""
    report = report or ScanReport(roots=[str(p) for p in paths])
    for root in map(Path, report.roots):
        if not root.exists():
            raise NotFoundError(f"{root}: no such file or folder", hint="check the path")
        for path in _files(root):
            shown = str(path)
            readers = [_READERS[path.suffix]]
            if path.name == "pyproject.toml":
                readers.append(pyproject)
            report.files += 1
            try:
                for reader in readers:
                    for item in reader(path, shown):
                        if isinstance(item, Unresolved):
                            report.unresolved.append(item)
                        else:
                            report.unknown.append(item)
            except FileSkipped as exc:
                report.skipped.append((shown, exc.message))
            except OSError as exc:
                report.skipped.append((shown, exc.strerror or str(exc)))
    return report


def scan(paths: Iterable[str | Path], registry: Registry) -> ScanReport:
    """Extract the project's references, resolve them in ``registry`` and audit each record
    (with :meth:`Registry.audit`, all in one read snapshot of the registry)."""
    if not registry.stats()["records"]:
        raise NotFoundError(
            f"the registry holds no records ({registry.describe()}): nothing to match against",
            hint="load one first: 'umr demo load --with timm,open-clip', or 'umr publish "
            "records/' (or pass --registry)",
        )
    report = extract(paths)
    with registry.snapshot():
        _resolve(report, registry)
        for record in sorted({r for u in report.uses for r in u.records}):
            report.audits[record] = registry.audit(record)
        upgrades = {
            f.fix.ref
            for a in report.audits.values()
            for f in a.findings
            if f.fix and f.fix.kind == "upgrade" and f.fix.ref
        }
        for ref in sorted(upgrades):
            aliases = registry.get_ref(ref).aliases
            if aliases:
                report.aliases[ref] = tuple(str(a) for a in aliases)
    return report


def _resolve(report: ScanReport, registry: Registry) -> None:
    """Move each reference that names published records from ``unknown`` to ``uses``.

    An identifier belongs to the record versions that carry it (aliases are not inherited):
    a reference resolves, for each name that answers to it, to the highest release among that
    name's versions carrying it, yanked ones left out (a prerelease only when no release
    carries it). So the original LAION-2B-en Hub id resolves to ``laion-2b-en`` 1.x and
    Re-LAION's to 2.x, whatever the name's latest version."""
    index = _alias_index(registry.aliases())
    found, unknown = [], []
    for ref in report.unknown:
        names: set[str] = set()
        for key in ref.keys:
            if key.startswith("record:"):
                try:
                    names = {registry.get_ref(key.removeprefix("record:")).id}
                except NotFoundError:
                    names = set()
            else:
                names = set(index.get(key, ()))
            if names:
                break
        if names:
            found.append(Use(reference=ref, records=tuple(sorted(names))))
        else:
            unknown.append(ref)
    report.uses, report.unknown = found, unknown


def _alias_index(rows: Iterable[AliasRow]) -> dict[str, set[str]]:
    """Alias key -> ``name@version`` of the version of each name that the key resolves to."""
    best: dict[tuple[str, str], AliasRow] = {}
    for row in rows:
        if row.yanked:
            continue
        for key in row.keys:
            held = best.get((key, row.name))
            if held is None or _rank(row) > _rank(held):
                best[(key, row.name)] = row
    index: dict[str, set[str]] = {}
    for (key, name), row in best.items():
        index.setdefault(key, set()).add(f"{name}@{row.version}")
    return index


def _rank(row: AliasRow) -> tuple[bool, Version]:
    return (not row.version.prerelease, row.version)
