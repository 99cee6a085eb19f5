"""Layered (Sugiyama-style) layout of a directed graph, drawn left to right.

1. **Layers**: ``networkx.topological_generations`` (bases first). A node with no parents moves
   right to sit just before its nearest child, so a family or a dataset does not stretch an edge
   across the drawing. Edges that close a cycle (hand-made data) are laid out reversed.
2. **Ranks and waypoints**: layer ``i`` is rank ``2i``; each odd rank is a lane for edge labels.
   An edge gets one waypoint in every rank it crosses, so long edges take part in ordering and
   own a slot in every column they pass; the label sits on the waypoint next to the target.
3. **Order**: barycentre sweeps down and up the ranks; the order with fewest crossings wins.
4. **Coordinates**: every column moves towards the mean position of its neighbours in the
   adjacent column under minimum separations (weighted least squares with ordering constraints,
   solved exactly by pool-adjacent-violators), alternating directions.
5. **Routes**: straight through columns, horizontal-tangent cubic curves across the gaps between
   columns, so an edge touches a box only at its own two ends.
"""

from __future__ import annotations

from bisect import bisect_right, insort
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

import networkx as nx

GAP = 30  # horizontal gap between a column and the next, where edges bend
STUB = 10  # straight run out of the source and into the target, under an arrowhead
LANE_PAD = 6  # room either side of the widest label in a label lane
NODE_GAP = 18  # vertical space between two boxes
EDGE_GAP = 6  # vertical space around an edge passing a box or another edge
LABEL_HALF = 8  # half height of a label (10 px text with its halo)
WAYPOINT_HALF = 2
LOOP_H = 26  # room above a box for a self-loop and its label
PORT_STEP = 9  # vertical distance between two edges' ends on a box
MAX_PORTS = 3  # incoming edges that get arrowheads of their own
SWEEPS = 6  # ordering rounds (down and up), at most
SETTLE = 3  # placement rounds (up and down), at most

Point = tuple[float, float]
Item = str | tuple[int, int]  # a node id, or (edge index, rank) for a waypoint


@dataclass(frozen=True, kw_only=True)
class Route:
    points: tuple[Point, ...]  # from the source's port to the target's; draw with ``path_data``
    label: Point  # centre of the edge's label


@dataclass(frozen=True, kw_only=True)
class Layout:
    boxes: dict[str, Point]  # top-left corner of each node's box
    routes: tuple[Route, ...]  # one per edge, in the order given
    width: float
    height: float


def path_data(points: Sequence[Point]) -> str:
    """SVG path data: a straight line where two points share a height, else an S-curve."""
    (x0, y0), rest = points[0], points[1:]
    d = [f"M{x0:.1f},{y0:.1f}"]
    straight = False
    for x, y in rest:
        if abs(y - y0) < 0.05:
            if straight:  # one line for a run of waypoints at the same height
                d.pop()
            d.append(f"L{x:.1f},{y:.1f}")
            straight = True
        else:
            mx = (x0 + x) / 2
            d.append(f"C{mx:.1f},{y0:.1f} {mx:.1f},{y:.1f} {x:.1f},{y:.1f}")
            straight = False
        x0, y0 = x, y
    return " ".join(d)


def _layers(
    nodes: Sequence[str], edges: Sequence[tuple[str, str]]
) -> tuple[dict[str, int], list[bool]]:
    """Each node's layer, and which edges are laid out reversed."""
    g = nx.DiGraph()
    g.add_nodes_from(nodes)
    g.add_edges_from((u, v) for u, v in edges if u != v)
    flipped = [False] * len(edges)
    if not nx.is_directed_acyclic_graph(g):
        g = nx.DiGraph()
        g.add_nodes_from(nodes)
        for i, (u, v) in enumerate(edges):
            if u != v:
                flipped[i] = g.has_node(v) and nx.has_path(g, v, u)
                g.add_edge(*((v, u) if flipped[i] else (u, v)))
    layer = {n: i for i, gen in enumerate(nx.topological_generations(g)) for n in gen}
    for n in nodes:
        if g.in_degree(n) == 0 and g.out_degree(n):
            layer[n] = min(layer[s] for s in g.successors(n)) - 1
    return layer, flipped


def _crossings(order: list[list[Item]], succ: dict[Item, list[Item]], pos: dict[Item, int]) -> int:
    total = 0
    for rank in order[:-1]:
        seen: list[int] = []
        for _, b in sorted((pos[u], pos[v]) for u in rank for v in succ[u]):
            total += len(seen) - bisect_right(seen, b)
            insort(seen, b)
    return total


def _order(
    order: list[list[Item]], pred: dict[Item, list[Item]], succ: dict[Item, list[Item]]
) -> list[list[Item]]:
    pos = {it: i for rank in order for i, it in enumerate(rank)}

    def sweep(ranks: range, nbrs: dict[Item, list[Item]]) -> None:
        for r in ranks:

            def key(it: Item) -> float:
                ps = nbrs[it]
                return sum(pos[p] for p in ps) / len(ps) if ps else float(pos[it])

            order[r].sort(key=key)
            pos.update((it, i) for i, it in enumerate(order[r]))

    sweep(range(1, len(order)), pred)
    best, fewest = [list(r) for r in order], _crossings(order, succ, pos)
    for _ in range(SWEEPS):
        if not fewest:
            break
        sweep(range(len(order) - 2, -1, -1), succ)
        sweep(range(1, len(order)), pred)
        n = _crossings(order, succ, pos)
        if n < fewest:
            best, fewest = [list(r) for r in order], n
    return best


def _fit(desired: list[float], weight: list[float], sep: list[float]) -> list[float]:
    """Minimise sum w(y - d)^2 subject to y[i+1] - y[i] >= sep[i] (pool adjacent violators)."""
    if all(b - a >= s for a, b, s in zip(desired, desired[1:], sep, strict=False)):
        return desired
    offset = [0.0]
    for s in sep:
        offset.append(offset[-1] + s)
    blocks: list[list[float]] = []  # [sum of w*z, sum of w, count]
    for d, w, c in zip(desired, weight, offset, strict=True):
        blocks.append([w * (d - c), w, 1])
        while len(blocks) > 1 and blocks[-2][0] / blocks[-2][1] > blocks[-1][0] / blocks[-1][1]:
            sw, w2, n = blocks.pop()
            blocks[-1][0] += sw
            blocks[-1][1] += w2
            blocks[-1][2] += n
    fitted = [b[0] / b[1] for b in blocks for _ in range(int(b[2]))]
    return [z + c for z, c in zip(fitted, offset, strict=True)]


def layered(
    nodes: Sequence[str],
    edges: Sequence[tuple[str, str]],
    label_widths: Sequence[float],
    *,
    box_w: float,
    box_h: float,
    margin: float,
) -> Layout:
    """Place ``nodes`` as ``box_w`` x ``box_h`` boxes and route ``edges`` (source, target)."""
    layer, flipped = _layers(nodes, edges)
    ranks = 2 * (max(layer.values(), default=0) + 1) - 1
    rank: dict[Item, int] = {n: 2 * layer[n] for n in nodes}
    above: dict[Item, float] = {n: box_h / 2 for n in nodes}
    below: dict[Item, float] = dict(above)
    pred: dict[Item, list[Item]] = {n: [] for n in nodes}
    succ: dict[Item, list[Item]] = {n: [] for n in nodes}
    chains: list[list[Item]] = []
    lane_w = [0.0] * ranks
    for i, (u, v) in enumerate(edges):
        if u == v:
            above[u] = box_h / 2 + LOOP_H
            chains.append([u])
            continue
        a, b = (v, u) if flipped[i] else (u, v)
        mid = [(i, r) for r in range(rank[a] + 1, rank[b])]
        lab = mid[0] if flipped[i] else mid[-1]
        for w in mid:
            above[w] = below[w] = LABEL_HALF if w == lab else WAYPOINT_HALF
            rank[w] = w[1]
        lane_w[lab[1]] = max(lane_w[lab[1]], label_widths[i])
        chain: list[Item] = [a, *mid, b]
        for p, q in pairwise(chain):
            succ[p].append(q)
            pred.setdefault(q, []).append(p)
            succ.setdefault(q, [])
        chains.append(chain)

    order: list[list[Item]] = [[] for _ in range(ranks)]
    for it in [*nodes, *(w for c in chains for w in c[1:-1])]:
        order[rank[it]].append(it)
    order = _order(order, pred, succ)

    # vertical positions, column by column
    seps = [
        [
            below[p]
            + above[q]
            + (NODE_GAP if isinstance(p, str) and isinstance(q, str) else EDGE_GAP)
            for p, q in pairwise(col)
        ]
        for col in order
    ]
    weights = [
        [1.0 if isinstance(it, str) else 4.0 for it in col] for col in order
    ]  # straight long edges
    both = {it: pred[it] + succ[it] for it in pred}
    y: dict[Item, float] = {}

    def place(r: int, side: dict[Item, list[Item]]) -> float:
        """Move column ``r`` towards its neighbours on ``side``; return the largest move."""
        col = order[r]
        desired = []
        for it in col:
            ys = [y[n] for n in side[it] if n in y]
            desired.append(sum(ys) / len(ys) if ys else y.get(it, 0.0))
        fitted = _fit(desired, weights[r], seps[r])
        moved = max(abs(v - y.get(it, v)) for it, v in zip(col, fitted, strict=True))
        y.update(zip(col, fitted, strict=True))
        return moved

    for r in range(ranks):
        place(r, pred)
    for _ in range(SETTLE):
        moved = max([place(r, succ) for r in range(ranks - 2, -1, -1)], default=0.0)
        moved = max([moved, *(place(r, pred) for r in range(1, ranks))])
        if moved < 1:
            break
    for r in range(ranks):
        place(r, both)

    top = min(y[it] - above[it] for it in y)
    bottom = max(y[it] + below[it] for it in y)
    shift = margin - top
    y = {it: v + shift for it, v in y.items()}
    left = [margin]
    for r in range(ranks):
        width = box_w if r % 2 == 0 else max(lane_w[r] + 2 * LANE_PAD, 2 * LANE_PAD)
        left.append(left[-1] + width + GAP)
    right = [x - GAP for x in left[1:]]

    # ports: edges leave a box spread over its side, in the order of their neighbours, and
    # enter it the same way; more than MAX_PORTS incoming edges share one arrowhead
    out_port: dict[tuple[int, Item], float] = {}
    in_port: dict[tuple[int, Item], float] = {}
    ends: dict[tuple[int, Item], list[tuple[float, int]]] = {}
    for i, c in enumerate(chains):
        if len(c) > 1:
            ends.setdefault((0, c[0]), []).append((y[c[1]], i))
            ends.setdefault((1, c[-1]), []).append((y[c[-2]], i))
    for (side, n), mine in ends.items():
        mine.sort()
        step = 0.0 if side and len(mine) > MAX_PORTS else min(PORT_STEP, (box_h - 12) / len(mine))
        for k, (_, i) in enumerate(mine):
            (in_port if side else out_port)[(i, n)] = y[n] + (k - (len(mine) - 1) / 2) * step

    routes = []
    for i, chain in enumerate(chains):
        if len(chain) == 1:  # a self-loop: a hump over the box's top right corner
            node = chain[0]
            x1, y1 = left[rank[node]] + box_w - 10, y[node] - box_h / 2
            pts: list[Point] = [(x1 - 44, y1), (x1 - 22, y1 - LOOP_H + 10), (x1, y1)]
            routes.append(Route(points=tuple(pts), label=(x1 - 22, y1 - LOOP_H + 4)))
            continue
        first, last = chain[0], chain[-1]
        pts = [(right[rank[first]], out_port[(i, first)])]
        for way in chain[1:-1]:
            pts += [(left[rank[way]], y[way]), (right[rank[way]], y[way])]
        pts.append((left[rank[last]], in_port[(i, last)]))
        # a straight run at both ends, so an arrowhead sits level at either (the lineage graph
        # draws its arrows from the derived record back to its source)
        pts.insert(1, (pts[0][0] + STUB, pts[0][1]))
        pts.insert(-1, (pts[-1][0] - STUB, pts[-1][1]))
        if flipped[i]:
            pts.reverse()
        at = chain[1] if flipped[i] else chain[-2]  # the waypoint next to the drawn target
        centre = (left[rank[at]] + right[rank[at]]) / 2
        routes.append(Route(points=tuple(pts), label=(centre, y[at])))

    return Layout(
        boxes={n: (left[rank[n]], y[n] - box_h / 2) for n in nodes},
        routes=tuple(routes),
        width=right[-1] + margin,
        height=bottom - top + 2 * margin,
    )
