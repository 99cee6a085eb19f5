"""CycloneDX 1.6 output validates against the official schema (cyclonedx-python-lib); SPDX
3.0.1 output loads, links and re-serializes through the SPDX model bindings (spdx-python-model,
generated from the SPDX 3.0.1 SHACL model: types, enumerations, required properties)."""

from __future__ import annotations

import copy
import functools
import io
import json

import pytest

from formats._hostile import write_workspace
from formats._lineage import published
from support import need_module
from umr.formats import render
from umr.formats.context import RenderContext, build_context
from umr.registry import Registry


@pytest.fixture(scope="module")
def contexts(
    ctx: RenderContext, registry: Registry, tmp_path_factory: pytest.TempPathFactory
) -> list:
    where = tmp_path_factory.mktemp("e")
    with published(where, write_workspace(where)) as hostile:
        evil = build_context("evil-model", hostile)
    return [ctx, build_context("web-crawl", registry), evil]


@functools.cache
def _validator() -> object:
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator

    return JsonStrictValidator(SchemaVersion.V1_6)


def cyclonedx_errors(text: str) -> str | None:
    need_module("cyclonedx", "dev")
    error = _validator().validate_str(text)  # type: ignore[attr-defined]
    return None if error is None else str(error.data.message)


def test_cyclonedx_validates_against_the_1_6_schema(contexts: list) -> None:
    for c in contexts:
        assert cyclonedx_errors(render("cyclonedx", c).decode()) is None, c.id


def test_cyclonedx_validator_rejects_a_broken_bom(ctx: RenderContext) -> None:
    bom = json.loads(render("cyclonedx", ctx))
    bom["metadata"]["component"]["type"] = "neural-net"
    assert cyclonedx_errors(json.dumps(bom)) is not None


def test_cyclonedx_structure(ctx: RenderContext) -> None:
    bom = json.loads(render("cyclonedx", ctx))
    main = bom["metadata"]["component"]
    assert main["type"] == "machine-learning-model" and main["bom-ref"] == "umr:chat-7b@1.1.0"
    assert [a["name"] for a in main["pedigree"]["ancestors"]] == ["base-7b"]
    assert main["modelCard"]["modelParameters"]["datasets"] == [{"ref": "umr:chat-data@1.2.0"}]
    assert main["hashes"][0]["alg"] == "SHA-256"
    types = {c["name"]: c["type"] for c in bom["components"]}
    assert types["book-corpus"] == "data" and "chat-7b-gguf" not in types  # upstream only
    deps = {d["ref"]: d.get("dependsOn", []) for d in bom["dependencies"]}
    assert "umr:book-corpus@2.1.0" in deps["umr:base-7b@1.0.0"]


def spdx_check(data: dict) -> None:
    need_module("spdx_python_model", "dev")
    import spdx_python_model as spdx

    model, objects = spdx.load_data(data)  # types, enumerations, datetimes, known properties
    assert objects.link() == set()  # every reference resolves inside the document
    model.JSONLDSerializer().write(objects, io.BytesIO())  # required properties present


def test_spdx_validates(contexts: list) -> None:
    for c in contexts:
        spdx_check(json.loads(render("spdx", c)))


def test_spdx_validation_catches_mistakes(ctx: RenderContext) -> None:
    data = json.loads(render("spdx", ctx))
    rel = next(i for i, e in enumerate(data["@graph"]) if e["type"] == "Relationship")
    for change in ({"relationshipType": "bogus"}, {"to": ["urn:umr:nowhere"]}, {"made_up": 1}):
        broken = copy.deepcopy(data)
        broken["@graph"][rel].update(change)
        with pytest.raises((ValueError, KeyError, AssertionError)):
            spdx_check(broken)


def test_spdx_relationships(ctx: RenderContext) -> None:
    graph = json.loads(render("spdx", ctx))["@graph"]
    names = {e["spdxId"]: e.get("name") for e in graph if "spdxId" in e}
    rels = {
        (names[e["from"]], e["relationshipType"], names[e["to"][0]])
        for e in graph
        if e["type"] == "Relationship" and e["to"][0] in names
    }
    assert ("chat-7b", "trainedOn", "chat-data") in rels
    assert ("chat-7b", "testedOn", "eval-suite") in rels
    assert ("base-7b", "ancestorOf", "chat-7b") in rels
    assert ("chat-7b", "ancestorOf", "chat-7b-gguf") in rels
    kinds = {e["name"]: e["type"] for e in graph if e["type"].endswith("Package")}
    assert kinds["chat-7b"] == "ai_AIPackage" and kinds["web-crawl"] == "dataset_DatasetPackage"
