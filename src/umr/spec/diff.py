"""Field-level differences between two records, and the SemVer bump they call for.

The rule (docs/guide/records.md, "Versioning records"):
- **major**: identity (``name``, ``kind``), lineage (``inherits``, ``upstream``), ``license``,
  any artifact ``uri`` or ``sha256`` change, and any removed field: a consumer's lock or
  compliance decision may no longer hold.
- **minor**: added information (a new field, evaluation, reference, tag, answer...) and changed
  values that are not prose (a corrected score, a new release date).
- **patch**: prose edits (``title``, ``summary``, ``description``, notes and other free text).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from umr.spec.record import Record
from umr.spec.versions import Version
from umr.spec.yamlio import Path, format_path

Level = Literal["major", "minor", "patch"]
_ORDER = {"patch": 0, "minor": 1, "major": 2}
_MAJOR_FIELDS = {"name", "kind", "inherits", "upstream", "license", "umr"}
_PROSE_KEYS = {"title", "summary", "description", "note", "notes", "details", "name"}


@dataclass(frozen=True, kw_only=True)
class Change:
    path: str
    op: Literal["added", "removed", "changed"]
    old: Any = None
    new: Any = None
    level: Level

    def __str__(self) -> str:
        sign = {"added": "+", "removed": "-", "changed": "~"}[self.op]
        if self.op == "added":
            detail = _short(self.new)
        elif self.op == "removed":
            detail = _short(self.old)
        else:
            detail = f"{_short(self.old)} -> {_short(self.new)}"
        return f"{sign} {self.path}: {detail}  [{self.level}]"

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "op": self.op,
            "old": self.old,
            "new": self.new,
            "level": self.level,
        }


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 70 else text[:67] + "..."


def _level(path: Path, op: str, old: Any, new: Any) -> Level:
    top = path[0]
    if top in _MAJOR_FIELDS:
        return "major"
    if top == "artifacts" and op != "added" and (len(path) <= 2 or path[-1] in ("uri", "sha256")):
        return "major"
    if op == "removed":
        return "major"
    if op == "added":
        return "minor"
    last = next((p for p in reversed(path) if isinstance(p, str)), top)
    if last in _PROSE_KEYS and isinstance(old, str) and isinstance(new, str):
        return "patch"
    return "minor"


def _walk(old: Any, new: Any, path: Path, out: list[Change]) -> None:
    if isinstance(old, dict) and isinstance(new, dict):
        for key in old:
            if key not in new:
                p = (*path, key)
                out.append(
                    Change(
                        path=format_path(p),
                        op="removed",
                        old=old[key],
                        level=_level(p, "removed", old[key], None),
                    )
                )
        for key in new:
            p = (*path, key)
            if key not in old:
                out.append(
                    Change(
                        path=format_path(p),
                        op="added",
                        new=new[key],
                        level=_level(p, "added", None, new[key]),
                    )
                )
            else:
                _walk(old[key], new[key], p, out)
    elif isinstance(old, list) and isinstance(new, list):
        for i in range(max(len(old), len(new))):
            p = (*path, i)
            if i >= len(new):
                out.append(
                    Change(
                        path=format_path(p),
                        op="removed",
                        old=old[i],
                        level=_level(p, "removed", old[i], None),
                    )
                )
            elif i >= len(old):
                out.append(
                    Change(
                        path=format_path(p),
                        op="added",
                        new=new[i],
                        level=_level(p, "added", None, new[i]),
                    )
                )
            else:
                _walk(old[i], new[i], p, out)
    elif old != new:
        out.append(
            Change(
                path=format_path(path),
                op="changed",
                old=old,
                new=new,
                level=_level(path, "changed", old, new),
            )
        )


def diff(old: Record | dict[str, Any], new: Record | dict[str, Any]) -> list[Change]:
    """Changes from ``old`` to ``new``, ignoring ``version`` itself."""
    a = old.to_dict() if isinstance(old, Record) else old
    b = new.to_dict() if isinstance(new, Record) else new
    a = {k: v for k, v in a.items() if k != "version"}
    b = {k: v for k, v in b.items() if k != "version"}
    out: list[Change] = []
    _walk(a, b, (), out)
    return out


def bump_level(changes: list[Change]) -> Level | None:
    """The largest level among ``changes``, or None when nothing changed."""
    if not changes:
        return None
    return max((c.level for c in changes), key=_ORDER.__getitem__)


def next_version(previous: Version, changes: list[Change]) -> Version | None:
    level = bump_level(changes)
    return previous.bump(level) if level else None
