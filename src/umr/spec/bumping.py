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

    @property
    def stale(self) -> bool:
        """True when the file's version is lower than the rule asks for."""
        return self.proposed is not None and self.current < self.proposed

    def text(self) -> str:
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


def propose_bump(path: Path, source: RecordSource, *, write: bool = False) -> Proposal:
    record = load_record(path)
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
        text = path.read_text(encoding="utf-8")
        path.write_text(
            _VERSION_LINE.sub(rf"\g<1>\g<2>{proposed}\g<2>", text, count=1), encoding="utf-8"
        )
        proposal = Proposal(path, proposed, previous, changes, proposed)
    return proposal
