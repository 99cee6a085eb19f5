"""Publish: locks, batch order, all-or-nothing, immutability, yank, cycles, resolve."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import inspect, select
from sqlalchemy import inspect as sa_inspect

from registry._helpers import rec
from umr.errors import ConflictError, RecordError, RefError, RegistryError
from umr.registry import Registry
from umr.registry import tables as t
from umr.registry.schema import LATEST
from umr.spec import Version, digest, resolve


def test_publish_stores_canonical_json_digest_and_resolved_form(chain: Registry) -> None:
    own = chain.get("acme-chat", "1.1.0")
    assert (
        own.to_dict()
        == rec(
            "acme-chat@1.1.0",
            title="Acme Chat",
            inherits="llama-2-7b@^1",
            upstream=[("llama-2-7b@^1", "finetuned_from"), ("mt-bench@1", "evaluated_on")],
        ).to_dict()
    )
    entry = chain.entry("acme-chat")
    assert entry["digest"] == digest(own.to_dict())
    resolved = chain.resolve("acme-chat@^1")
    assert resolved.data["publisher"] == "Meta"
    assert resolved.chain == ("acme-chat@1.1.0", "llama-2-7b@1.0.0")
    assert resolved.source_of(("license", "id")) == "llama-2-7b@1.0.0"
    assert resolved.source_of(("title",)) == "acme-chat@1.1.0"


def test_registry_is_a_record_source(chain: Registry) -> None:
    child = rec("acme-chat@2.0.0", inherits="acme-chat@^1")
    assert resolve(child, chain).data["publisher"] == "Meta"
    assert chain.versions("acme-chat") == [Version.parse("1.1.0")]
    assert "registry" in chain.describe()


def test_same_content_again_is_a_no_op(chain: Registry) -> None:
    result = chain.publish(
        [rec("corpus-x@2.0.0", "dataset", title="Corpus X", summary="A web crawl corpus")]
    )
    assert result.to_dict() == {"published": [], "unchanged": ["corpus-x@2.0.0"]}


def test_different_content_is_refused_with_the_diff(chain: Registry) -> None:
    with pytest.raises(ConflictError) as exc:
        chain.publish(
            [rec("corpus-x@2.0.0", "dataset", title="Corpus Y", summary="A web crawl corpus")]
        )
    assert "corpus-x@2.0.0 is already published with different content" in exc.value.message
    assert "~ title: 'Corpus X' -> 'Corpus Y'  [patch]" in exc.value.message
    assert "umr bump" in (exc.value.hint or "")
    assert chain.get("corpus-x", "2.0.0").title == "Corpus X"


def test_locks_pin_the_highest_published_version(chain: Registry) -> None:
    chain.publish([rec("corpus-x@2.1.0", "dataset"), rec("corpus-x@3.0.0", "dataset")])
    chain.publish(
        [rec("m@1.0.0", upstream=[("corpus-x@^2", "trained_on")], inherits="llama-2-7b@1")]
    )
    locks = [lock.to_dict() for lock in chain.locks("m", "1.0.0")]
    assert locks == [
        {"relation": "inherits", "ref": "llama-2-7b@1", "name": "llama-2-7b", "version": "1.0.0"},
        {"relation": "trained_on", "ref": "corpus-x@^2", "name": "corpus-x", "version": "2.1.0"},
    ]
    # Earlier locks do not move when newer versions appear.
    assert chain.locks("llama-2-7b", "1.0.0")[0].version == Version.parse("2.0.0")


def test_batch_is_published_in_dependency_order(reg: Registry) -> None:
    result = reg.publish(
        [
            rec("c@1.0.0", upstream=[("b@1", "finetuned_from")]),
            rec("b@1.0.0", upstream=[("a@1", "trained_on")]),
            rec("a@1.0.0", "dataset"),
        ]
    )
    assert result.published == ["a@1.0.0", "b@1.0.0", "c@1.0.0"]


def test_one_bad_ref_publishes_nothing_and_is_located(reg: Registry, tmp_path: Path) -> None:
    reg.publish([rec("llama-2@1.0.0"), rec("llama-2@1.1.0")])
    good = tmp_path / "good.yaml"
    good.write_text("umr: 1\nname: good\nversion: 1.0.0\nkind: dataset\n")
    bad = tmp_path / "acme.yaml"
    bad.write_text(
        "umr: 1\nname: acme\nversion: 1.0.0\nkind: model\nupstream:\n"
        "  - {ref: good@1, relation: trained_on}\n  - {ref: llama-2@^9, relation: finetuned_from}\n"
    )
    with pytest.raises(RecordError) as exc:
        reg.publish([good, bad])
    assert str(exc.value.problems[0]) == (
        f"{bad}:7:11 upstream[1].ref: 'llama-2@^9' matches no version of 'llama-2' in this "
        f"batch or the published, not yanked versions in {reg.describe()} "
        "(available: 1.0.0, 1.1.0)"
    )
    assert reg.versions("good") == []


def test_invalid_file_publishes_nothing(reg: Registry, tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("umr: 1\nname: a\nversion: 1.0.0\nkind: model\n")
    (tmp_path / "b.yaml").write_text("umr: 1\nname: b\nversion: 1.0\nkind: model\n")
    with pytest.raises(RecordError) as exc:
        reg.publish([tmp_path])
    assert str(exc.value.problems[0]).startswith(f"{tmp_path / 'b.yaml'}:3:10 version:")
    assert reg.stats()["records"] == 0


def test_unknown_name_says_so(reg: Registry) -> None:
    with pytest.raises(
        RecordError,
        match=r"upstream\[0\].ref: a@1.0.0: no record named 'nope' in this batch or the",
    ):
        reg.publish([rec("a@1.0.0", upstream=[("nope@1", "trained_on")])])


def test_lineage_cycle_in_a_batch_is_refused(reg: Registry) -> None:
    with pytest.raises(RecordError) as exc:
        reg.publish(
            [
                rec("a@1.0.0", upstream=[("b@1", "derived_from")]),
                rec("b@1.0.0", upstream=[("a@1", "derived_from")]),
            ]
        )
    assert [(p.path, p.message) for p in exc.value.problems] == [
        ("upstream[0].ref", "a@1.0.0: lineage cycle: a@1.0.0 -> b@1.0.0 -> a@1.0.0"),
        ("upstream[0].ref", "b@1.0.0: lineage cycle: b@1.0.0 -> a@1.0.0 -> b@1.0.0"),
    ]
    assert reg.stats()["records"] == 0


def test_self_reference_is_a_cycle(reg: Registry) -> None:
    with pytest.raises(RecordError, match=r"lineage cycle: x@2.0.0 -> x@2.0.0"):
        reg.publish([rec("x@2.0.0", upstream=[("x@*", "unlearned_from")])])


def test_new_version_may_derive_from_an_old_one(reg: Registry) -> None:
    reg.publish([rec("x@1.0.0"), rec("x@2.0.0", upstream=[("x@^1", "unlearned_from")])])
    assert [h.id for h in reg.lineage("x@2")] == ["x@1.0.0"]


def test_duplicate_in_batch_with_other_content_is_refused(reg: Registry) -> None:
    with pytest.raises(ConflictError, match="appears twice in this batch"):
        reg.publish([rec("a@1.0.0", title="A"), rec("a@1.0.0", title="B")])


def test_yank_hides_from_resolution_but_keeps_locks(chain: Registry) -> None:
    chain.publish([rec("corpus-x@2.1.0", "dataset")])
    assert chain.yank("corpus-x@2.1.0", "leaked data") == "corpus-x@2.1.0"
    assert chain.versions("corpus-x") == [Version.parse("2.0.0")]
    assert chain.versions("corpus-x", include_yanked=True) == [
        Version.parse("2.0.0"),
        Version.parse("2.1.0"),
    ]
    assert chain.version_states("corpus-x") == [
        (Version.parse("2.0.0"), False),
        (Version.parse("2.1.0"), True),
    ]
    assert chain.version_states("nobody") == []
    assert chain.get_ref("corpus-x@^2").version == Version.parse("2.0.0")
    assert chain.get_ref("corpus-x@2.1.0").version == Version.parse(
        "2.1.0"
    )  # exact still reaches it
    assert chain.entry("corpus-x@2.1.0")["yank_reason"] == "leaked data"
    chain.publish([rec("m@1.0.0", upstream=[("corpus-x@^2", "trained_on")])])
    assert chain.locks("m", "1.0.0")[0].version == Version.parse("2.0.0")
    chain.yank("corpus-x@2.0.0", "also bad")
    assert [h.id for h in chain.lineage("llama-2-7b", relations=["trained_on"])] == [
        "corpus-x@2.0.0"
    ]
    with pytest.raises(
        RecordError, match="no record named 'corpus-x' in this batch or the published, not yanked"
    ):
        chain.publish([rec("n@1.0.0", upstream=[("corpus-x@^2", "trained_on")])])
    with pytest.raises(RefError, match="yank needs an exact version"):
        chain.yank("corpus-x@^2", "x")


def test_yanked_latest_leaves_search_and_names(chain: Registry) -> None:
    chain.yank("mt-bench@1.0.0", "withdrawn")
    assert "mt-bench" not in chain.names()
    assert chain.search("mt bench") == []


def _schema_version(reg: Registry) -> int:
    with reg.engine.connect() as conn:
        return int(conn.execute(select(t.schema_version.c.version)).scalar() or 0)


def test_reopen_runs_no_migration_and_keeps_data(url: str, chain: Registry) -> None:
    with Registry(url) as again:
        assert again.stats()["records"] == 5
        assert _schema_version(again) == LATEST


def test_v1_registry_migrates_to_covering_edge_indexes(url: str, chain: Registry) -> None:
    with chain.engine.begin() as conn:  # put the database back at schema 1, as v1 left it
        for name in ("src", "dst"):
            conn.exec_driver_sql(f"DROP INDEX ix_edges_{name}_rel")
        conn.exec_driver_sql("CREATE INDEX ix_edges_src ON edges (src_id, dst_id)")
        conn.exec_driver_sql("CREATE INDEX ix_edges_dst ON edges (dst_id, src_id)")
        conn.execute(t.schema_version.update().values(version=1))
    with Registry(url) as again:
        assert _schema_version(again) == LATEST
        with again.engine.connect() as conn:
            indexes = {i["name"] for i in inspect(conn).get_indexes("edges")}
        assert {"ix_edges_src_rel", "ix_edges_dst_rel"} <= indexes
        assert not {"ix_edges_src", "ix_edges_dst"} & indexes
        assert [h.id for h in again.lineage("acme-chat", relations=["finetuned_from"])] == [
            "llama-2-7b@1.0.0"
        ]


def test_v2_registry_gains_case_folded_publisher_keys(url: str, chain: Registry) -> None:
    chain.publish([rec("strasse@1.0.0", "dataset", publisher="Straße Labs")])
    with chain.engine.begin() as conn:  # back to schema 2: no publisher_key column
        conn.exec_driver_sql("DROP INDEX ix_names_publisher_key")
        conn.exec_driver_sql("ALTER TABLE names DROP COLUMN publisher_key")
        conn.execute(t.schema_version.update().values(version=2))
    with Registry(url) as again:
        assert _schema_version(again) == LATEST
        assert [h.name for h in again.search("", publisher="STRASSE LABS")] == ["strasse"]
        assert {h.name for h in again.search("", publisher="meta")} == {"llama-2-7b", "acme-chat"}


def test_v3_registry_gains_search_prefix_indexes(url: str, chain: Registry) -> None:
    sqlite = url.startswith("sqlite")
    with chain.engine.begin() as conn:  # back to schema 3: the FTS5 table without prefixes
        if sqlite:
            conn.exec_driver_sql("ALTER TABLE names_fts RENAME TO names_fts_old")
            conn.exec_driver_sql(
                "CREATE VIRTUAL TABLE names_fts USING "
                "fts5(name, title, summary, publisher, tokenize='unicode61')"
            )
            conn.exec_driver_sql(
                "INSERT INTO names_fts(rowid, name, title, summary, publisher) "
                "SELECT rowid, name, title, summary, publisher FROM names_fts_old"
            )
            conn.exec_driver_sql("DROP TABLE names_fts_old")
        conn.execute(t.schema_version.update().values(version=3))
    with Registry(url) as again:
        assert _schema_version(again) == LATEST
        with again.engine.connect() as conn:
            if sqlite:
                sql = conn.exec_driver_sql(
                    "SELECT sql FROM sqlite_master WHERE name = 'names_fts'"
                ).scalar()
                assert "prefix='2 3 4 5'" in str(sql)
        assert [h.name for h in again.search("llama 7")] == ["llama-2-7b"]
        assert [h.name for h in again.search("corpus")][:1] == ["corpus-x"]


def test_publish_accepts_yaml_text_and_folders(reg: Registry, tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.yaml").write_text("umr: 1\nname: a\nversion: 1.0.0\nkind: dataset\n")
    text = (
        "umr: 1\nname: b\nversion: 1.0.0\nkind: model\nupstream: [{ref: a, relation: trained_on}]\n"
    )
    assert reg.publish([tmp_path, text]).published == ["a@1.0.0", "b@1.0.0"]


def test_a_bad_mmap_setting_is_named_with_what_to_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'r.db'}"
    for bad in ("4G", "-1"):
        monkeypatch.setenv("UMR_SQLITE_MMAP", bad)
        with pytest.raises(RegistryError, match=f"UMR_SQLITE_MMAP='{bad}' is not a number") as e:
            Registry(url)
        assert "0 to turn the map off" in (e.value.hint or "")
    monkeypatch.setenv("UMR_SQLITE_MMAP", "0")
    with Registry(url) as reg, reg.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA mmap_size").scalar() == 0


def test_every_write_moves_the_change_counter_and_nothing_else_does(chain: Registry) -> None:
    from umr.web.changes import change_counter

    watch = change_counter(chain.engine)
    try:
        seen = [chain.changes()]
        assert asyncio.run(watch.read()) == seen[-1]

        def moved() -> bool:
            now = chain.changes()
            assert asyncio.run(watch.read()) == now  # the dedicated connection agrees
            went = now > seen[-1]
            seen.append(now)
            return went

        chain.lineage("acme-chat")
        chain.audit("acme-chat")
        chain.search("chat")
        assert not moved()
        chain.publish([rec("acme-chat@1.2.0", title="Acme Chat")])
        assert moved()
        chain.publish([rec("acme-chat@1.2.0", title="Acme Chat")])
        assert not moved()  # the same content again changes nothing
        with pytest.raises(ConflictError):
            chain.publish([rec("acme-chat@1.2.0", title="Another title")])
        assert not moved()  # a refused write changes nothing
        chain.yank("acme-chat@1.2.0", "test")
        assert moved()
        advisory = {
            "id": "T-1",
            "summary": "s",
            "severity": "low",
            "affected": [{"name": "corpus-x", "versions": "*"}],
        }
        chain.add_advisory(advisory)
        assert moved()
        chain.add_advisory(advisory)
        assert not moved()
        with pytest.raises(ConflictError):  # an affected version is not its own fix
            chain.fix_advisory("T-1", "corpus-x", "2.0.0")
        assert not moved()
        chain.fix_advisory("T-1", "corpus-x", "2.0.0", forced="test")
        assert moved()
        chain.fix_advisory("T-1", "corpus-x", "2.0.0", forced="test")
        assert not moved()
    finally:
        watch.close()


def test_v4_registry_gains_the_change_counter(url: str, chain: Registry) -> None:
    with chain.engine.begin() as conn:  # back to schema 4: no counter
        conn.exec_driver_sql("DROP TABLE umr_changes")
        conn.execute(t.schema_version.update().values(version=4))
    with Registry(url) as again:
        assert _schema_version(again) == LATEST
        assert again.changes() == 1  # created at 0, then bumped by the migration
        again.yank("acme-chat@1.1.0", "test")
        assert again.changes() == 2


def test_v8_registry_gains_uncertain_edges_with_their_notes(url: str, chain: Registry) -> None:
    """Migration 9 adds edges.uncertain and edges.note, filled from the stored records, and
    puts uncertain into the covering indexes."""
    chain.publish(
        [
            rec(
                "guess@1.0.0",
                upstream=[
                    {
                        "ref": "corpus-x@2",
                        "relation": "trained_on",
                        "uncertain": True,
                        "note": "a press release says so",
                    },
                    {"ref": "mt-bench@1", "relation": "evaluated_on", "note": "leaderboard"},
                ],
            )
        ]
    )
    with chain.engine.begin() as conn:  # back to schema 8: no columns, old indexes
        for name, cols in (("src", "src_id, dst_id"), ("dst", "dst_id, src_id")):
            conn.exec_driver_sql(f"DROP INDEX ix_edges_{name}_rel")
            conn.exec_driver_sql(f"CREATE INDEX ix_edges_{name}_rel ON edges ({cols}, relation)")
        conn.exec_driver_sql("ALTER TABLE edges DROP COLUMN uncertain")
        conn.exec_driver_sql("ALTER TABLE edges DROP COLUMN note")
        conn.execute(t.schema_version.update().values(version=8))
    with Registry(url) as again:
        assert _schema_version(again) == LATEST
        edges = {
            e.relation: e
            for e in again.edges_among(["guess@1.0.0", "corpus-x@2.0.0", "mt-bench@1.0.0"])
        }
        assert (edges["trained_on"].uncertain, edges["trained_on"].note) == (
            True,
            "a press release says so",
        )
        assert (edges["evaluated_on"].uncertain, edges["evaluated_on"].note) == (
            False,
            "leaderboard",
        )
        hit = next(h for h in again.lineage("guess") if h.id == "corpus-x@2.0.0")
        assert hit.uncertain
        with again.engine.connect() as conn:
            indexed = {
                c
                for ix in sa_inspect(conn).get_indexes("edges")
                if ix["name"] == "ix_edges_src_rel"
                for c in ix["column_names"]
            }
        assert "uncertain" in indexed


@pytest.mark.postgres
def test_a_large_batch_leaves_postgresql_with_planner_statistics(pg_server: Any) -> None:
    from umr.registry.store import ANALYZE_AFTER

    with Registry(pg_server.create_database()) as reg:
        batch = [rec(f"d{i}@1.0.0", "dataset") for i in range(ANALYZE_AFTER)]
        assert len(reg.publish(batch).published) == ANALYZE_AFTER
        with reg.engine.connect() as conn:
            tuples = conn.exec_driver_sql(
                "SELECT reltuples FROM pg_class WHERE relname = 'records'"
            ).scalar()
        assert tuples == ANALYZE_AFTER  # -1 (never analyzed) without the ANALYZE
