"""Lineage as text: the indented tree of ``umr lineage`` and its Graphviz DOT.

Both print every locked edge among the walk's records once, so their size is linear in the
edges however the records are shared or deep, and both are loops, not recursion. In the tree a
record is expanded where it first appears (typed relations before ``inherits``); anywhere later
it appears as ``(deduped)``, as ``npm ls`` prints a package it has shown before. Indentation
stops growing at :data:`MAX_INDENT` levels; a line deeper than that starts with its level in
brackets (``[57]``), so a chain thousands of records deep prints in linear size.
"""

from __future__ import annotations

from collections.abc import Sequence

from umr.graph import INHERITS, Direction, Edge, LineageHit

MAX_INDENT = 24  # tree levels indented; deeper lines show their level as a number


def render_tree(
    root: str, found: Sequence[LineageHit], edges: Sequence[Edge], direction: Direction
) -> str:
    """``root``, then each edge among the records as an indented line, record first when
    walking up (``-trained_on-> data``) and source first when walking down
    (``<-trained_on- model``)."""
    by_id = {h.id: h for h in found}
    children: dict[str, list[tuple[str, Edge]]] = {}
    for e in edges:
        parent, child = (e.src, e.dst) if direction == "up" else (e.dst, e.src)
        if child in by_id and (parent == root or parent in by_id):
            children.setdefault(parent, []).append((child, e))
    rank = {h.id: i for i, h in enumerate(found)}
    for kids in children.values():  # up: as written; down: nearest first; inherits last
        kids.sort(key=lambda k: (k[1].relation == INHERITS, 0 if direction == "up" else rank[k[0]]))
    shown = {root}
    arrow = "-{}->" if direction == "up" else "<-{}-"
    lines = [root]
    stack: list[tuple[str, int]] = [(root, 1)]
    pending: list[list[tuple[str, Edge]]] = [list(reversed(children.get(root, [])))]
    while pending:
        kids = pending[-1]
        if not kids:
            pending.pop()
            stack.pop()
            continue
        child, e = kids.pop()
        indent = stack[-1][1]
        hit = by_id[child]
        expand = child not in shown
        shown.add(child)
        title = f"  ({hit.title})" if hit.title and expand else ""
        extra = ""
        if e.uncertain:
            extra = "  (uncertain" + (f": {e.note})" if e.note else ")")
        tail = "" if expand else " (deduped)"
        lead = "  " * min(indent, MAX_INDENT) + (f"[{indent}] " if indent > MAX_INDENT else "")
        lines.append(f"{lead}{arrow.format(e.relation)} {child} [{hit.kind}]{title}{tail}{extra}")
        if expand:
            stack.append((child, indent + 1))
            pending.append(list(reversed(children.get(child, []))))
    if not found:
        lines.append(f"  (nothing {'upstream' if direction == 'up' else 'downstream'})")
    return "\n".join(lines)


def render_dot(root: str, edges: Sequence[Edge]) -> str:
    """Graphviz DOT of the edges, arrows from the derived record to its source (the way each
    label reads); ``inherits`` dashed, uncertain edges dotted."""

    def q(s: str) -> str:
        return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'

    lines = ["digraph lineage {", "  rankdir=BT;", f"  {q(root)} [shape=box, style=bold];"]
    for e in edges:
        style = ", style=dashed" if e.relation == INHERITS else ""
        style = ", style=dotted" if e.uncertain else style
        lines.append(f"  {q(e.src)} -> {q(e.dst)} [label={q(e.relation)}{style}];")
    lines.append("}")
    return "\n".join(lines)
