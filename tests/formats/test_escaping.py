"""Hostile text in every field: each output is inert (nothing evaluated, no markup injected)
and still renders (HTML parses, SVG is XML, front matter re-parses, LaTeX and Typst compile)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest
import yaml

from formats._hostile import EVIL, write_workspace
from formats._lineage import published
from umr.formats import available, render
from umr.formats.context import RenderContext, build_context

HTML_TAGS = {
    "html",
    "head",
    "meta",
    "title",
    "style",
    "body",
    "main",
    "header",
    "h1",
    "h2",
    "h3",
    "div",
    "p",
    "span",
    "dl",
    "dt",
    "dd",
    "code",
    "table",
    "tr",
    "th",
    "td",
    "br",
    "a",
    "ul",
    "li",
    "details",
    "summary",
    "pre",
    "footer",
    "strong",
    # inline SVG
    "svg",
    "defs",
    "marker",
    "path",
    "rect",
    "g",
    "text",
}


@pytest.fixture(scope="module")
def evil(tmp_path_factory: pytest.TempPathFactory) -> RenderContext:
    where = tmp_path_factory.mktemp("evil")
    root = write_workspace(where)
    advisories = [
        {
            "id": "EVIL-1",
            "summary": EVIL,
            "details": EVIL,
            "severity": "critical",
            "published": "2024-01-01",
            "affected": [{"name": "evil-data", "versions": "*"}],
            "fixed": [],
            "references": [{"url": "https://e.org/x", "title": EVIL}],
        }
    ]
    with published(where, root, advisories) as hostile:
        return build_context("evil-model", hostile)


@pytest.fixture(scope="module")
def outputs(evil: RenderContext) -> dict[str, bytes]:
    return {name: render(name, evil) for name in available() if name != "pdf"}


def test_no_template_expression_is_evaluated(outputs: dict[str, bytes]) -> None:
    for name, data in outputs.items():
        assert b"7*191" in data or b"7\\*191" in data or name == "svg", name  # kept as text
        assert str(7 * 191).encode() not in data, name


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.handlers: list[str] = []
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.handlers += [k for k, _ in attrs if k.startswith("on")]
        self.hrefs += [v or "" for k, v in attrs if k == "href"]


def test_html_is_inert_and_keeps_the_text(outputs: dict[str, bytes]) -> None:
    text = outputs["html"].decode()
    parser = _Tags()
    parser.feed(text)
    assert parser.tags <= HTML_TAGS, parser.tags - HTML_TAGS
    assert parser.handlers == []
    assert all(h.startswith("https://") or h == "#" for h in parser.hrefs)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "lorem ipsum" in text and len(text) > 100_000


def test_svg_is_well_formed_xml_and_inert(outputs: dict[str, bytes]) -> None:
    root = ET.fromstring(outputs["svg"])
    tags = {el.tag.rpartition("}")[2] for el in root.iter()}
    assert tags <= {"svg", "title", "defs", "marker", "path", "rect", "g", "text"}
    assert not any(k.startswith("on") for el in root.iter() for k in el.attrib)


def test_markdown_front_matter_reparses_and_body_is_inert(outputs: dict[str, bytes]) -> None:
    from markdown_it import MarkdownIt

    text = outputs["markdown"].decode()
    assert text.startswith("---\n")
    head, _, body = text[4:].partition("\n---\n")
    meta = yaml.safe_load(head)
    assert meta["tags"] == [EVIL, "ok"] and meta["pipeline_tag"] == EVIL
    assert meta["model-index"][0]["results"][0]["metrics"][0]["value"] == EVIL
    assert "key" not in meta  # the '---' inside a value did not end the front matter
    html = MarkdownIt("commonmark").enable("table").render(body)
    parser = _Tags()
    parser.feed(html)
    assert parser.tags <= {
        "h1",
        "h2",
        "p",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "ul",
        "li",
        "code",
        "a",
        "strong",
        "em",
    }, parser.tags
    assert parser.handlers == [] and all(h.startswith("https://") for h in parser.hrefs)
    assert "<script>" not in body and "javascript:" not in "".join(parser.hrefs)
    assert html.count("<h1>") == 1  # '# heading' inside text stays text


def test_data_formats_round_trip_the_text(outputs: dict[str, bytes]) -> None:
    assert json.loads(outputs["json"])["title"] == EVIL
    assert yaml.safe_load(outputs["yaml"])["title"] == EVIL
