"""A scan as a CycloneDX 1.6 ML-BOM with a ``vulnerabilities`` section.

The project is ``metadata.component`` (an application); every record it uses, and every
record an advisory names on the way, is a component with the same ``bom-ref`` as
``umr render --format cyclonedx`` gives it. Each advisory is one vulnerability that
``affects`` the records it reaches, with its rating, dates, references, the next step of
each finding as its ``recommendation`` and, under ``umr:routes`` and ``umr:locations``
properties, the routes and the code that names them. An advisory that only possibly reaches
the project (every route through an uncertain edge) gets the analysis state ``in_triage``,
with the uncertain edges' notes as its detail.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from umr.formats.cyclonedx import bom_ref, component_type, envelope
from umr.scan.report import ScanFinding, ScanReport


def bom(report: ScanReport, kinds: dict[str, str]) -> dict[str, Any]:
    """``kinds`` gives each record's kind (model, dataset, ...) by ``name@version``."""
    findings = report.findings()
    project = Path(report.roots[0]).resolve().name if report.roots else "project"
    used = sorted({r for u in report.uses for r in u.records})
    reached = sorted({rid for f in findings for rid in f.finding.affected} - set(used))
    components = [_component(rid, kinds) for rid in [*used, *reached]]
    by_advisory: dict[str, list[ScanFinding]] = {}
    for f in findings:
        by_advisory.setdefault(f.advisory.id, []).append(f)
    vulnerabilities = [_vulnerability(fs) for fs in by_advisory.values()]
    root_ref = f"umr:project:{project}"
    out = envelope(
        f"umr-scan:{json.dumps(report.to_dict(), sort_keys=True)}",
        {"type": "application", "bom-ref": root_ref, "name": project},
    )
    out["components"] = components
    out["dependencies"] = [{"ref": root_ref, "dependsOn": [bom_ref(r) for r in used]}]
    if vulnerabilities:
        out["vulnerabilities"] = vulnerabilities
    return out


def _component(rid: str, kinds: dict[str, str]) -> dict[str, Any]:
    name, _, version = rid.partition("@")
    return {
        "type": component_type(kinds.get(rid)),
        "bom-ref": bom_ref(rid),
        "name": name,
        "version": version,
    }


def _vulnerability(findings: list[ScanFinding]) -> dict[str, Any]:
    a = findings[0].advisory
    vuln: dict[str, Any] = {
        "bom-ref": f"umr:advisory:{a.id}",
        "id": a.id,
        "source": {"name": "umr"},
        "ratings": [{"source": {"name": "umr"}, "severity": a.severity, "method": "other"}],
        "description": a.summary,
        "affects": [
            {"ref": bom_ref(rid)}
            for rid in sorted(
                {f.used for f in findings} | {r for f in findings for r in f.finding.affected}
            )
        ],
        "properties": [
            {
                "name": "umr:routes",
                "value": json.dumps(
                    [
                        {
                            "record": f.used,
                            "routes": f.finding.routes,
                            "possible": f.possible,
                            "shortest": f.route_text(),
                        }
                        for f in findings
                    ]
                ),
            },
            {
                "name": "umr:locations",
                "value": json.dumps(sorted({str(loc) for f in findings for loc in f.locations})),
            },
        ],
    }
    steps = dict.fromkeys(f"{f.used}: {f.next_step()}" for f in findings if f.fix)
    if steps:
        vuln["recommendation"] = "\n".join(steps)
    if all(f.possible for f in findings):
        notes = dict.fromkeys(n for f in findings for n in f.finding.notes)
        vuln["analysis"] = {
            "state": "in_triage",
            "detail": "every route passes through an uncertain edge"
            + "".join(f"; {n}" for n in notes),
        }
    if a.details:
        vuln["detail"] = a.details
    if a.published:
        vuln["published"] = f"{a.published[:10]}T00:00:00Z"
    if a.references:
        vuln["advisories"] = [
            {"title": title, "url": url} if title else {"url": url} for url, title in a.references
        ]
    return vuln
