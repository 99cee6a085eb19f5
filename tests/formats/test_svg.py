"""The lineage graph stays readable at 50 nodes: no overlapping boxes, every edge labelled."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from umr.formats.context import RenderContext, make_context
from umr.formats.svg import BOX_H, BOX_W, layout, svg_markup


def _fifty(ctx: RenderContext) -> RenderContext:
    me = ctx.id
    down = [
        {
            "name": f"derived-{i:02d}",
            "version": "1.0.0",
            "kind": "model",
            "title": None,
            "depth": 1 + i // 25,
            "relation": "finetuned_from",
            "path": [
                {
                    "from": f"derived-{i:02d}@1.0.0",
                    "relation": "finetuned_from",
                    "to": me if i < 25 else f"derived-{i - 25:02d}@1.0.0",
                }
            ],
        }
        for i in range(40)
    ]
    return make_context(ctx.resolved, upstream=ctx.upstream, downstream=down, audit=ctx.audit)


def test_fifty_nodes_do_not_overlap_and_every_edge_is_labelled(ctx: RenderContext) -> None:
    big = _fifty(ctx)
    graph = big.graph()
    assert len(graph.nodes) >= 46
    boxes, curves, width, height = layout(graph)
    for i, a in enumerate(boxes):
        assert a.x >= 0 and a.x + BOX_W <= width and a.y >= 0 and a.y + BOX_H <= height
        for b in boxes[i + 1 :]:
            assert abs(a.x - b.x) >= BOX_W or abs(a.y - b.y) >= BOX_H, (a.node.id, b.node.id)
    assert len(curves) == len(graph.edges)
    root = ET.fromstring(svg_markup(big))
    labels = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert labels.count("finetuned from") >= 40


def test_layout_is_deterministic(ctx: RenderContext) -> None:
    assert svg_markup(_fifty(ctx)) == svg_markup(_fifty(ctx))
