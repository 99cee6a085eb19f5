"""A scan report in each output format, as text."""

from __future__ import annotations

import json

from umr.registry.store import Registry
from umr.scan.bom import bom
from umr.scan.report import ScanReport
from umr.scan.sarif import sarif


def render(report: ScanReport, fmt: str, registry: Registry) -> str:
    """``text``, ``json``, ``sarif`` or ``cyclonedx``."""
    if fmt == "text":
        return report.text()
    if fmt == "json":
        data = report.to_dict()
    elif fmt == "sarif":
        data = sarif(report)
    elif fmt == "cyclonedx":
        ids = {r for u in report.uses for r in u.records}
        ids |= {rid for f in report.findings() for rid in f.finding.affected}
        kinds: dict[str, str] = {rid: registry.get_ref(rid).kind for rid in ids}
        data = bom(report, kinds)
    else:
        raise ValueError(f"unknown scan format {fmt!r}")
    return json.dumps(data, indent=2, ensure_ascii=False)
