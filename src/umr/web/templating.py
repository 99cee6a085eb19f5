"""Jinja2 for the web pages (autoescape on), and links that work on a server and on disk.

Templates never write a URL by hand: ``url('/records/x/1.0.0')`` gives the server path, or in a
static export (:mod:`umr.web.site`) the path relative to the page being written.
"""

from __future__ import annotations

import functools
import json
import posixpath
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2
from markupsafe import Markup

from umr import __version__

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"
_FILE_SUFFIXES = (".atom", ".json", ".js", ".css", ".svg", ".png", ".ico", ".txt")


def site_file(path: str) -> str:
    """Where the page at server ``path`` lives in a static export (relative to its root)."""
    path = path.split("?", 1)[0].split("#", 1)[0]
    if path in ("", "/"):
        return "index.html"
    rel = path.lstrip("/")
    if rel.startswith(("static/", "api/")) or rel.endswith(_FILE_SUFFIXES):
        return rel
    return rel.rstrip("/") + ".html"


class Linker:
    """Builds hrefs. ``here`` is the current server path; ``static`` switches to file links."""

    def __init__(self, here: str = "/", *, static: bool = False, root: str = "") -> None:
        self.here = here
        self.static = static
        self.root = root.rstrip("/")

    def __call__(self, path: str, **query: Any) -> str:
        params = "&".join(
            f"{quote(k)}={quote(str(v))}" for k, v in query.items() if v not in (None, "")
        )
        if not self.static:
            href = self.root + quote(path, safe="/@.-_~+=")
            return href + (f"?{params}" if params else "")
        target = site_file(path)
        start = posixpath.dirname(site_file(self.here)) or "."
        href = quote(posixpath.relpath(target, start), safe="/@.-_~+=")
        return href + (f"?{params}" if params else "")


def _tojson_attr(value: Any) -> Markup:
    """JSON for a ``data-*`` attribute (autoescape then escapes the quotes)."""
    return Markup.escape(json.dumps(value, default=str))


def _when(value: Any) -> str:
    text = str(value or "")
    return text[:10] if len(text) >= 10 else text


@functools.cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.ChainableUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["attrjson"] = _tojson_attr
    env.filters["day"] = _when
    env.globals["umr_version"] = __version__
    return env


def render(template: str, *, here: str, static: bool = False, root: str = "", **values: Any) -> str:
    """Render ``template`` for the page at ``here``."""
    linker = Linker(here, static=static, root=root)
    return (
        environment().get_template(template).render(url=linker, here=here, static=static, **values)
    )
