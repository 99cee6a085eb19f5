"""Import the machine-learning-model and data components of a CycloneDX 1.6 ML-BOM (JSON).

The BOM is read with the bounded JSON loader, and every part of it is read as the shape the
importer expects (see ``umr.formats.importers._common``): a part of another shape is absent,
and noted, so an odd BOM imports what it can or fails with a located message.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

from umr.errors import Problem, RecordError
from umr.formats.importers import ImportResult, register
from umr.formats.importers._common import (
    compact,
    http,
    items,
    mapping,
    mappings,
    shown,
    slug_or_none,
    text,
    version,
)
from umr.spec.jsonio import load_json
from umr.spec.limits import number_problem, number_text_problem
from umr.spec.load import read_text

KINDS = {"machine-learning-model": "model", "data": "dataset"}
RECORD_KINDS = {"model", "dataset", "family", "system"}


def _props(comp: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for p in mappings(comp.get("properties")):
        name = text(p.get("name")) or ""
        if name.startswith("umr:"):
            value = p.get("value", "")
            key = name[4:].replace("-", "_")
            if isinstance(value, str) and value[:1] in "[{":
                with contextlib.suppress(RecordError):  # umr writes structured values as JSON
                    value = load_json(value, source=f"property {name}")
            out[key] = value
    return out


def _number(written: str) -> Any:
    """A metric value as CycloneDX writes it (text): a number when it is one that a record
    can hold, a boolean for true/false, else the text."""
    if number_text_problem(written) is None:
        for cast in (int, float):
            try:
                value = cast(written)
            except ValueError:
                continue
            return value if number_problem(value) is None else written
    return {"true": True, "false": False}.get(written, written)


def _license(comp: dict[str, Any]) -> dict[str, Any] | None:
    for entry in mappings(comp.get("licenses")):
        body = mapping(entry.get("license"))
        lic_id = text(body.get("id")) or text(body.get("name")) or text(entry.get("expression"))
        if lic_id:
            return compact({"id": lic_id, "url": http(body.get("url"))})
    return None


def _component(
    comp: dict[str, Any], refs: dict[str, str], lost: list[str], main: bool
) -> dict[str, Any] | None:
    where = f"component {shown(comp.get('name'))}"
    props = _props(comp)
    name, renamed = slug_or_none(comp.get("name") or "unnamed", lost, where)
    if name is None:
        return None
    kind = props.get("kind") if props.get("kind") in RECORD_KINDS else None
    kind = kind or KINDS.get(text(comp.get("type")) or "", "model")
    record: dict[str, Any] = {
        "umr": 1,
        "name": name,
        "version": version(comp.get("version"), lost, where),
        "kind": kind,
        "title": props.get("title") or renamed,
        "summary": comp.get("description"),
        "publisher": comp.get("publisher"),
        "license": _license(comp),
        "released": props.get("released"),
        "aliases": props.get("aliases"),
    }
    if not main:
        return compact(record)
    card = mapping(comp.get("modelCard"))
    sizes = {text(a.get("uri")): a.get("size") for a in mappings(props.get("artifacts"))}
    artifacts, references = [], []
    for ref in mappings(comp.get("externalReferences")):
        url = text(ref.get("url"))
        if ref.get("type") == "distribution" and url:
            sha = next(
                (
                    h.get("content")
                    for h in mappings(ref.get("hashes"))
                    if h.get("alg") == "SHA-256"
                ),
                None,
            )
            artifacts.append(
                compact(
                    {
                        "uri": url,
                        "sha256": sha,
                        "size": sizes.get(url),
                        "format": ref.get("comment"),
                    }
                )
            )
        elif http(url):
            references.append(compact({"url": url, "title": ref.get("comment")}))
        else:
            lost.append(f"{where}: external reference {shown(ref.get('url'))} is not http(s)")
    upstream = props.get("upstream")
    if upstream is None:  # a foreign BOM: rebuild edges from pedigree and the model card
        upstream = []
        for anc in mappings(mapping(comp.get("pedigree")).get("ancestors")):
            rel = _props(anc).get("relation") or "finetuned_from"
            ref_name, _ = slug_or_none(anc.get("name"), lost, "ancestor")
            if ref_name is not None:
                upstream.append({"ref": ref_name, "relation": rel})
        for ds in mappings(mapping(card.get("modelParameters")).get("datasets")):
            target = refs.get(text(ds.get("ref")) or "")
            if target:
                upstream.append({"ref": target, "relation": "trained_on"})
    extra = {text(e.get("benchmark")): e for e in mappings(props.get("evaluations"))}
    evaluations = []
    metrics = mapping(card.get("quantitativeAnalysis")).get("performanceMetrics")
    for m in mappings(metrics):
        bench = text(m.get("slice")) or "unknown"
        evaluations.append(
            compact(
                {
                    **extra.get(bench, {}),
                    "benchmark": bench,
                    "metric": text(m.get("type")) or "value",
                    "value": _number(text(m.get("value")) or ""),
                }
            )
        )
    record.update(
        {
            "description": props.get("description"),
            "inherits": props.get("inherits"),
            "upstream": upstream,
            "artifacts": artifacts,
            "evaluations": evaluations,
            "risks": props.get("risks"),
            "transparency": props.get("transparency"),
            "references": references,
            "tags": comp.get("tags"),
            "task": mapping(card.get("modelParameters")).get("task"),
            "languages": props.get("languages"),
            "extensions": props.get("extensions"),
        }
    )
    if "kind" not in props:
        lost.append(
            f"{where}: no umr properties; risks, transparency answers, languages, "
            "release date and extensions are not in the BOM"
        )
    return compact(record)


@register("cyclonedx")
def import_cyclonedx(path: Path) -> ImportResult:
    bom = load_json(read_text(path), source=str(path))
    if not isinstance(bom, dict) or bom.get("bomFormat") != "CycloneDX":
        raise RecordError(
            [
                Problem(
                    source=str(path), message="not a CycloneDX BOM (bomFormat is not 'CycloneDX')"
                )
            ]
        )
    lost: list[str] = []
    main = mapping(bom.get("metadata")).get("component")
    if main is not None and not isinstance(main, dict):
        lost.append(f"metadata.component: {shown(main)} is not a component; skipped")
        main = None
    components = items(bom.get("components"))
    others = [c for c in mappings(components) if c.get("type") in KINDS]
    skipped = [c for c in components if not isinstance(c, dict) or c.get("type") not in KINDS]
    if main is not None:
        others += mappings(mapping(main.get("pedigree")).get("ancestors"))
    refs: dict[str, str] = {}
    for c in others:
        ref_name, _ = slug_or_none(c.get("name"), [], "")
        if ref_name is not None:
            refs[text(c.get("bom-ref")) or ""] = ref_name
    found = [_component(main, refs, lost, True)] if main else []
    found += [_component(c, refs, lost, False) for c in others]
    lost += [
        f"component {shown(mapping(c).get('name'))}: type {shown(mapping(c).get('type'))} is "
        "not a model or dataset"
        for c in skipped
    ]
    if bom.get("vulnerabilities"):
        lost.append("vulnerabilities: publish them as advisories ('umr advisory add')")
    return ImportResult(records=[r for r in found if r is not None], lost=lost)
