"""What each page shows, as plain data: the HTML page renders it and its JSON twin returns it.

Every function here takes the registry and returns JSON-ready dicts, so the server, the JSON
twins and the static site (:mod:`umr.web.site`) show exactly the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from umr.errors import NotFoundError, RecordError, UmrError
from umr.spec import KINDS, Relation, Version, check_name
from umr.spec import diff as diff_records
from umr.spec.diff import bump_level

SEARCH_LIMIT = 50
PAGE_DOWNSTREAM = 200  # downstream records shown on a record page
BROWSE_PAGE = 100


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

    return [
        {
            "name": f.name,
            "media_type": f.media_type,
            "suffix": f.suffix,
            "description": f.description,
        }
        for f in registered()
    ]


def home(reg: Any) -> dict[str, Any]:
    stats = reg.stats()
    recent = reg.recent(12)
    return {
        "stats": stats if isinstance(stats, dict) else stats.to_dict(),
        "recent": [_plain(r) for r in recent],
        "advisories": advisories(reg)["advisories"][:5],
    }


def _plain(item: Any) -> dict[str, Any]:
    data = item if isinstance(item, dict) else item.to_dict()
    return {k: _str(v) if k == "version" else v for k, v in data.items()}


def versions(reg: Any, name: str, *, head: bool = True) -> dict[str, Any]:
    """Every version of ``name``, yanked ones marked, newest first; with ``head``, also the
    kind, title and summary of the latest (a read of that record, which the record page, whose
    record is already at hand, skips)."""
    check_name(name)
    states = reg.version_states(name)
    if not states:
        raise NotFoundError(
            f"no record named {name!r} in the registry",
            hint="search for it at /search, or publish it first",
        )
    live = [v for v, yanked in states if not yanked]
    latest = max(live) if live else states[-1][0]
    out: dict[str, Any] = {"name": name}
    if head:
        top = reg.get(name, latest)
        out.update(kind=top.kind, title=top.title, summary=top.summary)
    out["latest"] = str(latest)
    out["versions"] = [
        {"version": str(v), "yanked": yanked, "url": record_url(name, v)}
        for v, yanked in reversed(states)
    ]
    return out


def context(reg: Any, name: str, version: str, downstream_limit: int | None = None) -> Any:
    """The render context of ``name@version`` (lineage both ways, audit, scorecards).

    With ``downstream_limit`` the downstream lineage holds at most that many records, nearest
    first, and ``extras["downstream_truncated"]`` says whether more exist: a widely used dataset
    has tens of thousands of descendants, too many for one page (the lineage API lists them).
    """
    from umr.formats.context import build_context, make_context

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
    exact = resolved.chain[0]
    down, truncated = _nearest_downstream(reg, exact, downstream_limit)
    return make_context(
        resolved,
        upstream=[h.to_dict() for h in reg.lineage(exact, direction="up")],
        downstream=[h.to_dict() for h in down],
        audit=reg.audit(exact).to_dict(),
        extras={"mode": "registry", "downstream_truncated": truncated},
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

    def __post_init__(self) -> None:
        check_kind(self.kind)
        check_relation(self.relation)

    def to_dict(self) -> dict[str, Any]:
        return {
            "q": self.q,
            "kind": self.kind,
            "publisher": self.publisher,
            "relation": self.relation,
            "advisory": self.advisory,
            "limit": self.limit,
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
    for hit in raw:
        if query.advisory is not None:
            found = len(reg.audit(f"{hit['name']}@{hit['version']}").findings) > 0
            if found != query.advisory:
                continue
        hit["url"] = record_url(hit["name"], hit["version"])
        hits.append(hit)
        if len(hits) >= query.limit:
            break
    return {"query": query.to_dict(), "count": len(hits), "hits": hits}


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
    return {"kind": kind, "page": page, "total": len(names), "per_page": per_page, "records": rows}


def advisories(reg: Any, name: str | None = None) -> dict[str, Any]:
    if name is not None:
        check_name(name)
    items = [a.to_dict() for a in reg.advisories(name)]
    items.sort(key=lambda a: (str(a.get("published") or ""), a["id"]), reverse=True)
    return {"name": name, "advisories": items}


def advisory(reg: Any, advisory_id: str) -> dict[str, Any]:
    """One advisory and every published record it reaches (directly or downstream)."""
    adv = reg.advisory(advisory_id).to_dict()
    reached: list[dict[str, Any]] = []
    from umr.spec import Range

    for affected in adv.get("affected") or ():
        name, rng = affected["name"], str(affected.get("versions") or "*")
        try:
            matching = [v for v in reg.versions(name, include_yanked=True) if v in Range.parse(rng)]
            hits = reg.impact(name, rng)
        except UmrError:
            continue
        for v in matching:  # the affected records themselves, at depth 0
            rec = reg.get(name, v)
            reached.append(
                {
                    "name": name,
                    "version": str(v),
                    "kind": rec.kind,
                    "title": rec.title,
                    "depth": 0,
                    "relation": None,
                    "path": [],
                }
            )
        reached.extend(_plain(h) for h in hits)
    seen: set[tuple[str, str]] = set()
    unique = []
    for hit in reached:
        key = (hit["name"], hit["version"])
        if key not in seen:
            seen.add(key)
            hit["url"] = record_url(hit["name"], hit["version"])
            unique.append(hit)
    history = [r.to_dict() for r in reg.advisory_history(advisory_id)]
    for r in history:
        del r["advisory"]  # the page lists who changed what, not every full copy
    return {"advisory": adv, "reached": unique, "revisions": history}


def advisory_history(reg: Any, advisory_id: str) -> dict[str, Any]:
    """Every revision of an advisory, oldest first, each with the advisory after it."""
    revisions = [r.to_dict() for r in reg.advisory_history(advisory_id)]
    return {"advisory": advisory_id, "revisions": revisions}


def record_feed(reg: Any, name: str) -> dict[str, Any]:
    """Advisories that reach any published version of ``name``, with the paths that carry
    them: what a record owner subscribes to."""
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
