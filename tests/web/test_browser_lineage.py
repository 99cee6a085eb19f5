"""Real Chromium against a live server on the demo registry: the impact page, the lineage
graph fitted to its box with zoom and pan, the record page on a 390 px phone, and the API docs
page, each with no console error (a Content-Security-Policy violation is one)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from support import need_module
from web._live import chromium, live

pytestmark = pytest.mark.browser

# Each word of a cell's text (a run without spaces) sits on one line, or wraps only after a
# hyphen as typesetting does ("stable-diffusion-" / "v1-5"); a line break anywhere else in a
# word (after "lai", before "on-5b") is a broken word.
BROKEN_WORDS = """() => {
  const broken = [];
  for (const cell of document.querySelectorAll("main td, main th")) {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const re = /\\S+/g;
      let m;
      while ((m = re.exec(node.data))) {
        let top = null;
        for (let i = 0; i < m[0].length; i++) {
          const range = document.createRange();
          range.setStart(node, m.index + i);
          range.setEnd(node, m.index + i + 1);
          const rect = range.getBoundingClientRect();
          if (rect.width === 0) continue;
          const t = Math.round(rect.top);
          if (top !== null && t !== top && m[0][i - 1] !== "-") broken.push(m[0]);
          top = t;
        }
      }
    }
  }
  return broken;
}"""


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    need_module("fastapi", "server")
    from umr.registry.demo import load_demo
    from umr.web.app import create_app

    url = f"sqlite:///{tmp_path_factory.mktemp('demo-web') / 'registry.db'}"
    load_demo(url)
    with live(create_app(url)) as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as b:
        yield b


def _page(browser: Any, width: int = 1280, height: int = 900) -> Any:
    context = browser.new_context(viewport={"width": width, "height": height})
    pg = context.new_page()
    pg.problems = []
    pg.on(
        "console",
        lambda m: (
            pg.problems.append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None
        ),
    )
    pg.on("pageerror", lambda e: pg.problems.append(f"pageerror: {e}"))
    return pg


def _inside(inner: dict[str, float], outer: dict[str, float]) -> bool:
    return (
        inner["x"] >= outer["x"] - 0.5
        and inner["y"] >= outer["y"] - 0.5
        and inner["x"] + inner["width"] <= outer["x"] + outer["width"] + 0.5
        and inner["y"] + inner["height"] <= outer["y"] + outer["height"] + 0.5
    )


def test_the_graph_is_fitted_with_the_record_in_view_and_zooms(
    browser: Any, demo_server: str, tmp_path: Path
) -> None:
    pg = _page(browser)
    pg.goto(demo_server + "/records/stable-diffusion-v1-5/1.1.0")
    box = pg.locator(".graph").bounding_box()
    subject = pg.locator(".graph .node.subject rect").bounding_box()
    assert box and subject and _inside(subject, box), (subject, box)
    svg = pg.locator(".graph > svg")
    assert svg.bounding_box()["width"] <= box["width"] + 0.5  # fitted: no sideways scroll
    assert pg.locator(".graph .node").count() == 17
    assert pg.locator(".graph path[stroke-dasharray]").count() >= 2  # inherits, dashed
    full = [float(svg.get_attribute("width")), float(svg.get_attribute("height"))]
    before = [float(v) for v in svg.get_attribute("viewBox").split()]
    assert before == [0, 0, *full]  # the whole drawing, scaled into the box
    pg.click(".graph-controls button[aria-label='Zoom in']")
    zoomed = [float(v) for v in svg.get_attribute("viewBox").split()]
    assert zoomed[2] < before[2] and zoomed[3] < before[3]
    pg.locator(".graph").scroll_into_view_if_needed()
    box = pg.locator(".graph").bounding_box()
    assert box
    pg.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    pg.mouse.down()
    pg.mouse.move(box["x"] + box["width"] / 2 + 80, box["y"] + box["height"] / 2, steps=4)
    pg.mouse.up()
    panned = [float(v) for v in svg.get_attribute("viewBox").split()]
    assert panned[0] < zoomed[0] and panned[2] == zoomed[2]  # dragged right: the view moves left
    pg.click(".graph-controls button[aria-label='Show the whole graph']")
    assert [float(v) for v in svg.get_attribute("viewBox").split()] == before
    pg.screenshot(path=str(tmp_path / "graph.png"))
    assert pg.problems == []
    pg.context.close()


def test_record_page_on_a_phone_breaks_no_word(browser: Any, demo_server: str) -> None:
    pg = _page(browser, width=390, height=844)
    for path in (
        "/records/stable-diffusion-v1-5/1.0.0",
        "/records/laion-5b/1.0.0",
        "/advisories/UMR-2023-0001",
        "/impact/laion-5b?range=%3C2.0.0",
    ):
        pg.goto(demo_server + path)
        assert pg.locator("main td").count() > 0, path
        assert pg.evaluate(BROKEN_WORDS) == [], path
        # the page itself does not scroll sideways; a wide table scrolls inside itself
        assert pg.evaluate("document.documentElement.scrollWidth") <= 390, path
    assert pg.problems == []
    pg.context.close()


def test_impact_page_filters_by_kind(browser: Any, demo_server: str) -> None:
    pg = _page(browser)
    pg.goto(demo_server + "/impact/laion-5b?range=%3C2.0.0")
    assert "47 published records derive from laion-5b 1.0.0" in pg.locator(".summary").inner_text()
    assert pg.locator("section.impact-group").count() >= 2  # grouped by kind
    pg.select_option("select[name=kind]", "dataset")
    pg.click("#impact-form button[type=submit]")
    pg.wait_for_url("**kind=dataset**")
    assert pg.locator("section.impact-group").count() == 1
    rows = pg.locator("table.impact tbody tr")
    assert rows.count() > 0
    first = rows.first.locator("td.path").inner_text()
    assert first.endswith("laion-5b@1.0.0")  # record first, back to laion-5b
    pg.click("table.impact tbody tr >> nth=0 >> td >> nth=0 >> a")
    pg.wait_for_url("**/records/**")
    assert pg.problems == []
    pg.context.close()


def test_api_docs_page_renders_within_the_policy(browser: Any, demo_server: str) -> None:
    pg = _page(browser)
    response = pg.goto(demo_server + "/api/docs")
    assert response.status == 200
    assert "default-src 'self'" in response.headers["content-security-policy"]
    assert pg.locator("section.operation").count() >= 15
    text = pg.locator("main").inner_text()
    assert "/api/records/{name}/{version}/audit" in text and "certain_routes" not in text
    assert "findings" in text  # the audit's answer keys, from its response schema
    assert pg.locator("script[src^='http'], link[href^='http']").count() == 0  # no CDN
    assert pg.problems == []
    pg.context.close()
