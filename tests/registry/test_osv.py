"""Advisories out to OSV and back in: valid against the vendored OSV schema, round trips
without loss, withdrawn and modified carried, other databases' entries read, bad files refused
with located problems."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from registry._helpers import advisory, rec
from umr.cli import app
from umr.errors import RecordError
from umr.registry import Registry
from umr.registry.osv import check, from_osv


def test_export_is_valid_osv_and_round_trips(chain: Registry, tmp_path: Path) -> None:
    chain.publish([rec("corpus-x@3.0.0", "dataset", upstream=[("corpus-x@2", "derived_from")])])
    chain.publish([rec("acme-chat@2.0.0", upstream=[("acme-chat@1.1.0", "unlearned_from")])])
    chain.add_advisory(
        advisory(
            "UMR-2024-0001",
            "corpus-x",
            "<3.0.0",
            severity="critical",
            details="Personal data.",
            # derived from the affected version: fixed only with a reason, which travels too
            fixed=[{"name": "corpus-x", "version": "3.0.0", "reason": "the rows were removed"}],
            references=[
                {"url": "https://example.org/a", "title": "Notice"},
                "https://example.org/b",
                {"type": "REPORT", "url": "https://example.org/c"},
            ],
            aliases=["CVE-2024-0001"],
        )
    )
    chain.fix_advisory("UMR-2024-0001", "acme-chat", "2.0.0")
    (entry,) = chain.export_osv(["UMR-2024-0001"])
    check(entry, "<test>")  # the vendored OSV schema
    assert entry["id"] == "x_umr:UMR-2024-0001"
    assert entry["published"] == "2024-01-02T00:00:00Z" and entry["modified"].endswith("Z")
    assert entry["aliases"] == ["CVE-2024-0001"]
    (aff,) = entry["affected"]
    assert aff["database_specific"]["umr"] == {"name": "corpus-x", "versions": "<3.0.0"}
    assert aff["ranges"] == [
        {"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "3.0.0"}]}
    ]
    assert aff["versions"] == ["2.0.0"]
    assert [r["type"] for r in entry["references"]] == ["WEB", "WEB", "REPORT"]
    assert entry["database_specific"]["severity"] == "CRITICAL"
    assert entry["database_specific"]["umr"]["fixed"][-1] == {
        "name": "acme-chat",
        "version": "2.0.0",
    }
    # back in, into another registry: the same advisory
    path = tmp_path / "osv.json"
    path.write_text(json.dumps(entry))
    with Registry(f"sqlite:///{tmp_path / 'other.db'}") as other:
        other.publish(
            [
                rec("corpus-x@2.0.0", "dataset"),
                rec("corpus-x@3.0.0", "dataset"),
                rec("acme-chat@1.1.0", upstream=[("corpus-x@2", "trained_on")]),
                rec("acme-chat@2.0.0", upstream=[("acme-chat@1.1.0", "unlearned_from")]),
            ]
        )
        (back,) = other.import_osv(path)
        original = chain.advisory("UMR-2024-0001").content().to_dict()
        assert back.content().to_dict() == original
        assert other.import_osv(path)[0].content().to_dict() == original  # again: no-op


def test_withdrawn_travels_both_ways(chain: Registry, tmp_path: Path) -> None:
    chain.add_advisory(advisory("UMR-2024-0002", "mt-bench"))
    chain.withdraw_advisory("UMR-2024-0002", "the scores were re-checked")
    (entry,) = chain.export_osv(["UMR-2024-0002"])
    assert entry["withdrawn"].endswith("Z")
    assert entry["database_specific"]["umr"]["withdrawn_reason"] == "the scores were re-checked"
    path = tmp_path / "w.json"
    path.write_text(json.dumps({"vulns": [entry]}))
    with Registry(f"sqlite:///{tmp_path / 'other.db'}") as other:
        other.publish([rec("mt-bench@1.0.0", "dataset")])
        (back,) = other.import_osv(path)
        assert back.withdrawn and back.withdrawn_reason == "the scores were re-checked"
        assert other.audit("mt-bench").ok  # a withdrawn advisory reaches nothing


def test_another_databases_entry_maps_by_package_name() -> None:
    entry = {
        "schema_version": "1.7.5",
        "id": "GHSA-abcd-efgh-ijkl",
        "modified": "2024-03-01T12:00:00Z",
        "summary": "Poisoned weights",
        "affected": [
            {
                "package": {"ecosystem": "PyPI", "name": "acme-chat"},
                "ranges": [
                    {"type": "SEMVER", "events": [{"introduced": "1.0.0"}, {"fixed": "1.2.0"}]}
                ],
            },
            {"package": {"ecosystem": "PyPI", "name": "corpus-x"}, "versions": ["2.0.0"]},
        ],
        "database_specific": {"severity": "MODERATE"},
    }
    a = from_osv(entry)
    assert (a.id, a.severity) == ("GHSA-abcd-efgh-ijkl", "medium")
    assert [(x.name, str(x.versions)) for x in a.affected] == [
        ("acme-chat", ">=1.0.0 <1.2.0"),
        ("corpus-x", "2.0.0"),
    ]


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ({"id": "UMR-1"}, "id"),  # not a registered prefix nor x_
        ({"modified": "yesterday"}, "modified"),
        ({"references": [{"type": "BLOG", "url": "https://e.org"}]}, "references[0].type"),
        ({"database_specific": {}}, "database_specific.severity"),
    ],
)
def test_bad_osv_is_refused_with_the_place(change: dict, says: str) -> None:
    entry = {
        "id": "x_umr:A-1",
        "modified": "2024-03-01T12:00:00Z",
        "affected": [{"database_specific": {"umr": {"name": "a", "versions": "*"}}}],
        "database_specific": {"umr": {"severity": "low"}},
    }
    with pytest.raises(RecordError) as exc:
        from_osv(entry | change, "f.json")
    assert any(p.path == says for p in exc.value.problems), exc.value.problems


def test_cli_export_and_import(chain: Registry, tmp_path: Path) -> None:
    chain.add_advisory(advisory("UMR-2024-0003", "corpus-x", "<3"))
    run = CliRunner().invoke
    out = run(app, ["--registry", chain.url, "advisory", "export", "UMR-2024-0003"])
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout)["id"] == "x_umr:UMR-2024-0003"
    res = run(app, ["--registry", chain.url, "advisory", "export", "--out", str(tmp_path / "o")])
    assert res.exit_code == 0 and (tmp_path / "o" / "UMR-2024-0003.json").is_file()
    other = f"sqlite:///{tmp_path / 'other.db'}"
    res = run(
        app, ["--registry", other, "advisory", "import", str(tmp_path / "o" / "UMR-2024-0003.json")]
    )
    assert res.exit_code == 2 and "no published record is named 'corpus-x'" in res.stderr
    res = run(
        app,
        [
            "--registry",
            other,
            "advisory",
            "import",
            str(tmp_path / "o" / "UMR-2024-0003.json"),
            "--force",
        ],
    )
    assert res.exit_code == 0 and "imported UMR-2024-0003 [high]" in res.stdout
