"""Every published version of a name with what matters before using it: latest, yanked, which
advisories affect it directly, which reach it through its lineage, and which name it fixed
(``umr versions NAME``, the versions list of the web pages; like ``npm view NAME versions``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from umr.registry import advisories as adv
from umr.registry import tables as t
from umr.registry.audit import audit
from umr.spec import Version


@dataclass(frozen=True, kw_only=True)
class VersionInfo:
    version: Version
    latest: bool = False  # what a bare name resolves to
    yanked: bool = False
    yank_reason: str | None = None
    affected: tuple[str, ...] = ()  # advisories whose ranges name this version
    reached: tuple[str, ...] = ()  # advisories that reach it through its lineage
    fixed: tuple[str, ...] = ()  # advisories that name it fixed
    superseded_by: str | None = None  # a newer version an advisory affecting this names fixed

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": str(self.version),
            "latest": self.latest,
            "yanked": self.yanked,
            "yank_reason": self.yank_reason,
            "affected": list(self.affected),
            "reached": list(self.reached),
            "fixed": list(self.fixed),
            "superseded_by": self.superseded_by,
        }

    def marks(self) -> list[str]:
        out = ["latest"] if self.latest else []
        if self.yanked:
            out.append("yanked" + (f" ({self.yank_reason})" if self.yank_reason else ""))
        out += [f"affected by {a}" for a in self.affected]
        out += [f"reached by {a}" for a in self.reached]
        out += [f"fixed for {a}" for a in self.fixed]
        if self.superseded_by:
            out.append(f"superseded by {self.superseded_by}")
        return out


def latest_of(states: list[tuple[Version, bool]]) -> Version | None:
    """The version a bare name resolves to: the highest release that is not yanked; the
    highest prerelease only when no release is live; None when every version is yanked."""
    live = [v for v, yanked in states if not yanked]
    releases = [v for v in live if not v.prerelease]
    return max(releases or live, default=None)


def version_infos(conn: Connection, name: str, *, lineage: bool = True) -> list[VersionInfo]:
    """Every version of ``name``, newest first (empty when there is none). ``lineage`` also
    audits each version for the advisories that reach it through its upstream records."""
    rows = conn.execute(
        select(
            t.records.c.id, t.records.c.version, t.records.c.yanked, t.records.c.yank_reason
        ).where(t.records.c.name == name)
    ).all()
    if not rows:
        return []
    parsed = sorted(
        ((Version.parse(v), rid, bool(y), why) for rid, v, y, why in rows), reverse=True
    )
    latest = latest_of([(v, y) for v, _, y, _ in parsed])
    # in force (not withdrawn): those with an affected entry for this name, those fixing it
    advisories = [a for a in adv.listing(conn, name) if not a.withdrawn]
    fixing = [
        a for a in adv.listing(conn) if not a.withdrawn and any(f.name == name for f in a.fixed)
    ]
    out = []
    for v, rid, yanked, why in parsed:
        ref = f"{name}@{v}"
        affected = tuple(a.id for a in advisories if a.affects(name, v))
        fixed = tuple(a.id for a in fixing if ref in a.fixed_ids())
        reached: tuple[str, ...] = ()
        if lineage:
            found = audit(conn, rid).findings
            reached = tuple(f.advisory.id for f in found if f.advisory.id not in affected)
        # the newest version an advisory in force here names fixed: what `umr audit` tells
        # the owner to upgrade to (the nearest would send them to an older remediation)
        newer = [
            f.version
            for a in [*advisories, *fixing]
            if a.id in affected or a.id in reached
            for f in a.fixed
            if f.name == name and f.version > v
        ]
        superseded = f"{name}@{max(newer)}" if newer else None
        out.append(
            VersionInfo(
                version=v,
                latest=v == latest,
                yanked=yanked,
                yank_reason=why,
                affected=affected,
                reached=reached,
                fixed=fixed,
                superseded_by=superseded,
            )
        )
    return out
