"""Lineage both ways on locked edges, relation filters, depth, shortest paths; impact; search."""

from __future__ import annotations

import itertools
import random
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from registry._helpers import rec
from umr.registry import Registry
from umr.registry.lineage import (
    BY_LEVEL,
    STATEMENT,
    WalkQuery,
    edges_among,
    statement_rows_and_edges,
    walk,
)
from umr.registry.printing import render_dot, render_tree
from umr.spec import Record


def test_upstream_with_shortest_paths(chain: Registry) -> None:
    found = {h.id: h.to_dict() for h in chain.lineage("acme-chat")}
    assert set(found) == {"llama-2-7b@1.0.0", "mt-bench@1.0.0", "corpus-x@2.0.0", "llama-2@1.0.0"}
    assert found["corpus-x@2.0.0"] == {
        "name": "corpus-x",
        "version": "2.0.0",
        "kind": "dataset",
        "title": "Corpus X",
        "depth": 2,
        "relation": "trained_on",
        "via": "llama-2-7b@1.0.0",
        "uncertain": False,
        "id": "corpus-x@2.0.0",
    }
    corpus = next(h for h in chain.lineage("acme-chat") if h.id == "corpus-x@2.0.0")
    assert [e.to_dict() for e in corpus.path] == [
        {"from": "acme-chat@1.1.0", "relation": "finetuned_from", "to": "llama-2-7b@1.0.0"},
        {"from": "llama-2-7b@1.0.0", "relation": "trained_on", "to": "corpus-x@2.0.0"},
    ]
    # The inherits edge and the finetuned_from edge reach the same base: the typed one wins.
    assert found["llama-2-7b@1.0.0"]["relation"] == "finetuned_from"
    # a hit links to the one nearer the start; its repr names that neighbour, not the chain
    hit = next(h for h in chain.lineage("acme-chat") if h.id == "corpus-x@2.0.0")
    assert hit.prev is not None and hit.prev.id == hit.via == "llama-2-7b@1.0.0"
    assert repr(hit) == (
        "LineageHit('corpus-x@2.0.0', kind='dataset', depth=2, relation='trained_on', "
        "via='llama-2-7b@1.0.0')"
    )


def test_downstream(chain: Registry) -> None:
    found = {h.id: h for h in chain.lineage("corpus-x", direction="down")}
    assert set(found) == {"llama-2-7b@1.0.0", "acme-chat@1.1.0"}
    # record first: from the downstream record back to the start, as audit reads it
    assert [e.to_dict() for e in found["acme-chat@1.1.0"].path] == [
        {"from": "acme-chat@1.1.0", "relation": "finetuned_from", "to": "llama-2-7b@1.0.0"},
        {"from": "llama-2-7b@1.0.0", "relation": "trained_on", "to": "corpus-x@2.0.0"},
    ]
    assert found["acme-chat@1.1.0"].start == "corpus-x@2.0.0"


def test_relation_filter_and_depth(chain: Registry) -> None:
    assert [h.id for h in chain.lineage("acme-chat", relations=["evaluated_on"])] == [
        "mt-bench@1.0.0"
    ]
    assert [h.id for h in chain.lineage("acme-chat", relations=["trained_on"])] == []
    ids = [h.id for h in chain.lineage("acme-chat", relations=["finetuned_from", "trained_on"])]
    assert ids == ["llama-2-7b@1.0.0", "corpus-x@2.0.0"]
    assert {h.id for h in chain.lineage("acme-chat", depth=1)} == {
        "llama-2-7b@1.0.0",
        "mt-bench@1.0.0",
    }
    assert [h.id for h in chain.lineage("corpus-x", "down", relations=["finetuned_from"])] == []


def test_shortest_path_in_a_diamond(reg: Registry) -> None:
    reg.publish(
        [
            rec("d@1.0.0", "dataset"),
            rec("a@1.0.0", upstream=[("d@1", "trained_on")]),
            rec("b@1.0.0", upstream=[("a@1", "finetuned_from")]),
            rec("c@1.0.0", upstream=[("b@1", "quantized_from"), ("d@1", "trained_on")]),
        ]
    )
    found = {h.id: h for h in reg.lineage("c")}
    assert found["d@1.0.0"].depth == 1 and found["d@1.0.0"].relation == "trained_on"
    assert found["a@1.0.0"].depth == 2
    down = {h.id: h.depth for h in reg.lineage("d", "down")}
    assert down == {"a@1.0.0": 1, "c@1.0.0": 1, "b@1.0.0": 2}


def _random_dag(seed: int, n: int = 40) -> list[Record]:
    """Records in publish order with diamonds, shared datasets and a second version."""
    rng = random.Random(seed)
    relations = ["finetuned_from", "adapter_of", "quantized_from", "trained_on"]
    out = [rec(f"d{i}@1.0.0", "dataset") for i in range(4)]
    names = [f"d{i}" for i in range(4)]
    for i in range(n):
        picked = rng.sample(names, min(len(names), rng.randint(1, 3)))
        ups = {f"{p}@^1": rng.choice(relations) for p in picked}
        base = rng.choice(sorted(ups)) if rng.random() < 0.3 else None
        out.append(
            rec(f"m{i}@1.0.0", upstream=sorted(ups.items()), **({"inherits": base} if base else {}))
        )
        names.append(f"m{i}")
    out.append(rec("d0@2.0.0", "dataset", upstream=[("d0@1.0.0", "derived_from")]))
    return out


def _reference(records: list[Record], starts: set[str], up: bool) -> dict[str, int]:
    """Least depth of every record reachable from ``starts``, by breadth-first search."""
    edges: dict[str, set[str]] = {}
    for r in records:
        targets = [str(e.ref) for e in r.edges()] + ([str(r.inherits)] if r.inherits else [])
        for t in targets:
            name, _, rng = t.partition("@")
            dst = f"{name}@1.0.0" if rng == "^1" else t
            a, b = (r.id, dst) if up else (dst, r.id)
            edges.setdefault(a, set()).add(b)
    depth = dict.fromkeys(starts, 0)
    frontier = sorted(starts)
    while frontier:
        nxt = []
        for here in frontier:
            for there in sorted(edges.get(here, ())):
                if there not in depth:
                    depth[there] = depth[here] + 1
                    nxt.append(there)
        frontier = nxt
    return {k: v for k, v in depth.items() if k not in starts}


@pytest.mark.parametrize("seed", [1, 2])
def test_closure_matches_breadth_first_search(reg: Registry, seed: int) -> None:
    records = _random_dag(seed)
    reg.publish(records)
    ids = {r.id for r in records}
    for start in ["m39@1.0.0", "m20@1.0.0", "d1@1.0.0", "d0@1.0.0"]:
        for direction in ("up", "down"):
            found = reg.lineage(start, direction)
            assert {h.id: h.depth for h in found} == _reference(records, {start}, direction == "up")
            assert [(h.depth, h.name) for h in found] == sorted((h.depth, h.name) for h in found)
            for h in found:  # each path is a chain of real edges, record first
                ends = [(e.src, e.dst) for e in h.path]
                first, last = (start, h.id) if direction == "up" else (h.id, start)
                assert len(ends) == h.depth and ends[0][0] == first and ends[-1][1] == last
                assert all(a[1] == b[0] for a, b in itertools.pairwise(ends))
                assert h.edge == (h.path[-1] if direction == "up" else h.path[0])
                assert {x for e in ends for x in e} <= ids
    # impact over two versions where one derives from the other: both are starts, not hits
    impact = {h.id: h.depth for h in reg.impact("d0")}
    assert impact == _reference(records, {"d0@1.0.0", "d0@2.0.0"}, up=False)
    assert "d0@2.0.0" not in impact


def _preferred_paths(
    edges: list[tuple[int, int, str, int]], query: WalkQuery
) -> dict[int, tuple[int, int | None, str | None, int | None]]:
    """Reference for both walks, from the documented rule alone: breadth first over
    ``(src, dst, relation, edge id)``, each record reached at its least depth through, of the
    edges from the level before, a typed relation before ``inherits``, then the least parent id,
    then the least edge id; ``inherits`` skipped when typed, avoided records never entered."""
    up = query.direction == "up"
    out: dict[int, tuple[int, int | None, str | None, int | None]] = {
        s: (0, None, None, None) for s in query.starts
    }
    level, frontier = 0, set(out)
    while frontier and (query.depth is None or level < query.depth):
        level += 1
        best: dict[int, tuple[bool, int, int, str]] = {}
        for src, dst, relation, eid in edges:
            here, there = (src, dst) if up else (dst, src)
            if (
                here in frontier
                and there not in out
                and there not in query.avoid
                and (not query.relations or relation in query.relations)
                and not (query.typed and relation == "inherits")
            ):
                cand = (relation == "inherits", here, eid, relation)
                best[there] = min(best.get(there, cand), cand)
        for there, (_, here, eid, relation) in best.items():
            out[there] = (level, here, relation, eid)
        frontier = set(best)
    return out


def _queries(ids: list[int]) -> list[WalkQuery]:
    """Every shape of question on these records: one start or odd starts (none, repeated,
    not a record, starts reachable from other starts), both directions, a relation filter,
    depth limits, typed walks and avoided records."""
    odd = [ids, ids[:4] + ids[-4:], [], [ids[5], ids[5]], [ids[0], max(ids) + 1000]]
    out = []
    for starts in [[i] for i in ids[::3]] + odd:
        for direction in ("up", "down"):
            for relations in (None, ("trained_on", "inherits")):
                for depth in (None, 0, 2):
                    out.append(
                        WalkQuery(
                            starts=tuple(starts),
                            direction=direction,
                            relations=relations,
                            depth=depth,
                        )
                    )
            out.append(WalkQuery(starts=tuple(starts), direction=direction, typed=True))
            out.append(
                WalkQuery(
                    starts=tuple(starts),
                    direction=direction,
                    typed=True,
                    avoid=frozenset(ids[1::7]),
                )
            )
    return out


def _check_walks_agree(reg: Registry, shapes: list[WalkQuery] | None = None) -> int:
    """Both walkers give the rows the rule picks for every query shape, and the same hits
    and paths; returns how often the rule had a choice to make."""
    with reg.engine.connect() as conn:
        ids = [rid for (rid,) in conn.exec_driver_sql("SELECT id FROM records ORDER BY id")]
        edges = [
            tuple(e) for e in conn.exec_driver_sql("SELECT src_id, dst_id, relation, id FROM edges")
        ]
        assert all(src > dst for src, dst, _, _ in edges)  # why no walk needs a depth bound
        many_parents = 0
        for query in shapes or _queries(ids):
            want = _preferred_paths(edges, query)
            want = {k: v for k, v in want.items() if k in set(ids)}
            for walker in (STATEMENT, BY_LEVEL):
                rows = walker(conn, query)
                assert {r[0]: (r[1], r[6], r[7], r[8]) for r in rows} == want
                assert len(rows) == len(want)
            a = walk(conn, query, STATEMENT)
            b = walk(conn, query, BY_LEVEL)
            assert [(h.id, h.path) for h in a] == [(h.id, h.path) for h in b]
            if query.depth is None and not query.avoid:  # the walk saw every edge among them
                rows, followed = statement_rows_and_edges(conn, query)
                among = edges_among(conn, [r[0] for r in rows], typed=query.typed)
                among = [e for e in among if not query.relations or e[2] in query.relations]
                assert [e[:5] for e in followed] == [e[:5] for e in among]
            if query.depth is None and query.relations is None and not query.typed:
                up = query.direction == "up"
                ends = [(s, d) if up else (d, s) for s, d, _, _ in edges]
                for k, (lvl, _, _, _) in want.items():
                    parents = {h for h, t in ends if t == k and want.get(h, (-1,))[0] == lvl - 1}
                    many_parents += len(parents) > 1
    return many_parents


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_level_walk_matches_the_statement(reg: Registry, seed: int) -> None:
    """Both walks (the statement for lineage and audit, the level walk for impact) find the
    records, depths and parents that the rule picks, computed here independently."""
    reg.publish(_random_dag(seed, n=60))
    # the rule had choices to make: records with several parents at the level before
    assert _check_walks_agree(reg) > 0


def _diamond_chain(n: int, tag: str = "") -> list[Record]:
    """d0 <- (a_i, b_i) <- d_{i+1}: a chain of ``n`` diamonds (2**n routes end to end)."""
    out = [rec(f"{tag}d0@1.0.0", "dataset")]
    for i in range(n):
        base = f"{tag}d{i}@1"
        out.append(rec(f"{tag}a{i}@1.0.0", upstream=[(base, "finetuned_from")]))
        out.append(rec(f"{tag}b{i}@1.0.0", upstream=[(base, "trained_on")], inherits=base))
        out.append(
            rec(
                f"{tag}d{i + 1}@1.0.0",
                upstream=[(f"{tag}a{i}@1", "merged_from"), (f"{tag}b{i}@1", "merged_from")],
            )
        )
    return out


def test_walks_agree_on_deep_chains_and_diamonds(reg: Registry) -> None:
    chain = [rec("c0@1.0.0", "dataset")] + [
        rec(f"c{i}@1.0.0", upstream=[(f"c{i - 1}@1", "finetuned_from")]) for i in range(1, 300)
    ]
    reg.publish(chain + _diamond_chain(40))
    with reg.engine.connect() as conn:
        ids = {n: rid for rid, n in conn.exec_driver_sql("SELECT id, name FROM records")}
    shapes = [
        WalkQuery(starts=(ids[start],), direction=d, typed=typed, avoid=avoid)
        for start in ("c0", "c299", "c150", "d0", "d40", "b20")
        for d in ("up", "down")
        for typed in (False, True)
        for avoid in (frozenset(), frozenset({ids["a10"], ids["c100"]}))
    ]
    assert _check_walks_agree(reg, shapes) > 0
    assert len(reg.lineage("c299")) == 299 and len(reg.impact("c0")) == 299
    assert {h.id: h.depth for h in reg.lineage("d40")}["d0@1.0.0"] == 80


def test_impact_is_one_snapshot(reg: Registry, monkeypatch: pytest.MonkeyPatch) -> None:
    """A record published while impact walks (after its first level) is not half in the
    answer: it would otherwise appear at depth 2 through m although it also derives from d."""
    from umr.registry import lineage

    reg.publish([rec("d@1.0.0", "dataset"), rec("m@1.0.0", upstream=[("d@1", "trained_on")])])
    calls = 0
    real = lineage.id_list

    def publishing_mid_walk(dialect: str, ids: list[int]) -> Any:
        nonlocal calls
        calls += 1
        if calls == 2:  # the second level's query, after the first one has run
            with Registry(reg.url) as other:
                other.publish(
                    [rec("x@1.0.0", upstream=[("m@1", "finetuned_from"), ("d@1", "trained_on")])]
                )
        return real(dialect, ids)

    monkeypatch.setattr(lineage, "id_list", publishing_mid_walk)
    assert {h.id: h.depth for h in reg.impact("d")} == {"m@1.0.0": 1}
    assert calls >= 2
    monkeypatch.undo()
    assert {h.id: h.depth for h in reg.impact("d")} == {"m@1.0.0": 1, "x@1.0.0": 1}


def test_tree_and_dot(chain: Registry) -> None:
    found = chain.lineage("acme-chat", relations=["finetuned_from", "trained_on"])
    edges = chain.edges_among(["acme-chat@1.1.0", *(h.id for h in found)])
    edges = [e for e in edges if e.relation in ("finetuned_from", "trained_on")]
    assert render_tree("acme-chat@1.1.0", found, edges, "up") == (
        "acme-chat@1.1.0\n"
        "  -finetuned_from-> llama-2-7b@1.0.0 [model]  (Llama 2 7B)\n"
        "    -trained_on-> corpus-x@2.0.0 [dataset]  (Corpus X)"
    )
    dot = render_dot("acme-chat@1.1.0", edges)
    assert '"llama-2-7b@1.0.0" -> "corpus-x@2.0.0" [label="trained_on"];' in dot


def test_tree_shows_every_edge_and_marks_repeats(reg: Registry) -> None:
    """A record reached twice is expanded once and shown again as (deduped), as npm ls does;
    inherits edges and uncertain ones are drawn."""
    reg.publish(
        [
            rec("d@1.0.0", "dataset", title="D"),
            rec("a@1.0.0", upstream=[("d@1", "trained_on")]),
            rec(
                "c@1.0.0",
                inherits="a@1",
                upstream=[
                    {"ref": "a@1", "relation": "finetuned_from"},
                    {"ref": "d@1", "relation": "trained_on", "uncertain": True, "note": "said so"},
                ],
            ),
        ]
    )
    found = reg.lineage("c")
    edges = reg.edges_among(["c@1.0.0", *(h.id for h in found)])
    assert len(edges) == 4
    assert render_tree("c@1.0.0", found, edges, "up") == (
        "c@1.0.0\n"
        "  -finetuned_from-> a@1.0.0 [model]\n"
        "    -trained_on-> d@1.0.0 [dataset]  (D)\n"
        "  -trained_on-> d@1.0.0 [dataset] (deduped)  (uncertain: said so)\n"
        "  -inherits-> a@1.0.0 [model] (deduped)"
    )
    down = reg.lineage("d", "down")
    assert render_tree("d@1.0.0", down, reg.edges_among(["d@1.0.0", "a@1.0.0", "c@1.0.0"]), "down")
    dot = render_dot("c@1.0.0", edges)
    assert '"c@1.0.0" -> "a@1.0.0" [label="inherits", style=dashed];' in dot
    assert '"c@1.0.0" -> "d@1.0.0" [label="trained_on", style=dotted];' in dot


def test_bad_direction(chain: Registry) -> None:
    with pytest.raises(ValueError, match="direction must be 'up' or 'down'"):
        chain.lineage("acme-chat", "sideways")  # type: ignore[arg-type]


def test_impact_covers_matching_versions_only(chain: Registry) -> None:
    chain.publish(
        [
            rec("corpus-x@3.0.0", "dataset"),
            rec("new@1.0.0", upstream=[("corpus-x@3", "trained_on")]),
        ]
    )
    assert {h.id for h in chain.impact("corpus-x", "<3")} == {"llama-2-7b@1.0.0", "acme-chat@1.1.0"}
    assert {h.id for h in chain.impact("corpus-x")} == {
        "llama-2-7b@1.0.0",
        "acme-chat@1.1.0",
        "new@1.0.0",
    }
    assert chain.impact("corpus-x", ">=9") == []


def test_impact_orders_versions_by_precedence_not_text(chain: Registry) -> None:
    chain.publish([rec("tuned@1.10.0", upstream=[("corpus-x@2", "trained_on")])])
    chain.publish([rec("tuned@1.9.0", upstream=[("corpus-x@2", "trained_on")])])
    found = [h.id for h in chain.impact("corpus-x") if h.name == "tuned"]
    assert found == ["tuned@1.9.0", "tuned@1.10.0"]


def test_search_ranks_names_above_summaries(chain: Registry) -> None:
    chain.publish(
        [rec("webtext@1.0.0", "dataset", title="WebText", summary="Mentions corpus x in passing")]
    )
    hits = chain.search("corpus")
    assert [h.name for h in hits][:2] == ["corpus-x", "webtext"]
    assert set(hits[0].to_dict()) == {
        "name",
        "version",
        "kind",
        "title",
        "summary",
        "publisher",
        "score",
    }
    assert [h.name for h in chain.search("llama 7")] == ["llama-2-7b"]
    # both name Meta as publisher (acme-chat inherits it); rank order is the backend's own
    assert {h.name for h in chain.search("meta", kind="model")} == {"llama-2-7b", "acme-chat"}
    assert chain.search("corpus", kind="model") == []
    assert chain.search("!!") == []


def test_search_filters_before_the_limit(chain: Registry) -> None:
    # Twenty decoys outrank the one model that passes the filters: the limit must count only
    # hits that pass them, or a filtered page comes back empty.
    chain.publish([rec(f"meta-{i}@1.0.0", title="Meta meta", publisher="Other") for i in range(20)])
    assert [h.name for h in chain.search("meta", limit=1, relation="finetuned_from")] == [
        "acme-chat"
    ]
    assert {h.name for h in chain.search("meta", limit=5, publisher="META")} == {
        "llama-2-7b",
        "acme-chat",
    }
    assert [h.name for h in chain.search("", publisher="meta", kind="model")] == [
        "acme-chat",
        "llama-2-7b",
    ]
    assert [h.name for h in chain.search("", relation="member_of")] == ["llama-2-7b"]
    assert chain.search("", relation="quantized_from") == []
    assert chain.search("") == []  # no words and no filters: nothing to look for


def test_a_common_word_is_ranked_within_the_window_plus_the_exact_name(chain: Registry) -> None:
    # Registered in this order: a dataset and a model of another publisher that the filters
    # below exclude, three 'zebra' models, two more, then one named exactly 'zebra'.
    chain.publish([rec("zebra-d@1.0.0", "dataset", title="Zebra")])
    chain.publish([rec("zebra-other@1.0.0", title="Zebra", publisher="Elsewhere")])
    chain.publish([rec(f"zebra-{i}@1.0.0", title="Zebra", publisher="Acme") for i in range(3)])
    chain.publish(
        [
            rec(f"zebra-hot-{i}@1.0.0", title="Zebra zebra", summary="zebra", publisher="Acme")
            for i in range(2)
        ]
    )
    chain.publish([rec("zebra@1.0.0", title="Zebra", publisher="Acme")])
    models = {"zebra", "zebra-0", "zebra-1", "zebra-2", "zebra-hot-0", "zebra-hot-1"}
    everything = {h.name for h in chain.search("zebra", window=100)}
    assert everything == models | {"zebra-d", "zebra-other"}
    # a window of 5: the five registered first, and the exact name from outside the window
    windowed = chain.search("zebra", window=5)
    assert {h.name for h in windowed} == {
        "zebra-d",
        "zebra-other",
        "zebra-0",
        "zebra-1",
        "zebra-2",
        "zebra",
    }
    # a hit scores the same inside a window as without one
    scores = {h.name: h.score for h in chain.search("zebra", window=100)}
    assert all(h.score == scores[h.name] for h in windowed)
    # the window counts only matches that pass the filters (filtered after it, a window of 1
    # would hold zebra-d or zebra-other and return only the exact name)
    assert {h.name for h in chain.search("zebra", window=1, kind="model", publisher="acme")} == {
        "zebra-0",
        "zebra",
    }
    assert {h.name for h in chain.search("zebra", window=2, kind="model")} == {
        "zebra-other",
        "zebra-0",
        "zebra",
    }
    assert [h.name for h in chain.search("zebra-hot-1", window=1)] == ["zebra-hot-1"]


def test_publisher_filter_folds_unicode_case(chain: Registry) -> None:
    chain.publish(
        [
            rec("zurich-7b@1.0.0", title="Zurich 7B", publisher="Zürich AI"),
            rec("strasse-7b@1.0.0", title="Strasse 7B", publisher="Straße  Labs"),
        ]
    )
    assert [h.name for h in chain.search("7b", publisher="ZÜRICH AI")] == ["zurich-7b"]
    assert [h.name for h in chain.search("", publisher="strasse labs")] == ["strasse-7b"]
    assert chain.search("", publisher="zurich ai") == []  # folding case, not accents


def test_snapshot_reads_one_registry_state(chain: Registry) -> None:
    with Registry(chain.url) as writer, chain.snapshot():
        assert [str(v) for v in chain.versions("corpus-x")] == ["2.0.0"]
        writer.publish([rec("corpus-x@2.1.0", "dataset")])
        with chain.snapshot():  # nested: the same snapshot
            assert [str(v) for v in chain.versions("corpus-x")] == ["2.0.0"]
        assert chain.search("corpus")[0].version == "2.0.0"
    assert [str(v) for v in chain.versions("corpus-x")] == ["2.0.0", "2.1.0"]
    assert chain.search("corpus")[0].version == "2.1.0"


def test_a_database_error_in_a_snapshot_is_a_registry_error(chain: Registry) -> None:
    from umr.errors import RegistryError

    def broken(conn: Any) -> None:
        conn.exec_driver_sql("SELECT * FROM no_such_table")

    with pytest.raises(RegistryError, match="no_such_table"):
        chain._read(broken)
    with pytest.raises(RegistryError, match="no_such_table"), chain.snapshot():
        chain._read(broken)
    assert chain.versions("corpus-x")  # the registry still answers afterwards


def test_search_shows_the_latest_version(chain: Registry) -> None:
    chain.publish([rec("corpus-x@2.5.0", "dataset", title="Corpus X revised")])
    hit = chain.search("corpus")[0]
    assert (hit.version, hit.title) == ("2.5.0", "Corpus X revised")


def test_stats_names_recent(chain: Registry) -> None:
    assert chain.stats() == {"records": 5, "names": 5, "yanked": 0, "advisories": 0, "edges": 5}
    assert chain.names(kind="dataset") == ["corpus-x", "mt-bench"]
    recent = chain.recent(2)
    assert [r["name"] for r in recent] == ["acme-chat", "llama-2-7b"]
    assert set(recent[0]) >= {"name", "version", "kind", "title", "published_at", "yanked"}


def test_sqlite_walk_reads_edges_from_covering_indexes(tmp_path: Path) -> None:
    from umr.registry.lineage import _statement

    with Registry(f"sqlite:///{tmp_path / 'r.db'}") as reg, reg.engine.connect() as conn:
        for direction, index in (("up", "ix_edges_src_rel"), ("down", "ix_edges_dst_rel")):
            sql = str(_statement(direction, True, True, True, False).compile(conn))
            for bind, value in (
                ("__[POSTCOMPILE_starts]", "1"),
                ("__[POSTCOMPILE_rels]", "'x'"),
                ("?", "5"),
            ):
                sql = sql.replace(bind, value)
            plan = " ".join(r[-1] for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql))
            assert f"COVERING INDEX {index}" in plan


@st.composite
def _dags(draw: st.DrawFn) -> list[Record]:
    """Random DAGs in publish order: each record derives from up to three earlier ones (typed
    relations, sometimes also inheriting one), with a deep chain or a run of diamonds on top."""
    relations = ["finetuned_from", "trained_on", "merged_from", "derived_from"]
    out = [rec("n0@1.0.0", "dataset")]
    n = draw(st.integers(1, 20))
    for j in range(1, n + 1):
        parents = draw(st.lists(st.integers(0, j - 1), min_size=1, max_size=3, unique=True))
        ups = [(f"n{p}@1", draw(st.sampled_from(relations))) for p in parents]
        base = {"inherits": f"n{parents[0]}@1"} if draw(st.booleans()) else {}
        out.append(rec(f"n{j}@1.0.0", upstream=ups, **base))
    tail = draw(st.sampled_from(["none", "chain", "diamonds"]))
    if tail == "chain":
        for k in range(1, draw(st.integers(2, 40)) + 1):
            up = f"c{k - 1}@1" if k > 1 else f"n{n}@1"
            out.append(rec(f"c{k}@1.0.0", upstream=[(up, "finetuned_from")]))
    elif tail == "diamonds":
        out += [r for r in _diamond_chain(draw(st.integers(1, 8)), tag="z")]
    return out


@given(records=_dags())
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_walkers_agree_on_random_dags(records: list[Record]) -> None:
    """The property the two walkers share, on generated DAGs with inherits edges, deep chains
    and runs of diamonds: for every start, both directions, typed or not, bounded or not and
    avoiding a record or not, both give the rows the documented rule picks, and the same hits."""
    with tempfile.TemporaryDirectory() as tmp, Registry(f"sqlite:///{tmp}/r.db") as reg:
        reg.publish(records)
        with reg.engine.connect() as conn:
            ids = [rid for (rid,) in conn.exec_driver_sql("SELECT id FROM records ORDER BY id")]
        shapes = [
            WalkQuery(
                starts=(start,),
                direction=direction,
                typed=typed,
                depth=depth,
                avoid=avoid,
            )
            for start in ids[:: max(1, len(ids) // 6)]
            for direction in ("up", "down")
            for typed in (False, True)
            for depth in (None, 2)
            for avoid in (frozenset(), frozenset(ids[1:2]))
        ]
        _check_walks_agree(reg, shapes)
