"""Helpers shared by the importers: names, versions, text."""

from __future__ import annotations

import html
import re
from typing import Any

from umr.errors import UmrError
from umr.spec.names import normalize_name
from umr.spec.record import is_http_url
from umr.spec.versions import Version


def slug(original: str, lost: list[str], where: str) -> tuple[str, str | None]:
    """A valid record name for ``original``, and the original if it had to change."""
    name = normalize_name(original)
    if name != original:
        lost.append(f"{where}: name {original!r} is not a slug; normalized to {name!r}")
        return name, original
    return name, None


def version(text: Any, lost: list[str], where: str) -> str:
    """A SemVer string for ``text`` (``v1.2`` -> ``1.2.0``); ``1.0.0`` when there is none."""
    raw = str(text or "").strip().removeprefix("v")
    try:
        return str(Version.parse(raw))
    except UmrError:
        parts = re.findall(r"\d+", raw)[:3]
        guess = ".".join([*parts, "0", "0", "0"][:3]) if parts else "1.0.0"
        lost.append(f"{where}: version {text!r} is not SemVer; set to {guess!r}")
        return guess


_MD_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")


def unmarkdown(text: str) -> str:
    """Undo the Markdown escaping of :func:`umr.formats.escape.markdown`."""
    return html.unescape(_MD_ESCAPE.sub(r"\1", text))


def http(url: Any) -> str | None:
    text = str(url or "")
    return text if is_http_url(text) else None


def compact(data: dict[str, Any]) -> dict[str, Any]:
    """Drop empty values, keep order."""
    return {k: v for k, v in data.items() if v not in (None, [], {}, "")}
