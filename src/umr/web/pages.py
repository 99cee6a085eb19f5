"""Server-rendered pages, one route per page: the same path with ``.json`` (or
``?format=json``) returns the data the page was rendered from (see :mod:`umr.web.views`).

The public JSON reads ``/api/records``, ``/api/records/{name}``, ``/api/search``,
``/api/advisories`` and ``/api/advisories/{id}`` are the same views under a documented
address: :func:`view` declares a page's path and its API alias together.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from umr.spec import KINDS, check_name
from umr.web import schemas, views
from umr.web._http import FORMAT, Reg, errors, json_response, one_snapshot, wants_json
from umr.web.templating import render

router = APIRouter()
READ = errors(400, 404, 422)
F = TypeVar("F", bound=Callable[..., Any])


def view(
    path: str,
    *,
    api: str | None = None,
    also: tuple[str, ...] = (),
    responses: dict[int | str, dict[str, Any]] | None = None,
) -> Callable[[F], F]:
    """Declare one GET view: at ``path`` with an optional ``.json`` suffix (``path`` names
    its last segment ``{x:umr_stem}``), at each of ``also`` as it is, and, with ``api``, at
    that documented JSON address (in the OpenAPI description, with ``responses``)."""

    def declare(fn: F) -> F:
        suffix = "" if path == "/" else FORMAT
        for where in (path + suffix, *also):
            router.add_api_route(
                where, fn, methods=["GET"], include_in_schema=False, response_class=HTMLResponse
            )
        if api is not None:
            router.add_api_route(
                api, fn, methods=["GET"], tags=["api"], responses={**READ, **(responses or {})}
            )
        return fn

    return declare


def _page(
    request: Request,
    template: str,
    data: dict[str, Any],
    *,
    title: str,
    as_json: bool | None = None,
    **extra: Any,
) -> Response:
    if wants_json(request) if as_json is None else as_json:
        return json_response(data)
    html = render(
        template,
        here=request.url.path,
        data=data,
        title=title,
        demo=request.app.state.demo,
        **extra,
    )
    return HTMLResponse(html)


# Page builders shared with the static export: (template, data, title, extra values).
def home_page(reg: Any) -> tuple[str, dict[str, Any], str, dict[str, Any]]:
    return "home.html", views.home(reg), "Model records", {}


def record_page(
    reg: Any, name: str, version: str, only: list[str] | None = None
) -> tuple[str, dict[str, Any], str, dict[str, Any]]:
    from umr.formats.html import page_values

    ctx = views.context(reg, name, version, downstream_limit=views.PAGE_DOWNSTREAM)
    data = views.record(reg, name, version, ctx, only)
    values = page_values(ctx)
    extra = {
        "graph_svg": values["graph_svg"],
        "findings": values["findings"],
        "unlearning_html": values["unlearning_html"],
        "scorecards": ctx.scorecards,
        "r": values["r"],
        "origin": ctx.origin,
    }
    return "record.html", data, data["record"].get("title") or ctx.id, extra


def versions_page(reg: Any, name: str) -> tuple[str, dict[str, Any], str, dict[str, Any]]:
    data = views.versions(reg, name)
    return "versions.html", data, data.get("title") or name, {}


def diff_page(
    reg: Any, name: str, a: str, b: str
) -> tuple[str, dict[str, Any], str, dict[str, Any]]:
    data = views.diff(reg, name, a, b)
    return "diff.html", data, f"{name} {data['from']} \u2192 {data['to']}", {}


def advisories_page(
    reg: Any, name: str | None = None
) -> tuple[str, dict[str, Any], str, dict[str, Any]]:
    return "advisories.html", views.advisories(reg, name), "Advisories", {}


def advisory_page(
    reg: Any, advisory_id: str, offset: int = 0, limit: int = views.ADVISORY_PAGE
) -> tuple[str, dict[str, Any], str, dict[str, Any]]:
    data = views.advisory(reg, advisory_id, offset, limit)
    return "advisory.html", data, f"{data['advisory']['id']}", {}


def impact_page(
    reg: Any, name: str, rng: str, kind: str | None, scope: str, page: int
) -> tuple[str, dict[str, Any], str, dict[str, Any]]:
    data = views.impact(reg, name, rng, kind or None, scope, page)
    return "impact.html", data, f"Impact of {name}", {"all_kinds": KINDS, "scopes": views.SCOPES}


def browse_page(
    reg: Any, kind: str | None, page: int
) -> tuple[str, dict[str, Any], str, dict[str, Any]]:
    return "records.html", views.browse(reg, kind, page), "All records", {"kinds": KINDS}


def _send(request: Request, built: tuple[str, dict[str, Any], str, dict[str, Any]]) -> Response:
    template, data, title, extra = built
    return _page(request, template, data, title=title, **extra)


def api_docs_page(spec: dict[str, Any]) -> tuple[str, dict[str, Any], str, dict[str, Any]]:
    """Every API operation from the OpenAPI description: method, path, what it does, its
    parameters and the keys of its answer; rendered on the server, so the page needs no
    script and no third-party files."""
    methods = ("get", "post", "put", "patch", "delete")
    operations = []
    for path, item in sorted(spec.get("paths", {}).items()):
        for method in methods:
            op = item.get(method)
            if op is None:
                continue
            ok = op.get("responses", {}).get("200") or op.get("responses", {}).get("201") or {}
            body = ok.get("content", {}).get("application/json", {}).get("schema", {})
            operations.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "summary": op.get("summary") or "",
                    "description": op.get("description") or "",
                    "parameters": [
                        {
                            "name": p["name"],
                            "in": p["in"],
                            "required": bool(p.get("required")),
                            "type": _type_text(p.get("schema", {})),
                            "description": p.get("description") or "",
                        }
                        for p in op.get("parameters", [])
                    ],
                    "body": "requestBody" in op,
                    "answer": sorted(body.get("properties", {})),
                }
            )
    data = {"title": spec.get("info", {}).get("title", "API"), "operations": operations}
    return "api_docs.html", data, "API", {}


def _type_text(schema: dict[str, Any]) -> str:
    if "anyOf" in schema:
        return " or ".join(_type_text(s) for s in schema["anyOf"] if s.get("type") != "null")
    kind = schema.get("type", "")
    return f"{kind} of {_type_text(schema['items'])}" if kind == "array" else str(kind)


Name = Annotated[str, Path(description="record name (a slug)", max_length=100)]
AdvisoryId = Annotated[str, Path(max_length=100)]
KindQ = Annotated[str | None, Query(description=f"one of {', '.join(KINDS)}", max_length=16)]
PageQ = Annotated[int, Query(ge=1, le=100_000)]


@router.get("/api/docs", response_class=HTMLResponse, include_in_schema=False)
def api_docs(request: Request) -> Response:
    template, data, title, extra = api_docs_page(request.app.openapi())
    as_json = request.query_params.get("format") == "json"  # a page, though under /api/
    return _page(request, template, data, title=title, as_json=as_json, **extra)


@view("/", also=("/index.json",))
@one_snapshot
def home(request: Request, reg: Reg) -> Response:
    return _send(request, home_page(reg))


@view("/search", api="/api/search")
@one_snapshot
def search(
    request: Request,
    reg: Reg,
    q: Annotated[str, Query(max_length=200)] = "",
    kind: KindQ = None,
    publisher: Annotated[str | None, Query(max_length=200)] = None,
    relation: Annotated[
        str | None, Query(description="a relation, e.g. finetuned_from", max_length=100)
    ] = None,
    advisory: Annotated[
        str | None,
        Query(
            max_length=10,
            description="yes: only records an advisory reaches; no: only "
            "records none reaches; empty or any: either",
        ),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = views.SEARCH_LIMIT,
    sort: Annotated[
        str | None,
        Query(
            max_length=16,
            description="relevance, name, or advisories (records an advisory reaches first, "
            "worst first)",
        ),
    ] = None,
) -> Response:
    """Ranked full-text search over names, titles, summaries and publishers, with filters;
    each hit lists the advisories that reach it."""
    query = views.SearchQuery(
        q=q,
        kind=kind or None,
        publisher=publisher or None,
        relation=relation or None,
        advisory=views.parse_flag("advisory", advisory),
        limit=limit,
        sort=sort or "relevance",
    )  # checks kind, relation and sort
    data = views.search(reg, query)
    if wants_json(request):
        return json_response(data)
    title = f"Search: {q}" if q else "Search"
    return _page(request, "search.html", data, title=title, facets=views.facets(reg))


@view("/records", api="/api/records")
@one_snapshot
def records(request: Request, reg: Reg, kind: KindQ = None, page: PageQ = 1) -> Response:
    """Record names with their latest version, 100 a page."""
    return _send(request, browse_page(reg, kind or None, page))


@view("/advisories", api="/api/advisories")
@one_snapshot
def advisories(
    request: Request, reg: Reg, name: Annotated[str | None, Query(max_length=100)] = None
) -> Response:
    """Every advisory (or those naming ``name``), newest first."""
    return _send(request, advisories_page(reg, name or None))


@view(
    "/advisories/{advisory_id:umr_stem}",
    api="/api/advisories/{advisory_id}",
    responses=schemas.ok(schemas.ADVISORY_PAGE, "the advisory and what it reaches"),
)
@one_snapshot
def advisory(
    request: Request,
    reg: Reg,
    advisory_id: AdvisoryId,
    offset: Annotated[int, Query(ge=0, le=100_000_000, description="records to skip")] = 0,
    limit: Annotated[int, Query(ge=1, le=10_000)] = views.ADVISORY_PAGE,
) -> Response:
    """One advisory and the published records it reaches (a page at a time), each with its
    path (record first); records reached only through a fixed version listed apart."""
    return _send(request, advisory_page(reg, advisory_id, offset, limit))


@view("/impact/{name:umr_stem}")
@one_snapshot
def impact(
    request: Request,
    reg: Reg,
    name: str,
    range: Annotated[str, Query(max_length=256)] = "*",
    kind: Annotated[str | None, Query(max_length=16)] = None,
    scope: Annotated[str, Query(max_length=16)] = "all",
    page: PageQ = 1,
) -> Response:
    return _send(request, impact_page(reg, name, range, kind, scope, page))


@router.get("/records/{name}/diff", include_in_schema=False)
def diff_form(
    name: str,
    a: Annotated[str, Query(alias="from")],
    b: Annotated[str, Query(alias="to")],
) -> Response:
    """The diff form (GET) lands here; the canonical diff URL is a path."""
    check_name(name), views.parse_version(a), views.parse_version(b)
    return RedirectResponse(f"/records/{name}/diff/{a}/{b}", status_code=303)


@view("/records/{name}/diff/{a}/{b:umr_stem}")
@one_snapshot
def diff(request: Request, reg: Reg, name: str, a: str, b: str) -> Response:
    return _send(request, diff_page(reg, name, a, b))


@view("/records/{name}/{version:umr_stem}")
@one_snapshot
def record(request: Request, reg: Reg, name: str, version: str) -> Response:
    return _send(request, record_page(reg, name, version))


@view(
    "/records/{name:umr_stem}",
    api="/api/records/{name}",
    responses=schemas.ok(schemas.VERSIONS, "every version, marked"),
)
@one_snapshot
def versions(request: Request, reg: Reg, name: Name) -> Response:
    """Every version of a record, newest first, yanked ones marked."""
    return _send(request, versions_page(reg, name))
