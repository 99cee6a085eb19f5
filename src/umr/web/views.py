"""What each page shows, as plain data: the HTML page renders it and its JSON twin returns it.

Every function here takes the registry and returns JSON-ready dicts, so the server, the JSON
twins and the static site (:mod:`umr.web.site`) show exactly the same thing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from umr.errors import NotFoundError, RecordError, UmrError
from umr.spec import KINDS, Relation, Version, check_name
from umr.spec import diff as diff_records
from umr.spec.diff import bump_level

SEARCH_LIMIT = 50
PAGE_DOWNSTREAM = 200  # downstream records shown on a record page
BROWSE_PAGE = 100
PATH_STEPS = 5_000  # path edges one page of hits carries, at most (see hits_page)

T = TypeVar("T")


def hits_page(
    items: Sequence[T],
    offset: int,
    limit: int,
    render: Callable[[T], dict[str, Any]],
    steps: Callable[[T], int] | None = None,
) -> tuple[list[dict[str, Any]], int | None]:
    """Items ``offset`` to ``offset + limit`` rendered, and the offset of the next page (None
    after the last). With ``steps`` (a hit's path length, when paths are shown), a page also
    ends before its paths pass :data:`PATH_STEPS` edges in all, keeping at least one hit: so
    an answer costs its own hits and at most about PATH_STEPS edges plus one path, never the
    square of a chain's depth; ``next`` says where the rest starts. Only the page is rendered."""
    out: list[dict[str, Any]] = []
    spent, i, end = 0, offset, min(len(items), offset + limit)
    while i < end:
        if steps is not None:
            cost = steps(items[i])
            if out and spent + cost > PATH_STEPS:
                break
            spent += cost
        out.append(render(items[i]))
        i += 1
    return out, (i if i < len(items) else None)


def _str(value: Any) -> Any:
    return str(value) if value is not None else None


def record_url(name: str, version: Any) -> str:
    return f"/records/{name}/{version}"


def download_url(name: str, version: Any, fmt: str) -> str:
    return f"/api/records/{name}/{version}.{fmt}"


def parse_version(text: str) -> Version:
    return Version.parse(text)


def is_version(text: str) -> bool:
    try:
        Version.parse(text)
    except UmrError:
        return False
    return True


def formats() -> list[dict[str, str]]:
    """Every registered output format (name, media type, file suffix, description)."""
    from umr.formats import formats as registered

    return [f.to_dict() for f in registered()]


def home(reg: Any) -> dict[str, Any]:
    stats = reg.stats()
    recent = reg.recent(12)
    rows = [_plain(r) for r in recent]
    _mark(reg, rows)
    return {
        "stats": stats if isinstance(stats, dict) else stats.to_dict(),
        "recent": rows,
        "advisories": advisories(reg)["advisories"][:5],
    }


def _plain(item: Any) -> dict[str, Any]:
    data = item if isinstance(item, dict) else item.to_dict()
    return {k: _str(v) if k == "version" else v for k, v in data.items()}


def versions(reg: Any, name: str, *, head: bool = True) -> dict[str, Any]:
    """Every version of ``name``, newest first, each with its marks (latest, yanked, affected
    by or reached by an advisory, fixed, superseded); with ``head``, also the kind, title and
    summary of the latest (a read of that record, which the record page, whose record is
    already at hand, skips). Latest is what a bare name resolves to, as on the command line:
    the highest release, a prerelease only when no release is live."""
    check_name(name)
    try:
        infos = reg.version_infos(name)
    except NotFoundError as exc:  # the same message, with the web's hint
        raise NotFoundError(
            exc.message, hint="search for it at /search, or publish it first"
        ) from None
    latest = next((i.version for i in infos if i.latest), infos[0].version)
    out: dict[str, Any] = {"name": name}
    if head:
        top = reg.get(name, latest)
        out.update(kind=top.kind, title=top.title, summary=top.summary)
    out["latest"] = str(latest)
    out["versions"] = [
        {**i.to_dict(), "marks": i.marks(), "url": record_url(name, i.version)} for i in infos
    ]
    return out


def context(reg: Any, name: str, version: str, downstream_limit: int | None = None) -> Any:
    """The render context of ``name@version`` (lineage both ways, audit, scorecards).

    With ``downstream_limit`` the downstream lineage holds at most that many records, nearest
    first, and ``extras["downstream_truncated"]`` says whether more exist: a widely used dataset
    has tens of thousands of descendants, too many for one page (the lineage API pages them).
    """
    from umr.formats.context import build_context, registry_context

    check_name(name)
    v = parse_version(version)
    if v not in reg.versions(name, include_yanked=True):
        raise NotFoundError(
            f"{name}@{v} is not published",
            hint=f"see the published versions at /records/{name}",
        )
    if downstream_limit is None:
        return build_context(f"{name}@={v}", reg)
    resolved = reg.resolve(f"{name}@={v}")
    down, truncated = _nearest_downstream(reg, resolved.chain[0], downstream_limit)
    return registry_context(
        reg, resolved, downstream=down, extras={"downstream_truncated": truncated}
    )


def _nearest_downstream(reg: Any, ref: str, limit: int) -> tuple[list[Any], bool]:
    """At most ``limit`` downstream hits, nearest first, and whether more exist. Deepens one
    level at a time, so the walk stops near ``limit`` records instead of visiting the whole
    closure (a leaf costs one query, as before)."""
    depth = 1
    while True:
        found = reg.lineage(ref, direction="down", depth=depth)
        if len(found) > limit:
            return found[:limit], True
        if not any(h.depth == depth for h in found):
            return found, False
        depth += 1


def record(
    reg: Any, name: str, version: str, ctx: Any = None, only: list[str] | None = None
) -> dict[str, Any]:
    """The record page: resolved fields with provenance, lineage, audit, scores, downloads."""
    ctx = ctx if ctx is not None else context(reg, name, version)
    listing = versions(reg, name, head=False)
    v = str(ctx.record.version)
    data: dict[str, Any] = ctx.to_dict()
    data.update(
        {
            "id": ctx.id,
            "yanked": any(e["yanked"] for e in listing["versions"] if e["version"] == v),
            "this_version": next(e for e in listing["versions"] if e["version"] == v),
            "versions": listing["versions"],
            "latest": listing["latest"],
            "fields": _fields(ctx),
            "graph": ctx.graph().to_dict(),
            "downloads": [
                {**f, "url": download_url(name, v, f["name"])}
                for f in formats()
                if only is None or f["name"] in only
            ],
        }
    )
    return data


def _fields(ctx: Any) -> list[dict[str, Any]]:
    """Every resolved leaf: dotted path, value, and the record that supplied it."""
    from umr.spec.yamlio import format_path

    me, data, rows = ctx.id, ctx.resolved.data, []
    for path, who in ctx.resolved.provenance.items():
        node: Any = data
        for part in path:
            node = node[part] if isinstance(node, dict | list) else None
        rows.append(
            {"path": format_path(path), "value": node, "source": who, "inherited": who != me}
        )
    return rows


def diff(reg: Any, name: str, a: str, b: str) -> dict[str, Any]:
    """Field-level changes between two published versions of one record, as written."""
    check_name(name)
    va, vb = parse_version(a), parse_version(b)
    old, new = reg.get(name, va), reg.get(name, vb)
    changes = diff_records(old, new)
    return {
        "name": name,
        "from": str(va),
        "to": str(vb),
        "level": bump_level(changes),
        "changes": [c.to_dict() for c in changes],
        "versions": [str(v) for v in sorted(reg.versions(name, include_yanked=True))],
    }


def check_kind(kind: str | None) -> str | None:
    """``kind`` if it is a record kind (or None); a RecordError (422) naming the kinds if not."""
    if kind is not None and kind not in KINDS:
        raise RecordError(f"kind {kind!r} is not one of {', '.join(KINDS)}")
    return kind


def check_relation(relation: str | None) -> str | None:
    """``relation`` if it is a lineage relation (or None); a RecordError (422) if not."""
    if relation is not None and relation not in {r.value for r in Relation}:
        raise RecordError(
            f"relation {relation!r} is not one of {', '.join(r.value for r in Relation)}"
        )
    return relation


# the spellings a boolean query parameter takes elsewhere in the API (pydantic's), and "any"
_FLAGS = {
    "": None,
    "any": None,
    "yes": True,
    "y": True,
    "true": True,
    "t": True,
    "on": True,
    "1": True,
    "no": False,
    "n": False,
    "false": False,
    "f": False,
    "off": False,
    "0": False,
}


def parse_flag(name: str, text: str | None) -> bool | None:
    """A yes/no query parameter of a page: yes/true/1, no/false/0, or empty/any for either."""
    key = (text or "").strip().lower()
    if key not in _FLAGS:
        raise RecordError(
            f"{name}={text!r} is not understood; use {name}=yes, {name}=no, "
            f"or leave it out for either"
        )
    return _FLAGS[key]


@dataclass(frozen=True, kw_only=True)
class SearchQuery:
    q: str = ""
    kind: str | None = None
    publisher: str | None = None
    relation: str | None = None
    advisory: bool | None = None  # True: only records an advisory reaches; False: only clean
    limit: int = SEARCH_LIMIT
    sort: str = "relevance"  # or name, or advisories (reached first, worst first)

    def __post_init__(self) -> None:
        check_kind(self.kind)
        check_relation(self.relation)
        if self.sort not in SORTS:
            raise RecordError(f"sort {self.sort!r} is not one of {', '.join(SORTS)}")

    def to_dict(self) -> dict[str, Any]:
        return {
            "q": self.q,
            "kind": self.kind,
            "publisher": self.publisher,
            "relation": self.relation,
            "advisory": self.advisory,
            "limit": self.limit,
            "sort": self.sort,
        }


def _hit_from_name(reg: Any, name: str) -> dict[str, Any] | None:
    live = reg.versions(name)
    if not live:
        return None
    rec = reg.get(name, max(live))
    return {
        "name": name,
        "version": str(rec.version),
        "kind": rec.kind,
        "title": rec.title,
        "summary": rec.summary,
        "publisher": rec.publisher,
        "score": None,
    }


def search(reg: Any, query: SearchQuery) -> dict[str, Any]:
    """Full-text search with the kind, publisher and relation filters in the registry's query;
    the advisory filter, which needs an audit per hit, is applied to the ranked hits after."""
    budget = query.limit * (8 if query.advisory is not None else 1)
    if query.q.strip() or query.publisher or query.relation:
        raw = [
            _plain(h)
            for h in reg.search(
                query.q,
                kind=query.kind,
                limit=budget,
                publisher=query.publisher or None,
                relation=query.relation,
            )
        ]
    else:
        raw = [h for n in reg.names(kind=query.kind)[:budget] if (h := _hit_from_name(reg, n))]
    hits: list[dict[str, Any]] = []
    _mark(reg, raw)
    for hit in raw:
        if query.advisory is not None and bool(hit["advisories"]) != query.advisory:
            continue
        hit["url"] = record_url(hit["name"], hit["version"])
        hits.append(hit)
        if len(hits) >= query.limit:
            break
    if query.sort == "name":
        hits.sort(key=lambda h: h["name"])
    elif query.sort == "advisories":  # reached first, worst first; ranked order within
        hits.sort(
            key=lambda h: -max((SEVERITY_ORDER[a["severity"]] for a in h["advisories"]), default=-1)
        )
    out = {"query": query.to_dict(), "count": len(hits), "hits": hits}
    if not hits and query.q.strip():
        out["suggestions"] = reg.similar_names(query.q.strip())
    return out


SEVERITY_ORDER = {"low": 0, "medium": 1, "high": 2, "critical": 3}
SORTS = ("relevance", "name", "advisories")


def _mark(reg: Any, rows: list[dict[str, Any]]) -> None:
    """The advisories that reach each listed record, for its badges (one walk for them all)."""
    refs = [f"{r['name']}@{r['version']}" for r in rows]
    found = reg.reaching(refs)
    for row, ref in zip(rows, refs, strict=True):
        row["advisories"] = [
            {"id": b.advisory.id, "severity": b.severity, "possible": b.possible}
            for b in found.get(ref, [])
        ]


def facets(reg: Any) -> dict[str, Any]:
    """Choices for the search filters."""
    return {"kinds": list(KINDS), "relations": [r.value for r in Relation]}


def browse(
    reg: Any, kind: str | None = None, page: int = 1, per_page: int = BROWSE_PAGE
) -> dict[str, Any]:
    names = reg.names(kind=check_kind(kind))
    start = (max(page, 1) - 1) * per_page
    rows = [h for n in names[start : start + per_page] if (h := _hit_from_name(reg, n))]
    for row in rows:
        row["url"] = record_url(row["name"], row["version"])
    _mark(reg, rows)
    return {"kind": kind, "page": page, "total": len(names), "per_page": per_page, "records": rows}


def advisories(reg: Any, name: str | None = None) -> dict[str, Any]:
    if name is not None:
        check_name(name)
    items = [a.to_dict() for a in reg.advisories(name)]
    items.sort(key=lambda a: (str(a.get("published") or ""), a["id"]), reverse=True)
    return {"name": name, "advisories": items}


IMPACT_PAGE = 100  # records per page of the impact page
SCOPES = ("all", "direct", "transitive")


def impact(
    reg: Any,
    name: str,
    rng: str = "*",
    kind: str | None = None,
    scope: str = "all",
    page: int = 1,
) -> dict[str, Any]:
    """Every published record a route reaches from ``name``'s versions in ``rng``, for the
    impact page: counts by kind and by direct (one edge away) or transitive, then one page
    of the records that pass the filters, nearest first, each with its path back to ``name``
    (record first, long paths shown by their ends)."""
    from umr.graph import hit_paths
    from umr.spec import Range

    check_name(name)
    check_kind(kind)
    if scope not in SCOPES:
        raise RecordError(f"scope {scope!r} is not one of {', '.join(SCOPES)}")
    parsed = Range.parse(rng)
    hits = reg.impact(name, parsed)
    covered = [str(v) for v in reg.versions(name, include_yanked=True) if v in parsed]
    kinds: dict[str, int] = {}
    for h in hits:
        kinds[h.kind] = kinds.get(h.kind, 0) + 1
    direct = sum(h.depth == 1 for h in hits)
    chosen = [
        h
        for h in hits
        if (kind is None or h.kind == kind)
        and (scope == "all" or (h.depth == 1) == (scope == "direct"))
    ]
    start = (max(page, 1) - 1) * IMPACT_PAGE
    shown = chosen[start : start + IMPACT_PAGE]
    rows = [
        {**h.to_dict(), "path_text": text, "url": record_url(h.name, h.version)}
        for h, text in zip(shown, hit_paths(shown), strict=True)
    ]
    return {
        "name": name,
        "range": rng,
        "versions": covered,
        "total": len(hits),
        "kinds": dict(sorted(kinds.items())),
        "direct": direct,
        "transitive": len(hits) - direct,
        "filters": {"kind": kind, "scope": scope},
        "matching": len(chosen),
        "page": page,
        "per_page": IMPACT_PAGE,
        "pages": max(1, -(-len(chosen) // IMPACT_PAGE)),
        "records": rows,
    }


ADVISORY_PAGE = 200  # reached records listed per page of an advisory


def advisory(
    reg: Any, advisory_id: str, offset: int = 0, limit: int = ADVISORY_PAGE
) -> dict[str, Any]:
    """One advisory and the published records it reaches: the affected versions themselves
    (depth 0) and every record a route leads from to one of them, never through a version the
    advisory names fixed; each with its path, record first. Records reached only through a
    fixed version are listed apart (``fixed``). Paged: ``offset``/``limit`` over ``total``."""

    from umr.graph import LineageHit

    a = reg.advisory(advisory_id)
    fixed = sorted(a.fixed_ids())
    reached: dict[str, dict[str, Any] | LineageHit] = {}
    everything: set[str] = set()
    for affected in a.affected:
        name, rng = affected.name, affected.versions
        try:
            matching = [v for v in reg.versions(name, include_yanked=True) if v in rng]
            hits = reg.impact(name, rng, avoid=fixed)
            everything.update(h.id for h in reg.impact(name, rng))
        except UmrError:
            continue
        for v in matching:  # the affected records themselves, at depth 0
            ref = f"{name}@{v}"
            if ref in fixed or ref in reached:
                continue
            rec = reg.get(name, v)
            reached[ref] = {
                "id": ref,
                "name": name,
                "version": str(v),
                "kind": rec.kind,
                "title": rec.title,
                "depth": 0,
                "relation": None,
                "via": None,
                "uncertain": False,
                "path": [],
            }
        for h in hits:
            reached.setdefault(h.id, h)  # its path only if it is on the page

    def depth(x: dict[str, Any] | LineageHit) -> int:
        return int(x["depth"]) if isinstance(x, dict) else x.depth

    def key(x: dict[str, Any] | LineageHit) -> tuple[int, str, Version]:
        if isinstance(x, dict):
            return (0, x["name"], Version.parse(x["version"]))
        return (x.depth, x.name, x.version)

    def render(x: dict[str, Any] | LineageHit) -> dict[str, Any]:
        hit = x if isinstance(x, dict) else x.to_dict(paths=True)
        return hit | {"url": record_url(hit["name"], hit["version"])}

    order = sorted(reached.values(), key=key)
    page, after = hits_page(order, offset, limit, render, depth)
    cleared = sorted((everything | set(fixed)) - set(reached), key=lambda r: r)
    history = [r.to_dict() for r in reg.advisory_history(advisory_id)]
    for r in history:
        del r["advisory"]  # the page lists who changed what, not every full copy
    return {
        "advisory": a.to_dict(),
        "total": len(order),
        "offset": offset,
        "limit": limit,
        "next": after,
        "reached": page,
        "fixed": [
            {"id": r, "url": record_url(*r.split("@", 1)), "named": r in fixed} for r in cleared
        ],
        "revisions": history,
    }


def advisory_history(reg: Any, advisory_id: str) -> dict[str, Any]:
    """Every revision of an advisory, oldest first, each with the advisory after it."""
    revisions = [r.to_dict() for r in reg.advisory_history(advisory_id)]
    return {"advisory": advisory_id, "revisions": revisions}


def record_feed(reg: Any, name: str) -> dict[str, Any]:
    """Advisories that reach any published version of ``name``, with the shortest route that
    carries each (record first): what a record owner subscribes to."""
    listing = versions(reg, name)
    entries: dict[str, dict[str, Any]] = {}
    for item in listing["versions"]:
        report = reg.audit(f"{name}@={item['version']}").to_dict()
        for finding in report.get("findings") or ():
            adv = finding["advisory"]
            entry = entries.setdefault(adv["id"], {"advisory": adv, "findings": []})
            entry["findings"].append({"version": item["version"], **finding})
    return {
        "name": name,
        "title": listing["title"],
        "entries": list(entries.values()),
        "withdrawn": _withdrawn_reaching(reg, name, listing),
    }


def _withdrawn_reaching(reg: Any, name: str, listing: dict[str, Any]) -> list[dict[str, Any]]:
    """Withdrawn advisories that would reach a version of ``name`` (its subscribers saw the
    advisory, so they see its withdrawal too)."""
    withdrawn = [a for a in reg.advisories() if a.withdrawn]
    if not withdrawn:
        return []
    upstream: set[tuple[str, Any]] = set()
    for item in listing["versions"]:
        v = parse_version(item["version"])
        upstream.add((name, v))
        upstream |= {(h.name, h.version) for h in reg.lineage(f"{name}@={v}", direction="up")}
    return [a.to_dict() for a in withdrawn if any(a.affects(n, v) for n, v in upstream)]
