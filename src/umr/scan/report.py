"""A scan's result: what the project uses, what reaches it, and what the scan could not read.

Findings come from :meth:`umr.registry.Registry.audit` of every record the project's
references resolve to, grouped by advisory and route, each with the code locations that
reach it and what would clear it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from umr.registry.advisories import RANK, Advisory
from umr.registry.audit import AuditReport
from umr.registry.lineage import Edge, path_text
from umr.scan.refs import Location, Reference, Unresolved


@dataclass(frozen=True, kw_only=True)
class Use:
    """A reference and the published records it resolved to (several when ids collide)."""

    reference: Reference
    records: tuple[str, ...]  # name@version, each the latest release of its name


@dataclass(frozen=True, kw_only=True)
class ScanFinding:
    """One advisory reaching one record the project uses, by one route, and where."""

    advisory: Advisory
    used: str  # the record the code names
    affected: str  # the record the advisory names
    route: tuple[Edge, ...]
    locations: tuple[Location, ...]

    @property
    def severity(self) -> str:
        return self.advisory.severity

    def fix(self) -> str:
        fixed = ", ".join(f"{f.name} {f.version}" for f in self.advisory.fixed)
        if fixed:
            return (
                f"fixed in {fixed}: move to weights built on it, or remove the affected data's "
                "influence ('umr unlearn') and publish the result as a new version"
            )
        return (
            f"no fixed version of {self.affected.partition('@')[0]} is published: replace "
            f"{self.used.partition('@')[0]} or remove the data's influence ('umr unlearn'); "
            f"see 'umr advisory show {self.advisory.id}'"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "advisory": self.advisory.id,
            "severity": self.severity,
            "summary": self.advisory.summary,
            "used": self.used,
            "affected": self.affected,
            "route": [e.to_dict() for e in self.route],
            "locations": [loc.to_dict() for loc in self.locations],
            "fix": self.fix(),
        }


@dataclass(kw_only=True)
class ScanReport:
    roots: list[str]
    files: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, why)
    uses: list[Use] = field(default_factory=list)
    unknown: list[Reference] = field(default_factory=list)
    unresolved: list[Unresolved] = field(default_factory=list)
    audits: dict[str, AuditReport] = field(default_factory=dict)

    def findings(self) -> list[ScanFinding]:
        where: dict[str, list[Location]] = {}
        for use in self.uses:
            for record in use.records:
                where.setdefault(record, []).append(use.reference.location)
        out = [
            ScanFinding(
                advisory=f.advisory,
                used=record,
                affected=f.record,
                route=f.path,
                locations=tuple(where.get(record, ())),
            )
            for record, report in self.audits.items()
            for f in report.findings
        ]
        return sorted(out, key=lambda f: (-RANK[f.severity], f.advisory.id, f.used, f.affected))

    def worst(self) -> str | None:
        return max((f.severity for f in self.findings()), key=RANK.__getitem__, default=None)

    def fails(self, threshold: str) -> bool:
        return any(RANK[f.severity] >= RANK[threshold] for f in self.findings())

    def to_dict(self) -> dict[str, Any]:
        return {
            "roots": self.roots,
            "files": self.files,
            "references": len(self.uses) + len(self.unknown),
            "findings": [f.to_dict() for f in self.findings()],
            "uses": [{**u.reference.to_dict(), "records": list(u.records)} for u in self.uses],
            "not_in_registry": [r.to_dict() for r in self.unknown],
            "unresolved": [u.to_dict() for u in self.unresolved],
            "skipped": [{"path": p, "reason": why} for p, why in self.skipped],
        }

    def text(self) -> str:
        findings = self.findings()
        lines = [
            f"umr scan: {self.files} file(s), {len(self.uses) + len(self.unknown)} reference(s) "
            f"({len(self.uses)} in the registry, {len(self.unknown)} not), "
            f"{len(self.unresolved)} unresolved"
        ]
        advisory = None
        for f in findings:
            if f.advisory.id != advisory:
                advisory = f.advisory.id
                lines += ["", f"{f.severity} {f.advisory.id} {f.advisory.summary}"]
            lines += [
                f"  {path_text(f.used, f.route)}",
                *(f"    used at {loc}" for loc in f.locations),
                f"    fix: {f.fix()}",
            ]
        if self.unknown:
            lines += ["", f"not in the registry ({len(self.unknown)}):"]
            lines += [f"  {r.location} {r.api} {r.text!r}" for r in self.unknown]
        if self.unresolved:
            lines += ["", f"unresolved ({len(self.unresolved)}):"]
            lines += [f"  {u}" for u in self.unresolved]
        if self.skipped:
            lines += ["", f"not read ({len(self.skipped)}):"]
            lines += [f"  {p}: {why}" for p, why in self.skipped]
        lines.append("")
        if findings:
            lines.append(f"{len(findings)} finding(s); worst: {self.worst()}")
        else:
            lines.append("no known advisory reaches the models and datasets found")
        if self.unknown or self.unresolved:
            lines.append(
                "next: record what is not in the registry ('umr import hf-card', 'umr publish') "
                "and list what code builds at run time under [tool.umr] in pyproject.toml"
            )
        return "\n".join(lines)
