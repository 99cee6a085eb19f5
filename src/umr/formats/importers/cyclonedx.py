"""Import the machine-learning-model and data components of a CycloneDX 1.6 ML-BOM (JSON)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from umr.errors import Problem, RecordError
from umr.formats.importers import ImportResult, register
from umr.formats.importers._common import compact, http, slug, version
from umr.spec.load import read_text
from umr.spec.yamlio import decode_utf8

KINDS = {"machine-learning-model": "model", "data": "dataset"}


def _props(comp: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for p in comp.get("properties") or ():
        name = str(p.get("name", ""))
        if name.startswith("umr:"):
            value = p.get("value", "")
            key = name[4:].replace("-", "_")
            try:
                out[key] = json.loads(value) if value[:1] in "[{" else value
            except json.JSONDecodeError:
                out[key] = value
    return out


def _number(text: str) -> Any:
    for cast in (int, float):
        try:
            return cast(text)
        except ValueError:
            pass
    return {"true": True, "false": False}.get(text, text)


def _component(
    comp: dict[str, Any], refs: dict[str, str], lost: list[str], main: bool
) -> dict[str, Any]:
    where = f"component {comp.get('name')!r}"
    props = _props(comp)
    name, renamed = slug(str(comp.get("name") or "unnamed"), lost, where)
    kind = props.get("kind") or KINDS.get(str(comp.get("type")), "model")
    lic = None
    for entry in comp.get("licenses") or ():
        body = entry.get("license") or {}
        lic_id = body.get("id") or body.get("name") or entry.get("expression")
        if lic_id:
            lic = compact({"id": str(lic_id), "url": http(body.get("url"))})
            break
    record: dict[str, Any] = {
        "umr": 1,
        "name": name,
        "version": version(comp.get("version"), lost, where),
        "kind": kind,
        "title": props.get("title") or renamed,
        "summary": comp.get("description"),
        "publisher": comp.get("publisher"),
        "license": lic,
        "released": props.get("released"),
        "aliases": props.get("aliases"),
    }
    if not main:
        return compact(record)
    card = comp.get("modelCard") or {}
    sizes = {a["uri"]: a.get("size") for a in props.get("artifacts") or ()}
    artifacts, references = [], []
    for ref in comp.get("externalReferences") or ():
        if ref.get("type") == "distribution":
            sha = next(
                (h["content"] for h in ref.get("hashes") or () if h.get("alg") == "SHA-256"), None
            )
            artifacts.append(
                compact(
                    {
                        "uri": ref["url"],
                        "sha256": sha,
                        "size": sizes.get(ref["url"]),
                        "format": ref.get("comment"),
                    }
                )
            )
        elif http(ref.get("url")):
            references.append(compact({"url": ref["url"], "title": ref.get("comment")}))
        else:
            lost.append(f"{where}: external reference {ref.get('url')!r} is not http(s)")
    upstream = props.get("upstream")
    if upstream is None:  # a foreign BOM: rebuild edges from pedigree and the model card
        upstream = []
        for anc in (comp.get("pedigree") or {}).get("ancestors") or ():
            rel = _props(anc).get("relation") or "finetuned_from"
            upstream.append(
                {"ref": slug(str(anc.get("name")), lost, "ancestor")[0], "relation": rel}
            )
        for ds in (card.get("modelParameters") or {}).get("datasets") or ():
            target = refs.get(str(ds.get("ref")))
            if target:
                upstream.append({"ref": target, "relation": "trained_on"})
    extra = {e.get("benchmark"): e for e in props.get("evaluations") or ()}
    evaluations = []
    for m in (card.get("quantitativeAnalysis") or {}).get("performanceMetrics") or ():
        bench = str(m.get("slice") or "unknown")
        evaluations.append(
            compact(
                {
                    **extra.get(bench, {}),
                    "benchmark": bench,
                    "metric": str(m.get("type") or "value"),
                    "value": _number(str(m.get("value"))),
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
            "task": (card.get("modelParameters") or {}).get("task"),
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
    try:
        bom = json.loads(decode_utf8(read_text(path), source=str(path)))
    except json.JSONDecodeError as exc:
        raise RecordError(
            [
                Problem(
                    source=str(path),
                    line=exc.lineno,
                    column=exc.colno,
                    message=f"not JSON: {exc.msg}",
                )
            ]
        ) from None
    if not isinstance(bom, dict) or bom.get("bomFormat") != "CycloneDX":
        raise RecordError(
            [
                Problem(
                    source=str(path), message="not a CycloneDX BOM (bomFormat is not 'CycloneDX')"
                )
            ]
        )
    lost: list[str] = []
    main = (bom.get("metadata") or {}).get("component")
    others = [c for c in bom.get("components") or () if c.get("type") in KINDS]
    skipped = [c for c in bom.get("components") or () if c.get("type") not in KINDS]
    if main is not None:
        others += (main.get("pedigree") or {}).get("ancestors") or []
    refs = {str(c.get("bom-ref")): slug(str(c.get("name")), [], "")[0] for c in others}
    records = [_component(main, refs, lost, True)] if main else []
    records += [_component(c, refs, lost, False) for c in others]
    lost += [
        f"component {c.get('name')!r}: type {c.get('type')!r} is not a model or dataset"
        for c in skipped
    ]
    if bom.get("vulnerabilities"):
        lost.append("vulnerabilities: publish them as advisories ('umr advisory add')")
    return ImportResult(records=records, lost=lost)
