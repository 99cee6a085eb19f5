"""``spdx``: SPDX 3.0.1 JSON-LD, with the record and its lineage as AI and dataset packages.

Models (and families, systems) are ``ai_AIPackage``, datasets ``dataset_DatasetPackage``.
Lineage edges become relationships: ``trained_on`` -> ``trainedOn``, ``evaluated_on`` ->
``testedOn``, model ancestry and ``derived_from`` -> ``ancestorOf`` (from the ancestor),
``depends_on`` -> ``dependsOn``, ``member_of`` -> ``other`` with a comment; the license is a
``hasDeclaredLicense`` relationship to a license expression.
"""

from __future__ import annotations

import re
from typing import Any

from umr import __version__
from umr.formats import register
from umr.formats.context import RenderContext
from umr.formats.cyclonedx import SPDX_IDS, iri
from umr.graph import Node
from umr.spec.canonical import pretty_json
from umr.spec.dates import PartialDate

CONTEXT = "https://spdx.org/rdf/3.0.1/spdx-context.jsonld"
ANCESTOR = frozenset(
    {
        "finetuned_from",
        "adapter_of",
        "quantized_from",
        "merged_from",
        "distilled_from",
        "unlearned_from",
        "derived_from",
    }
)
# relation -> (SPDX relationshipType, edge goes from the upstream node?)
RELATIONSHIPS = {
    "trained_on": ("trainedOn", False),
    "evaluated_on": ("testedOn", False),
    "depends_on": ("dependsOn", False),
    "member_of": ("other", False),
    **{r: ("ancestorOf", True) for r in ANCESTOR},
}
RISK_LEVEL = {"low": "low", "medium": "medium", "high": "high", "critical": "serious"}
CI = "_:creationinfo"
# who issues the identifiers of each alias scheme (umr.spec.aliases)
AUTHORITIES = {
    "hf": "Hugging Face Hub",
    "timm": "timm (pytorch-image-models)",
    "open_clip": "OpenCLIP",
    "torchhub": "PyTorch Hub",
}


def spdx_id(kind: str, key: str) -> str:
    return f"urn:umr:{kind}:{re.sub(r'[^A-Za-z0-9._~@-]', '-', key)}"


def _time(date: str | None) -> str | None:
    """SPDX wants a full timestamp: a date known to the year or month maps to the first instant
    of its period (the record's own precision travels in the package's comment)."""
    return PartialDate.parse(date).timestamp() if date else None


def _license_expression(lic_id: str) -> str:
    canonical = SPDX_IDS.get(lic_id.lower())
    if canonical:
        return canonical
    return "LicenseRef-" + (re.sub(r"[^A-Za-z0-9.-]", "-", lic_id) or "unknown")


def _package(node: Node, data: dict[str, Any] | None, org: str | None) -> dict[str, Any]:
    dataset = node.kind == "dataset"
    pkg: dict[str, Any] = {
        "type": "dataset_DatasetPackage" if dataset else "ai_AIPackage",
        "spdxId": spdx_id("pkg", node.id),
        "creationInfo": CI,
        "name": node.name,
        "software_packageVersion": node.version,
        "software_primaryPurpose": "data" if dataset else "model",
    }
    if dataset:
        pkg["dataset_datasetType"] = ["noAssertion"]
    if node.title:
        pkg["summary"] = node.title
    if data is None:
        return pkg
    if data.get("summary"):
        pkg["summary"] = data["summary"]
    if data.get("description"):
        pkg["description"] = data["description"]
    if org:
        pkg["suppliedBy"] = org
    if data.get("released"):
        pkg["releaseTime"] = _time(data["released"])
        released = PartialDate.parse(data["released"])
        if released.precision != "day":
            pkg["comment"] = (
                f"released {released} (known to the {released.precision}; releaseTime is the "
                "first instant of that period)"
            )
    aliases = [
        {
            "type": "ExternalIdentifier",
            "externalIdentifierType": "other",
            "identifier": alias,
            "issuingAuthority": AUTHORITIES.get(alias.partition(":")[0], "umr"),
        }
        for alias in data.get("aliases") or ()
    ]
    if aliases:
        pkg["externalIdentifier"] = aliases
    artifacts = data.get("artifacts") or []
    if artifacts:
        pkg["software_downloadLocation"] = iri(artifacts[0]["uri"])
        hashes = [
            {"type": "Hash", "algorithm": "sha256", "hashValue": a["sha256"]}
            for a in artifacts
            if a.get("sha256")
        ]
        if hashes:
            pkg["verifiedUsing"] = hashes
    refs = [
        {"type": "ExternalRef", "externalRefType": "documentation", "locator": [x["url"]]}
        for x in data.get("references") or ()
    ]
    if refs:
        pkg["externalRef"] = refs
    if not dataset:
        metrics = [
            {
                "type": "DictionaryEntry",
                "key": f"{e['benchmark']} {e['metric']}",
                "value": str(e["value"]),
            }
            for e in data.get("evaluations") or ()
        ]
        if metrics:
            pkg["ai_metric"] = metrics
        if data.get("tags"):
            pkg["ai_domain"] = list(data["tags"])
        risks = data.get("risks") or []
        if risks:
            pkg["ai_limitation"] = "; ".join(f"{k['category']}: {k['summary']}" for k in risks)
            worst = max(
                risks, key=lambda k: ("low", "medium", "high", "critical").index(k["severity"])
            )
            pkg["ai_safetyRiskAssessment"] = RISK_LEVEL[worst["severity"]]
        if data.get("task"):
            pkg["ai_typeOfModel"] = [data["task"]]
    elif data.get("task"):
        pkg["dataset_intendedUse"] = data["task"]
    return pkg


def document(ctx: RenderContext) -> dict[str, Any]:
    """The SPDX document as plain JSON-LD data."""
    r = ctx.data
    graph = ctx.graph()
    tool = spdx_id("agent", "umr")
    elements: list[dict[str, Any]] = [
        {
            "type": "CreationInfo",
            "@id": CI,
            "specVersion": "3.0.1",
            "created": _time(r.get("released")) or "1970-01-01T00:00:00Z",
            "createdBy": [tool],
            "comment": f"rendered by umr {__version__} from {ctx.id}",
        },
        {"type": "SoftwareAgent", "spdxId": tool, "creationInfo": CI, "name": "umr"},
    ]
    org = None
    if r.get("publisher"):
        org = spdx_id("org", r["publisher"])
        elements.append(
            {"type": "Organization", "spdxId": org, "creationInfo": CI, "name": r["publisher"]}
        )
    for node in graph.nodes.values():
        elements.append(_package(node, r if node.role == "self" else None, org))
    if r.get("license"):
        lic = spdx_id("license", r["license"]["id"])
        elements.append(
            {
                "type": "simplelicensing_LicenseExpression",
                "spdxId": lic,
                "creationInfo": CI,
                "simplelicensing_licenseExpression": _license_expression(str(r["license"]["id"])),
            }
        )
        elements.append(
            {
                "type": "Relationship",
                "spdxId": spdx_id("rel", f"{ctx.id}-license"),
                "creationInfo": CI,
                "from": spdx_id("pkg", ctx.id),
                "relationshipType": "hasDeclaredLicense",
                "to": [lic],
            }
        )
    for i, e in enumerate(graph.edges):
        kind, from_upstream = RELATIONSHIPS.get(e.relation, ("other", False))
        src, dst = (e.dst, e.src) if from_upstream else (e.src, e.dst)
        rel: dict[str, Any] = {
            "type": "Relationship",
            "spdxId": spdx_id("rel", f"{i}-{src}"),
            "creationInfo": CI,
            "from": spdx_id("pkg", src),
            "relationshipType": kind,
            "to": [spdx_id("pkg", dst)],
        }
        if kind in ("other", "ancestorOf"):
            rel["comment"] = e.relation
        elements.append(rel)
    ids = [el["spdxId"] for el in elements if "spdxId" in el]
    elements.append(
        {
            "type": "SpdxDocument",
            "spdxId": spdx_id("doc", ctx.id),
            "creationInfo": CI,
            "name": f"{ctx.id} (umr record)",
            "profileConformance": ["core", "software", "ai", "dataset", "simpleLicensing"],
            "rootElement": [spdx_id("pkg", ctx.id)],
            "element": ids,
        }
    )
    return {"@context": CONTEXT, "@graph": elements}


@register(
    "spdx",
    media_type="application/spdx+json",
    suffix=".spdx.json",
    description="SPDX 3.0.1 JSON-LD: AIPackage/DatasetPackage and lineage relationships",
)
def render_spdx(ctx: RenderContext) -> bytes:
    return pretty_json(document(ctx)).encode("utf-8")
