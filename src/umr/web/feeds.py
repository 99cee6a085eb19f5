"""Atom feeds of advisories: all of them (``/feed.atom``), and per record
(``/records/{name}/feed.atom``: every advisory that reaches any version of the record through
its upstream closure, with the path that carries it), so an owner can subscribe."""

from __future__ import annotations

import datetime as dt
from typing import Any
from xml.etree import ElementTree as ET

from fastapi import APIRouter, Request
from fastapi.responses import Response

from umr import __version__
from umr.web import views
from umr.web._http import Reg, one_snapshot
from umr.web.guard import public_origin

router = APIRouter(include_in_schema=False)
ATOM = "http://www.w3.org/2005/Atom"
MEDIA_TYPE = "application/atom+xml; charset=utf-8"


def _stamp(value: Any) -> str:
    text = str(value or "1970-01-01")
    if len(text) == 10:
        text += "T00:00:00Z"
    try:
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).isoformat()
    except ValueError:
        return "1970-01-01T00:00:00+00:00"


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
    if text is not None:
        el.text = text
    return el


def atom(
    *, feed_id: str, title: str, self_href: str, alt_href: str, entries: list[dict[str, Any]]
) -> bytes:
    """An Atom 1.0 document. Each entry: id, title, updated, href, summary, content."""
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    _sub(feed, "id", feed_id)
    _sub(feed, "title", title)
    _sub(feed, "updated", max((e["updated"] for e in entries), default=_stamp(None)))
    _sub(feed, "link", rel="self", href=self_href)
    _sub(feed, "link", rel="alternate", href=alt_href)
    _sub(feed, "generator", "umr", version=__version__)
    author = _sub(feed, "author")
    _sub(author, "name", "umr registry")
    for entry in entries:
        el = _sub(feed, "entry")
        _sub(el, "id", entry["id"])
        _sub(el, "title", entry["title"])
        _sub(el, "updated", entry["updated"])
        _sub(el, "link", rel="alternate", href=entry["href"])
        _sub(el, "summary", entry["summary"])
        _sub(el, "content", entry["content"], type="text")
    out: bytes = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    return out


def _advisory_entry(
    adv: dict[str, Any], href: str, content: str, suffix: str = ""
) -> dict[str, Any]:
    """One entry; a withdrawn advisory says so first, with its reason, and a change moves the
    entry's ``updated`` so that readers see it again."""
    title = f"[{adv.get('severity', '?')}] {adv['id']}: {adv.get('summary', '')}"
    if adv.get("withdrawn"):
        title = f"[withdrawn] {title}"
        content = f"Withdrawn {adv['withdrawn']}: {adv.get('withdrawn_reason')}\n\n{content}"
    return {
        "id": f"urn:umr:advisory:{adv['id']}{suffix}",
        "title": title,
        "updated": _stamp(adv.get("modified") or adv.get("published")),
        "href": href,
        "summary": str(adv.get("summary", "")),
        "content": content,
    }


def all_feed(reg: Any, link: Any) -> bytes:
    """Every advisory, newest first. ``link(path)`` turns a site path into an href."""
    items = views.advisories(reg)["advisories"]
    entries = [
        _advisory_entry(
            a, link(f"/advisories/{a['id']}"), str(a.get("details") or a.get("summary", ""))
        )
        for a in items
    ]
    return atom(
        feed_id="urn:umr:feed:advisories",
        title="umr advisories",
        self_href=link("/feed.atom"),
        alt_href=link("/advisories"),
        entries=entries,
    )


def record_feed(reg: Any, name: str, link: Any) -> bytes:
    data = views.record_feed(reg, name)
    entries = []
    for item in data["entries"]:
        adv = item["advisory"]
        lines = [f"{adv['id']} reaches {name} through its upstream:"]
        for f in item["findings"]:
            shortest = (f.get("paths") or [[]])[0]
            chain = " ".join(f"-{s['relation']}-> {s['to']}" for s in shortest)
            routes = f.get("routes", 1)
            more = f" ({routes} routes; this is the shortest)" if routes > 1 else ""
            lines.append(f"  {name}@{f['version']} {chain}{more}".rstrip())
        entries.append(
            _advisory_entry(
                adv, link(f"/advisories/{adv['id']}"), "\n".join(lines), suffix=f":{name}"
            )
        )
    for adv in data["withdrawn"]:
        lines = [f"{adv['id']} was withdrawn; it had reached {name} through its upstream."]
        entries.append(
            _advisory_entry(
                adv, link(f"/advisories/{adv['id']}"), "\n".join(lines), suffix=f":{name}"
            )
        )
    entries.sort(key=lambda e: e["updated"], reverse=True)
    return atom(
        feed_id=f"urn:umr:feed:record:{name}",
        title=f"umr advisories reaching {name}",
        self_href=link(f"/records/{name}/feed.atom"),
        alt_href=link(f"/records/{name}"),
        entries=entries,
    )


def _linker(request: Request) -> Any:
    """Absolute links from the one public origin the response cache also keys on."""
    base = public_origin(request.scope, request.app.state.base_url)
    return lambda path: base + path


@router.get("/feed.atom")
@one_snapshot
def feed(request: Request, reg: Reg) -> Response:
    return Response(all_feed(reg, _linker(request)), media_type=MEDIA_TYPE)


@router.get("/records/{name}/feed.atom")
@one_snapshot
def feed_for_record(request: Request, reg: Reg, name: str) -> Response:
    return Response(record_feed(reg, name, _linker(request)), media_type=MEDIA_TYPE)
