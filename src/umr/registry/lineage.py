"""Lineage on locked edges, in both directions, computed in SQL.

A recursive CTE walks the edges from the start records. Its rows are ``(record, depth)`` pairs
joined with ``UNION``, which discards any row seen before: that is the visited guard, and it
keeps the walk finite and linear in the closure (the graph is acyclic by construction; the
depth cap bounds it anyway). A second step joins each record to an edge from a record one level
nearer the start: following those parents gives each result's shortest path.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import Connection, bindparam, text

from umr.errors import RefError
from umr.spec import Version

Direction = Literal["up", "down"]
MAX_DEPTH = 1000


@dataclass(frozen=True, slots=True)
class Edge:
    """One locked edge: ``src`` (the derived record) ``relation`` ``dst``."""

    src: str
    relation: str
    dst: str

    def to_dict(self) -> dict[str, str]:
        return {"from": self.src, "relation": self.relation, "to": self.dst}


@dataclass(frozen=True, kw_only=True, slots=True)
class LineageHit:
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


def closure(
    conn: Connection,
    starts: Sequence[int],
    direction: Direction = "up",
    relations: Sequence[str] | None = None,
    depth: int | None = None,
) -> tuple[dict[int, Node], dict[int, tuple[int, str]]]:
    """Every record within ``depth`` of ``starts`` (depth 0 included), and for each record
    beyond the starts the (parent id, relation) of one shortest path."""
    check_direction(direction)
    here, nxt = ("src_id", "dst_id") if direction == "up" else ("dst_id", "src_id")
    rel = " AND e.relation IN :rels" if relations else ""
    sql = f"""
    WITH RECURSIVE walk(id, depth) AS (
        SELECT id, 0 FROM records WHERE id IN :starts
        UNION
        SELECT e.{nxt}, w.depth + 1 FROM walk w JOIN edges e ON e.{here} = w.id
        WHERE w.depth < :maxdepth{rel}
    ),
    best AS (SELECT id, MIN(depth) AS depth FROM walk GROUP BY id)
    SELECT b.id, b.depth, r.name, r.version, r.kind, r.title,
           CAST(NULL AS INTEGER) AS parent, CAST(NULL AS VARCHAR(32)) AS relation
    FROM best b JOIN records r ON r.id = b.id WHERE b.depth = 0
    UNION ALL
    SELECT b.id, b.depth, r.name, r.version, r.kind, r.title, e.{here}, e.relation
    FROM best b JOIN records r ON r.id = b.id
    JOIN edges e ON e.{nxt} = b.id{rel}
    JOIN best p ON p.id = e.{here} AND p.depth = b.depth - 1
    WHERE b.depth > 0
    """
    params: dict[str, Any] = {
        "starts": list(starts),
        "maxdepth": MAX_DEPTH if depth is None else depth,
    }
    binds: list[Any] = [bindparam("starts", expanding=True)]
    if relations:
        params["rels"] = list(relations)
        binds.append(bindparam("rels", expanding=True))
    nodes: dict[int, Node] = {}
    parents: dict[int, tuple[int, str]] = {}
    for rid, d, name, version, kind, title, parent, relation in conn.execute(
        text(sql).bindparams(*binds), params
    ):
        if rid not in nodes:
            nodes[rid] = Node(rid, name, version, kind, title, d)
        if parent is None:
            continue
        old = parents.get(rid)
        # Prefer a typed relation over 'inherits', then the earliest published parent.
        if old is None or (relation == "inherits", parent) < (old[1] == "inherits", old[0]):
            parents[rid] = (parent, relation)
    return nodes, parents


def hits(
    nodes: dict[int, Node], parents: dict[int, tuple[int, str]], direction: Direction
) -> list[LineageHit]:
    """LineageHits for every node beyond the starts, each with its shortest path."""
    paths: dict[int, tuple[Edge, ...]] = {}
    out: list[LineageHit] = []
    for node in sorted(nodes.values(), key=lambda n: n.depth):
        if node.depth == 0:
            paths[node.id] = ()
            continue
        parent, relation = parents[node.id]
        p = nodes[parent]
        edge = (
            Edge(p.ref, relation, node.ref)
            if direction == "up"
            else Edge(node.ref, relation, p.ref)
        )
        paths[node.id] = (*paths[parent], edge)
        out.append(
            LineageHit(
                name=node.name,
                version=Version.parse(node.version),
                kind=node.kind,
                title=node.title,
                depth=node.depth,
                relation=relation,
                path=paths[node.id],
            )
        )
    out.sort(key=lambda h: (h.depth, h.name, h.version))
    return out


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
