"""Small response helpers shared by the API, the pages and the feeds."""

from __future__ import annotations

import functools
import inspect
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

from fastapi import Depends, Request
from fastapi.responses import JSONResponse
from starlette.convertors import Convertor, register_url_convertor

if TYPE_CHECKING:
    from umr.registry import Registry

F = TypeVar("F", bound=Callable[..., Any])


async def _registry(request: Request) -> Registry:
    """The app's registry (async: resolving it needs no worker thread)."""
    registry: Registry = request.app.state.registry
    return registry


Reg = Annotated["Registry", Depends(_registry)]
"""The one registry dependency every route takes."""


class _Stem(Convertor[str]):
    """A path segment that leaves a trailing format suffix to :class:`_Suffix` (lazy)."""

    regex = "[^/]+?"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


class _Suffix(Convertor[str]):
    """An optional ``.json`` at the end of a page's path: ``/records/clip.json`` is the JSON
    twin of ``/records/clip`` (one route per page, as datasette declares
    ``(\\.(?P<format>\\w+))?$`` once per view)."""

    regex = "(?:\\.json)?"

    def convert(self, value: str) -> str:
        return value.removeprefix(".")

    def to_string(self, value: str) -> str:
        return f".{value}" if value else ""


# Starlette's convertors are looked up by name in one table: these names are umr's own.
register_url_convertor("umr_stem", _Stem())
register_url_convertor("umr_format", _Suffix())
FORMAT = "{format:umr_format}"  # append to a page's path


def wants_json(request: Request) -> bool:
    """Whether a page route answers with its data instead of HTML: under ``/api/``, with the
    ``.json`` suffix, or with ``?format=json``."""
    return (
        request.url.path.startswith("/api/")
        or request.url.path.endswith(".json")
        or request.query_params.get("format") == "json"
    )


def one_snapshot(fn: F) -> F:
    """Run a read-only route's body in one registry snapshot (one connection, one read
    transaction) instead of one transaction per lookup. The route's signature is kept for
    FastAPI, and it stays synchronous, so it still runs in the thread pool."""

    @functools.wraps(fn)
    def run(*args: Any, **kwargs: Any) -> Any:
        request = kwargs.get("request")
        if not isinstance(request, Request):
            request = next(a for a in args if isinstance(a, Request))
        with request.app.state.registry.snapshot():
            return fn(*args, **kwargs)

    # The route's own signature with its annotations evaluated in its module, so FastAPI
    # versions that read a wrapper's annotations in this module's namespace see real types.
    run.__signature__ = inspect.signature(fn, eval_str=True)  # type: ignore[attr-defined]
    return run  # type: ignore[return-value]


async def json_body(request: Request) -> Any:
    """FastAPI dependency: the request body read as JSON through the one bounded loader
    (:func:`umr.spec.jsonio.load_json`: size, nesting, value count, finite numbers, the text
    policy). A body may carry a batch of records (``{"records": [...]}``, two levels above
    each record): it is bounded by the server's body limit and
    :data:`~umr.spec.limits.MAX_BODY_VALUES`, and each record in it by the per-record limits
    when it is parsed."""
    from umr.spec import limits
    from umr.spec.jsonio import load_json

    return load_json(
        await request.body(),
        source="<body>",
        max_bytes=getattr(request.app.state, "max_body", limits.MAX_BYTES),
        max_depth=limits.MAX_DEPTH + 2,
        max_values=limits.MAX_BODY_VALUES,
    )


def body_doc(schema: dict[str, Any], *examples: Any) -> dict[str, Any]:
    """``openapi_extra`` that documents a JSON request body read by :func:`json_body`."""
    content: dict[str, Any] = {"schema": schema}
    if examples:
        content["examples"] = {f"example{i}": {"value": e} for i, e in enumerate(examples, 1)}
    return {"requestBody": {"required": True, "content": {"application/json": content}}}


class UmrJSON(JSONResponse):
    """JSON that also carries dates and versions (as text), never NaN."""

    def render(self, content: Any) -> bytes:
        return json.dumps(
            content, ensure_ascii=False, allow_nan=False, default=str, separators=(",", ":")
        ).encode("utf-8")


def json_response(data: Any, status: int = 200) -> UmrJSON:
    return UmrJSON(data, status_code=status)


ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["status", "type", "message"],
            "properties": {
                "status": {"type": "integer"},
                "type": {"type": "string"},
                "message": {"type": "string"},
                "hint": {"type": ["string", "null"]},
                "problems": {"type": "array", "items": {"type": "object"}},
            },
        }
    },
}


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries for error statuses, all in the one error shape."""
    text = {
        400: "Bad request (a name, version or range that does not parse)",
        401: "No valid bearer token",
        403: "The token's scope does not cover this write",
        404: "Not found",
        409: "Conflicts with a published record",
        422: "Invalid record, advisory or parameters",
    }
    return {
        c: {
            "description": text.get(c, "Error"),
            "content": {"application/json": {"schema": ERROR_SCHEMA}},
        }
        for c in codes
    }
