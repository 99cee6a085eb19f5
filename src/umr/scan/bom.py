"""A scan as a CycloneDX 1.6 ML-BOM with a ``vulnerabilities`` section.

The project is ``metadata.component`` (an application); every record it uses, and every
record an advisory names on the way, is a component with the same ``bom-ref`` as
``umr render --format cyclonedx`` gives it. Each advisory is one vulnerability that
``affects`` the records it reaches, with its rating, dates, references and, under
``umr:routes`` and ``umr:locations`` properties, the routes and the code that names them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from umr.formats.cyclonedx import bom_ref, component_type, envelope
from umr.registry.lineage import path_text
from umr.scan.report import ScanFinding, ScanReport


def bom(report: ScanReport, kinds: dict[str, str]) -> dict[str, Any]:
    """``kinds`` gives each record's kind (model, dataset, ...) by ``name@version``."""
    findings = report.findings()
    project = Path(report.roots[0]).resolve().name if report.roots else "project"
    used = sorted({r for u in report.uses for r in u.records})
    reached = sorted({f.affected for f in findings} - set(used))
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
        "recommendation": findings[0].fix(),
        "affects": [
            {"ref": bom_ref(rid)}
            for rid in sorted({f.used for f in findings} | {f.affected for f in findings})
        ],
        "properties": [
            {
                "name": "umr:routes",
                "value": json.dumps([path_text(f.used, f.route) for f in findings]),
            },
            {
                "name": "umr:locations",
                "value": json.dumps(sorted({str(loc) for f in findings for loc in f.locations})),
            },
        ],
    }
    if a.details:
        vuln["detail"] = a.details
    if a.published:
        vuln["published"] = f"{a.published.isoformat()}T00:00:00Z"
    if a.references:
        vuln["advisories"] = [
            {"title": r.title, "url": r.url} if r.title else {"url": r.url} for r in a.references
        ]
    return vuln
