"""Rendering a published ref: the real SQLite registry gives the 10-node lineage and audit."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from support import need_module
from umr.cli import app
from umr.formats import available, render
from umr.formats.context import RenderContext, build_context
from umr.registry import Registry


@pytest.fixture(scope="module")
def published(registry: Registry) -> RenderContext:
    return build_context("chat-7b@^1", registry)


def test_published_ref_has_full_lineage_and_audit(published: RenderContext) -> None:
    graph = published.graph()
    assert len(graph.nodes) == 10
    assert {h.name for h in published.downstream} == {
        "chat-7b-gguf",
        "chat-7b-lora",
        "chat-7b-distilled",
    }
    (finding,) = published.findings
    assert finding.advisory.id == "UMR-TEST-0001"
    assert finding.affected == ("book-corpus@2.1.0",)
    assert finding.record == "chat-7b@1.1.0"
    assert graph.nodes["book-corpus@2.1.0"].severity == "high"
    assert published.extras["mode"] == "registry"


def test_every_format_renders_a_published_ref(published: RenderContext) -> None:
    need_module("typst", "pdf")
    for name in available():
        assert render(name, published), name
    html = render("html", published).decode()
    assert "UMR-TEST-0001" in html and "book-corpus@2.1.0" in html
    bom = json.loads(render("cyclonedx", published))
    assert bom["metadata"]["component"]["pedigree"]["ancestors"][0]["name"] == "base-7b"


def test_cli_renders_a_published_ref_from_the_registry(registry: Registry) -> None:
    result = CliRunner().invoke(
        app, ["--registry", registry.url, "render", "chat-7b", "-f", "html"]
    )
    assert result.exit_code == 0, result.output
    assert "1 advisory finding" in result.stdout  # audited: it came from the registry
