"""``svg``: the lineage graph, layered left to right (bases on the left), drawn as plain SVG.

The layout is :mod:`umr.formats._layout` (networkx layering, waypoints for long edges, crossing
reduction, routes that never pass through a box); this module turns it into boxes, edge paths
and labels. Each arrow points from the derived record to its source, so its label reads in the
arrow's direction ("sd-v1-5 -finetuned from-> sd-v1-2"); ``inherits`` edges are dashed and
uncertain edges dotted. Advisory hits and the edges on their routes are red.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from umr.formats import register
from umr.formats._jinja import render_template
from umr.formats._layout import layered, path_data
from umr.formats.context import RenderContext
from umr.graph import INHERITS, Graph, Node

BOX_W, BOX_H = 200, 40
MARGIN = 24
MAX_LABEL = 25  # characters of a node name that fit in a box (bold 12 px)
CHAR_W = 6.0  # width of one character of a 10 px edge label, a little over DejaVu Sans's mean


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
    points: tuple[tuple[float, float], ...]  # the route ``d`` draws through
    label: str
    lx: float
    ly: float
    flagged: bool
    dash: str | None = None  # SVG stroke-dasharray: inherits dashed, uncertain dotted


def _short(text: str, n: int = MAX_LABEL) -> str:
    return text if len(text) <= n else text[: n - 1] + "\u2026"


def layout(graph: Graph) -> tuple[list[Placed], list[Curve], float, float]:
    """Boxes and edge curves in SVG coordinates, and the drawing's width and height."""
    labels = [e.relation.replace("_", " ") for e in graph.edges]
    placed = layered(
        sorted(graph.nodes),
        [(e.dst, e.src) for e in graph.edges],  # layered base first: bases on the left
        [len(text) * CHAR_W for text in labels],
        box_w=BOX_W,
        box_h=BOX_H,
        margin=MARGIN,
    )
    boxes = []
    for nid, node in graph.nodes.items():
        sub = f"{node.version} \u00b7 {node.kind}" if node.kind else node.version
        if node.severity:
            sub += f" \u00b7 {node.severity}"
        x, y = placed.boxes[nid]
        boxes.append(Placed(node=node, x=x, y=y, label=_short(node.name), sub=_short(sub, 36)))
    curves = [
        Curve(
            d=path_data(tuple(reversed(route.points))),  # drawn from the derived record
            points=tuple(reversed(route.points)),
            label=text,
            lx=route.label[0],
            ly=route.label[1] + 3.5,  # baseline that centres 10 px text on the line
            flagged=graph.is_flagged(e),
            dash="2 3" if e.uncertain else ("6 4" if e.relation == INHERITS else None),
        )
        for e, text, route in zip(graph.edges, labels, placed.routes, strict=True)
    ]
    curves.sort(key=lambda c: c.flagged)  # red edges on top
    return boxes, curves, placed.width, placed.height


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
