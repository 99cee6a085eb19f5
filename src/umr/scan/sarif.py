"""A scan as SARIF 2.1.0, for code review tools that show results inline.

One rule per advisory found, plus ``umr/not-in-registry`` and ``umr/unresolved-reference``
(level ``note``). One result per finding and code location: the location is the file and line
of the call or config key that names the model, relative to the scan root when it lies under
one (``uriBaseId: SRCROOT``), so GitHub code scanning and other viewers place it in the diff.
A possible finding (every route through an uncertain edge) is a ``note``, whatever its
advisory's severity; the result's properties carry the route count and the fix.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from umr import __version__
from umr.scan.refs import Location
from umr.scan.report import ScanFinding, ScanReport

SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
LEVEL = {"low": "note", "medium": "warning", "high": "error", "critical": "error"}
SCORE = {"low": "3.0", "medium": "5.0", "high": "7.5", "critical": "9.5"}  # GitHub's scale
NOT_IN_REGISTRY = "umr/not-in-registry"
UNRESOLVED = "umr/unresolved-reference"


def _location(loc: Location, roots: list[Path]) -> dict[str, Any]:
    path = Path(loc.path)
    artifact: dict[str, Any] = {"uri": path.as_posix()}
    for root in roots:
        base = root if root.is_dir() else root.parent
        try:
            artifact = {"uri": path.resolve().relative_to(base.resolve()).as_posix()}
            artifact["uriBaseId"] = "SRCROOT"
            break
        except ValueError:
            continue
    region: dict[str, Any] = {"startLine": loc.line, "startColumn": loc.column}
    physical = {"artifactLocation": artifact, "region": region}
    out: dict[str, Any] = {"physicalLocation": physical}
    if loc.cell is not None:
        out["message"] = {"text": f"notebook cell {loc.cell}"}
    return out


def sarif(report: ScanReport) -> dict[str, Any]:
    roots = [Path(r) for r in report.roots]
    rules: dict[str, dict[str, Any]] = {}
    results: list[dict[str, Any]] = []
    for f in report.findings():
        a = f.advisory
        level = "note" if f.possible else LEVEL[a.severity]
        rules.setdefault(
            a.id,
            {
                "id": a.id,
                "name": "AdvisoryReachesModel",
                "shortDescription": {"text": a.summary[:1000]},
                "fullDescription": {"text": (a.details or a.summary)[:4000]},
                "helpUri": next((url for url, _ in a.references), None),
                "defaultConfiguration": {"level": LEVEL[a.severity]},
                "properties": {"security-severity": SCORE[a.severity], "tags": ["security"]},
            },
        )
        for loc in f.locations:
            results.append(
                {
                    "ruleId": a.id,
                    "level": level,
                    "message": {"text": _message(f)},
                    "locations": [_location(loc, roots)],
                    "partialFingerprints": {"umr/finding": f"{a.id}:{f.used}"},
                    "properties": {
                        "routes": f.finding.routes,
                        "possible": f.possible,
                        "fix": f.fix.to_dict() if f.fix else None,
                    },
                }
            )
    if report.unknown:
        rules[NOT_IN_REGISTRY] = _note_rule(NOT_IN_REGISTRY, "Model or dataset not in the registry")
    for ref in report.unknown:
        results.append(
            _note(
                NOT_IN_REGISTRY,
                f"{ref.text!r} ({ref.api}) is not in the registry",
                ref.location,
                roots,
            )
        )
    if report.unresolved:
        rules[UNRESOLVED] = _note_rule(UNRESOLVED, "Model or dataset named at run time")
    for u in report.unresolved:
        results.append(_note(UNRESOLVED, str(u), u.location, roots))
    driver = {
        "name": "umr",
        "version": __version__,
        "rules": [{k: v for k, v in r.items() if v is not None} for r in rules.values()],
    }
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": driver},
                "originalUriBaseIds": {
                    "SRCROOT": {
                        "uri": (roots[0] if roots[0].is_dir() else roots[0].parent)
                        .resolve()
                        .as_uri()
                        + "/"
                    }
                }
                if roots
                else {},
                "results": results,
            }
        ],
    }


def _message(f: ScanFinding) -> str:
    routes = f.finding.routes
    reached = "may be reached" if f.possible else "is reached"
    text = (
        f"{f.used} {reached} by {f.advisory.id} ({f.severity}) through {routes:,} "
        f"route{'' if routes == 1 else 's'}; the shortest: {f.route_text()}."
    )
    text += "".join(f" Uncertain: {note}." for note in f.finding.notes)
    step = f.next_step()
    return text + (f" Next: {step}" if step else "")


def _note_rule(rule: str, text: str) -> dict[str, Any]:
    return {
        "id": rule,
        "shortDescription": {"text": text},
        "defaultConfiguration": {"level": "note"},
    }


def _note(rule: str, text: str, loc: Location, roots: list[Path]) -> dict[str, Any]:
    return {
        "ruleId": rule,
        "level": "note",
        "message": {"text": text},
        "locations": [_location(loc, roots)],
    }
