"""A scan's result: what the project uses, what reaches it, and what the scan could not read.

Findings are the audit's own (:meth:`umr.registry.Registry.audit` of every record the project's
references resolve to): one per advisory and record used, with the number of routes that carry
it, the shortest of them, whether it is only possible (every route through an uncertain edge)
and the next step that clears it. The scan adds where the code names the record.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from umr.graph import RANK, AdvisoryInfo, AuditReport, Finding, Fix, Route, path_text, summary_line
from umr.scan.refs import Location, Reference, Unresolved


@dataclass(frozen=True, kw_only=True)
class Use:
    """A reference and the published records it resolved to (several when ids collide)."""

    reference: Reference
    records: tuple[str, ...]  # name@version, each the latest release of its name


@dataclass(frozen=True, kw_only=True)
class ScanFinding:
    """An audit finding on a record the project uses, and the code locations that name it."""

    finding: Finding
    locations: tuple[Location, ...]
    # the identifiers code uses for the version the fix moves to (an upgrade's ``ref``)
    fix_aliases: tuple[str, ...] = ()

    @property
    def advisory(self) -> AdvisoryInfo:
        return self.finding.advisory

    @property
    def used(self) -> str:
        """The record the code names (the audited record)."""
        return self.finding.record

    @property
    def severity(self) -> str:
        return self.finding.severity

    @property
    def possible(self) -> bool:
        return self.finding.possible

    @property
    def route(self) -> Route:
        """The shortest route, record first (empty when the used record is itself affected)."""
        return self.finding.path

    @property
    def fix(self) -> Fix | None:
        return self.finding.fix

    def route_text(self) -> str:
        return path_text(self.route, start=self.used)

    def to_dict(self) -> dict[str, Any]:
        """The audit's finding (the keys of ``umr audit --format json``), ``locations`` and
        ``fix_aliases``."""
        return self.finding.to_dict() | {
            "locations": [loc.to_dict() for loc in self.locations],
            "fix_aliases": list(self.fix_aliases),
        }

    def next_step(self) -> str | None:
        """The fix's text, and for an upgrade the identifiers code can load it by."""
        if self.fix is None:
            return None
        if self.fix.ref and self.fix_aliases:
            return f"{self.fix.text}; in code it is {', '.join(self.fix_aliases)}"
        return self.fix.text

    def lines(self) -> list[str]:
        """The finding under its advisory's heading: the record, its routes, where it is used,
        the uncertain edges' notes and the next step."""
        f = self.finding
        noun = "route" if f.routes == 1 else "routes"
        head = f"{self.used}" + (" (possible: through an uncertain edge)" if self.possible else "")
        more = "; the shortest:" if f.routes > 1 else ":"
        out = [f"  {head}: {f.routes:,} {noun}{more}", f"    {self.route_text()}"]
        out += [f"    uncertain: {note}" for note in f.notes]
        out += [f"    used at {loc}" for loc in self.locations]
        step = self.next_step()
        if step is not None:
            out.append(f"    next: {step}")
        return out


@dataclass(kw_only=True)
class ScanReport:
    roots: list[str]
    files: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, why)
    uses: list[Use] = field(default_factory=list)
    unknown: list[Reference] = field(default_factory=list)
    unresolved: list[Unresolved] = field(default_factory=list)
    audits: dict[str, AuditReport] = field(default_factory=dict)
    aliases: dict[str, tuple[str, ...]] = field(default_factory=dict)  # upgrade ref: aliases

    def findings(self) -> list[ScanFinding]:
        """Every finding of the audits, worst first, grouped by advisory; certain ones before
        possible ones."""
        where: dict[str, list[Location]] = {}
        for use in self.uses:
            for record in use.records:
                where.setdefault(record, []).append(use.reference.location)
        out = [
            ScanFinding(
                finding=f,
                locations=tuple(where.get(record, ())),
                fix_aliases=self.aliases.get(f.fix.ref, ()) if f.fix and f.fix.ref else (),
            )
            for record, report in self.audits.items()
            for f in report.findings
        ]
        return sorted(out, key=lambda f: (-RANK[f.severity], f.advisory.id, f.possible, f.used))

    def counted(self, include_uncertain: bool = False) -> list[ScanFinding]:
        """The findings that count towards ``--fail-on``: possible ones only if asked."""
        return [f for f in self.findings() if include_uncertain or not f.possible]

    def worst(self, include_uncertain: bool = True) -> str | None:
        found = self.counted(include_uncertain)
        return max((f.severity for f in found), key=RANK.__getitem__, default=None)

    def fails(self, threshold: str, include_uncertain: bool = False) -> bool:
        """Whether a finding is at or above ``threshold``, as ``umr audit --fail-on`` decides."""
        return any(r.fails(threshold, include_uncertain) for r in self.audits.values())

    def summary(self) -> str:
        findings = self.findings()
        if not findings:
            return "no known advisory reaches the models and datasets found"
        return f"{len(findings)} finding(s): {summary_line([f.finding for f in findings])}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "roots": self.roots,
            "files": self.files,
            "references": len(self.uses) + len(self.unknown),
            "summary": self.summary(),
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
                lines += ["", f"{f.advisory.id} {f.severity}: {f.advisory.summary}"]
                if f.advisory.fixed:
                    lines.append(f"  fixed in: {', '.join(f.advisory.fixed)}")
            lines += f.lines()
        if self.unknown:
            lines += ["", f"not in the registry ({len(self.unknown)}):"]
            lines += [f"  {r.location} {r.api} {r.text!r}" for r in self.unknown]
        if self.unresolved:
            lines += ["", f"unresolved ({len(self.unresolved)}):"]
            lines += [f"  {u}" for u in self.unresolved]
        if self.skipped:
            lines += ["", f"not read ({len(self.skipped)}):"]
            lines += [f"  {p}: {why}" for p, why in self.skipped]
        lines += ["", self.summary()]
        if any(f.possible for f in findings):
            lines.append("possible findings count for --fail-on with --include-uncertain")
        if self.unknown or self.unresolved:
            lines.append(
                "next: record what is not in the registry ('umr import hf-card', 'umr publish') "
                "and list what code builds at run time under [tool.umr] in pyproject.toml"
            )
        return "\n".join(lines)
