"""``umr site``: the same pages as a static site, relative links that all resolve, a search
index."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest

HREF = re.compile(r'(?:href|src)="([^"]*)"')


@pytest.fixture(scope="module")
def site(registry_url: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    from umr.registry import Registry
    from umr.web.site import export

    out = tmp_path_factory.mktemp("site")
    report = export(Registry(registry_url), out, formats=["json", "svg", "html"])
    assert report.pages > 20 and not report.skipped
    return out


def test_pages_and_twins_exist(site: Path) -> None:
    for rel in [
        "index.html",
        "index.json",
        "records.html",
        "search.html",
        "advisories.html",
        "advisories/TEST-2023-0001.html",
        "records/acme-chat.html",
        "records/acme-chat/1.1.0.html",
        "records/acme-chat/1.1.0.json",
        "records/acme-chat/diff/1.0.0/1.1.0.html",
        "feed.atom",
        "records/acme-chat/feed.atom",
        "api/records/acme-chat/1.1.0.svg",
        "search-index.json",
        "search-index.js",
        "static/umr.css",
    ]:
        assert (site / rel).is_file(), rel


def test_every_link_is_relative_and_resolves(site: Path) -> None:
    checked = 0
    for page in site.rglob("*.html"):
        for href in HREF.findall(page.read_text(encoding="utf-8")):
            parts = urlsplit(href)
            if parts.scheme in ("http", "https", "data") or href.startswith("#"):
                continue
            assert not href.startswith("/"), f"{page}: absolute link {href}"
            target = (page.parent / unquote(parts.path)).resolve()
            assert target.is_file(), f"{page.relative_to(site)}: {href} -> missing"
            checked += 1
    assert checked > 200


def test_search_index(site: Path) -> None:
    index = json.loads((site / "search-index.json").read_text(encoding="utf-8"))
    by_name = {e["name"]: e for e in index}
    assert by_name["acme-chat"]["version"] == "1.1.0"
    assert by_name["acme-chat"]["advisories"] == 1
    assert by_name["acme-chat-q4"]["relations"] == ["quantized_from"]
    assert (site / by_name["acme-chat"]["url"]).is_file()
    js = (site / "search-index.js").read_text(encoding="utf-8")
    assert "<script" not in js and "\\u003cscript" in js  # the evil record cannot close a tag


def test_static_page_matches_server_page(site: Path, client: Any) -> None:
    served = client.get("/records/acme-chat/1.1.0.json").json()
    written = json.loads((site / "records/acme-chat/1.1.0.json").read_text(encoding="utf-8"))
    assert written["fields"] == served["fields"]
    assert written["audit"] == served["audit"]
