"""Paging routes is bounded: an offset past the last route or over the most the registry skips
answers at once, and a page that would take too long stops with an error, not a busy thread."""

from __future__ import annotations

import pytest

from umr.errors import RecordError
from umr.graph import Edge
from umr.paging import MAX_ROUTE_OFFSET
from umr.registry import routes as routes_module
from umr.registry.routes import Dag, Routes


def _diamonds(n: int) -> Routes:
    """0 <- (a, b) <- 1 <- ... <- n: ``n`` diamonds in a row, 2**n routes from the top."""
    dag = Dag()
    node = 0
    dag.refs[0] = "d0@1.0.0"
    for i in range(n):
        a, b, top = 3 * i + 1, 3 * i + 2, 3 * i + 3
        for x in (a, b, top):
            dag.refs[x] = f"n{x}@1.0.0"
        for side in (a, b):
            dag.add_edge(
                side, node, Edge(src=dag.refs[side], relation="trained_on", dst=dag.refs[node])
            )
            dag.add_edge(
                top, side, Edge(src=dag.refs[top], relation="merged_from", dst=dag.refs[side])
            )
        node = top
    return Routes.of(dag, node, frozenset({0}))


@pytest.mark.parametrize("n", [40, 73])
def test_far_offsets_answer_in_bounded_work(n: int, monkeypatch: pytest.MonkeyPatch) -> None:
    # Work is counted in search steps, not seconds: the furthest page fits a budget far below
    # the 2**n routes, and an offset past the limit is refused before any step.
    monkeypatch.setattr(routes_module, "STEP_BUDGET", 200_000)
    routes = _diamonds(n)
    assert routes.total == 2**n
    with pytest.raises(RecordError, match=f"at most {MAX_ROUTE_OFFSET:,}"):
        routes.page(10**12, 1)
    assert routes.page(2**n, 5) == [] and routes.page(2**n + 7, 5) == []
    last = routes.page(MAX_ROUTE_OFFSET, 2)  # the furthest page allowed still lists
    assert len(last) == 2 and all(len(r) == 2 * n for r in last)


def test_a_page_stops_when_its_work_exceeds_the_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    routes = _diamonds(30)
    first = routes.page(0, 3)
    monkeypatch.setattr(routes_module, "STEP_BUDGET", 5_000)
    assert routes.page(0, 3) == first  # a small page fits
    with pytest.raises(RecordError, match="takes more than 5,000 steps"):
        routes.page(9_000, 10)
    with pytest.raises(RecordError, match="stopped"):
        routes.page(0, None)  # every route of 2**30
