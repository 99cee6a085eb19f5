"""Advisories, audit paths and severities, fixed versions that clear a lineage."""

from __future__ import annotations

from pathlib import Path

import pytest

from registry._helpers import advisory, rec
from umr.errors import NotFoundError, RecordError
from umr.registry import Registry, load_advisory


def test_audit_reports_the_chain(chain: Registry) -> None:
    chain.add_advisory(advisory("UMR-2024-0003", "corpus-x", "<3"))
    report = chain.audit("acme-chat")
    assert report.text().splitlines()[0] == (
        "acme-chat@1.1.0 -finetuned_from-> llama-2-7b@1.0.0 -trained_on-> corpus-x@2.0.0 "
        "[UMR-2024-0003 high]"
    )
    data = report.to_dict()
    assert data["record"] == "acme-chat@1.1.0" and data["ok"] is False and data["cleared"] == []
    (finding,) = data["findings"]
    assert set(finding) == {"advisory", "record", "path", "severity"}
    assert finding["record"] == "corpus-x@2.0.0"
    assert finding["advisory"]["id"] == "UMR-2024-0003"
    assert [e["to"] for e in finding["path"]] == ["llama-2-7b@1.0.0", "corpus-x@2.0.0"]
    assert report.worst() == "high"
    assert report.fails("high") and not report.fails("critical")


def test_record_itself_affected_and_ranges(chain: Registry) -> None:
    chain.add_advisory(advisory("A-1", "acme-chat", "^1", severity="low"))
    chain.add_advisory(advisory("A-2", "corpus-x", ">=3", severity="critical"))
    report = chain.audit("acme-chat")
    assert [(f.advisory.id, f.record, f.path) for f in report.findings] == [
        ("A-1", "acme-chat@1.1.0", ())
    ]
    assert chain.audit("mt-bench").ok and chain.audit("mt-bench").worst() is None


def test_findings_sorted_by_severity(chain: Registry) -> None:
    chain.add_advisory(advisory("A-1", "mt-bench", severity="low"))
    chain.add_advisory(advisory("A-2", "llama-2", severity="critical"))
    assert [f.severity for f in chain.audit("acme-chat").findings] == ["critical", "low"]


def test_fixed_version_on_the_path_clears(chain: Registry) -> None:
    chain.add_advisory(advisory("UMR-2024-0003", "corpus-x", "<3"))
    chain.publish(
        [
            rec(
                "acme-chat@1.2.0",
                upstream=[("acme-chat@1.1.0", "unlearned_from")],
                title="Acme Chat, unlearned",
            )
        ]
    )
    assert not chain.audit("acme-chat@1.2.0").ok
    fixed = chain.fix_advisory("UMR-2024-0003", "acme-chat", "1.2.0")
    assert fixed.to_dict()["fixed"] == [{"name": "acme-chat", "version": "1.2.0"}]
    report = chain.audit("acme-chat@1.2.0")
    assert report.ok and report.findings == []
    (cleared,) = report.to_dict()["cleared"]
    assert cleared["record"] == "corpus-x@2.0.0"
    assert "acme-chat@1.2.0" in cleared["reason"] and "UMR-2024-0003" in cleared["reason"]
    # Downstream of the fix is cleared too; another path around the fix is not.
    chain.publish([rec("app@1.0.0", upstream=[("acme-chat@1.2.0", "depends_on")])])
    assert chain.audit("app").ok
    chain.publish(
        [
            rec(
                "app2@1.0.0",
                upstream=[("acme-chat@1.2.0", "depends_on"), ("corpus-x@2", "trained_on")],
            )
        ]
    )
    (finding,) = chain.audit("app2").findings
    assert [e.to_dict() for e in finding.path] == [
        {"from": "app2@1.0.0", "relation": "trained_on", "to": "corpus-x@2.0.0"}
    ]
    assert not chain.audit("acme-chat@1.1.0").ok


def test_advisory_store_list_show(chain: Registry) -> None:
    a = chain.add_advisory(
        advisory("A-1", "corpus-x", references=[{"url": "https://example.org/a", "title": "A"}])
    )
    assert (
        chain.add_advisory(
            advisory("A-1", "corpus-x", references=[{"url": "https://example.org/a", "title": "A"}])
        )
        == a
    )
    chain.add_advisory(advisory("A-2", "mt-bench") | {"published": "2024-05-01"})
    assert [x.id for x in chain.advisories()] == ["A-2", "A-1"]
    assert [x.id for x in chain.advisories("corpus-x")] == ["A-1"]
    assert set(chain.advisory("A-1").to_dict()) == {
        "id",
        "summary",
        "details",
        "severity",
        "published",
        "affected",
        "fixed",
        "references",
    }
    with pytest.raises(NotFoundError, match="no advisory 'A-9'"):
        chain.advisory("A-9")
    assert chain.stats()["advisories"] == 2


def test_advisory_file_errors_are_located(tmp_path: Path) -> None:
    path = tmp_path / "adv.yaml"
    path.write_text(
        "id: X-1\nsummary: s\nseverity: severe\naffected:\n  - {name: a, versions: '^^1'}\n"
    )
    with pytest.raises(RecordError) as exc:
        load_advisory(path)
    text = str(exc.value)
    assert (
        f"{path}:3:11 severity: Input should be 'low', 'medium', 'high' or 'critical' "
        "(got 'severe')" in text
    )
    assert len(exc.value.problems) == 2
    assert f"{path}:5:25 affected[0].versions: '^^1' is not a version range" in text


def test_advisory_unknown_field(tmp_path: Path) -> None:
    path = tmp_path / "adv.yaml"
    path.write_text(
        "id: X-1\nsummary: s\nseverity: low\naffected: [{name: a, versions: '*'}]\nretired: yes\n"
    )
    with pytest.raises(RecordError, match=r"adv.yaml:5:10 retired: unknown field 'retired'"):
        load_advisory(path)
    # what the registry sets is never taken from a file
    path.write_text(path.read_text().replace("retired", "withdrawn"))
    with pytest.raises(RecordError, match=r"adv.yaml:5:12 withdrawn: field 'withdrawn' is set by"):
        load_advisory(path)
