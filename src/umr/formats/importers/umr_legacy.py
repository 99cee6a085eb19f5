"""Import the reference UMR repository layout: ``<pkg>/<pkg>-<semver>.yaml`` under ``mr:``.

Each file holds ``mr: {type, metadata: {name, publisher, release_date, description, refs},
relations: {upstream: [name | name>=1.0.0, ...]}, risk: {flag: bool}, and FMTI 0/1 answers
under model, upstream and downstream}``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from umr.errors import UmrError
from umr.formats.importers import ImportResult, register
from umr.formats.importers._common import compact, http, slug, version
from umr.spec.load import read_text
from umr.spec.refs import Ref
from umr.spec.yamlio import load_yaml

KINDS = {"model": "model", "family": "family", "dataset": "dataset"}
FMTI_DOMAINS = ("upstream", "model", "downstream")


def _record(path: Path, data: dict[str, Any], lost: list[str]) -> dict[str, Any] | None:
    where = str(path)
    mr = data.get("mr")
    if not isinstance(mr, dict):
        lost.append(f"{where}: no 'mr:' mapping; skipped")
        return None
    meta = mr.get("metadata") or {}
    pkg = path.parent.name
    match = re.fullmatch(rf"{re.escape(pkg)}-(.+)\.ya?ml", path.name)
    raw_version = match.group(1) if match else None
    name, renamed = slug(str(meta.get("name") or pkg), lost, where)
    kind = KINDS.get(str(mr.get("type", "model")), "model")
    if str(mr.get("type", "model")) not in KINDS:
        lost.append(
            f"{where}: type {mr.get('type')!r} is not model, family or dataset; imported as a model"
        )
    upstream = []
    for text in (mr.get("relations") or {}).get("upstream") or ():
        try:
            ref = Ref.parse(str(text), legacy=True)
            ref_name = ref.name
        except UmrError:
            ref_name, _ = slug(re.split(r"[<>=!~^@]", str(text))[0], lost, f"{where} upstream")
            ref = Ref.parse(ref_name)
        relation = "derived_from" if kind == "dataset" else "depends_on"
        if kind == "model" and ref_name == name:
            continue
        upstream.append({"ref": str(ref), "relation": relation})
    if upstream:
        lost.append(
            f"{where}: upstream edges are untyped in this layout; imported as "
            f"{upstream[0]['relation']!r}: edit them to the real relation"
        )
    risks = [
        {
            "category": str(flag),
            "severity": "medium",
            "summary": f"flagged {flag!r} in the reference UMR repository",
        }
        for flag, on in (mr.get("risk") or {}).items()
        if on
    ]
    if risks:
        lost.append(f"{where}: risk flags carry no severity or text; set to 'medium'")
    answers: dict[str, Any] = {}
    fmti: dict[str, Any] = mr["fmti"] if isinstance(mr.get("fmti"), dict) else mr
    for domain in FMTI_DOMAINS:
        for indicator, value in (fmti.get(domain) or {}).items():
            try:
                answers[slug(str(indicator), [], "")[0]] = {"answer": bool(int(value))}
            except (TypeError, ValueError, UmrError):
                lost.append(f"{where}: FMTI {domain}.{indicator} = {value!r} is not 0 or 1")
    if answers:
        lost.append(f"{where}: {len(answers)} FMTI answers have no evidence; kept, not scored")
    refs = [{"url": u} for u in (meta.get("refs") or ()) if http(u)]
    return compact(
        {
            "umr": 1,
            "name": name,
            "version": version(raw_version, lost, where),
            "kind": kind,
            "title": renamed,
            "publisher": meta.get("publisher"),
            "description": meta.get("description"),
            "released": str(meta["release_date"]) if meta.get("release_date") else None,
            "upstream": upstream,
            "risks": risks,
            "transparency": {"fmti-2023": answers} if answers else None,
            "references": refs,
        }
    )


@register("umr-legacy")
def import_umr_legacy(root: Path) -> ImportResult:
    lost: list[str] = []
    records = []
    for path in sorted(root.glob("*/*.y*ml")):
        data, _ = load_yaml(read_text(path), source=str(path))
        record = _record(path, data if isinstance(data, dict) else {}, lost)
        if record is not None:
            records.append(record)
    if not records:
        lost.append(f"{root}: no <pkg>/<pkg>-<semver>.yaml files found")
    return ImportResult(records=records, lost=lost)
