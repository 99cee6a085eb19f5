"""Routes through a lineage DAG held in memory: counted, ranked, paged.

A route is a node-distinct path over typed relations from one record to a record an advisory
affects, ending at the first affected record it meets and never entering an avoided record (a
version the advisory names fixed). Parallel edges between two records (``trained_on`` and
``evaluated_on`` the same dataset) are one route. In a DAG the number of routes can grow
exponentially (a chain of k diamonds has 2**k), so they are counted by dynamic programming over
one reverse topological order, never listed to be counted; listing is lazy, shortest first, and
costs the length of each route listed. Every loop here is iterative: a chain thousands of edges
deep needs no recursion.

Listing is bounded, so that no request can make it run for long: a page starts at most
:data:`MAX_ROUTE_OFFSET` routes in (a later page is refused at once, naming the limit; an
offset past the last route answers an empty page at once), and one page may take at most
:data:`STEP_BUDGET` steps of the search (a page of many long routes is refused when it reaches
that, rather than run on).
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from umr.errors import RecordError
from umr.graph import Edge
from umr.paging import MAX_ROUTE_OFFSET

STEP_BUDGET = 2_000_000  # partial routes one page may take off the search's heap, at most


@dataclass(frozen=True, slots=True)
class Step:
    """A typed edge in the DAG: to ``dst``, with the edge as drawn."""

    dst: int
    edge: Edge


@dataclass(kw_only=True)
class Dag:
    """Records (by integer id) and their typed edges, each ``succ`` list in a fixed order
    (certain edges before uncertain ones between the same two records, then position)."""

    refs: dict[int, str] = field(default_factory=dict)  # id -> name@version
    succ: dict[int, list[Step]] = field(default_factory=dict)

    def add_edge(self, src: int, dst: int, edge: Edge) -> None:
        steps = self.succ.setdefault(src, [])
        for i, s in enumerate(steps):
            if s.dst == dst:  # one route per pair of records: keep the certain edge
                if s.edge.uncertain and not edge.uncertain:
                    steps[i] = Step(dst, edge)
                return
        steps.append(Step(dst, edge))

    def post_order(self, start: int) -> list[int]:
        """The records reachable from ``start``, each after every record it reaches (a reverse
        topological order), by an iterative depth-first search."""
        out: list[int] = []
        seen = {start}
        stack: list[tuple[int, Iterator[Step]]] = [(start, iter(self.succ.get(start, ())))]
        while stack:
            node, it = stack[-1]
            for step in it:
                if step.dst not in seen:
                    seen.add(step.dst)
                    stack.append((step.dst, iter(self.succ.get(step.dst, ()))))
                    break
            else:
                stack.pop()
                out.append(node)
        return out


@dataclass(frozen=True, kw_only=True)
class Routes:
    """The routes from ``start`` to ``targets`` avoiding ``avoid``: their number, how many
    have no uncertain edge, and each record's distance to the nearest target."""

    dag: Dag
    start: int
    targets: frozenset[int]
    avoid: frozenset[int]
    count: Mapping[int, int]  # routes from each record (0: none)
    certain: Mapping[int, int]  # of them, routes with no uncertain edge
    dist: Mapping[int, int]  # edges to the nearest target, for records that reach one

    @classmethod
    def of(
        cls, dag: Dag, start: int, targets: frozenset[int], avoid: frozenset[int] = frozenset()
    ) -> Routes:
        count: dict[int, int] = {}
        certain: dict[int, int] = {}
        dist: dict[int, int] = {}
        for node in dag.post_order(start):
            if node in avoid:
                count[node] = certain[node] = 0
                continue
            if node in targets:  # a route ends at the first affected record it meets
                count[node] = certain[node] = 1
                dist[node] = 0
                continue
            n = c = 0
            best = None
            for step in dag.succ.get(node, ()):
                k = count[step.dst]
                if k:
                    n += k
                    if not step.edge.uncertain:
                        c += certain[step.dst]
                    d = dist[step.dst] + 1
                    best = d if best is None or d < best else best
            count[node], certain[node] = n, c
            if best is not None:
                dist[node] = best
        return cls(
            dag=dag,
            start=start,
            targets=targets,
            avoid=avoid,
            count=count,
            certain=certain,
            dist=dist,
        )

    @property
    def total(self) -> int:
        return self.count.get(self.start, 0)

    @property
    def total_certain(self) -> int:
        return self.certain.get(self.start, 0)

    def reached(self) -> list[int]:
        """The targets that some route ends at, in the order routes first reach them."""
        out: dict[int, None] = {}
        for node in self._on_routes():
            if node in self.targets:
                out[node] = None
        return list(out)

    def edges(self) -> list[Edge]:
        """Every edge that lies on some route, in walking order."""
        return [
            step.edge
            for node in self._on_routes()
            if node not in self.targets
            for step in self.dag.succ.get(node, ())
            if self.count.get(step.dst, 0)
        ]

    def _on_routes(self) -> list[int]:
        """Records on some route, breadth first from the start."""
        if not self.total:
            return []
        order, seen, i = [self.start], {self.start}, 0
        while i < len(order):
            node = order[i]
            i += 1
            if node in self.targets:
                continue
            for step in self.dag.succ.get(node, ()):
                if self.count.get(step.dst, 0) and step.dst not in seen:
                    seen.add(step.dst)
                    order.append(step.dst)
        return order

    def page(self, offset: int = 0, limit: int | None = 1) -> list[tuple[Edge, ...]]:
        """Routes ``offset`` to ``offset + limit`` (all from ``offset`` if ``limit`` is None),
        shortest first; routes of one length in a fixed order. An offset past the last route
        gives an empty page; one over :data:`MAX_ROUTE_OFFSET`, or a page that takes more than
        :data:`STEP_BUDGET` steps to list, a RecordError that says so."""
        if offset >= self.total:
            return []
        if offset > MAX_ROUTE_OFFSET:
            raise RecordError(
                f"route offset {offset:,} is too far: a page starts at most "
                f"{MAX_ROUTE_OFFSET:,} routes in (of {self.total:,}, listed shortest first)",
                hint=f"ask for an offset of at most {MAX_ROUTE_OFFSET:,}; the first routes are the "
                "shortest, and every route passes through the records the first ones show",
            )
        out = []
        for i, route in enumerate(self._iter(offset)):
            if limit is not None and i >= offset + limit:
                break
            if i >= offset:
                out.append(route)
        return out

    def _iter(self, offset: int = 0) -> Iterator[tuple[Edge, ...]]:
        """Every route, shortest first: a best-first search over partial routes keyed by their
        length plus their last record's exact distance to a target, so each partial route
        taken off the heap completes at its key, and routes come out in order of length. A
        partial route is a linked list, shared by its extensions."""
        if not self.total:
            return
        # ties go to the longer partial route, then the one pushed first: among routes of one
        # length the search runs depth first, so each route costs its length in steps, not a
        # breadth-first sweep over the (exponentially many) partial routes of that length
        seq = steps = 0
        heap: list[tuple[int, int, int, _Link]] = [
            (self.dist[self.start], 0, seq, _Link(self.start, None, None))
        ]
        while heap:
            steps += 1
            if steps > STEP_BUDGET:
                raise RecordError(
                    f"listing routes from offset {offset:,} takes more than {STEP_BUDGET:,} "
                    f"steps ({self.total:,} routes, some of them long); stopped",
                    hint="ask for fewer routes or an earlier offset",
                )
            _, minus_length, _, partial = heapq.heappop(heap)
            length = -minus_length
            if partial.node in self.targets:
                yield partial.edges()
                continue
            for step in self.dag.succ.get(partial.node, ()):
                if self.count.get(step.dst, 0):
                    seq += 1
                    key = length + 1 + self.dist[step.dst]
                    link = _Link(step.dst, step.edge, partial)
                    heapq.heappush(heap, (key, -(length + 1), seq, link))


class _Link(NamedTuple):
    """A partial route: its last record, the edge into it, and the rest of the route."""

    node: int
    edge: Edge | None
    rest: _Link | None

    def edges(self) -> tuple[Edge, ...]:
        steps: list[Edge] = []
        link: _Link | None = self
        while link is not None:
            if link.edge is not None:
                steps.append(link.edge)
            link = link.rest
        steps.reverse()
        return tuple(steps)


def nodes_of(routes: Sequence[tuple[Edge, ...]]) -> set[str]:
    """The records that some of ``routes`` pass through."""
    return {x for r in routes for e in r for x in (e.src, e.dst)}
