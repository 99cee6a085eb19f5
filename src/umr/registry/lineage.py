"""Lineage on locked edges, in both directions, computed in SQL.

A recursive CTE walks the edges from the start records. Its rows are ``(record, depth, edge)``
triples joined with ``UNION``, which discards any row seen before: that is the visited guard, and
it keeps the walk finite and linear in the edges of the closure (the graph is acyclic by
construction; the depth cap bounds it anyway). The statement joins each row to its edge and its
record's head columns; Python keeps, for each record, the row that reached it at its least depth
(one dict pass, cheaper than the window function over every walk row that did it before; see
docs/decisions.md). Following those rows' parents gives each result's shortest path.

:func:`level_rows` answers the same question breadth first from Python, one query per depth:
for closures of 100,000 records that is the faster walk, and ``Registry.impact`` uses it.
"""

from __future__ import annotations

import functools
import json
import operator
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple

from sqlalchemy import BindParameter, Connection, TextClause, bindparam, text

from umr._gc import gc_paused as _gc_paused
from umr.errors import RefError
from umr.spec import Version

Direction = Literal["up", "down"]
MAX_DEPTH = 1000


# Edge and LineageHit are named tuples, not frozen dataclasses: an impact builds one of each
# per downstream record, and a frozen dataclass sets each field through object.__setattr__,
# about twice the cost of building a tuple.
class Edge(NamedTuple):
    """One locked edge: ``src`` (the derived record) ``relation`` ``dst``."""

    src: str
    relation: str
    dst: str

    def to_dict(self) -> dict[str, str]:
        return {"from": self.src, "relation": self.relation, "to": self.dst}


class LineageHit(NamedTuple):
    """A record in a lineage closure, with the shortest path that reaches it.

    A hit holds the hit one step nearer the start (``prev``) rather than its whole path: an
    impact may build 100,000 hits, most of which are never printed with their paths. ``path``
    follows the links when it is read."""

    name: str
    version: Version
    kind: str
    title: str | None
    depth: int
    relation: str  # relation of the last edge of the path
    id: str  # name@version
    via: str  # the record that last edge joins this one to, one step nearer the start
    prev: LineageHit | None  # the hit for ``via``; None when ``via`` is a start
    upward: bool  # walked up (edges point away from the start) or down (towards it)

    @property
    def path(self) -> tuple[Edge, ...]:
        """The edges from the start to this record, in walking order."""
        steps: list[Edge] = []
        hit: LineageHit | None = self
        while hit is not None:
            steps.append(
                Edge(hit.via, hit.relation, hit.id)
                if hit.upward
                else Edge(hit.id, hit.relation, hit.via)
            )
            hit = hit.prev
        steps.reverse()
        return tuple(steps)

    def __repr__(self) -> str:  # not the default: that would print the whole chain of prevs
        return (
            f"LineageHit({self.id!r}, kind={self.kind!r}, depth={self.depth}, "
            f"relation={self.relation!r}, via={self.via!r})"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "version": str(self.version),
            "kind": self.kind,
            "title": self.title,
            "depth": self.depth,
            "relation": self.relation,
            "path": [e.to_dict() for e in self.path],
        }


@dataclass(frozen=True, slots=True)
class Node:
    id: int
    name: str
    version: str
    kind: str
    title: str | None
    depth: int

    @property
    def ref(self) -> str:
        return f"{self.name}@{self.version}"


def check_direction(direction: str) -> None:
    if direction not in ("up", "down"):
        raise RefError(f"direction must be 'up' or 'down', got {direction!r}")


def closure_rows(
    conn: Connection,
    starts: Sequence[int],
    direction: Direction = "up",
    relations: Sequence[str] | None = None,
    depth: int | None = None,
) -> list[Any]:
    """``(id, depth, name, version, kind, title, parent, relation, edge)`` for every record
    within ``depth`` of ``starts``: the starts at depth 0 without a parent, every other record
    with the (parent id, relation, edge id) of one shortest path. In no particular order.

    Of the shortest paths, the one kept prefers a typed relation over ``inherits``, then the
    earliest published parent, then the earliest edge, so that the answer is the same on every
    backend and every run."""
    check_direction(direction)
    params: dict[str, Any] = {
        "starts": list(starts),
        "maxdepth": MAX_DEPTH if depth is None else depth,
    }
    if relations:
        params["rels"] = list(relations)
    best: dict[int, Any] = {}
    # .all() fetches in one call; iterating a result fetches row by row, several times slower
    for row in conn.execute(_statement(direction, bool(relations)), params).all():
        kept = best.setdefault(row[0], row)
        if kept is not row and _rank(row[1], row[7], row[6], row[8]) < _rank(
            kept[1], kept[7], kept[6], kept[8]
        ):
            best[row[0]] = row
    return list(best.values())


def _rank(
    depth: int, relation: str | None, parent: int | None, edge: int | None
) -> tuple[Any, ...]:
    """The rule both walks use to choose among the edges that reach one record: least depth,
    a typed relation before ``inherits``, the earliest parent, the earliest edge. Only called
    when a record is reached more than once, so it costs nothing on a tree."""
    return (depth, relation == "inherits", parent, edge)


def closure_hits(
    conn: Connection,
    starts: Sequence[int],
    direction: Direction = "up",
    relations: Sequence[str] | None = None,
    depth: int | None = None,
    *,
    by_level: bool = False,
) -> list[LineageHit]:
    """:func:`hits` of :func:`closure_rows` (or of :func:`level_rows` with ``by_level``), in
    one pause of the cyclic GC: a large closure allocates many objects and frees none, and one
    pause means one collection after."""
    walk = level_rows if by_level else closure_rows
    with _gc_paused():
        return hits(walk(conn, starts, direction, relations, depth), direction)


def level_rows(
    conn: Connection,
    starts: Sequence[int],
    direction: Direction = "up",
    relations: Sequence[str] | None = None,
    depth: int | None = None,
) -> list[Any]:
    """What :func:`closure_rows` returns, with the same choice of path, walked breadth first
    from Python: one query per depth for the edges leaving the frontier, then one for the
    records' head columns, by depth (within a depth, in the database's name order; :func:`hits`
    sorts in Python's).

    For a large closure this is the faster of the two (``bench/impact_walks.py``): the
    recursive statement pays for ``UNION``'s row comparisons and for joining each walk row to
    its edge, where a dict here does the visiting. For a small one the statement is one round
    trip instead of one per level, so ``Registry.impact``, whose answers run to 100,000
    records, walks by level and ``Registry.lineage`` and ``audit`` use the statement."""
    check_direction(direction)
    dialect = conn.dialect.name
    edges, heads = _level_statements(dialect, direction, bool(relations))
    rels = {"rels": list(relations)} if relations else {}
    reached: dict[int, tuple[int, int | None, str | None, int | None]] = dict.fromkeys(
        starts, (0, None, None, None)
    )
    frontier = list(reached)
    limit = MAX_DEPTH if depth is None else depth
    level = 0
    while frontier and level < limit:
        level += 1
        nxt = []
        for parent, child, relation, eid in conn.execute(
            edges, {"ids": id_list(dialect, frontier), **rels}
        ).all():
            kept = reached.get(child)
            if kept is None:
                reached[child] = (level, parent, relation, eid)
                nxt.append(child)
            elif kept[0] == level and _rank(level, relation, parent, eid) < _rank(
                kept[0], kept[2], kept[1], kept[3]
            ):
                reached[child] = (level, parent, relation, eid)
        frontier = nxt
    rows = [
        (rid, r[0], name, version, kind, title, r[1], r[2], r[3])
        for rid, name, version, kind, title in conn.execute(
            heads, {"ids": id_list(dialect, list(reached))}
        ).all()
        for r in (reached[rid],)
    ]
    rows.sort(key=_DEPTH)  # stable: each depth keeps the statement's name order
    return rows


def id_list(dialect: str, ids: list[int]) -> Any:
    """``ids`` as the one parameter of :func:`_ids_in`: JSON text for SQLite's ``json_each``,
    a list (bound as an array) for PostgreSQL."""
    return json.dumps(ids) if dialect == "sqlite" else ids


def _ids_in(dialect: str, column: str) -> str:
    """``column`` is one of the ids bound as ``:ids``, however many: one statement to prepare,
    and no limit on bound parameters."""
    if dialect == "sqlite":
        return f"{column} IN (SELECT value FROM json_each(:ids))"
    return f"{column} = ANY(:ids)"


@functools.cache
def _level_statements(
    dialect: str, direction: Direction, filtered: bool
) -> tuple[TextClause, TextClause]:
    """:func:`level_rows`' two statements: the edges leaving a frontier, and records' heads."""
    here, nxt = ("src_id", "dst_id") if direction == "up" else ("dst_id", "src_id")
    rel = " AND relation IN :rels" if filtered else ""
    edges = text(
        f"SELECT {here}, {nxt}, relation, id FROM edges WHERE {_ids_in(dialect, here)}{rel}"
    )
    if filtered:
        edges = edges.bindparams(bindparam("rels", expanding=True))
    heads = text(
        f"SELECT id, name, version, kind, title FROM records WHERE {_ids_in(dialect, 'id')} "
        "ORDER BY name"
    )
    return edges, heads


@functools.cache
def _statement(direction: Direction, filtered: bool) -> TextClause:
    """The closure statement; built once per shape, so SQLAlchemy's compiled cache hits."""
    here, nxt = ("src_id", "dst_id") if direction == "up" else ("dst_id", "src_id")
    rel = " AND e.relation IN :rels" if filtered else ""
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
        WHERE w.depth < :maxdepth{rel}
    )
    SELECT w.id, w.depth, r.name, r.version, r.kind, r.title, e.{here}, e.relation, w.eid
    FROM walk w JOIN records r ON r.id = w.id LEFT JOIN edges e ON e.id = w.eid
    """
    binds: list[BindParameter[Any]] = [bindparam("starts", expanding=True)]
    if filtered:
        binds.append(bindparam("rels", expanding=True))
    return text(sql).bindparams(*binds)


def closure(
    conn: Connection,
    starts: Sequence[int],
    direction: Direction = "up",
    relations: Sequence[str] | None = None,
    depth: int | None = None,
) -> tuple[dict[int, Node], dict[int, tuple[int, str]]]:
    """Every record within ``depth`` of ``starts`` (depth 0 included), and for each record
    beyond the starts the (parent id, relation) of one shortest path."""
    nodes: dict[int, Node] = {}
    parents: dict[int, tuple[int, str]] = {}
    for rid, d, name, version, kind, title, parent, relation, _ in closure_rows(
        conn, starts, direction, relations, depth
    ):
        nodes[rid] = Node(rid, name, version, kind, title, d)
        if d > 0:
            parents[rid] = (parent, relation)
    return nodes, parents


# A hit is built with tuple.__new__ directly, as namedtuple's own _make does: the generated
# __new__ is a Python function call per hit, and an impact builds one hit per downstream record.
_new_tuple = tuple.__new__


def hits(rows: Sequence[Any], direction: Direction) -> list[LineageHit]:
    """LineageHits for every record of ``closure_rows`` beyond the starts, ordered by depth,
    name and version; built in one pass (a parent sorts before its children, so its hit exists
    when theirs is built)."""
    parse = Version.parse
    versions: dict[str, Version] = {}  # a dict lookup is cheaper than the parse cache's call
    starts: dict[int, str] = {}
    made: dict[int, LineageHit] = {}
    out: list[LineageHit] = []
    append = out.append
    upward = direction == "up"
    with _gc_paused():  # a large closure allocates many objects and nothing cyclic
        for rid, d, name, version, kind, title, parent, relation, _ in _in_order(rows):
            if d == 0:
                starts[rid] = f"{name}@{version}"
                continue
            v = versions.get(version)
            if v is None:
                v = versions[version] = parse(version)
            prev = made.get(parent)
            via = starts[parent] if prev is None else prev.id
            hit = made[rid] = _new_tuple(
                LineageHit,
                (name, v, kind, title, d, relation, f"{name}@{version}", via, prev, upward),
            )
            append(hit)
    return out


_DEPTH = operator.itemgetter(1)
_NAME = operator.itemgetter(2)
_DEPTH_NAME = operator.itemgetter(1, 2)


def _in_order(rows: Sequence[Any]) -> list[Any]:
    """``rows`` by depth, name and version precedence. Sorting on the (depth, name) pair in C
    is several times faster than a Python key (and linear when the rows come ordered), and is
    enough unless one name appears at one depth in several versions; then the slow key puts
    versions in SemVer order ("1.10.0" < "1.9.0" as text)."""
    if len(set(map(_NAME, rows))) == len(rows) or len(set(map(_DEPTH_NAME, rows))) == len(rows):
        return sorted(rows, key=_DEPTH_NAME)
    parse = Version.parse
    return sorted(rows, key=lambda r: (r[1], r[2], parse(r[3])))


def path_text(start: str, path: Sequence[Edge], direction: Direction = "up") -> str:
    """``a@1 -finetuned_from-> b@2 -trained_on-> c@3`` (``<-rel-`` when walking down)."""
    parts = [start]
    for e in path:
        parts.append(
            f"-{e.relation}-> {e.dst}" if direction == "up" else f"<-{e.relation}- {e.src}"
        )
    return " ".join(parts)


def render_tree(root: str, found: Sequence[LineageHit], direction: Direction) -> str:
    """The shortest-path tree as indented text, one record per line."""
    children: dict[str, list[LineageHit]] = {}
    for h in found:
        last = h.path[-1]
        parent = last.src if direction == "up" else last.dst
        children.setdefault(parent, []).append(h)
    lines = [root]
    arrow = "-{}->" if direction == "up" else "<-{}-"

    def walk(ref: str, indent: int) -> None:
        for h in children.get(ref, []):
            title = f"  ({h.title})" if h.title else ""
            lines.append(f"{'  ' * indent}{arrow.format(h.relation)} {h.id} [{h.kind}]{title}")
            walk(h.id, indent + 1)

    walk(root, 1)
    if not found:
        lines.append(f"  (nothing {'upstream' if direction == 'up' else 'downstream'})")
    return "\n".join(lines)


def render_dot(root: str, found: Sequence[LineageHit]) -> str:
    """Graphviz DOT of the shortest-path edges (arrows point from derived to source)."""

    def q(s: str) -> str:
        return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'

    lines = ["digraph lineage {", "  rankdir=BT;", f"  {q(root)} [shape=box, style=bold];"]
    seen: set[Edge] = set()
    for h in found:
        for e in h.path:
            if e not in seen:
                seen.add(e)
                lines.append(f"  {q(e.src)} -> {q(e.dst)} [label={q(e.relation)}];")
    lines.append("}")
    return "\n".join(lines)
