"""``umr bump``: propose a record's next version from what changed since the last one."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from umr.spec.diff import Change, bump_level
from umr.spec.diff import diff as diff_records
from umr.spec.load import load_record
from umr.spec.source import RecordSource
from umr.spec.versions import Version


@dataclass(frozen=True)
class Proposal:
    path: Path
    current: Version
    previous: Version | None
    changes: list[Change]
    proposed: Version | None
    taken: bool = False  # the file's version is published with other content
    published_as_is: bool = False  # ... or with this very content

    @property
    def stale(self) -> bool:
        """True when the file's version is lower than the rule asks for."""
        return self.proposed is not None and self.current < self.proposed

    def text(self) -> str:
        if self.published_as_is:
            return f"{self.path}: {self.current} is published with this content; nothing to bump"
        if self.taken:
            head = [str(c) for c in self.changes]
            level = bump_level(self.changes)
            return "\n".join(
                [
                    *head,
                    f"{level} change from the published {self.previous} (published versions "
                    f"are immutable): next version {self.proposed}",
                ]
            )
        if self.previous is None:
            return f"{self.path}: no earlier version to compare with; {self.current} stands"
        head = [str(c) for c in self.changes] or ["no changes"]
        level = bump_level(self.changes)
        if self.proposed is None:
            verdict = f"nothing changed since {self.previous}"
        elif self.stale:
            verdict = (
                f"{level} change since {self.previous}: next version {self.proposed} "
                f"(file says {self.current})"
            )
        else:
            verdict = f"{level} change since {self.previous}: {self.current} is fine"
        return "\n".join([*head, verdict])


_VERSION_LINE = re.compile(r"^(version\s*:\s*)(['\"]?)([^'\"\s#]+)\2", re.MULTILINE)


def propose_bump(
    path: Path,
    source: RecordSource,
    *,
    write: bool = False,
    published: RecordSource | None = None,
) -> Proposal:
    """The version ``path`` should carry. When ``published`` (a registry) already holds the
    file's own version with other content, the comparison is with that published record (a
    published version is immutable) and the proposal is the next version at the change's
    level that is not taken; otherwise with the latest other version in ``source``."""
    record = load_record(path)
    if published is not None:
        taken = _taken(published, record.name)
        if record.version in taken:
            changes = diff_records(published.get(record.name, record.version), record)
            if not changes:
                return Proposal(
                    path, record.version, record.version, [], None, published_as_is=True
                )
            step = bump_level(changes) or "patch"
            free = record.version.bump(step)
            while free in taken:
                free = free.bump(step)
            proposal = Proposal(path, record.version, record.version, changes, free, taken=True)
            if write:
                _rewrite(path, free)
                proposal = Proposal(path, free, record.version, changes, free, taken=True)
            return proposal
    others = [v for v in source.versions(record.name) if v != record.version]
    older = [v for v in others if v < record.version] or others
    if not older:
        return Proposal(path, record.version, None, [], None)
    previous = max(older)
    changes = diff_records(source.get(record.name, previous), record)
    level = bump_level(changes)
    proposed = previous.bump(level) if level else None
    proposal = Proposal(path, record.version, previous, changes, proposed)
    if write and proposal.stale and proposed is not None:
        _rewrite(path, proposed)
        proposal = Proposal(path, proposed, previous, changes, proposed)
    return proposal


def _taken(published: RecordSource, name: str) -> set[Version]:
    """Every published version of ``name``, yanked ones too (a yanked version stays taken)."""
    every = getattr(published, "version_states", None)
    if every is not None:
        return {v for v, _ in every(name)}
    return set(published.versions(name))


def _rewrite(path: Path, version: Version) -> None:
    text = path.read_text(encoding="utf-8")
    path.write_text(
        _VERSION_LINE.sub(rf"\g<1>\g<2>{version}\g<2>", text, count=1), encoding="utf-8"
    )
