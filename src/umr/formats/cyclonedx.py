"""``cyclonedx``: a CycloneDX 1.6 ML-BOM (JSON) for the record and its upstream lineage.

The record is ``metadata.component`` (``machine-learning-model`` or ``data``) with hashes,
licenses, external references and a ``modelCard`` (cyclonedx-python-lib has no model card
class, so the JSON is built here). Model ancestors (finetuned, adapted, quantized, merged,
distilled, unlearned from) are ``pedigree.ancestors``; every other upstream record is a
component, and the lineage edges are ``dependencies``. Fields with no CycloneDX home travel as
``umr:*`` properties, which the importer reads back.
"""

from __future__ import annotations

import json
import re
import uuid
from typing import Any
from urllib.parse import quote

from umr import __version__
from umr.formats import register
from umr.formats.context import RenderContext
from umr.graph import LineageHit
from umr.spec.canonical import digest, pretty_json

ANCESTOR_RELATIONS = frozenset(
    {
        "finetuned_from",
        "adapter_of",
        "quantized_from",
        "merged_from",
        "distilled_from",
        "unlearned_from",
    }
)
# SPDX ids written as license.id (CycloneDX validates ids against the SPDX list); others by name.
SPDX_IDS = {
    i.lower(): i
    for i in [
        "Apache-2.0",
        "MIT",
        "BSD-2-Clause",
        "BSD-3-Clause",
        "GPL-2.0-only",
        "GPL-2.0-or-later",
        "GPL-3.0-only",
        "GPL-3.0-or-later",
        "LGPL-2.1-only",
        "LGPL-3.0-only",
        "AGPL-3.0-only",
        "MPL-2.0",
        "ISC",
        "Unlicense",
        "CC0-1.0",
        "CC-BY-4.0",
        "CC-BY-SA-4.0",
        "CC-BY-NC-4.0",
        "CC-BY-NC-SA-4.0",
        "CC-BY-ND-4.0",
        "CC-BY-NC-ND-4.0",
        "CC-BY-3.0",
        "CC-BY-SA-3.0",
        "ODbL-1.0",
        "ODC-By-1.0",
        "PDDL-1.0",
        "CDLA-Permissive-2.0",
        "CDLA-Sharing-1.0",
        "Zlib",
        "BSL-1.0",
        "EPL-2.0",
        "Artistic-2.0",
        "AFL-3.0",
        "ECL-2.0",
        "EUPL-1.2",
        "OFL-1.1",
        "WTFPL",
    ]
}


def iri(url: str) -> str:
    """``url`` as a valid IRI reference: stray ``%`` and characters IRIs forbid are encoded."""
    fixed = re.sub(r"%(?![0-9A-Fa-f]{2})", "%25", url)
    return quote(fixed, safe=":/?#[]@!$&'()*+,;=%~-._")


def bom_ref(node_id: str) -> str:
    return f"umr:{node_id}"


def component_type(kind: str | None) -> str:
    return "data" if kind == "dataset" else "machine-learning-model"


def _licenses(lic: dict[str, Any] | None) -> list[dict[str, Any]]:
    if not lic:
        return []
    canonical = SPDX_IDS.get(str(lic["id"]).lower())
    body: dict[str, Any] = {"id": canonical} if canonical else {"name": str(lic["id"])}
    if lic.get("url"):
        body["url"] = iri(lic["url"])
    return [{"license": body}]


def _props(**values: Any) -> list[dict[str, str]]:
    out = []
    for key, value in values.items():
        if value is None or value == [] or value == {}:
            continue
        name = "umr:" + key.replace("_", "-")
        text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        out.append({"name": name, "value": text})
    return out


def _main_component(ctx: RenderContext) -> dict[str, Any]:
    r = ctx.data
    comp: dict[str, Any] = {
        "type": component_type(r["kind"]),
        "bom-ref": bom_ref(ctx.id),
        "name": r["name"],
        "version": r["version"],
    }
    if r.get("publisher"):
        comp["publisher"] = r["publisher"]
    if r.get("summary"):
        comp["description"] = r["summary"]
    if lic := _licenses(r.get("license")):
        comp["licenses"] = lic
    hashes = [
        {"alg": "SHA-256", "content": a["sha256"]}
        for a in r.get("artifacts") or ()
        if a.get("sha256")
    ]
    if hashes:
        comp["hashes"] = hashes
    refs = []
    for a in r.get("artifacts") or ():
        ref: dict[str, Any] = {"type": "distribution", "url": iri(a["uri"])}
        if a.get("sha256"):
            ref["hashes"] = [{"alg": "SHA-256", "content": a["sha256"]}]
        if a.get("format"):
            ref["comment"] = a["format"]
        refs.append(ref)
    for x in r.get("references") or ():
        ref = {"type": "documentation", "url": iri(x["url"])}
        if x.get("title"):
            ref["comment"] = x["title"]
        refs.append(ref)
    if refs:
        comp["externalReferences"] = refs
    if r.get("tags"):
        comp["tags"] = list(r["tags"])
    ancestors = [h for h in ctx.upstream if h.depth == 1 and h.relation in ANCESTOR_RELATIONS]
    if ancestors:
        comp["pedigree"] = {"ancestors": [_node_component(h) for h in ancestors]}
    if r["kind"] != "dataset":
        comp["modelCard"] = _model_card(ctx)
    evaluations = [
        {
            k: v
            for k, v in e.items()
            if k in ("benchmark", "split", "source", "notes") and v is not None
        }
        for e in r.get("evaluations") or ()
    ]
    comp["properties"] = _props(
        kind=r["kind"],
        title=r.get("title"),
        released=r.get("released"),
        aliases=r.get("aliases"),
        languages=r.get("languages"),
        description=r.get("description"),
        inherits=r.get("inherits"),
        upstream=r.get("upstream"),
        evaluations=evaluations if any(len(e) > 1 for e in evaluations) else None,
        artifacts=[
            {k: v for k, v in a.items() if k in ("uri", "size")}
            for a in r.get("artifacts") or ()
            if a.get("size") is not None
        ]
        or None,
        risks=r.get("risks"),
        transparency=r.get("transparency"),
        extensions=r.get("extensions"),
    )
    if not comp["properties"]:
        del comp["properties"]
    return comp


def _model_card(ctx: RenderContext) -> dict[str, Any]:
    r = ctx.data
    params: dict[str, Any] = {}
    if r.get("task"):
        params["task"] = r["task"]
    datasets = [bom_ref(h.id) for h in ctx.upstream if h.depth == 1 and h.relation == "trained_on"]
    if datasets:
        params["datasets"] = [{"ref": d} for d in datasets]
    card: dict[str, Any] = {"bom-ref": bom_ref(ctx.id) + "#model-card"}
    if params:
        card["modelParameters"] = params
    metrics = [
        {"type": e["metric"], "value": str(e["value"]), "slice": e["benchmark"]}
        for e in r.get("evaluations") or ()
    ]
    if metrics:
        card["quantitativeAnalysis"] = {"performanceMetrics": metrics}
    risks = r.get("risks") or []
    if risks:
        card["considerations"] = {
            "ethicalConsiderations": [
                {"name": f"{k['category']} ({k['severity']}): {k['summary']}"} for k in risks
            ]
        }
    return card


def _node_component(hit: LineageHit) -> dict[str, Any]:
    comp: dict[str, Any] = {
        "type": component_type(hit.kind),
        "bom-ref": bom_ref(hit.id),
        "name": hit.name,
        "version": str(hit.version),
    }
    if hit.title:
        comp["description"] = hit.title
    comp["properties"] = _props(kind=hit.kind, relation=hit.relation)
    return comp


def envelope(seed: str, component: dict[str, Any]) -> dict[str, Any]:
    """A CycloneDX 1.6 BOM about ``component``, made by umr; its serial number is derived
    from ``seed``, so the same content gives the same BOM."""
    serial = uuid.uuid5(uuid.NAMESPACE_URL, seed)
    return {
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "serialNumber": f"urn:uuid:{serial}",
        "version": 1,
        "metadata": {
            "tools": {
                "components": [{"type": "application", "name": "umr", "version": __version__}]
            },
            "component": component,
        },
    }


def bom(ctx: RenderContext) -> dict[str, Any]:
    """The BOM as plain data."""
    main = _main_component(ctx)
    in_pedigree = {a["bom-ref"] for a in main.get("pedigree", {}).get("ancestors", [])}
    components = [_node_component(h) for h in ctx.upstream if bom_ref(h.id) not in in_pedigree]
    deps: dict[str, list[str]] = {bom_ref(ctx.id): []}
    graph = ctx.graph()
    for e in graph.edges:  # src derives from dst: src depends on dst
        node = graph.nodes[e.src]
        if node.role == "downstream":
            continue
        deps.setdefault(bom_ref(e.src), [])
        if bom_ref(e.dst) not in deps[bom_ref(e.src)]:
            deps[bom_ref(e.src)].append(bom_ref(e.dst))
    out = envelope(f"umr:{ctx.id}:{digest(ctx.to_dict())}", main)
    if components:
        out["components"] = components
    out["dependencies"] = [{"ref": k, "dependsOn": v} if v else {"ref": k} for k, v in deps.items()]
    return out


@register(
    "cyclonedx",
    media_type="application/vnd.cyclonedx+json; version=1.6",
    suffix=".cdx.json",
    description="a CycloneDX 1.6 ML-BOM (JSON) with modelCard and pedigree",
)
def render_cyclonedx(ctx: RenderContext) -> bytes:
    return pretty_json(bom(ctx)).encode("utf-8")
