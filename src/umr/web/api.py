"""The JSON API under ``/api/``, described by ``/openapi.json``.

Reads are public. Writes (publish, yank, advisory add, fix and withdraw) need a bearer token;
the registry checks its scope and logs the write in the write's own transaction, through the
same library functions as the CLI.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response

from umr.errors import NotFoundError, RecordError
from umr.paging import MAX_ROUTE_OFFSET
from umr.registry.tokens import Token
from umr.spec import Range, check_name, parse_record
from umr.web import schemas, views
from umr.web._http import Reg, body_doc, errors, json_body, json_response, one_snapshot
from umr.web.auth import bearer
from umr.web.headers import DOWNLOAD_CSP

router = APIRouter(prefix="/api", tags=["api"])

Name = Annotated[str, Path(description="record name (a slug)", max_length=100)]
VersionText = Annotated[str, Path(description="exact SemVer version, e.g. 1.0.0")]
FormatName = Annotated[str, Path(description="an output format: GET /api/formats lists them")]
READ = errors(400, 404, 422)
WRITE = errors(400, 401, 403, 404, 409, 422)
MAX_BATCH = 1000
PAGE = 1000  # hits per page of a lineage or impact answer
MAX_PAGE = 10_000
Body = Annotated[Any, Depends(json_body)]  # read after the token: see json_body
_RECORDS = {
    "description": 'a record, a list of records, or {"records": [...]}',
    "anyOf": [
        {"type": "object"},
        {"type": "array", "items": {"type": "object"}, "minItems": 1, "maxItems": MAX_BATCH},
    ],
}
_STRINGS = {"type": "object", "additionalProperties": {"type": "string"}}
_FIX = {
    "type": "object",
    "required": ["name", "version"],
    "properties": {
        "name": {"type": "string"},
        "version": {"type": "string"},
        "force": {"type": "boolean"},
        "reason": {"type": "string"},
    },
}


@router.get("/stats", responses=READ)
@one_snapshot
def stats(request: Request, reg: Reg) -> Response:
    """Counts of records, names, edges and advisories."""
    return json_response(reg.stats())


@router.get("/recent", responses=READ)
@one_snapshot
def recent(request: Request, reg: Reg, limit: Annotated[int, Query(ge=1, le=200)] = 20) -> Response:
    """The most recently published records."""
    return json_response({"records": [views._plain(r) for r in reg.recent(limit)]})


@router.get("/formats", responses=READ)
def list_formats() -> Response:
    """Every output format, with its media type and file suffix."""
    return json_response({"formats": views.formats()})


@router.post("/records", responses=WRITE, status_code=201, openapi_extra=body_doc(_RECORDS))
def publish(
    request: Request, reg: Reg, token: Annotated[Token, Depends(bearer)], body: Body
) -> Response:
    """Publish records in one transaction (needs scope ``publish:GLOB`` covering each name)."""
    items = body.get("records") if isinstance(body, dict) and "umr" not in body else body
    items = [items] if isinstance(items, dict) else items
    if not isinstance(items, list) or not items or len(items) > MAX_BATCH:
        raise RecordError(
            f'send a record, a list of 1 to {MAX_BATCH} records, or {{"records": [...]}}'
        )
    records = [parse_record(item, source=f"<body>[{i}]") for i, item in enumerate(items)]
    result = reg.publish(records, actor=token).to_dict()
    return json_response(result, 201 if result.get("published") else 200)


def _media_types() -> dict[str, Any]:
    from umr.formats import formats

    return {f.media_type.split(";")[0]: {} for f in formats()}


@router.get(
    "/records/{name}/{version}.{format}",
    responses={200: {"content": _media_types(), "description": "the rendered record"}, **READ},
)
@one_snapshot
def render(
    request: Request, reg: Reg, name: Name, version: VersionText, format: FormatName
) -> Response:
    """The record rendered in one format, named by the format's name (``1.0.0.cyclonedx``) or
    by the file suffix ``/api/formats`` lists for it (``1.0.0.cdx.json``)."""
    from umr import formats as fmts

    split = _split_format(f"{version}.{format}")
    if split is None:
        # "1.0.0-rc.beta" is a version, not version "1.0.0-rc" in format "beta".
        if views.is_version(f"{version}.{format}"):
            return resolved(request, reg, name, f"{version}.{format}")
        views.parse_version(version)  # 400 when it is not a version either
        shown = ", ".join(f"{f.name} ({f.suffix})" for f in fmts.formats())
        raise NotFoundError(
            f"no output format {format!r}; available, by name or suffix: {shown}",
            hint="GET /api/formats lists them",
        )
    version, format = split
    ctx = views.context(reg, name, version)
    fmt = fmts.get(format)
    body = fmts.render(format, ctx)
    filename = f"{name}-{ctx.record.version}{fmt.suffix}"
    return Response(
        body,
        media_type=fmt.media_type,
        headers={
            "Content-Disposition": f'inline; filename="{filename}"',
            "Content-Security-Policy": DOWNLOAD_CSP,
        },
    )


def _split_format(text: str) -> tuple[str, str] | None:
    """``VERSION.FORMAT`` or ``VERSION SUFFIX`` as (version, format name), the longest
    suffix first (``1.0.0.cdx.json`` is CycloneDX, ``1.0.0.json`` JSON); None if neither."""
    from umr import formats as fmts

    endings = [(f.suffix, f.name) for f in fmts.formats()]
    endings += [(f".{f.name}", f.name) for f in fmts.formats()]
    for ending, fmt in sorted(endings, key=lambda e: -len(e[0])):
        head = text[: -len(ending)]
        if text.endswith(ending) and views.is_version(head):
            return head, fmt
    return None


@router.get("/records/{name}/{version}", responses=READ)
@one_snapshot
def resolved(request: Request, reg: Reg, name: Name, version: VersionText) -> Response:
    """The resolved record: inherited fields filled in, each leaf with the record it came from."""
    check_name(name)
    v = views.parse_version(version)
    res = reg.resolve(f"{name}@={v}")
    return json_response(
        {
            "id": res.chain[0],
            "record": res.to_dict(),
            "chain": list(res.chain),
            "provenance": dict(res.leaves()),
            "inherited": res.inherited(),
            "yanked": v not in reg.versions(name),
        }
    )


Offset = Annotated[int, Query(ge=0, le=100_000_000, description="hits to skip")]
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE, description=f"hits per page (at most {MAX_PAGE})")]
WithPaths = Annotated[
    bool,
    Query(
        description="add each hit's path (record first); a page then ends early when its "
        f"paths reach {views.PATH_STEPS:,} edges in all ('next' says where the rest starts)"
    ),
]


def paged(hits: list[Any], offset: int, limit: int, paths: bool) -> dict[str, Any]:
    """One page of a walk's hits: ``total``, ``offset``, ``limit``, ``next`` (the offset of
    the next page, or null) and ``hits``. Each hit names its parent (``via``), so a page is
    linear in its hits at any depth; ``paths`` adds each path, and a page with paths ends
    early when they reach :data:`views.PATH_STEPS` edges (``next`` says where to go on)."""
    page, after = views.hits_page(
        hits,
        offset,
        limit,
        lambda h: h.to_dict(paths=paths),
        (lambda h: h.depth) if paths else None,
    )
    return {"total": len(hits), "offset": offset, "limit": limit, "next": after, "hits": page}


@router.get(
    "/records/{name}/{version}/lineage",
    responses={**READ, **schemas.ok(schemas.LINEAGE, "a page of lineage hits")},
)
@one_snapshot
def lineage(
    request: Request,
    reg: Reg,
    name: Name,
    version: VersionText,
    direction: Annotated[Literal["up", "down"], Query()] = "up",
    relation: Annotated[list[str] | None, Query()] = None,
    depth: Annotated[int | None, Query(ge=1)] = None,
    offset: Offset = 0,
    limit: Limit = PAGE,
    paths: WithPaths = False,
) -> Response:
    """Records upstream (``up``) or downstream (``down``), complete at any depth, a page at a
    time; each names the record one step nearer the start (``via``)."""
    check_name(name)
    ref = f"{name}@={views.parse_version(version)}"
    rels = [r for r in (relation or []) if views.check_relation(r)] or None
    hits = reg.lineage(ref, direction=direction, relations=rels, depth=depth)
    return json_response(
        {"record": ref.replace("@=", "@"), "direction": direction}
        | paged(hits, offset, limit, paths)
    )


@router.get(
    "/records/{name}/{version}/audit",
    responses={**READ, **schemas.ok(schemas.AUDIT, "the audit report")},
)
@one_snapshot
def audit(
    request: Request,
    reg: Reg,
    name: Name,
    version: VersionText,
    offset: Annotated[
        int,
        Query(
            ge=0,
            le=MAX_ROUTE_OFFSET,
            description=f"routes to skip in each finding (at most {MAX_ROUTE_OFFSET})",
        ),
    ] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE, description="routes per finding")] = 1,
) -> Response:
    """Advisories that reach the record through its locked upstream closure: each with its
    number of routes, a page of them (shortest first), the fixed versions and the next step."""
    check_name(name)
    ref = f"{name}@={views.parse_version(version)}"
    report = reg.audit(ref, offset=offset, limit=limit)
    return json_response(report.to_dict())


@router.post(
    "/records/{name}/{version}/yank",
    responses=WRITE,
    openapi_extra=body_doc(_STRINGS, {"reason": "broken weights"}),
)
def yank(
    request: Request,
    reg: Reg,
    name: Name,
    version: VersionText,
    token: Annotated[Token, Depends(bearer)],
    body: Body,
) -> Response:
    """Hide a version from new resolution (needs scope ``publish:GLOB`` covering the name)."""
    check_name(name)
    ref = f"{name}@={views.parse_version(version)}"
    reason = _text_field(body, "reason").strip()
    if not reason:
        raise RecordError("a yank needs a non-empty 'reason'")
    reg.yank(ref, reason, actor=token)
    return json_response({"yanked": ref.replace("@=", "@"), "reason": reason})


@router.get(
    "/impact/{name}", responses={**READ, **schemas.ok(schemas.IMPACT, "a page of impact hits")}
)
@one_snapshot
def impact(
    request: Request,
    reg: Reg,
    name: Name,
    range: Annotated[str, Query(max_length=256)] = "*",
    offset: Offset = 0,
    limit: Limit = PAGE,
    paths: WithPaths = False,
) -> Response:
    """Every published record that a route reaches from the versions of ``name`` in
    ``range``, a page at a time; each names the record one step nearer ``name`` (``via``)."""
    check_name(name)
    hits = reg.impact(name, range)
    covered = [str(v) for v in reg.versions(name, True) if v in Range.parse(range)]
    return json_response(
        {"name": name, "range": range, "versions": covered} | paged(hits, offset, limit, paths)
    )


AdvisoryId = Annotated[str, Path(max_length=100)]


@router.post(
    "/advisories", responses=WRITE, status_code=201, openapi_extra=body_doc({"type": "object"})
)
def add_advisory(
    request: Request,
    reg: Reg,
    token: Annotated[Token, Depends(bearer)],
    body: Body,
    force: Annotated[
        bool, Query(description="keep it although an affected name is not published (yet)")
    ] = False,
) -> Response:
    """Add or change an advisory (scope ``advisory:GLOB`` covering every affected name, the
    old ones too when it changes); each change is kept as a revision. One whose affected names
    are not published would reach nothing: refused (404, with the nearest names) unless
    ``force``."""
    from umr.registry.advisories import parse_advisory

    adv = parse_advisory(body, source="<body>")
    reg.add_advisory(adv, actor=token, force=force)
    return json_response({"added": adv.id}, 201)


@router.get("/advisories/{advisory_id}/history", responses=READ)
@one_snapshot
def advisory_history(request: Request, reg: Reg, advisory_id: AdvisoryId) -> Response:
    """Every revision of an advisory, oldest first: who, when, what changed, and the advisory
    after each change."""
    return json_response(views.advisory_history(reg, advisory_id))


@router.post(
    "/advisories/{advisory_id}/fix",
    responses=WRITE,
    openapi_extra=body_doc(
        _FIX,
        {"name": "laion-5b", "version": "2.0.0"},
        {"name": "m", "version": "2.0.0", "force": True, "reason": "retrained, audited"},
    ),
)
def fix_advisory(
    request: Request,
    reg: Reg,
    advisory_id: AdvisoryId,
    token: Annotated[Token, Depends(bearer)],
    body: Body,
) -> Response:
    """Name a version that fixes an advisory: a version of an affected name or of a record
    downstream of one (scope ``advisory:`` over the affected names, or ``publish:`` over the
    fixed record's name). Refused (409) while its lineage still reaches the affected data by a
    route through no ``unlearned_from`` edge, unless ``force`` with a ``reason``, which is
    kept."""
    name = check_name(_text_field(body, "name"))
    version = views.parse_version(_text_field(body, "version"))
    reason = _text_field(body, "reason").strip() or None
    force = body.get("force", False)
    if not isinstance(force, bool):
        raise RecordError("'force' must be true or false")
    if force != bool(reason):
        raise RecordError("'force' and 'reason' go together: say why the fix is kept")
    reg.fix_advisory(advisory_id, name, version, forced=reason, actor=token)
    return json_response({"advisory": advisory_id, "fixed": f"{name}@{version}"})


@router.post(
    "/advisories/{advisory_id}/withdraw",
    responses=WRITE,
    openapi_extra=body_doc(_STRINGS, {"reason": "the files were re-checked"}),
)
def withdraw_advisory(
    request: Request,
    reg: Reg,
    advisory_id: AdvisoryId,
    token: Annotated[Token, Depends(bearer)],
    body: Body,
) -> Response:
    """Withdraw an advisory with a reason (scope ``advisory:`` over its affected names):
    audits stop reporting it; its page and the feeds show the withdrawal."""
    reason = _text_field(body, "reason").strip()
    if not reason:
        raise RecordError("a withdrawal needs a non-empty 'reason'")
    adv = reg.withdraw_advisory(advisory_id, reason, actor=token)
    return json_response(
        {"withdrawn": advisory_id, "at": adv.withdrawn, "reason": adv.withdrawn_reason}
    )


def _text_field(body: Any, key: str) -> str:
    """``body[key]`` of a JSON object body, as text ("" when absent)."""
    if not isinstance(body, dict):
        raise RecordError(f"send a JSON object with {key!r}")
    value = body.get(key, "")
    if not isinstance(value, str):
        raise RecordError(f"{key!r} must be a string")
    return value
