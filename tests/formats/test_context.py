"""build_context from a file (own edges only) and from a registry (full lineage, audit)."""

from __future__ import annotations

from formats._lineage import RECORDS
from umr.formats.context import RenderContext, build_context
from umr.spec import Workspace


def test_file_context_has_own_edges_resolved_and_no_audit(file_ctx: RenderContext) -> None:
    assert file_ctx.id == "chat-7b@1.1.0"
    assert file_ctx.audit is None and file_ctx.downstream == ()
    assert [(h.name, str(h.version), h.relation, h.depth) for h in file_ctx.upstream] == [
        ("base-7b", "1.0.0", "finetuned_from", 1),
        ("chat-data", "1.2.0", "trained_on", 1),
        ("eval-suite", "1.0.0", "evaluated_on", 1),
    ]
    assert [e.to_dict() for e in file_ctx.upstream[0].path] == [
        {"from": "chat-7b@1.1.0", "relation": "finetuned_from", "to": "base-7b@1.0.0"}
    ]
    assert file_ctx.extras["mode"] == "file"


def test_unresolvable_edge_keeps_its_range(tmp_path) -> None:
    (tmp_path / "a.yaml").write_text(
        "umr: 1\nname: a\nversion: 1.0.0\nkind: model\n"
        "upstream: [{ref: missing@^2, relation: finetuned_from}]\n"
    )
    ctx = build_context(str(tmp_path / "a.yaml"), Workspace(tmp_path))
    assert ctx.upstream == ()  # nothing resolved: drawn, but not a hit
    graph = ctx.graph()
    assert set(graph.nodes) == {"a@1.0.0", "missing@^2"}
    assert graph.nodes["missing@^2"].version == "^2" and graph.nodes["missing@^2"].kind is None
    assert [e.text() for e in graph.edges] == ["a@1.0.0 -finetuned_from-> missing@^2"]


def test_registry_context_has_ten_node_lineage_and_audit(ctx: RenderContext) -> None:
    graph = ctx.graph()
    assert len(graph.nodes) == 10
    assert {h.name for h in ctx.downstream} == {
        "chat-7b-gguf",
        "chat-7b-lora",
        "chat-7b-distilled",
    }
    assert graph.nodes["book-corpus@2.1.0"].severity == "high"
    flagged = {(e.src, e.dst) for e in graph.edges if graph.is_flagged(e)}
    assert flagged == {("chat-7b@1.1.0", "base-7b@1.0.0"), ("base-7b@1.0.0", "book-corpus@2.1.0")}
    # every locked edge among the ten records is drawn, not only each one's shortest path
    with_both_ends = {(e.src, e.relation, e.dst) for e in graph.edges}
    assert len(with_both_ends) == len(graph.edges) >= len(graph.nodes) - 1
    assert ctx.extras["mode"] == "registry"


def test_origin_marks_inherited_fields(ctx: RenderContext) -> None:
    assert ctx.origin("publisher") == "base-7b@1.0.0"
    assert ctx.origin("license.url") == "base-7b@1.0.0"
    assert ctx.origin("tags") is None  # the record's own
    inherited = {f.path for f in ctx.fields() if f.inherited}
    assert {"description", "license.id", "extensions.example.context_length"} <= inherited


def test_to_dict_is_plain_data(ctx: RenderContext) -> None:
    import json

    data = json.loads(json.dumps(ctx.to_dict()))
    assert data["record"]["name"] == "chat-7b"
    assert data["chain"] == ["chat-7b@1.1.0", "base-7b@1.0.0"]
    assert data["audit"]["findings"][0]["advisory"]["id"] == "UMR-TEST-0001"


def test_scorecards_use_own_answers_only() -> None:
    ws = Workspace(RECORDS)
    base = build_context("base-7b", ws)
    chat = build_context("chat-7b", ws)  # inherits base-7b, but answers are never inherited
    assert [s.score for s in base.scorecards] == [5]
    assert chat.scorecards == ()


def test_inherited_text_is_marked_where_it_is_shown(ctx: RenderContext) -> None:
    """chat-7b's description and references come from base-7b: the model card and the page
    say so instead of presenting them as chat-7b's own."""
    from umr.formats import render

    assert ctx.origin("description") == "base-7b@1.0.0"
    card = render("markdown", ctx).decode()
    _, _, after = card.partition("## Description\n")
    assert after.lstrip().startswith("*Inherited from base-7b\\@1.0.0, the base of this record:*")
    html = render("html", ctx).decode()
    assert "Description" in html and "from base-7b@1.0.0" in html
