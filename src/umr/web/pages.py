"""Server-rendered pages. Each page has a JSON twin: the same path with ``.json`` (or
``?format=json``) returns the data the page was rendered from (see :mod:`umr.web.views`)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from umr.spec import KINDS, check_name
from umr.web import views
from umr.web._http import json_response, one_snapshot
from umr.web.templating import render

router = APIRouter(include_in_schema=False)


def _reg(request: Request) -> Any:
    return request.app.state.registry


def _page(
    request: Request,
    template: str,
    data: dict[str, Any],
    *,
    title: str,
    json_twin: bool = False,
    **extra: Any,
) -> Response:
    if json_twin or request.query_params.get("format") == "json":
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


def advisories_page(reg: Any) -> tuple[str, dict[str, Any], str, dict[str, Any]]:
    return "advisories.html", views.advisories(reg), "Advisories", {}


def advisory_page(reg: Any, advisory_id: str) -> tuple[str, dict[str, Any], str, dict[str, Any]]:
    data = views.advisory(reg, advisory_id)
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


def _send(
    request: Request,
    built: tuple[str, dict[str, Any], str, dict[str, Any]],
    json_twin: bool = False,
) -> Response:
    template, data, title, extra = built
    return _page(request, template, data, title=title, json_twin=json_twin, **extra)


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


@router.get("/api/docs", response_class=HTMLResponse)
def api_docs(request: Request) -> Response:
    return _send(request, api_docs_page(request.app.openapi()))


@router.get("/", response_class=HTMLResponse)
@one_snapshot
def home(request: Request) -> Response:
    return _send(request, home_page(_reg(request)))


@router.get("/index.json")
@one_snapshot
def home_json(request: Request) -> Response:
    return _send(request, home_page(_reg(request)), json_twin=True)


def _search(
    request: Request,
    q: str,
    kind: str | None,
    publisher: str | None,
    relation: str | None,
    advisory: str | None,
    json_twin: bool,
    sort: str | None = None,
) -> Response:
    query = views.SearchQuery(
        q=q[:200],
        kind=kind or None,
        publisher=publisher or None,
        relation=relation or None,
        advisory=views.parse_flag("advisory", advisory),
        sort=sort or "relevance",
    )
    data = views.search(_reg(request), query)
    title = f"Search: {q}" if q else "Search"
    return _page(
        request,
        "search.html",
        data,
        title=title,
        json_twin=json_twin,
        facets=views.facets(_reg(request)),
    )


SearchArgs = Annotated[str, Query(max_length=200)]


@router.get("/search", response_class=HTMLResponse)
@one_snapshot
def search(
    request: Request,
    q: SearchArgs = "",
    kind: str | None = None,
    publisher: str | None = None,
    relation: str | None = None,
    advisory: str | None = None,
    sort: Annotated[str | None, Query(max_length=16)] = None,
) -> Response:
    return _search(request, q, kind, publisher, relation, advisory, False, sort)


@router.get("/search.json")
@one_snapshot
def search_json(
    request: Request,
    q: SearchArgs = "",
    kind: str | None = None,
    publisher: str | None = None,
    relation: str | None = None,
    advisory: str | None = None,
    sort: Annotated[str | None, Query(max_length=16)] = None,
) -> Response:
    return _search(request, q, kind, publisher, relation, advisory, True, sort)


@router.get("/records", response_class=HTMLResponse)
@one_snapshot
def records(
    request: Request, kind: str | None = None, page: Annotated[int, Query(ge=1, le=100_000)] = 1
) -> Response:
    return _send(request, browse_page(_reg(request), kind or None, page))


@router.get("/records.json")
@one_snapshot
def records_json(
    request: Request, kind: str | None = None, page: Annotated[int, Query(ge=1, le=100_000)] = 1
) -> Response:
    return _send(request, browse_page(_reg(request), kind or None, page), json_twin=True)


@router.get("/advisories", response_class=HTMLResponse)
@one_snapshot
def advisories(request: Request) -> Response:
    return _send(request, advisories_page(_reg(request)))


@router.get("/advisories.json")
@one_snapshot
def advisories_json(request: Request) -> Response:
    return _send(request, advisories_page(_reg(request)), json_twin=True)


@router.get("/advisories/{advisory_id}.json")
@one_snapshot
def advisory_json(request: Request, advisory_id: str) -> Response:
    return _send(request, advisory_page(_reg(request), advisory_id), json_twin=True)


@router.get("/advisories/{advisory_id}", response_class=HTMLResponse)
@one_snapshot
def advisory(request: Request, advisory_id: str) -> Response:
    return _send(request, advisory_page(_reg(request), advisory_id))


def _impact(
    request: Request,
    name: str,
    range: str,
    kind: str | None,
    scope: str,
    page: int,
    json_twin: bool,
) -> Response:
    built = impact_page(_reg(request), name, range, kind, scope, page)
    return _send(request, built, json_twin=json_twin)


ImpactRange = Annotated[str, Query(max_length=256)]
ImpactKind = Annotated[str | None, Query(max_length=16)]
ImpactScope = Annotated[str, Query(max_length=16)]
ImpactPage = Annotated[int, Query(ge=1, le=100_000)]


@router.get("/impact/{name}.json")
@one_snapshot
def impact_json(
    request: Request,
    name: str,
    range: ImpactRange = "*",
    kind: ImpactKind = None,
    scope: ImpactScope = "all",
    page: ImpactPage = 1,
) -> Response:
    return _impact(request, name, range, kind, scope, page, True)


@router.get("/impact/{name}", response_class=HTMLResponse)
@one_snapshot
def impact(
    request: Request,
    name: str,
    range: ImpactRange = "*",
    kind: ImpactKind = None,
    scope: ImpactScope = "all",
    page: ImpactPage = 1,
) -> Response:
    return _impact(request, name, range, kind, scope, page, False)


@router.get("/records/{name}/diff")
@one_snapshot
def diff_form(
    request: Request,
    name: str,
    a: Annotated[str, Query(alias="from")],
    b: Annotated[str, Query(alias="to")],
) -> Response:
    """The diff form (GET) lands here; the canonical diff URL is a path."""
    check_name(name), views.parse_version(a), views.parse_version(b)
    return RedirectResponse(f"/records/{name}/diff/{a}/{b}", status_code=303)


@router.get("/records/{name}/diff/{a}/{b}.json")
@one_snapshot
def diff_json(request: Request, name: str, a: str, b: str) -> Response:
    return _send(request, diff_page(_reg(request), name, a, b), json_twin=True)


@router.get("/records/{name}/diff/{a}/{b}", response_class=HTMLResponse)
@one_snapshot
def diff(request: Request, name: str, a: str, b: str) -> Response:
    return _send(request, diff_page(_reg(request), name, a, b))


@router.get("/records/{name}/{version}.json")
@one_snapshot
def record_json(request: Request, name: str, version: str) -> Response:
    return _send(request, record_page(_reg(request), name, version), json_twin=True)


@router.get("/records/{name}/{version}", response_class=HTMLResponse)
@one_snapshot
def record(request: Request, name: str, version: str) -> Response:
    return _send(request, record_page(_reg(request), name, version))


@router.get("/records/{name}.json")
@one_snapshot
def versions_json(request: Request, name: str) -> Response:
    return _send(request, versions_page(_reg(request), name), json_twin=True)


@router.get("/records/{name}", response_class=HTMLResponse)
@one_snapshot
def versions(request: Request, name: str) -> Response:
    return _send(request, versions_page(_reg(request), name))
