"""``svg``: the lineage graph, layered left to right (bases on the left), drawn as plain SVG.

Layers come from ``networkx.topological_generations`` and positions from
``networkx.multipartite_layout``; within a layer nodes are ordered by the mean position of their
parents (one barycentre sweep), which keeps fan-outs of 50 nodes readable. Advisory hits are red.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import networkx as nx

from umr.formats import register
from umr.formats._jinja import render_template
from umr.formats.context import Graph, Node, RenderContext

COL = 280  # distance between layers
ROW = 58  # distance between nodes in a layer
BOX_W, BOX_H = 184, 40
MARGIN = 24
MAX_LABEL = 25


@dataclass(frozen=True, kw_only=True)
class Placed:
    node: Node
    x: float
    y: float
    label: str
    sub: str


@dataclass(frozen=True, kw_only=True)
class Curve:
    d: str
    label: str
    lx: float
    ly: float
    flagged: bool


def _short(text: str, n: int = MAX_LABEL) -> str:
    return text if len(text) <= n else text[: n - 1] + "\u2026"


def _layers(graph: Graph) -> list[list[str]]:
    g = nx.DiGraph()
    g.add_nodes_from(graph.nodes)
    g.add_edges_from((e.source, e.target) for e in graph.edges if e.source != e.target)
    try:
        layers = [sorted(layer) for layer in nx.topological_generations(g)]
    except nx.NetworkXUnfeasible:  # a cycle in hand-made data: fall back to BFS depth
        depth = {n: 0 for n in g}
        layers = [sorted(depth)]
    # one barycentre sweep, left to right
    pos: dict[str, float] = {}
    for layer in layers:

        def key(n: str) -> tuple[float, str]:
            parents = [pos[p] for p in g.predecessors(n) if p in pos]
            return (sum(parents) / len(parents) if parents else 0.0, n)

        layer.sort(key=key)
        for i, n in enumerate(layer):
            pos[n] = i
    return layers


def layout(graph: Graph) -> tuple[list[Placed], list[Curve], float, float]:
    """Boxes and edge curves in SVG coordinates, and the drawing's width and height."""
    layers = _layers(graph)
    g = nx.Graph()
    g.add_nodes_from(n for layer in layers for n in layer)
    tallest = max(len(layer) for layer in layers)
    # a dict of lists keeps our in-layer order (a string key would group nodes into sets)
    subsets = {i: layer for i, layer in enumerate(layers)}
    raw = nx.multipartite_layout(g, subset_key=subsets, align="vertical", scale=1.0)
    # multipartite_layout centres each layer; rescale its unit coordinates to our grid
    xs = sorted({float(p[0]) for p in raw.values()})
    ys = [float(p[1]) for p in raw.values()]
    yspan = (max(ys) - min(ys)) or 1.0
    height = tallest * ROW + 2 * MARGIN
    width = len(layers) * COL - (COL - BOX_W) + 2 * MARGIN
    boxes: dict[str, Placed] = {}
    for nid, (px, py) in raw.items():
        col = xs.index(float(px))
        y = (
            MARGIN + ROW / 2 + (max(ys) - float(py)) / yspan * (tallest - 1) * ROW
            if tallest > 1
            else height / 2
        )
        node = graph.nodes[nid]
        sub = f"{node.version} \u00b7 {node.kind}" if node.kind else node.version
        if node.severity:
            sub += f" \u00b7 {node.severity}"
        boxes[nid] = Placed(
            node=node,
            x=MARGIN + col * COL,
            y=y - BOX_H / 2,
            label=_short(node.name),
            sub=_short(sub, 36),
        )
    curves = []
    for e in graph.edges:
        a, b = boxes[e.source], boxes[e.target]
        x1, y1 = a.x + BOX_W, a.y + BOX_H / 2
        x2, y2 = b.x, b.y + BOX_H / 2
        if x2 <= x1:  # same layer or backwards (hand-made data): loop around
            x2 = b.x + BOX_W / 2
            y2 = b.y if y2 > y1 else b.y + BOX_H
        mx = (x1 + x2) / 2
        d = f"M{x1:.1f},{y1:.1f} C{mx:.1f},{y1:.1f} {mx:.1f},{y2:.1f} {x2 - 6:.1f},{y2:.1f}"
        # label near the target end, where fan-outs are already apart
        t = 0.5
        lx = (1 - t) ** 3 * x1 + 3 * (1 - t) ** 2 * t * mx + 3 * (1 - t) * t * t * mx + t**3 * x2
        ly = (1 - t) ** 3 * y1 + 3 * (1 - t) ** 2 * t * y1 + 3 * (1 - t) * t * t * y2 + t**3 * y2
        curves.append(
            Curve(d=d, label=e.relation.replace("_", " "), lx=lx, ly=ly + 3, flagged=e.flagged)
        )
    return list(boxes.values()), curves, width, height


def svg_markup(ctx: RenderContext, *, standalone: bool = True) -> str:
    """The graph as SVG text (``standalone`` adds the XML declaration)."""
    boxes, curves, width, height = layout(ctx.graph())
    values: dict[str, Any] = {
        "boxes": boxes,
        "curves": curves,
        "width": width,
        "height": height,
        "box_w": BOX_W,
        "box_h": BOX_H,
        "title": f"Lineage of {ctx.id}",
        "standalone": standalone,
    }
    return render_template("svg", "lineage.svg.j2", **values)


@register(
    "svg",
    media_type="image/svg+xml",
    suffix=".svg",
    description="the lineage graph (layered, relations on edges, advisories in red)",
)
def render_svg(ctx: RenderContext) -> bytes:
    return svg_markup(ctx).encode("utf-8")
