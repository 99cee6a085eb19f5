"""CycloneDX 1.6 output validates against the official schema (cyclonedx-python-lib); SPDX
3.0.1 output loads, links and re-serializes through the SPDX model bindings (spdx-python-model,
generated from the SPDX 3.0.1 SHACL model: types, enumerations, required properties)."""

from __future__ import annotations

import copy
import functools
import io
import json
from pathlib import Path

import pytest

from formats._hostile import write_workspace
from formats._lineage import published
from support import need_module
from umr.formats import render
from umr.formats.context import RenderContext, build_context
from umr.formats.importers import read
from umr.registry import Registry
from umr.spec import Workspace


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


def _round_trip(root: Path, name: str, fields: str) -> tuple[RenderContext, dict, dict]:
    """Render record ``name`` (written from ``fields``) to SPDX and CycloneDX, both checked
    against their schemas; return its context, SPDX package and the record imported back."""
    kind = "dataset" if name == "d" else "model"
    (root / f"{name}.yaml").write_text(
        f"umr: 1\nname: {name}\nversion: 1.0.0\nkind: {kind}\n{fields}"
    )
    ctx = build_context(name, Workspace(root))
    graph = json.loads(render("spdx", ctx))["@graph"]
    spdx_check({"@context": "https://spdx.org/rdf/3.0.1/spdx-context.jsonld", "@graph": graph})
    bom = render("cyclonedx", ctx).decode()
    assert cyclonedx_errors(bom) is None
    (root / "bom.json").write_text(bom)
    imported = read("cyclonedx", root / "bom.json").records[0]
    return ctx, next(e for e in graph if e.get("name") == name), imported


@pytest.mark.parametrize(
    ("released", "time", "comment"),
    [
        ("2021", "2021-01-01T00:00:00Z", "known to the year"),
        ("2021-06", "2021-06-01T00:00:00Z", "known to the month"),
        ("2021-06-15", "2021-06-15T00:00:00Z", None),
    ],
)
def test_partial_dates_map_to_timestamps(
    tmp_path: Path, released: str, time: str, comment: str | None
) -> None:
    _, pkg, imported = _round_trip(tmp_path, "d", f"released: '{released}'\n")
    assert pkg["releaseTime"] == time
    assert pkg.get("comment") is None if comment is None else comment in pkg["comment"]
    assert imported["released"] == released  # the precision survives the round trip


ALIASES = ["hf:runwayml/stable-diffusion-v1-5", "timm:vit_base_patch16_clip_224.laion2b"]


def test_aliases_travel_through_every_format(tmp_path: Path) -> None:
    ctx, pkg, imported = _round_trip(tmp_path, "m", f"aliases: [{', '.join(ALIASES)}]\n")
    assert [x["identifier"] for x in pkg["externalIdentifier"]] == ALIASES
    assert pkg["externalIdentifier"][0]["issuingAuthority"] == "Hugging Face Hub"
    assert imported["aliases"] == ALIASES
    for fmt, shown in (
        ("html", "<code>hf:runwayml/stable-diffusion-v1-5</code>"),
        ("markdown", "| Also known as | `hf:runwayml/stable-diffusion-v1-5`, `timm:vit_base"),
        ("latex", r"\texttt{hf:runwayml/stable-{}diffusion-{}v1-{}5, timm:vit\_base\_patch16"),
        ("json", '"aliases":["hf:runwayml/stable-diffusion-v1-5"'),
    ):
        assert shown in render(fmt, ctx).decode(), fmt
