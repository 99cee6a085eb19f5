"""Audit: which advisories reach a record through its locked upstream closure, by how many
routes, and what to do about each.

A record is reached by an advisory when a route (a path over typed relations: ``inherits`` is
not one) leads from it to a record whose version the advisory's ``affected`` ranges match (the
record itself included). Routes that pass through a version the advisory names ``fixed`` do not
count: the fix (a retrained or unlearned version) stands between the record and the affected
data. An advisory whose every route passes through a fixed version is reported apart, cleared,
with the reason. Each finding names the next step, computed from the registry.

The same audit serves published records (:func:`audit`) and records not yet published
(:func:`audit_records`: locked as publishing would lock them, in memory), so a CI step can audit
a workspace before it publishes.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, bindparam, select, text

from umr.errors import RecordError
from umr.graph import AdvisoryInfo, AuditReport, Edge, Finding, Fix, Route
from umr.registry import advisories as adv
from umr.registry import tables as t
from umr.registry.advisories import RANK, Advisory
from umr.registry.lineage import WalkQuery, notes, statement_rows_and_edges
from umr.registry.publish import _entry, _problem, _TxSource
from umr.registry.routes import Dag, Routes
from umr.spec import Record, Version
from umr.spec.batch import BatchCheck, refs_of
from umr.spec.source import MemorySource

UPGRADE_CANDIDATES = 5  # newer versions of an audited record checked for an upgrade that clears


@dataclass(frozen=True, kw_only=True)
class Page:
    """Which routes a finding lists: ``limit`` of them from ``offset`` (None: all)."""

    offset: int = 0
    limit: int | None = 1


@dataclass(kw_only=True)
class _Closure:
    """The typed upstream closure of one or more records, in memory: ids (negative for
    records not published), names, versions and edges."""

    dag: Dag
    names: dict[int, str]
    versions: dict[int, Version]


def info(a: Advisory) -> AdvisoryInfo:
    """What a finding carries of an advisory."""
    return AdvisoryInfo(
        id=a.id,
        summary=a.summary,
        severity=a.severity,
        details=a.details,
        published=a.published.isoformat() if a.published else None,
        affected=tuple((x.name, str(x.versions)) for x in a.affected),
        fixed=tuple(f"{f.name}@{f.version}" for f in a.fixed),
        references=tuple((str(r.url), r.title) for r in a.references),
        modified=a.modified,
    )


def audit(conn: Connection, start: int, page: Page | None = None) -> AuditReport:
    """The audit of the published record ``start``."""
    closure = _closure(conn, [start])
    advisories = adv.for_names(conn, sorted(set(closure.names.values())))
    return _report(conn, closure, start, advisories, page or Page())


def audit_records(
    conn: Connection, records: Sequence[Record], label: str, page: Page | None = None
) -> list[AuditReport]:
    """The audits of records that are not published (or not as they are now): each upstream
    ref is locked as publishing them together would lock it (records of the batch count as
    published); nothing is written."""
    entries = {r.id: _entry(r, None, f"<{r.id}>") for r in records}
    source = _TxSource(conn, label)
    source.prefetch({ref.name for r in records for _, _, ref in refs_of(r)})
    # the refs locked by the checks publishing runs (umr.spec.batch), so the two agree
    check = BatchCheck(
        MemorySource(list(records), fallback=source, label="this batch"),
        lambda r, path, message: _problem(entries[r.id], path, message),
    )
    check.lock(list(records))
    if check.problems:
        raise RecordError(
            check.problems,
            hint="publish the upstream records first (or audit them in the same batch), or "
            "fix the refs",
        )
    locks = check.locks
    virtual = {rid: -(i + 1) for i, rid in enumerate(entries)}
    targets: dict[str, int] = {}
    for locked in locks.values():
        for _, _, _, target in locked:
            if target not in virtual:
                name, _, version = target.partition("@")
                targets[target] = source.ids[name][Version.parse(version)]
    closure = _closure(conn, sorted(set(targets.values())))
    for rid, vid in virtual.items():
        rec = entries[rid].record
        closure.dag.refs[vid] = rid
        closure.names[vid] = rec.name
        closure.versions[vid] = rec.version
    for rid, locked in locks.items():
        edges = {pos: e for pos, e in enumerate(entries[rid].record.edges())}
        for pos, relation, _, target in locked:
            if pos < 0:
                continue  # inherits: drawn, never a route
            dst = virtual.get(target, targets.get(target))
            assert dst is not None
            up = edges[pos]
            closure.dag.add_edge(
                virtual[rid],
                dst,
                Edge(
                    src=rid,
                    relation=relation,
                    dst=target,
                    uncertain=bool(up.uncertain),
                    note=up.note,
                ),
            )
    advisories = adv.for_names(conn, sorted(set(closure.names.values())))
    return [_report(conn, closure, virtual[rid], advisories, page or Page()) for rid in entries]


_SEEDS = {  # the starts, bound as one parameter (a JSON array on SQLite, an array otherwise)
    "sqlite": "SELECT value, value, 0 FROM json_each(:ids)",
    "postgresql": "SELECT s, s, false FROM unnest(CAST(:ids AS integer[])) AS s",
}
_REACH = {
    dialect: text(
        f"""
        WITH RECURSIVE walk(start, id, uncertain) AS (
            {seed}
            UNION
            SELECT w.start, e.dst_id, e.uncertain
            FROM walk w JOIN edges e ON e.src_id = w.id
            WHERE e.relation <> 'inherits'
        )
        SELECT w.start, w.id, r.name, r.version, w.uncertain
        FROM walk w JOIN records r ON r.id = w.id
        """
    )
    for dialect, seed in _SEEDS.items()
}


@dataclass(frozen=True, kw_only=True)
class Badge:
    """An advisory that reaches a listed record, as a list shows it."""

    advisory: AdvisoryInfo
    severity: str
    possible: bool  # every route passes through an uncertain edge


def reaching(conn: Connection, starts: Sequence[int]) -> dict[int, list[Badge]]:
    """The advisories that reach many published records, for lists that mark each record:
    one walk from all of them (each row tagged with its start) and one read of the
    advisories. A record whose closure holds an uncertain edge or a version an advisory names
    fixed gets its full :func:`audit` instead (its routes decide); for the others any affected
    record in the closure is reached by a certain route."""
    if not starts:
        return {}
    dialect = conn.dialect.name
    ids = json.dumps(list(starts)) if dialect == "sqlite" else list(starts)
    closure: dict[int, dict[str, Version]] = {s: {} for s in starts}
    shaky: set[int] = set()
    for start, rid, name, version, uncertain in conn.execute(_REACH[dialect], {"ids": ids}).all():
        closure[start][f"{name}@{version}"] = Version.parse(version)
        if uncertain and rid != start:
            shaky.add(start)
    names = sorted({ref.partition("@")[0] for refs in closure.values() for ref in refs})
    advisories = adv.for_names(conn, names)
    out: dict[int, list[Badge]] = {}
    for start, refs in closure.items():
        found: list[Badge] = []
        decide = False  # routes decide: the full audit
        for a in advisories:
            if not any(a.affects(r.partition("@")[0], v) for r, v in refs.items()):
                continue
            if start in shaky or a.fixed_ids() & refs.keys():
                decide = True
                break
            found.append(Badge(advisory=info(a), severity=a.severity, possible=False))
        if decide:
            findings = audit(conn, start).findings
            found = [
                Badge(advisory=f.advisory, severity=f.severity, possible=f.possible)
                for f in findings
            ]
        out[start] = sorted(found, key=lambda b: (-RANK[b.severity], b.advisory.id))
    return out


def _closure(conn: Connection, starts: list[int]) -> _Closure:
    """The typed upstream closure of ``starts``: one walk, whose rows also give every edge
    among its records; the notes of the uncertain ones (rare) in one more query."""
    rows, edges = statement_rows_and_edges(conn, WalkQuery(starts=tuple(starts), typed=True))
    dag = Dag()
    names: dict[int, str] = {}
    versions: dict[int, Version] = {}
    for rid, _, name, version, *_ in rows:
        dag.refs[rid] = f"{name}@{version}"
        names[rid] = name
        versions[rid] = Version.parse(version)
    noted = notes(conn, [e[3] for e in edges if e[4]])
    for src, dst, relation, eid, uncertain, _ in edges:
        edge = Edge(
            src=dag.refs[src],
            relation=relation,
            dst=dag.refs[dst],
            uncertain=uncertain,
            note=noted.get(eid),
        )
        dag.add_edge(src, dst, edge)
    return _Closure(dag=dag, names=names, versions=versions)


def _report(
    conn: Connection, closure: _Closure, start: int, advisories: list[Advisory], page: Page
) -> AuditReport:
    record = closure.dag.refs[start]
    findings: list[Finding] = []
    cleared: list[Finding] = []
    newer = _Newer(conn, closure.names[start], closure.versions[start], start > 0)
    reachable = set(closure.dag.post_order(start)) if advisories else set()
    for a in advisories:
        hit = frozenset(n for n in reachable if a.affects(closure.names[n], closure.versions[n]))
        if not hit:
            continue
        fixed_ids = a.fixed_ids()
        avoid = frozenset(n for n in reachable if closure.dag.refs[n] in fixed_ids)
        routes = Routes.of(closure.dag, start, hit, avoid)
        if routes.total:
            findings.append(
                _finding(
                    a, record, routes, page, _next_step(conn, closure, start, a, routes, newer)
                )
            )
            continue
        every = Routes.of(closure.dag, start, hit)
        if not every.total:
            continue  # the record is itself a fixed version and nothing else reaches it
        cleared.append(_finding(a, record, every, page, None, reason=_reason(a, start, every)))
    findings.sort(key=_order)
    cleared.sort(key=_order)
    return AuditReport(record=record, findings=tuple(findings), cleared=tuple(cleared))


def _finding(
    a: Advisory,
    record: str,
    routes: Routes,
    page: Page,
    fix: Fix | None,
    reason: str | None = None,
) -> Finding:
    return Finding(
        advisory=info(a),
        record=record,
        affected=tuple(routes.dag.refs[n] for n in routes.reached()),
        severity=a.severity,
        routes=routes.total,
        certain=routes.total_certain,
        paths=tuple(routes.page(page.offset, page.limit)),
        offset=page.offset,
        edges=tuple(routes.edges()),
        fix=fix,
        reason=reason,
    )


def _reason(a: Advisory, start: int, every: Routes) -> str:
    refs = every.dag.refs
    fixed = a.fixed_ids()
    forced = {f"{f.name}@{f.version}": f.reason for f in a.fixed if f.reason}
    if refs[start] in fixed:
        why = forced.get(refs[start])
        return f"{refs[start]} is named fixed by {a.id}" + (f" (forced: {why})" if why else "")
    on_routes = sorted({e.dst for e in every.edges() if e.dst in fixed})
    affected = ", ".join(refs[n] for n in every.reached())
    notes = "".join(f" ({r} forced: {forced[r]})" for r in on_routes if r in forced)
    return (
        f"every route from {refs[start]} to {affected} passes through "
        f"{', '.join(on_routes)}, which {a.id} names fixed{notes}"
    )


def unremediated_route(conn: Connection, start: int, a: Advisory) -> Route | None:
    """A route by which the published record ``start`` still reaches data ``a`` affects
    without passing through an ``unlearned_from`` edge or a version ``a`` already names fixed,
    or None: what ``advisory fix`` refuses to call fixed. A version inside an affected range
    has the empty route."""
    closure = _closure(conn, [start])
    hit = frozenset(n for n in closure.names if a.affects(closure.names[n], closure.versions[n]))
    if not hit:
        return None
    dag = Dag(refs=closure.dag.refs)
    for src, steps in closure.dag.succ.items():
        for step in steps:
            if step.edge.relation != "unlearned_from":
                dag.add_edge(src, step.dst, step.edge)
    fixed = a.fixed_ids()
    avoid = frozenset(n for n in closure.names if dag.refs[n] in fixed and n != start)
    routes = Routes.of(dag, start, hit, avoid)
    return routes.page(0, 1)[0] if routes.total else None


def _order(f: Finding) -> tuple[object, ...]:
    return (-RANK[f.severity], f.possible, f.advisory.id)


def _next_step(
    conn: Connection, closure: _Closure, start: int, a: Advisory, routes: Routes, newer: _Newer
) -> Fix:
    """The next step that clears ``a`` for ``start``: a newer published version of the record
    that the advisory does not reach; else a version the advisory names fixed of a record on
    the routes, nearest the record first, to rebuild on; else none published."""
    record = closure.dag.refs[start]
    name = closure.names[start]
    for rid, v in newer.versions():
        if _clear(newer.closure(rid), rid, a):
            return Fix(
                kind="upgrade",
                ref=f"{name}@{v}",
                text=f"upgrade to {name}@{v}, which {a.id} does not reach",
            )
    on_route = {e.dst for e in routes.edges()}
    by_name: dict[str, list[str]] = {}
    for f in a.fixed:
        by_name.setdefault(f.name, []).append(f"{f.name}@{f.version}")
    for edge in routes.edges():  # breadth first from the record: nearest first
        other = [
            f
            for f in by_name.get(edge.dst.partition("@")[0], ())
            if f not in on_route and _published(conn, f)
        ]
        if other:
            target = other[-1]
            return Fix(
                kind="rebuild",
                ref=target,
                text=(
                    f"rebuild {name} on {target}, which {a.id} names fixed, in place of "
                    f"{edge.dst}{'' if edge.src == record else f' (reached through {edge.src})'}"
                    f", or unlearn the affected data; publish the result as a new version of "
                    f"{name} and check it with 'umr audit {name}@NEW'"
                ),
            )
    return Fix(
        kind="none",
        ref=None,
        text=(
            f"no fix for {a.id} is published: retrain {record} without the affected data or "
            f"unlearn it ('umr unlearn'), publish the result as a new version, and name it "
            f"fixed with 'umr advisory fix {a.id} {name}@NEW'"
        ),
    )


def _published(conn: Connection, ref: str) -> bool:
    """Whether ``name@version`` is published and not yanked."""
    name, _, version = ref.partition("@")
    rows = conn.execute(
        select(t.records.c.version).where(t.records.c.name == name, t.records.c.yanked.is_(False))
    ).scalars()
    return any(Version.parse(v) == Version.parse(version) for v in rows)


_VERSIONS = select(t.records.c.id, t.records.c.version).where(
    t.records.c.name == bindparam("name"), t.records.c.yanked.is_(False)
)


class _Newer:
    """The newer published versions of an audited record, newest first, and their closures:
    read once per audit however many advisories ask, and only if one does."""

    def __init__(self, conn: Connection, name: str, version: Version, published: bool) -> None:
        self.conn, self.name, self.version, self.published = conn, name, version, published
        self._versions: list[tuple[int, Version]] | None = None
        self._closures: dict[int, _Closure] = {}

    def versions(self) -> list[tuple[int, Version]]:
        if not self.published:  # a record not yet published: its newer versions are not it
            return []
        if self._versions is None:
            rows = self.conn.execute(_VERSIONS, {"name": self.name}).all()
            found = [(rid, Version.parse(v)) for rid, v in rows]
            newer = [(rid, v) for rid, v in found if v > self.version]
            newer.sort(key=lambda x: x[1], reverse=True)
            self._versions = newer[:UPGRADE_CANDIDATES]
        return self._versions

    def closure(self, rid: int) -> _Closure:
        if rid not in self._closures:
            self._closures[rid] = _closure(self.conn, [rid])
        return self._closures[rid]


def _clear(closure: _Closure, rid: int, a: Advisory) -> bool:
    """Whether no route carries ``a`` to ``rid``, the start of ``closure``."""
    hit = frozenset(n for n in closure.names if a.affects(closure.names[n], closure.versions[n]))
    if not hit:
        return True
    fixed = a.fixed_ids()
    avoid = frozenset(n for n in closure.names if closure.dag.refs[n] in fixed)
    return Routes.of(closure.dag, rid, hit, avoid).total == 0
