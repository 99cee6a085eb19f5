"""Atom feeds: all advisories, and per record through its upstream closure."""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree as ET

NS = {"a": "http://www.w3.org/2005/Atom"}


def _feed(client: Any, path: str) -> Any:
    r = client.get(path)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/atom+xml")
    return ET.fromstring(r.content)


def test_overall_feed(client: Any) -> None:
    feed = _feed(client, "/feed.atom")
    assert feed.findtext("a:id", namespaces=NS) == "urn:umr:feed:advisories"
    (entry,) = feed.findall("a:entry", NS)
    assert "TEST-2023-0001" in entry.findtext("a:title", namespaces=NS)
    assert entry.findtext("a:updated", namespaces=NS).startswith("2023-05-20")
    link = entry.find("a:link", NS).get("href")
    assert link.endswith("/advisories/TEST-2023-0001")


def test_record_feed_includes_advisories_reaching_through_upstream(client: Any) -> None:
    feed = _feed(client, "/records/acme-chat-q4/feed.atom")
    (entry,) = feed.findall("a:entry", NS)
    content = entry.findtext("a:content", namespaces=NS)
    assert "-quantized_from-> acme-chat@1.1.0" in content
    assert "-trained_on-> corpus-x@1.0.0" in content
    assert feed.find("a:link[@rel='alternate']", NS).get("href").endswith("/records/acme-chat-q4")


def test_record_feed_is_empty_when_nothing_reaches(client: Any) -> None:
    assert _feed(client, "/records/bench-qa/feed.atom").findall("a:entry", NS) == []


def test_feed_of_unknown_record_is_404(client: Any) -> None:
    assert client.get("/records/nope/feed.atom").status_code == 404
