"""The lineage walker: locked edges walked in SQL, in either direction, complete at any depth.

One question (:class:`WalkQuery`: from which records, up or down, over which relations, how
deep, avoiding which records) and two answers that must agree, row for row (the property tests
in ``tests/registry/test_lineage.py`` hold them to it on random DAGs, deep chains and
diamonds):

- :data:`STATEMENT`, a recursive CTE: one round trip, the faster walk for a small closure
  (``Registry.lineage`` and ``audit``). Its rows are ``(record, depth, edge)`` joined with
  ``UNION``, which drops any row seen before: the visited guard.
- :data:`BY_LEVEL`, breadth first from Python: one query per depth, the faster walk for a large
  closure (``Registry.impact``, whose answers run to 100,000 records; ``bench/impact_walks.py``).

Both keep, for each record, the edge that reaches it at its least depth (a typed relation before
``inherits``, then the earliest parent, then the earliest edge), so every answer is the same on
every backend and every run. No depth bound is needed for the walks to end: a record locks only
records published before it, so every edge points to a smaller id and the graph is acyclic.
"""

from __future__ import annotations

import functools
import json
import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import BindParameter, Connection, TextClause, bindparam, text

from umr.errors import RefError
from umr.graph import INHERITS, Direction, LineageHit
from umr.spec import Version

# (id, depth, name, version, kind, title, parent id, relation, edge id, uncertain); the
# starts have depth 0 and no parent. ``uncertain`` is the database's boolean (0/1 on SQLite).
Row = tuple[int, int, str, str, str, str | None, int | None, str | None, int | None, Any]


@dataclass(frozen=True, kw_only=True, slots=True)
class WalkQuery:
    """What a walk answers: every record reachable from ``starts``."""

    starts: tuple[int, ...]
    direction: Direction = "up"
    relations: tuple[str, ...] | None = None  # follow only these (None: every relation)
    depth: int | None = None  # stop after this many edges (None: complete)
    typed: bool = False  # skip ``inherits`` edges: the walk of routes (audit, impact)
    avoid: frozenset[int] = frozenset()  # records never entered (an advisory's fixed versions)

    def __post_init__(self) -> None:
        check_direction(self.direction)
        check_relations(self.relations)


def check_relations(relations: Sequence[str] | None) -> None:
    """Refuse a relation no edge can have: a typo would otherwise show an empty lineage."""
    from umr.spec.record import Relation

    known = [r.value for r in Relation] + [INHERITS]
    bad = [r for r in relations or () if r not in known]
    if bad or (relations is not None and not relations):
        shown = repr(str(bad[0])[:40]) if bad else "nothing"
        raise RefError(
            f"relation {shown} is not an edge relation",
            hint=f"use one or more of {', '.join(known)}",
        )


def check_direction(direction: str) -> None:
    if direction not in ("up", "down"):
        raise RefError(f"direction must be 'up' or 'down', got {direction!r}")


def _rank(
    depth: int, relation: str | None, parent: int | None, edge: int | None
) -> tuple[Any, ...]:
    """The rule both walks use to choose among the edges that reach one record: least depth,
    a typed relation before ``inherits``, the earliest parent, the earliest edge. Only called
    when a record is reached more than once, so it costs nothing on a tree."""
    return (depth, relation == INHERITS, parent, edge)


def statement_rows(conn: Connection, query: WalkQuery) -> list[Row]:
    """The walk as one recursive statement; Python keeps each record's preferred row (one dict
    pass, cheaper than a window function over every walk row; see docs/decisions.md)."""
    return _preferred(_raw(conn, query))


def statement_rows_and_edges(conn: Connection, query: WalkQuery) -> tuple[list[Row], list[EdgeRow]]:
    """:func:`statement_rows`, and every edge the walk followed (without notes), ordered by
    source and position: all the edges among the closure's records when the walk is not
    stopped by a depth, so an audit needs no second query for them."""
    raw = _raw(conn, query)
    up = query.direction == "up"
    seen: dict[int, EdgeRow] = {}
    for rid, _, _, _, _, _, parent, relation, eid, uncertain in raw:
        if eid is not None and eid not in seen:
            src, dst = (parent, rid) if up else (rid, parent)
            seen[eid] = (src, dst, relation, eid, bool(uncertain), None)
    # a record's edges are stored in position order, so the edge id orders them
    edges = sorted(seen.values(), key=lambda e: (e[0], e[3]))
    return _preferred(raw), edges


def _preferred(raw: list[Any]) -> list[Row]:
    best: dict[int, Any] = {}
    for row in raw:
        kept = best.setdefault(row[0], row)
        if kept is not row and _rank(row[1], row[7], row[6], row[8]) < _rank(
            kept[1], kept[7], kept[6], kept[8]
        ):
            best[row[0]] = row
    return list(best.values())


def _raw(conn: Connection, query: WalkQuery) -> list[Any]:
    if not query.starts:
        return []
    params: dict[str, Any] = {"starts": list(query.starts)}
    if query.depth is not None:
        params["maxdepth"] = query.depth
    if query.relations:
        params["rels"] = list(query.relations)
    if query.avoid:
        params["avoid"] = sorted(query.avoid)
    shape = (
        query.direction,
        bool(query.relations),
        query.depth is not None,
        query.typed,
        bool(query.avoid),
    )
    # .all() fetches in one call; iterating a result fetches row by row, several times slower
    return list(conn.execute(_statement(*shape), params).all())


def level_rows(conn: Connection, query: WalkQuery) -> list[Row]:
    """The walk breadth first from Python: one query per depth for the edges leaving the
    frontier, then one for the records' head columns (within a depth in the database's name
    order; :func:`hits` sorts in Python's). For a large closure this is the faster walk: the
    recursive statement pays for ``UNION``'s row comparisons and for joining each walk row to
    its edge, where a dict here does the visiting."""
    dialect = conn.dialect.name
    edges, heads = _level_statements(dialect, query.direction, bool(query.relations), query.typed)
    params: dict[str, Any] = {"rels": list(query.relations)} if query.relations else {}
    reached: dict[int, tuple[int, int | None, str | None, int | None, Any]] = dict.fromkeys(
        query.starts, (0, None, None, None, None)
    )
    avoid = query.avoid
    frontier = list(reached)
    level = 0
    while frontier and (query.depth is None or level < query.depth):
        level += 1
        nxt = []
        for parent, child, relation, eid, uncertain in conn.execute(
            edges, {"ids": id_list(dialect, frontier), **params}
        ).all():
            if avoid and child in avoid:
                continue
            kept = reached.get(child)
            if kept is None:
                reached[child] = (level, parent, relation, eid, uncertain)
                nxt.append(child)
            elif kept[0] == level and _rank(level, relation, parent, eid) < _rank(
                kept[0], kept[2], kept[1], kept[3]
            ):
                reached[child] = (level, parent, relation, eid, uncertain)
        frontier = nxt
    rows: list[Row] = [
        (rid, r[0], name, version, kind, title, r[1], r[2], r[3], r[4])
        for rid, name, version, kind, title in conn.execute(
            heads, {"ids": id_list(dialect, list(reached))}
        ).all()
        for r in (reached[rid],)
    ]
    rows.sort(key=_DEPTH)  # stable: each depth keeps the statement's name order
    return rows


Walker = Callable[[Connection, WalkQuery], list[Row]]
"""One way to answer a :class:`WalkQuery`: its rows, in no particular order."""
STATEMENT: Walker = statement_rows
BY_LEVEL: Walker = level_rows


def walk(conn: Connection, query: WalkQuery, walker: Walker = STATEMENT) -> list[LineageHit]:
    """:func:`hits` of ``walker``'s rows. (A library call never pauses the cyclic GC, which
    is process-wide; the CLI pauses it around a whole command: :mod:`umr._gc`.)"""
    return hits(walker(conn, query), query.direction)


def id_list(dialect: str, ids: list[int]) -> Any:
    """``ids`` as the one parameter of :func:`_ids_in`: JSON text for SQLite's ``json_each``,
    a list (bound as an array) for PostgreSQL."""
    return json.dumps(ids) if dialect == "sqlite" else ids


def _ids_in(dialect: str, column: str, param: str = "ids") -> str:
    """``column`` is one of the ids bound as ``:param``, however many: one statement to
    prepare, and no limit on bound parameters."""
    if dialect == "sqlite":
        return f"{column} IN (SELECT value FROM json_each(:{param}))"
    return f"{column} = ANY(:{param})"


@functools.cache
def _level_statements(
    dialect: str, direction: Direction, filtered: bool, typed: bool
) -> tuple[TextClause, TextClause]:
    """:func:`level_rows`' two statements: the edges leaving a frontier, records' heads."""
    here, nxt = ("src_id", "dst_id") if direction == "up" else ("dst_id", "src_id")
    rel = " AND relation IN :rels" if filtered else ""
    rel += f" AND relation <> '{INHERITS}'" if typed else ""
    edges = text(
        f"SELECT {here}, {nxt}, relation, id, uncertain FROM edges "
        f"WHERE {_ids_in(dialect, here)}{rel}"
    )
    if filtered:
        edges = edges.bindparams(bindparam("rels", expanding=True))
    heads = text(
        f"SELECT id, name, version, kind, title FROM records WHERE {_ids_in(dialect, 'id')} "
        "ORDER BY name"
    )
    return edges, heads


@functools.cache
def _statement(
    direction: Direction, filtered: bool, bounded: bool, typed: bool, avoiding: bool
) -> TextClause:
    """The closure statement; built once per shape, so SQLAlchemy's compiled cache hits."""
    here, nxt = ("src_id", "dst_id") if direction == "up" else ("dst_id", "src_id")
    where = []
    if bounded:
        where.append("w.depth < :maxdepth")
    if filtered:
        where.append("e.relation IN :rels")
    if typed:
        where.append(f"e.relation <> '{INHERITS}'")
    if avoiding:
        where.append(f"e.{nxt} NOT IN :avoid")
    cond = f"WHERE {' AND '.join(where)}" if where else ""
    # walk rows are (record, depth, the edge that reached it): UNION drops any row seen before,
    # so each edge is followed at most once per depth it is reached at (the visited guard).
    # The walk carries only the edge id (a narrower row is cheaper for UNION to compare); the
    # edge's parent and relation, and the record's head columns, are joined once at the end.
    sql = f"""
    WITH RECURSIVE walk(id, depth, eid) AS (
        SELECT id, 0, CAST(NULL AS INTEGER) FROM records WHERE id IN :starts
        UNION
        SELECT e.{nxt}, w.depth + 1, e.id
        FROM walk w JOIN edges e ON e.{here} = w.id
        {cond}
    )
    SELECT w.id, w.depth, r.name, r.version, r.kind, r.title, e.{here}, e.relation, w.eid,
           e.uncertain
    FROM walk w JOIN records r ON r.id = w.id LEFT JOIN edges e ON e.id = w.eid
    """
    binds: list[BindParameter[Any]] = [bindparam("starts", expanding=True)]
    if filtered:
        binds.append(bindparam("rels", expanding=True))
    if avoiding:
        binds.append(bindparam("avoid", expanding=True))
    return text(sql).bindparams(*binds)


# (src id, dst id, relation, edge id, uncertain, note)
EdgeRow = tuple[int, int, str, int, bool, str | None]


def notes(conn: Connection, edge_ids: Sequence[int]) -> dict[int, str]:
    """The notes of the edges ``edge_ids`` that have one."""
    if not edge_ids:
        return {}
    dialect = conn.dialect.name
    stmt = text(f"SELECT id, note FROM edges WHERE {_ids_in(dialect, 'id')} AND note IS NOT NULL")
    return dict(conn.execute(stmt, {"ids": id_list(dialect, list(edge_ids))}).all())


def edges_among(conn: Connection, ids: Sequence[int], *, typed: bool = False) -> list[EdgeRow]:
    """Every locked edge whose both ends are in ``ids``, ordered by source, then position
    (``inherits`` first), so that a graph drawn from them is the same on every run. The edges
    leaving ``ids`` are read through the source index and their ends checked here: one
    indexed read, where testing both ends in SQL made SQLite scan the list once per edge."""
    if not ids:
        return []
    dialect = conn.dialect.name
    inherits = f" AND relation <> '{INHERITS}'" if typed else ""
    stmt = text(
        "SELECT src_id, dst_id, relation, id, uncertain, note, pos FROM edges "
        f"WHERE {_ids_in(dialect, 'src_id')}{inherits}"
    )
    wanted = set(ids)
    rows = [
        (s, d, rel, eid, bool(unc), note, pos)
        for s, d, rel, eid, unc, note, pos in conn.execute(
            stmt, {"ids": id_list(dialect, list(wanted))}
        ).all()
        if d in wanted
    ]
    rows.sort(key=lambda r: (r[0], r[6]))
    return [r[:6] for r in rows]


# A hit is built with tuple.__new__ directly, as namedtuple's own _make does: the generated
# __new__ is a Python function call per hit, and an impact builds one hit per downstream record.
_new_tuple = tuple.__new__


def hits(rows: Sequence[Row], direction: Direction) -> list[LineageHit]:
    """LineageHits for every record of a walk's ``rows`` beyond the starts, ordered by depth,
    name and version; built in one pass (a parent sorts before its children, so its hit exists
    when theirs is built)."""
    parse = Version.parse
    versions: dict[str, Version] = {}  # a dict lookup is cheaper than the parse cache's call
    starts: dict[int, str] = {}
    made: dict[int, LineageHit] = {}
    out: list[LineageHit] = []
    append = out.append
    upward = direction == "up"
    for rid, d, name, version, kind, title, parent, relation, _, uncertain in _in_order(rows):
        if d == 0:
            starts[rid] = f"{name}@{version}"
            continue
        v = versions.get(version)
        if v is None:
            v = versions[version] = parse(version)
        prev = made.get(parent)  # type: ignore[arg-type]
        via = starts[parent] if prev is None else prev.id  # type: ignore[index]
        hit = made[rid] = _new_tuple(
            LineageHit,
            (
                name,
                v,
                kind,
                title,
                d,
                relation,
                f"{name}@{version}",
                via,
                prev,
                upward,
                bool(uncertain),
            ),
        )
        append(hit)
    return out


_DEPTH = operator.itemgetter(1)
_NAME = operator.itemgetter(2)
_DEPTH_NAME = operator.itemgetter(1, 2)


def _in_order(rows: Sequence[Row]) -> list[Row]:
    """``rows`` by depth, name and version precedence. Sorting on the (depth, name) pair in C
    is several times faster than a Python key (and linear when the rows come ordered), and is
    enough unless one name appears at one depth in several versions; then the slow key puts
    versions in SemVer order ("1.10.0" < "1.9.0" as text)."""
    if len(set(map(_NAME, rows))) == len(rows) or len(set(map(_DEPTH_NAME, rows))) == len(rows):
        return sorted(rows, key=_DEPTH_NAME)
    parse = Version.parse
    return sorted(rows, key=lambda r: (r[1], r[2], parse(r[3])))
