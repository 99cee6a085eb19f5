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
    """A valid record name for ``original``, and the original if it had to change.
    Raises RefError when nothing of it is left (see :func:`slug_or_none`)."""
    name = normalize_name(original)
    if name != original:
        lost.append(f"{where}: name {shown(original)} is not a slug; normalized to {name!r}")
        return name, original
    return name, None


def slug_or_none(original: Any, lost: list[str], where: str) -> tuple[str | None, str | None]:
    """Like :func:`slug`, but a value that is no name at all is noted in ``lost`` and gives
    ``None``, so one odd entry does not stop the import."""
    value = text(original)
    if value is None:
        lost.append(f"{where}: {shown(original)} is not a name; skipped")
        return None, None
    try:
        return slug(value, lost, where)
    except UmrError:
        lost.append(f"{where}: {shown(value)} has nothing a name can be made of; skipped")
        return None, None


# Outside documents may have any shape: these read a value as the shape the importer expects,
# and give an empty or absent value for any other, so no lookup fails on a surprise.


def mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def items(value: Any) -> list[Any]:
    """A list as is; None as no items; any other single value as one item."""
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def mappings(value: Any) -> list[dict[str, Any]]:
    return [v for v in items(value) if isinstance(v, dict)]


def text(value: Any) -> str | None:
    """A string as is, a number as its digits; anything else (lists, mappings, booleans,
    null) is not text."""
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


def shown(value: Any) -> str:
    """``value`` for a message: its repr, cut to 60 characters."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 200:
        return "a very long number"
    out = repr(value)
    return out if len(out) <= 60 else out[:57] + "..."


def version(value: Any, lost: list[str], where: str) -> str:
    """A SemVer string for ``value`` (``v1.2`` -> ``1.2.0``); ``1.0.0`` when there is none."""
    raw = (text(value) or "").strip().removeprefix("v")
    try:
        return str(Version.parse(raw))
    except UmrError:
        parts = [str(int(p)) for p in re.findall(r"\d{1,9}", raw[:256])[:3]]
        guess = ".".join([*parts, "0", "0", "0"][:3]) if parts else "1.0.0"
        lost.append(f"{where}: version {shown(value)} is not SemVer; set to {guess!r}")
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
