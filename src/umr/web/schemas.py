"""JSON Schemas of the API's answers, for ``/openapi.json`` (and so for ``/api/docs`` and the
schema conformance tests, which check every answer against them).

The shapes are those of :mod:`umr.graph`'s ``to_dict()`` and of the view functions; they are
written out here, once, rather than derived, because the answers are built from frozen
dataclasses and plain dicts, not from response models.
"""

from __future__ import annotations

from typing import Any

_STR = {"type": "string"}
_OPT_STR = {"type": ["string", "null"]}
_INT = {"type": "integer", "minimum": 0}
_BOOL = {"type": "boolean"}


def _object(required: dict[str, Any], optional: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "type": "object",
        "required": sorted(required),
        "properties": {**required, **(optional or {})},
    }


EDGE = _object(
    {"from": _STR, "relation": _STR, "to": _STR},
    {"uncertain": _BOOL, "note": _STR, "flagged": _BOOL},
)
PATH = {"type": "array", "items": EDGE, "description": "record first: the most derived record"}
HIT = _object(
    {
        "id": _STR,
        "name": _STR,
        "version": _STR,
        "kind": _STR,
        "title": _OPT_STR,
        "depth": _INT,
        "relation": _STR,
        "via": {**_STR, "description": "the record one step nearer the start"},
        "uncertain": _BOOL,
    },
    {"path": PATH},
)
_PAGE = {
    "total": _INT,
    "offset": _INT,
    "limit": _INT,
    "next": {"type": ["integer", "null"], "description": "the next page's offset"},
    "hits": {"type": "array", "items": HIT},
}
LINEAGE = _object({"record": _STR, "direction": {"enum": ["up", "down"]}, **_PAGE})
IMPACT = _object(
    {"name": _STR, "range": _STR, "versions": {"type": "array", "items": _STR}, **_PAGE}
)
ADVISORY_SUMMARY = _object(
    {
        "id": _STR,
        "summary": _STR,
        "severity": {"enum": ["low", "medium", "high", "critical"]},
        "affected": {"type": "array", "items": _object({"name": _STR, "versions": _STR})},
        "fixed": {
            "type": "array",
            "items": _object({"name": _STR, "version": _STR}, {"reason": _STR}),
        },
    },
    {"details": _OPT_STR, "published": _OPT_STR, "references": {"type": "array"}},
)
FIX = _object({"kind": {"enum": ["upgrade", "rebuild", "none"]}, "ref": _OPT_STR, "text": _STR})
FINDING = _object(
    {
        "advisory": ADVISORY_SUMMARY,
        "record": _STR,
        "affected": {"type": "array", "items": _STR},
        "severity": _STR,
        "possible": _BOOL,
        "routes": _INT,
        "certain_routes": _INT,
        "offset": _INT,
        "paths": {"type": "array", "items": PATH},
        "edges": {"type": "array", "items": EDGE},
        "fix": {"anyOf": [FIX, {"type": "null"}]},
    },
    {"reason": _STR},
)
AUDIT = _object(
    {
        "record": _STR,
        "ok": _BOOL,
        "summary": _STR,
        "findings": {"type": "array", "items": FINDING},
        "cleared": {"type": "array", "items": FINDING},
    }
)
VERSION = _object(
    {
        "version": _STR,
        "latest": _BOOL,
        "yanked": _BOOL,
        "affected": {"type": "array", "items": _STR},
        "reached": {"type": "array", "items": _STR},
        "fixed": {"type": "array", "items": _STR},
        "superseded_by": _OPT_STR,
    },
    {"yank_reason": _OPT_STR, "marks": {"type": "array", "items": _STR}, "url": _STR},
)
VERSIONS = _object(
    {"name": _STR, "latest": _STR, "versions": {"type": "array", "items": VERSION}},
    {"kind": _STR, "title": _OPT_STR, "summary": _OPT_STR},
)
ADVISORY_PAGE = _object(
    {
        "advisory": ADVISORY_SUMMARY,
        "total": _INT,
        "offset": _INT,
        "limit": _INT,
        "next": {"type": ["integer", "null"], "description": "the next page's offset"},
        "reached": {"type": "array", "items": {"type": "object"}},
        "fixed": {"type": "array", "items": _object({"id": _STR, "url": _STR, "named": _BOOL})},
    },
    {"revisions": {"type": "array"}},
)


def ok(schema: dict[str, Any], description: str) -> dict[int | str, dict[str, Any]]:
    """A route's 200 answer for ``responses=``."""
    return {200: {"description": description, "content": {"application/json": {"schema": schema}}}}
