"""``umr site OUTDIR``: the web pages as a static site, for hosting without a server.

Same templates and data as the server (:mod:`umr.web.pages`, :mod:`umr.web.views`), with
relative links (so the folder works from any path, even ``file://``), every page's JSON twin,
the Atom feeds, every download, and search over a prebuilt index (``search-index.json``, also
as ``search-index.js`` so that it loads from ``file://`` where ``fetch`` is refused).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from umr.web import feeds, pages, views
from umr.web.templating import STATIC, Linker, render, site_file


@dataclass
class SiteReport:
    root: Path
    pages: int = 0
    files: int = 0
    skipped: list[str] = field(default_factory=list)

    def text(self) -> str:
        extra = f"; skipped {len(self.skipped)} download(s)" if self.skipped else ""
        return f"wrote {self.pages} pages and {self.files} files to {self.root}{extra}"


class _Writer:
    def __init__(self, root: Path, report: SiteReport) -> None:
        self.root = root
        self.report = report

    def file(self, path: str, body: bytes | str) -> None:
        target = self.root / site_file(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(body.encode("utf-8") if isinstance(body, str) else body)
        self.report.files += 1

    def page(self, path: str, built: tuple[str, dict[str, Any], str, dict[str, Any]]) -> None:
        template, data, title, extra = built
        self.file(
            path,
            render(template, here=path, static=True, data=data, title=title, demo=False, **extra),
        )
        twin = "/index.json" if path == "/" else f"{path}.json"
        self.file(twin, json.dumps(data, ensure_ascii=False, default=str, indent=1))
        self.report.pages += 1


def _index_entry(data: dict[str, Any]) -> dict[str, Any]:
    rec = data["record"]
    return {
        "name": rec["name"],
        "version": rec["version"],
        "kind": rec.get("kind"),
        "title": rec.get("title"),
        "summary": rec.get("summary"),
        "publisher": rec.get("publisher"),
        "relations": sorted({e["relation"] for e in rec.get("upstream") or ()}),
        "advisories": len((data.get("audit") or {}).get("findings") or ()),
        "url": site_file(views.record_url(rec["name"], rec["version"])),
    }


def export(
    registry: Any,
    outdir: str | Path,
    *,
    formats: list[str] | None = None,
    progress: Callable[[str], None] | None = None,
) -> SiteReport:
    """Write the whole site for ``registry`` into ``outdir`` (created; files overwritten)."""
    from umr import formats as fmts
    from umr.errors import UmrError

    root = Path(outdir)
    report = SiteReport(root=root)
    out = _Writer(root, report)
    if (root / "static").exists():
        shutil.rmtree(root / "static")
    shutil.copytree(STATIC, root / "static")
    wanted = fmts.available() if formats is None else formats
    out.page("/", pages.home_page(registry))
    listing = views.browse(registry, None, 1, per_page=10**9)
    out.page("/records", ("records.html", listing, "All records", {"kinds": ()}))
    out.page("/advisories", pages.advisories_page(registry))
    for adv in views.advisories(registry)["advisories"]:
        out.page(f"/advisories/{adv['id']}", pages.advisory_page(registry, adv["id"]))
    index: list[dict[str, Any]] = []
    for row in listing["records"]:
        name = row["name"]
        if progress:
            progress(name)
        built = pages.versions_page(registry, name)
        out.page(f"/records/{name}", built)
        every = [v["version"] for v in built[1]["versions"]]
        for version in every:
            record = pages.record_page(registry, name, version, wanted)
            out.page(views.record_url(name, version), record)
            if version == row["version"]:
                index.append(_index_entry(record[1]))
            for other in every:
                if other != version:
                    out.page(
                        f"/records/{name}/diff/{other}/{version}",
                        pages.diff_page(registry, name, other, version),
                    )
            ctx = views.context(registry, name, version)
            for fmt in wanted:
                try:
                    out.file(views.download_url(name, version, fmt), fmts.render(fmt, ctx))
                except UmrError as exc:
                    report.skipped.append(f"{name}@{version}.{fmt}: {exc}")
        out.file(
            f"/records/{name}/feed.atom",
            feeds.record_feed(registry, name, Linker(f"/records/{name}/feed.atom", static=True)),
        )
    out.file("/feed.atom", feeds.all_feed(registry, Linker("/feed.atom", static=True)))
    empty = views.SearchQuery()
    out.page(
        "/search",
        (
            "search.html",
            {"query": empty.to_dict(), "count": 0, "hits": []},
            "Search",
            {"facets": views.facets(registry)},
        ),
    )
    text = json.dumps(index, ensure_ascii=False, separators=(",", ":"))
    out.file("/search-index.json", text)
    # JSON inside a script: escape "<" so no string can close the script element.
    out.file("/search-index.js", "window.UMR_INDEX = " + text.replace("<", "\\u003c") + ";\n")
    return report
