"""Inheritance: merge rules, never-inherited fields, null removal, provenance, cycles."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from umr.errors import CycleError, NotFoundError
from umr.spec import NEVER_INHERITED, Record, Workspace, resolve
from umr.spec.inherit import Resolver, walk_provenance
from umr.spec.source import MemorySource

VALID = Path(__file__).resolve().parent.parent / "fixtures" / "records" / "valid"


def rec(name: str, version: str = "1.0.0", **fields: Any) -> Record:
    return Record.from_dict({"umr": 1, "name": name, "version": version, "kind": "model", **fields})


def test_fixture_chain_merges_and_marks_sources() -> None:
    ws = Workspace(VALID)
    chat = ws.get("chat-llm", next(iter(ws.versions("chat-llm"))))
    res = resolve(chat, ws)
    data = res.to_dict()
    assert data["publisher"] == "Example Lab"  # inherited scalar
    assert data["license"]["id"] == "apache-2.0"  # inherited mapping
    assert "description" not in data  # explicit null removed it
    assert data["extensions"]["lab"] == {
        "context": 8192,
        "tokenizer": {"type": "bpe", "vocab": 32000},
    }
    assert "transparency" not in data and "risks" not in data and "artifacts" not in data
    assert [u["ref"] for u in data["upstream"]] == ["base-llm@^1.2", "support-dialogues@~1.1"]
    assert res.provenance[("extensions", "lab", "context")] == "chat-llm@1.0.0"
    assert res.provenance[("extensions", "lab", "tokenizer", "vocab")] == "base-llm@1.2.0"
    assert res.provenance[("publisher",)] == "base-llm@1.2.0"
    assert res.chain == ("chat-llm@1.0.0", "base-llm@1.2.0")
    assert res.inherited()["license.id"] == "base-llm@1.2.0"


def test_three_level_chain_and_null_in_nested_mapping() -> None:
    src = MemorySource(
        [
            rec("a", title="A", extensions={"x": {"k": 1, "j": 2}}, tags=["t1"]),
            rec("b", inherits="a", summary="B", extensions={"x": {"j": None}}),
            rec("c", inherits="b@^1", tags=["t2"], title=None),
        ]
    )
    res = resolve(src.get("c", src.versions("c")[0]), src)
    assert res.to_dict()["extensions"] == {"x": {"k": 1}}
    assert res.to_dict()["tags"] == ["t2"]  # lists replace, never merge
    assert "title" not in res.to_dict()
    assert res.provenance[("summary",)] == "b@1.0.0"
    assert res.provenance[("extensions", "x", "k")] == "a@1.0.0"
    assert res.chain == ("c@1.0.0", "b@1.0.0", "a@1.0.0")


def test_cycle_is_reported_with_members() -> None:
    src = MemorySource([rec("a", inherits="b"), rec("b", inherits="c"), rec("c", inherits="a")])
    with pytest.raises(CycleError) as info:
        resolve(src.get("a", src.versions("a")[0]), src)
    assert info.value.cycle == ["a@1.0.0", "b@1.0.0", "c@1.0.0", "a@1.0.0"]


def test_missing_base_names_the_ref() -> None:
    src = MemorySource([rec("a", inherits="ghost@^2")])
    with pytest.raises(
        NotFoundError, match=r"a@1.0.0 inherits 'ghost@\^2': no record named 'ghost'"
    ):
        resolve(src.get("a", src.versions("a")[0]), src)


def test_base_picks_highest_matching_release() -> None:
    src = MemorySource(
        [
            rec("b", "1.0.0", title="old"),
            rec("b", "1.5.0", title="new"),
            rec("b", "2.0.0", title="next major"),
            rec("b", "1.6.0-rc.1", title="pre"),
            rec("a", inherits="b@^1"),
        ]
    )
    assert resolve(src.get("a", src.versions("a")[0]), src).to_dict()["title"] == "new"


# -- properties ------------------------------------------------------------------------------

_printable = st.characters(blacklist_categories=("Cc", "Cs"))
leaf = st.one_of(st.integers(-5, 5), st.text(_printable, max_size=5), st.booleans())
tree = st.recursive(
    leaf,
    lambda children: st.dictionaries(
        st.sampled_from(["p", "q", "r", "s"]), children, min_size=1, max_size=3
    ),
    max_leaves=8,
)
ext = st.dictionaries(st.sampled_from(["lab", "org.x", "misc"]), tree, max_size=3)
base_fields = st.fixed_dictionaries(
    {},
    optional={
        "title": st.text(_printable, max_size=8),
        "publisher": st.text(_printable, max_size=8),
        "tags": st.lists(st.text(_printable, max_size=4), max_size=3),
        "license": st.builds(lambda i: {"id": i}, st.sampled_from(["mit", "apache-2.0"])),
        "extensions": ext,
        "risks": st.just([{"category": "bias", "severity": "low", "summary": "s"}]),
    },
)


@given(base_fields)
def test_empty_child_changes_nothing(fields: dict[str, Any]) -> None:
    base = rec("base", **fields)
    src = MemorySource([base, rec("child", inherits="base")])
    parent = resolve(base, src).to_dict()
    child = resolve(src.get("child", base.version), src).to_dict()
    expected = {k: v for k, v in parent.items() if k not in NEVER_INHERITED}
    assert {k: v for k, v in child.items() if k not in NEVER_INHERITED} == expected


@given(base_fields, base_fields)
def test_every_leaf_names_a_record_in_the_chain(
    base_f: dict[str, Any], child_f: dict[str, Any]
) -> None:
    src = MemorySource([rec("base", **base_f), rec("child", inherits="base", **child_f)])
    res = resolve(src.get("child", src.versions("child")[0]), src)
    assert set(res.provenance.values()) <= set(res.chain)
    data = res.to_dict()
    for path in res.provenance:
        node: Any = data
        for part in path:
            node = node[part]  # every provenance path exists in the resolved data
    for key in child_f:
        if key in NEVER_INHERITED:
            continue
        assert res.source_of((key,)) is not None


null_tree = st.recursive(
    st.one_of(leaf, st.none()),
    lambda children: st.dictionaries(
        st.sampled_from(["p", "q", "r", "s"]), children, min_size=0, max_size=3
    ),
    max_leaves=8,
)
layer_fields = st.fixed_dictionaries(
    {},
    optional={
        "title": st.one_of(st.none(), st.text(_printable, max_size=8)),
        "publisher": st.text(_printable, max_size=8),
        "license": st.builds(lambda i: {"id": i}, st.sampled_from(["mit", "apache-2.0"])),
        "extensions": st.dictionaries(
            st.sampled_from(["lab", "org.x", "misc"]), null_tree, max_size=3
        ),
    },
)


@given(layer_fields, layer_fields, layer_fields)
def test_provenance_built_from_the_base_equals_walking_the_chain(
    top: dict[str, Any], middle: dict[str, Any], bottom: dict[str, Any]
) -> None:
    src = MemorySource(
        [
            rec("top", **top),
            rec("middle", inherits="top", **middle),
            rec("bottom", inherits="middle", **bottom),
        ]
    )
    resolver = Resolver(src)
    for name in ("top", "middle", "bottom"):
        res = resolver.resolve(src.get(name, src.versions(name)[0]))
        assert res.cell is not None
        assert res.provenance == walk_provenance(res.data, res.chain, res.layers)
