"""Where refs resolve: any object with ``versions(name)`` and ``get(name, version)``.

A :class:`Workspace` (a folder of YAML files) is one such source; the registry is another.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Protocol, runtime_checkable

from umr.errors import NotFoundError, Problem, RecordError, UmrError
from umr.spec.load import load_record
from umr.spec.record import Record
from umr.spec.refs import Ref
from umr.spec.versions import Version


@runtime_checkable
class RecordSource(Protocol):
    def versions(self, name: str) -> list[Version]:
        """Versions of ``name`` that new resolution may pick, ascending."""
        ...

    def get(self, name: str, version: Version) -> Record:
        """One record; raises NotFoundError if absent."""
        ...

    def describe(self) -> str:
        """Where this source is, for messages ("workspace ./records")."""
        ...


def find(source: RecordSource, ref: Ref) -> Record:
    """The highest version of ``ref.name`` in ``source`` that ``ref.range`` admits."""
    versions = source.versions(ref.name)
    if not versions:
        raise NotFoundError(
            f"no record named {ref.name!r} in {source.describe()}",
            hint="check the spelling, or add/publish that record first",
        )
    best = ref.range.max_satisfying(versions)
    if best is None:
        shown = ", ".join(str(v) for v in versions[-10:])
        raise NotFoundError(
            f"{str(ref)!r} matches no version of {ref.name!r} in {source.describe()} "
            f"(available: {shown})",
            hint=f"widen the range, e.g. '{ref.name}@*', or publish a matching version",
        )
    return source.get(ref.name, best)


_SKIP_DIRS = {".git", ".umr", ".venv", "venv", "node_modules", "__pycache__", ".hg"}
_STARTS_RECORD = re.compile(rb"^\s*umr\s*:\s*1\s*(#.*)?$", re.MULTILINE)


def _looks_like_record(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            head = fh.read(4096)
    except OSError:
        return False
    for line in head.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith(b"#") or stripped == b"---":
            continue
        return bool(_STARTS_RECORD.match(line))
    return False


def iter_yaml_files(root: Path) -> Iterator[Path]:
    """YAML files under ``root`` (or ``root`` itself), skipping tool folders, sorted."""
    if root.is_file():
        yield root
        return
    for path in sorted(root.rglob("*")):
        if any(part in _SKIP_DIRS for part in path.relative_to(root).parts[:-1]):
            continue
        if path.suffix in (".yaml", ".yml") and path.is_file():
            yield path


class Workspace:
    """A folder of record files; file names do not matter, ``name``/``version`` do."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        self._index: dict[str, dict[Version, Path]] | None = None
        self._cache: dict[Path, Record] = {}
        self.skipped: list[Problem] = []

    def describe(self) -> str:
        return f"workspace {str(self.root)!r}"

    def record_files(self) -> list[Path]:
        if not self.root.exists():
            return []
        return [p for p in iter_yaml_files(self.root) if _looks_like_record(p)]

    def _load(self, path: Path) -> Record:
        if path not in self._cache:
            self._cache[path] = load_record(path)
        return self._cache[path]

    def index(self) -> dict[str, dict[Version, Path]]:
        """name -> version -> file, built on first use.

        The workspace is a place to look refs up, so files that do not load are skipped here
        (and listed in ``skipped``); ``umr validate`` reports them when it is asked to.
        """
        if self._index is None:
            self._index, self.skipped = self._build_index()
        return self._index

    def _build_index(self) -> tuple[dict[str, dict[Version, Path]], list[Problem]]:
        index: dict[str, dict[Version, Path]] = {}
        skipped: list[Problem] = []
        for path in self.record_files():
            try:
                rec = self._load(path)
            except RecordError as exc:
                skipped.extend(exc.problems)
                continue
            except UmrError as exc:
                skipped.append(Problem(source=str(path), message=exc.message))
                continue
            if rec.version in index.setdefault(rec.name, {}):
                skipped.append(
                    Problem(
                        source=str(path),
                        path="version",
                        message=f"{rec.id} is also defined in "
                        f"{index[rec.name][rec.version]}; using that one",
                    )
                )
                continue
            index[rec.name][rec.version] = path
        return index, skipped

    def versions(self, name: str) -> list[Version]:
        return sorted(self.index().get(name, {}))

    def get(self, name: str, version: Version) -> Record:
        try:
            return self._load(self.index()[name][version])
        except KeyError:
            raise NotFoundError(f"{name}@{version} is not in {self.describe()}") from None

    def records(self) -> Iterable[Record]:
        for name in sorted(self.index()):
            for version in sorted(self.index()[name]):
                yield self.get(name, version)


class MemorySource:
    """Records held in memory (a batch being validated or published), optionally over a fallback."""

    def __init__(
        self,
        records: Iterable[Record] = (),
        *,
        fallback: RecordSource | None = None,
        label: str = "the given records",
    ):
        self._records: dict[str, dict[Version, Record]] = {}
        self.fallback = fallback
        self.label = label
        for rec in records:
            self.add(rec)

    def add(self, record: Record) -> None:
        self._records.setdefault(record.name, {})[record.version] = record

    def describe(self) -> str:
        return self.label + (f" or {self.fallback.describe()}" if self.fallback else "")

    def versions(self, name: str) -> list[Version]:
        mine = set(self._records.get(name, {}))
        if self.fallback is not None:
            mine.update(self.fallback.versions(name))
        return sorted(mine)

    def get(self, name: str, version: Version) -> Record:
        rec = self._records.get(name, {}).get(version)
        if rec is not None:
            return rec
        if self.fallback is not None:
            return self.fallback.get(name, version)
        raise NotFoundError(f"{name}@{version} is not among {self.describe()}")

    def records(self) -> list[Record]:
        return [r for vs in self._records.values() for r in vs.values()]
