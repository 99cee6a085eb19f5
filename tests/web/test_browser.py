"""Real Chromium through Playwright against a live server: search, open a record, follow a
lineage edge, download a PDF, no console errors; and a hostile record renders inert."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from web._live import chromium, live

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(app: Any) -> Iterator[str]:
    with live(app) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as b:
        yield b


@pytest.fixture()
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(accept_downloads=True, viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.problems = []  # console errors, page errors, dialogs
    pg.on(
        "console",
        lambda m: (
            pg.problems.append(f"console {m.type}: {m.text}")
            if m.type in ("error", "warning")
            else None
        ),
    )
    pg.on("pageerror", lambda e: pg.problems.append(f"pageerror: {e}"))
    pg.on("dialog", lambda d: (pg.problems.append(f"dialog: {d.message}"), d.dismiss()))
    yield pg
    context.close()


def test_search_open_follow_lineage_download_pdf(server: str, page: Any, tmp_path: Path) -> None:
    page.goto(server + "/")
    page.fill("header input[name=q]", "acme chat")
    page.press("header input[name=q]", "Enter")
    page.wait_for_url("**/search?q=acme+chat")
    page.click("a.hit:text-is('acme-chat')")
    page.wait_for_url("**/records/acme-chat/1.1.0")
    assert page.locator("h1").inner_text() == "Acme Chat"
    assert page.locator(".graph svg").count() == 1
    assert "TEST-2023-0001" in page.locator("#audit").inner_text()
    # follow the lineage edge to the base model
    page.click("ul.lineage.up a.lineage-link:text-is('base-7b@1.0.0')")
    page.wait_for_url("**/records/base-7b/1.0.0")
    assert "acme-chat@1.1.0" in page.locator("ul.lineage.down").inner_text()
    # download the PDF
    with page.expect_download() as info:
        page.click("a.dl-pdf")
    target = tmp_path / info.value.suggested_filename
    info.value.save_as(target)
    assert target.name == "base-7b-1.0.0.pdf"
    assert target.read_bytes().startswith(b"%PDF-")
    assert page.problems == []


def test_search_filters_without_javascript(browser: Any, server: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    pg = context.new_page()
    pg.goto(server + "/search")
    pg.select_option("select[name=kind]", "dataset")
    pg.click("form.filters button[type=submit]")
    pg.wait_for_url("**kind=dataset**")
    names = set(pg.locator("a.hit").all_inner_texts())
    assert names == {"corpus-x", "bench-qa"}
    context.close()


def test_hostile_record_renders_inert(server: str, page: Any) -> None:
    for path in [
        "/records/evil/1.0.0",
        "/records/evil",
        "/search?q=evil",
        "/",
        "/records/base-7b/1.0.0",
        "/api/records/evil/1.0.0.html",
        "/api/records/evil/1.0.0.svg",
    ]:
        page.goto(server + path)
        page.wait_for_load_state("load")
        assert page.evaluate("window.__pwned === undefined"), path
    assert not [p for p in page.problems if p.startswith(("dialog", "pageerror"))]
    page.goto(server + "/records/evil/1.0.0")
    assert "<script>window.__pwned = 1" in page.locator("h1").inner_text()
    assert page.locator("main script, main img, main iframe, main svg[onload]").count() == 0


def test_static_site_search_runs_from_file(browser: Any, registry_url: str, tmp_path: Path) -> None:
    from umr.registry import Registry
    from umr.web.site import export

    export(Registry(registry_url), tmp_path, formats=["json"])
    pg = browser.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))

    def refuse(dialog: Any) -> None:
        errors.append(dialog.message)
        dialog.dismiss()

    pg.on("dialog", refuse)
    pg.goto((tmp_path / "search.html").as_uri() + "?q=acme")
    pg.wait_for_selector("a.hit")
    names = set(pg.locator("a.hit").all_inner_texts())
    assert names == {"acme-chat", "acme-chat-q4"}
    pg.click("a.hit:text-is('acme-chat-q4')")
    assert pg.url.endswith("records/acme-chat-q4/1.0.0.html")
    pg.goto((tmp_path / "search.html").as_uri() + "?q=evil")
    pg.wait_for_selector("a.hit")
    assert errors == []
    pg.close()
