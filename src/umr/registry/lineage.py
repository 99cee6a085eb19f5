"""Lineage on locked edges, in both directions, computed in SQL.

A recursive CTE walks the edges from the start records. Its rows are ``(record, depth, edge)``
triples joined with ``UNION``, which discards any row seen before: that is the visited guard, and
it keeps the walk finite and linear in the edges of the closure (the graph is acyclic by
construction; the depth cap bounds it anyway). A window then keeps, for each record, the edge
that reached it at its least depth: following those parents gives each result's shortest path,
built in one pass in Python.
"""

from __future__ import annotations

import functools
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
    """A record in a lineage closure, with the shortest path that reaches it."""

    name: str
    version: Version
    kind: str
    title: str | None
    depth: int
    relation: str  # relation of the last edge of the path
    path: tuple[Edge, ...]

    @property
    def id(self) -> str:
        return f"{self.name}@{self.version}"

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
    """``(id, depth, name, version, kind, title, parent, relation)`` for every record within
    ``depth`` of ``starts``: the starts at depth 0 without a parent, every other record with
    the (parent id, relation) of one shortest path. One statement, in no particular order."""
    check_direction(direction)
    params: dict[str, Any] = {
        "starts": list(starts),
        "maxdepth": MAX_DEPTH if depth is None else depth,
    }
    if relations:
        params["rels"] = list(relations)
    return list(conn.execute(_statement(direction, bool(relations)), params).all())


def closure_hits(
    conn: Connection,
    starts: Sequence[int],
    direction: Direction = "up",
    relations: Sequence[str] | None = None,
    depth: int | None = None,
) -> list[LineageHit]:
    """:func:`hits` of :func:`closure_rows`, in one pause of the cyclic GC: a large closure
    allocates many objects and frees none, and one pause means one collection after."""
    with _gc_paused():
        return hits(closure_rows(conn, starts, direction, relations, depth), direction)


@functools.cache
def _statement(direction: Direction, filtered: bool) -> TextClause:
    """The closure statement; built once per shape, so SQLAlchemy's compiled cache hits."""
    here, nxt = ("src_id", "dst_id") if direction == "up" else ("dst_id", "src_id")
    rel = " AND e.relation IN :rels" if filtered else ""
    # walk rows are (record, depth, the edge that reached it): UNION drops any row seen before,
    # so each edge is followed at most once per depth it is reached at (the visited guard).
    # ranked keeps, per record, its least depth, preferring a typed relation over 'inherits',
    # then the earliest published parent, then the earliest edge.
    sql = f"""
    WITH RECURSIVE walk(id, depth, parent, relation, eid) AS (
        SELECT id, 0, CAST(NULL AS INTEGER), CAST(NULL AS VARCHAR(32)), CAST(NULL AS INTEGER)
        FROM records WHERE id IN :starts
        UNION
        SELECT e.{nxt}, w.depth + 1, e.{here}, e.relation, e.id
        FROM walk w JOIN edges e ON e.{here} = w.id
        WHERE w.depth < :maxdepth{rel}
    ),
    ranked AS (
        SELECT id, depth, parent, relation, ROW_NUMBER() OVER (
            PARTITION BY id ORDER BY depth, relation = 'inherits', parent, eid
        ) AS rn
        FROM walk
    )
    SELECT k.id, k.depth, r.name, r.version, r.kind, r.title, k.parent, k.relation
    FROM ranked k JOIN records r ON r.id = k.id
    WHERE k.rn = 1
    ORDER BY k.depth, r.name
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
    for rid, d, name, version, kind, title, parent, relation in closure_rows(
        conn, starts, direction, relations, depth
    ):
        nodes[rid] = Node(rid, name, version, kind, title, d)
        if d > 0:
            parents[rid] = (parent, relation)
    return nodes, parents


def hits(rows: Sequence[Any], direction: Direction) -> list[LineageHit]:
    """LineageHits for every record of ``closure_rows`` beyond the starts, each with its
    shortest path, ordered by depth, name and version; built in one pass (a parent sorts
    before its children, so its path is known when theirs is built)."""
    parse = Version.parse
    versions: dict[str, Version] = {}  # a dict lookup is cheaper than the parse cache's call
    refs: dict[int, str] = {}
    paths: dict[int, tuple[Edge, ...]] = {}
    out: list[LineageHit] = []
    append = out.append
    up = direction == "up"
    with _gc_paused():  # a large closure allocates many objects and nothing cyclic
        ordered = _in_order(rows)
        for rid, d, name, version, kind, title, parent, relation in ordered:
            ref = refs[rid] = f"{name}@{version}"
            if d == 0:
                paths[rid] = ()
                continue
            edge = Edge(refs[parent], relation, ref) if up else Edge(ref, relation, refs[parent])
            path = paths[rid] = (*paths[parent], edge)
            v = versions.get(version)
            if v is None:
                v = versions[version] = parse(version)
            append(LineageHit(name, v, kind, title, d, relation, path))
    return out


_DEPTH_NAME = operator.itemgetter(1, 2)


def _in_order(rows: Sequence[Any]) -> list[Any]:
    """``rows`` by depth, name and version precedence. The statement already orders by depth
    and name (cheap for the sort below: it finds the runs), but a database's text collation
    may differ from Python's. Sorting on the (depth, name) pair in C is several times faster
    than a Python key, and is enough unless one name appears at one depth in several
    versions; then the slow key puts versions in SemVer order ("1.10.0" < "1.9.0" as text)."""
    if len({_DEPTH_NAME(r) for r in rows}) == len(rows):
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
