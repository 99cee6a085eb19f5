"""The lineage graph stays readable at 50 nodes: no overlapping boxes, every edge labelled,
no edge drawn through a box, no label on a box or on another label."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from umr.formats.context import RenderContext, build_context, make_context
from umr.formats.svg import BOX_H, BOX_W, CHAR_W, Curve, Placed, layout, svg_markup
from umr.graph import Edge, Graph, LineageHit, Node
from umr.registry import Registry
from umr.registry.demo import load_demo
from umr.spec import Version

Point = tuple[float, float]


def _fifty(ctx: RenderContext) -> RenderContext:
    me = ctx.id
    down: list[LineageHit] = []
    edges = list(ctx.edges)
    for i in range(40):
        parent = down[i - 25] if i >= 25 else None
        hit = LineageHit(
            name=f"derived-{i:02d}",
            version=Version.parse("1.0.0"),
            kind="model",
            title=None,
            depth=1 + i // 25,
            relation="finetuned_from",
            id=f"derived-{i:02d}@1.0.0",
            via=parent.id if parent else me,
            prev=parent,
            upward=False,
        )
        down.append(hit)
        edges.append(hit.edge)
    return make_context(
        ctx.resolved, upstream=ctx.upstream, downstream=down, edges=edges, audit=ctx.audit
    )


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


def _samples(d: str, steps: int = 24) -> list[Point]:
    """Points along SVG path data made of M, L and C commands, as the browser draws them."""
    points: list[Point] = []
    at: Point = (0.0, 0.0)
    for cmd, args in re.findall(r"([MLC])([^MLC]*)", d):
        xy = [float(v) for v in re.split(r"[ ,]+", args.strip())]
        pts = list(zip(xy[::2], xy[1::2], strict=True))
        if cmd == "M":
            at = pts[0]
            points.append(at)
            continue
        for k in range(1, steps + 1):
            t = k / steps
            if cmd == "L":
                ((x, y),) = pts
                points.append((at[0] + (x - at[0]) * t, at[1] + (y - at[1]) * t))
            else:
                (ax, ay), (bx, by), (cx, cy) = pts
                u = 1 - t
                points.append(
                    (
                        u**3 * at[0] + 3 * u * u * t * ax + 3 * u * t * t * bx + t**3 * cx,
                        u**3 * at[1] + 3 * u * u * t * ay + 3 * u * t * t * by + t**3 * cy,
                    )
                )
        at = pts[-1]
    return points


def _inside(p: Point, b: Placed, pad: float = 0.5) -> bool:
    return b.x + pad < p[0] < b.x + BOX_W - pad and b.y + pad < p[1] < b.y + BOX_H - pad


def _label_box(c: Curve) -> tuple[float, float, float, float]:
    half = len(c.label) * CHAR_W / 2
    return (c.lx - half, c.ly - 10, c.lx + half, c.ly + 2)  # 10 px text, baseline at ly


def assert_readable(graph: Graph) -> None:
    boxes, curves, width, height = layout(graph)
    assert len(curves) == len(graph.edges)
    for c in curves:
        path = _samples(c.d)
        assert all(0 <= x <= width and 0 <= y <= height for x, y in path), c.label
        for b in boxes:
            through = [p for p in path if _inside(p, b)]
            assert not through, f"{c.label!r} edge passes through {b.node.id} at {through[0]}"
        x0, y0, x1, y1 = _label_box(c)
        for b in boxes:
            apart = x1 <= b.x or x0 >= b.x + BOX_W or y1 <= b.y or y0 >= b.y + BOX_H
            assert apart, f"label {c.label!r} at ({c.lx}, {c.ly}) lies on {b.node.id}"
    labels = [_label_box(c) for c in curves]
    for i, (ax0, ay0, ax1, ay1) in enumerate(labels):
        for bx0, by0, bx1, by1 in labels[i + 1 :]:
            apart = bx0 >= ax1 or bx1 <= ax0 or by0 >= ay1 or by1 <= ay0
            assert apart, f"edge labels {curves[i].label!r} at {(ax0, ay0)} overlap another"


def test_fifty_nodes_route_no_edge_through_a_box(ctx: RenderContext) -> None:
    assert_readable(_fifty(ctx).graph())


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Registry:
    url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'registry.db'}"
    load_demo(url)
    return Registry(url)


@pytest.mark.parametrize("ref", ["stable-diffusion-v1-5", "laion-5b@1.0.0", "plip"])
def test_demo_graphs_route_no_edge_through_a_box(demo: Registry, ref: str) -> None:
    graph = build_context(ref, demo).graph()
    assert len(graph.nodes) >= 8
    assert_readable(graph)


def test_long_edges_bend_around_the_layers_they_cross(demo: Registry) -> None:
    """clip-vit-large-patch14 is several layers back from the SD versions that depend on it."""
    boxes, curves, _, _ = layout(build_context("stable-diffusion-v1-5", demo).graph())
    x = {b.node.name: b.x for b in boxes}
    assert x["stable-diffusion-v1-5"] > x["stable-diffusion-v1-2"] > x["stable-diffusion-v1-1"]
    long = [c for c in curves if c.label == "depends on"]
    assert max(len(c.points) for c in long) > 6  # waypoints through the layers between


def _graph(edges: list[tuple[str, str]]) -> Graph:
    nodes = {n: Node(id=n, name=n, version="1.0.0") for e in edges for n in e}
    return Graph(
        nodes=nodes,
        edges=tuple(Edge(src=b, dst=a, relation="derived_from") for a, b in edges),
    )


def test_cycles_and_self_loops_in_hand_made_data_still_draw() -> None:
    assert_readable(_graph([("a", "b"), ("b", "c"), ("c", "a"), ("c", "c"), ("a", "c")]))


def test_edges_end_in_a_visible_arrowhead(ctx: RenderContext) -> None:
    root = ET.fromstring(svg_markup(ctx))
    ns = "{http://www.w3.org/2000/svg}"
    markers = list(root.iter(f"{ns}marker"))
    arrowed = [p for p in root.iter(f"{ns}path") if p.get("marker-end")]
    assert markers and arrowed
    for marker in markers:
        assert marker.get("markerUnits") == "userSpaceOnUse"
        assert float(marker.get("markerWidth") or 0) >= 10
    for path in arrowed:
        end = _samples(path.get("d") or "")[-6:]
        assert len({round(y, 1) for _, y in end}) == 1  # the last 10 px run straight
