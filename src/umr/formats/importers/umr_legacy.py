"""Import the reference UMR repository layout: ``<pkg>/<pkg>-<semver>.yaml`` under ``mr:``.

Each file holds ``mr: {type, metadata: {name, publisher, release_date, description, refs},
relations: {upstream: [name | name>=1.0.0, ...]}, risk: {flag: bool}, and FMTI 0/1 answers
under model, upstream and downstream}``.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from umr.errors import UmrError
from umr.formats.importers import ImportResult, register
from umr.formats.importers._common import (
    compact,
    http,
    items,
    mapping,
    shown,
    slug,
    slug_or_none,
    text,
    version,
)
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
    meta = mapping(mr.get("metadata"))
    pkg = path.parent.name
    match = re.fullmatch(rf"{re.escape(pkg)}-(.+)\.ya?ml", path.name)
    raw_version = match.group(1) if match else None
    name, renamed = slug_or_none(text(meta.get("name")) or pkg, lost, where)
    if name is None:
        lost.append(f"{where}: no usable name; skipped")
        return None
    kind = KINDS.get(text(mr.get("type")) or "model", "model")
    if (text(mr.get("type")) or "model") not in KINDS:
        lost.append(
            f"{where}: type {shown(mr.get('type'))} is not model, family or dataset; imported "
            "as a model"
        )
    upstream = []
    relation = "derived_from" if kind == "dataset" else "depends_on"
    for item in items(mapping(mr.get("relations")).get("upstream")):
        ref = _ref(item, lost, where)
        if ref is None or (kind == "model" and ref.name == name):
            continue
        upstream.append({"ref": str(ref), "relation": relation})
    if upstream:
        lost.append(
            f"{where}: upstream edges are untyped in this layout; imported as "
            f"{upstream[0]['relation']!r}: edit them to the real relation"
        )
    risks = [
        {
            "category": flag,
            "severity": "medium",
            "summary": f"flagged {flag!r} in the reference UMR repository",
        }
        for flag, on in mapping(mr.get("risk")).items()
        if on
    ]
    if risks:
        lost.append(f"{where}: risk flags carry no severity or text; set to 'medium'")
    answers: dict[str, Any] = {}
    fmti: dict[str, Any] = mr["fmti"] if isinstance(mr.get("fmti"), dict) else mr
    for domain in FMTI_DOMAINS:
        for indicator, value in mapping(fmti.get(domain)).items():
            try:
                answers[slug(indicator, [], "")[0]] = {"answer": bool(int(value))}
            except (TypeError, ValueError, UmrError):
                lost.append(f"{where}: FMTI {domain}.{indicator} = {shown(value)} is not 0 or 1")
    if answers:
        lost.append(f"{where}: {len(answers)} FMTI answers have no evidence; kept, not scored")
    refs = [{"url": u} for u in items(meta.get("refs")) if http(u)]
    return compact(
        {
            "umr": 1,
            "name": name,
            "version": version(raw_version, lost, where),
            "kind": kind,
            "title": renamed,
            "publisher": meta.get("publisher"),
            "description": meta.get("description"),
            "released": _date(meta.get("release_date"), lost, where),
            "upstream": upstream,
            "risks": risks,
            "transparency": {"fmti-2023": answers} if answers else None,
            "references": refs,
        }
    )


def _ref(item: Any, lost: list[str], where: str) -> Ref | None:
    """An upstream entry as a ref (``name``, ``name>=1.0.0``, ``name-1.0.0``), or None."""
    value = text(item)
    if value is None:
        lost.append(f"{where} upstream: {shown(item)} is not a name; skipped")
        return None
    try:
        return Ref.parse(value, legacy=True)
    except UmrError:
        pass
    ref_name, _ = slug_or_none(
        re.split(r"[<>=!~^@]", value, maxsplit=1)[0], lost, f"{where} upstream"
    )
    return None if ref_name is None else Ref.parse(ref_name)


def _date(value: Any, lost: list[str], where: str) -> str | None:
    """``release_date`` as ``YYYY-MM-DD``, or None (noted) when it is not a date."""
    if not value:
        return None
    written = text(value) or ""
    try:
        return dt.date.fromisoformat(written[:10]).isoformat()
    except ValueError:
        lost.append(f"{where}: release_date {shown(value)} is not a date; left out")
        return None


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
