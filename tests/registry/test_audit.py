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
    assert report.text().splitlines() == [
        "UMR-2024-0003 high: corpus-x is bad",
        "  affected: corpus-x@2.0.0",
        "  1 route:",
        "    acme-chat@1.1.0 -finetuned_from-> llama-2-7b@1.0.0 -trained_on-> corpus-x@2.0.0",
        "  next: no fix for UMR-2024-0003 is published: retrain acme-chat@1.1.0 without the "
        "affected data or unlearn it ('umr unlearn'), publish the result as a new version, and "
        "name it fixed with 'umr advisory fix UMR-2024-0003 acme-chat@NEW'",
        "acme-chat@1.1.0: 1 high in 1 route",
    ]
    data = report.to_dict()
    assert data["record"] == "acme-chat@1.1.0" and data["ok"] is False and data["cleared"] == []
    assert data["summary"] == "1 high in 1 route"
    (finding,) = data["findings"]
    assert set(finding) == {
        "advisory",
        "record",
        "affected",
        "severity",
        "possible",
        "routes",
        "certain_routes",
        "offset",
        "paths",
        "edges",
        "fix",
    }
    assert finding["record"] == "acme-chat@1.1.0"
    assert finding["affected"] == ["corpus-x@2.0.0"]
    assert finding["advisory"]["id"] == "UMR-2024-0003"
    assert [e["to"] for e in finding["paths"][0]] == ["llama-2-7b@1.0.0", "corpus-x@2.0.0"]
    assert finding["fix"]["kind"] == "none"
    assert report.worst() == "high"
    assert report.fails("high") and not report.fails("critical")


def test_record_itself_affected_and_ranges(chain: Registry) -> None:
    chain.add_advisory(advisory("A-1", "acme-chat", "^1", severity="low"))
    chain.add_advisory(advisory("A-2", "corpus-x", ">=3", severity="critical"))
    report = chain.audit("acme-chat")
    assert [(f.advisory.id, f.affected, f.path, f.routes) for f in report.findings] == [
        ("A-1", ("acme-chat@1.1.0",), (), 1)
    ]
    assert "acme-chat@1.1.0 (itself affected)" in report.text()
    assert chain.audit("mt-bench").ok and chain.audit("mt-bench").worst() is None


def test_findings_sorted_by_severity(chain: Registry) -> None:
    chain.add_advisory(advisory("A-1", "mt-bench", severity="low"))
    chain.add_advisory(advisory("A-2", "llama-2", severity="critical"))
    report = chain.audit("acme-chat")
    assert [f.severity for f in report.findings] == ["critical", "low"]
    assert report.summary() == "1 critical, 1 low in 2 routes"


def test_inherits_is_not_a_route(reg: Registry) -> None:
    """A record that only inherits from a base copies its text, not its data: the base's
    advisories reach it only through a typed relation."""
    reg.publish(
        [
            rec("d@1.0.0", "dataset"),
            rec("base@1.0.0", upstream=[("d@1", "trained_on")]),
            rec("copy@1.0.0", inherits="base@1"),
            rec("tuned@1.0.0", inherits="base@1", upstream=[("base@1", "finetuned_from")]),
        ]
    )
    reg.add_advisory(advisory("A-1", "d"))
    assert reg.audit("copy").ok
    assert [f.routes for f in reg.audit("tuned").findings] == [1]
    assert {h.id for h in reg.impact("d")} == {"base@1.0.0", "tuned@1.0.0"}


def test_every_route_is_counted_and_paged_shortest_first(reg: Registry) -> None:
    """Four routes from m to d (two lengths); on a chain of 60 diamonds 2**60 routes are
    counted without being listed, and paging lists them shortest first."""
    reg.publish(
        [
            rec("d@1.0.0", "dataset"),
            rec("x@1.0.0", "dataset", upstream=[("d@1", "derived_from")]),
            rec("y@1.0.0", "dataset", upstream=[("d@1", "derived_from")]),
            rec("p@1.0.0", upstream=[("x@1", "trained_on"), ("y@1", "trained_on")]),
            rec(
                "m@1.0.0",
                upstream=[
                    ("p@1", "finetuned_from"),
                    ("x@1", "trained_on"),
                    ("d@1", "evaluated_on"),
                ],
            ),
        ]
    )
    reg.add_advisory(advisory("A-1", "d"))
    (f,) = reg.audit("m", limit=None).findings
    assert f.routes == 4 and f.certain == 4 and not f.possible
    assert [len(p) for p in f.paths] == [1, 2, 3, 3]
    assert [e.text() for e in f.paths[0]] == ["m@1.0.0 -evaluated_on-> d@1.0.0"]
    assert {tuple(e.dst for e in p) for p in f.paths[2:]} == {
        ("p@1.0.0", "x@1.0.0", "d@1.0.0"),
        ("p@1.0.0", "y@1.0.0", "d@1.0.0"),
    }
    (page,) = reg.audit("m", offset=2, limit=1).findings
    assert page.offset == 2 and page.paths == f.paths[2:3] and page.path == ()
    assert len(f.edges) == 7  # every edge on some route

    from registry.test_lineage import _diamond_chain

    reg.publish(_diamond_chain(60, tag="z"))
    reg.add_advisory(advisory("A-2", "zd0"))
    (deep,) = reg.audit("zd60", limit=3).findings
    assert deep.routes == 2**60
    assert [len(p) for p in deep.paths] == [120, 120, 120]
    assert len({p for p in deep.paths}) == 3
    assert "1 high in 1,152,921,504,606,846,976 routes" in reg.audit("zd60").text()


def test_uncertain_edges_make_a_finding_possible(reg: Registry) -> None:
    reg.publish(
        [
            rec("d@1.0.0", "dataset"),
            rec(
                "m@1.0.0",
                upstream=[
                    {
                        "ref": "d@1",
                        "relation": "trained_on",
                        "uncertain": True,
                        "note": "a blog post says so",
                    }
                ],
            ),
            rec("n@1.0.0", upstream=[("m@1", "finetuned_from"), ("d@1", "evaluated_on")]),
        ]
    )
    reg.add_advisory(advisory("A-1", "d", severity="critical"))
    report = reg.audit("m")
    (f,) = report.findings
    assert f.possible and f.routes == 1 and f.certain == 0
    assert f.notes == ("m@1.0.0 -trained_on-> d@1.0.0: a blog post says so",)
    assert not report.fails("low") and report.fails("low", include_uncertain=True)
    assert report.summary() == "1 possible (through an uncertain edge)"
    assert "-trained_on?-> d@1.0.0" in report.text()
    # another route without the uncertain edge: certain
    (g,) = reg.audit("n").findings
    assert not g.possible and (g.routes, g.certain) == (2, 1)
    assert reg.audit("n").fails("critical")


def test_next_step_names_the_fix(reg: Registry) -> None:
    """An upgrade of the record that the advisory no longer reaches; else a fixed version
    of a record on the routes to rebuild on; else no fix published."""
    reg.publish(
        [
            rec("data@1.0.0", "dataset"),
            rec("data@2.0.0", "dataset", upstream=[("data@1.0.0", "derived_from")]),
            rec("m@1.0.0", upstream=[("data@1.0.0", "trained_on")]),
            rec("app@1.0.0", upstream=[("m@1", "depends_on")]),
        ]
    )
    # data@2.0.0 is derived from the affected version: a fixed entry only with a reason
    fixed = {"name": "data", "version": "2.0.0", "reason": "the matched rows were removed"}
    reg.add_advisory(advisory("A-1", "data", "<2", fixed=[fixed]))
    (f,) = reg.audit("app").findings
    assert f.fix is not None and (f.fix.kind, f.fix.ref) == ("rebuild", "data@2.0.0")
    assert "in place of data@1.0.0 (reached through m@1.0.0)" in f.fix.text
    reg.publish([rec("m@2.0.0", upstream=[("data@2", "trained_on")])])
    (g,) = reg.audit("m@1.0.0").findings
    assert g.fix is not None and (g.fix.kind, g.fix.ref) == ("upgrade", "m@2.0.0")
    assert reg.audit("m@2.0.0").ok and reg.audit("data@2.0.0").ok


def test_audit_before_publish(reg: Registry, tmp_path: Path) -> None:
    """Records not yet published are audited as publishing them together would lock them;
    nothing is written."""
    reg.publish(
        [rec("data@1.0.0", "dataset"), rec("data@2.0.0", "dataset"), rec("clean@1.0.0", "dataset")]
    )
    reg.add_advisory(advisory("A-1", "data", "<2", severity="critical"))
    base = rec("base@1.0.0", upstream=[("data@1", "trained_on")])
    tuned = rec("tuned@1.0.0", upstream=[("base@1", "finetuned_from"), ("clean@1", "trained_on")])
    fine = rec("fine@1.0.0", upstream=[("data@^2", "trained_on")])
    reports = reg.audit_records([base, tuned, fine])
    assert [(r.record, r.summary()) for r in reports] == [
        ("base@1.0.0", "1 critical in 1 route"),
        ("tuned@1.0.0", "1 critical in 1 route"),
        ("fine@1.0.0", "no known advisory reaches it"),
    ]
    assert [e.text() for e in reports[1].findings[0].path] == [
        "tuned@1.0.0 -finetuned_from-> base@1.0.0",
        "base@1.0.0 -trained_on-> data@1.0.0",
    ]
    assert reg.stats()["records"] == 3  # nothing was published
    (tmp_path / "r.yaml").write_text(
        "umr: 1\nname: fine\nversion: 1.0.0\nkind: model\n"
        "upstream: [{ref: 'data@*', relation: trained_on}]\n"
    )
    (report,) = reg.audit_records([tmp_path])
    assert report.ok  # data@* locks to the highest published: 2.0.0, not affected


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
    assert report.ok and report.findings == ()
    (cleared,) = report.to_dict()["cleared"]
    assert cleared["affected"] == ["corpus-x@2.0.0"]
    assert cleared["reason"] == "acme-chat@1.2.0 is named fixed by UMR-2024-0003"
    # Downstream of the fix is cleared too; another route around the fix is not.
    chain.publish([rec("app@1.0.0", upstream=[("acme-chat@1.2.0", "depends_on")])])
    app = chain.audit("app")
    assert app.ok
    assert app.cleared[0].reason == (
        "every route from app@1.0.0 to corpus-x@2.0.0 passes through acme-chat@1.2.0, "
        "which UMR-2024-0003 names fixed"
    )
    chain.publish(
        [
            rec(
                "app2@1.0.0",
                upstream=[("acme-chat@1.2.0", "depends_on"), ("corpus-x@2", "trained_on")],
            )
        ]
    )
    (finding,) = chain.audit("app2").findings
    assert finding.routes == 1
    assert [e.to_dict() for e in finding.path] == [
        {"from": "app2@1.0.0", "relation": "trained_on", "to": "corpus-x@2.0.0"}
    ]
    assert not chain.audit("acme-chat@1.1.0").ok
    # the advisory's impact avoids the fixed version: app is not reached, app2 is
    reached = {h.id for h in chain.impact("corpus-x", avoid=["acme-chat@1.2.0"])}
    assert "app@1.0.0" not in reached and "app2@1.0.0" in reached


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


def test_advisory_fix_refuses_a_version_that_still_reaches_the_data(reg: Registry) -> None:
    """A version retrained on the same data is not a fix; one unlearned from the affected
    model is; a forced fix keeps its reason and shows it with every audit it clears."""
    from umr.errors import ConflictError

    reg.publish(
        [
            rec("bad@1.0.0", "dataset"),
            rec("m@1.0.0", upstream=[("bad@1", "trained_on")]),
            rec("m@1.1.0", upstream=[("m@1.0.0", "finetuned_from"), ("bad@1", "trained_on")]),
            rec("m@2.0.0", upstream=[("m@1.0.0", "unlearned_from")]),
            rec("m@3.0.0", upstream=[("bad@1", "trained_on")]),
        ]
    )
    reg.add_advisory(advisory("A-1", "bad"))
    with pytest.raises(ConflictError) as exc:
        reg.fix_advisory("A-1", "m", "1.1.0")
    assert str(exc.value.message) == (
        "m@1.1.0 is not a fix for A-1: it still reaches the affected data by "
        "m@1.1.0 -trained_on-> bad@1.0.0, through no unlearned_from edge"
    )
    assert "--force --reason" in (exc.value.hint or "")
    with pytest.raises(ConflictError, match="itself: its version is affected"):
        reg.fix_advisory("A-1", "bad", "1.0.0")
    assert reg.advisory("A-1").fixed == ()  # nothing was recorded
    reg.fix_advisory("A-1", "m", "2.0.0")  # the unlearned version passes
    assert reg.audit("m@2.0.0").ok
    reg.fix_advisory("A-1", "m", "3.0.0", forced="the bad rows were filtered before training")
    (cleared,) = reg.audit("m@3.0.0").cleared
    assert cleared.reason == (
        "m@3.0.0 is named fixed by A-1 (forced: the bad rows were filtered before training)"
    )
    assert reg.advisory("A-1").to_dict()["fixed"][-1] == {
        "name": "m",
        "version": "3.0.0",
        "reason": "the bad rows were filtered before training",
    }


def test_reaching_marks_lists_as_the_audits_do(reg: Registry) -> None:
    """The one-walk marks for lists agree with each record's audit: certain findings,
    possible ones (an uncertain edge), and records cleared by a fixed version."""
    from registry.test_lineage import _random_dag

    records = _random_dag(4, n=40)
    records.append(
        rec(
            "u@1.0.0",
            upstream=[{"ref": "d1@1", "relation": "trained_on", "uncertain": True}],
        )
    )
    reg.publish(records)
    reg.add_advisory(advisory("A-1", "d0", "1.x", severity="critical"))
    reg.add_advisory(advisory("A-2", "d1", severity="low"))
    reached = next(
        r.id
        for r in records
        if r.kind == "model" and "A-1" in {f.advisory.id for f in reg.audit(r.id).findings}
    )
    reg.publish([rec("m40@1.0.0", upstream=[(reached, "unlearned_from")])])
    reg.fix_advisory("A-1", "m40", "1.0.0")
    refs = [r.id for r in records] + ["m40@1.0.0"]
    marks = reg.reaching(refs)
    assert set(marks) == set(refs)
    for ref in refs:
        report = reg.audit(ref)
        want = [(f.advisory.id, f.severity, f.possible) for f in report.findings]
        got = [(b.advisory.id, b.severity, b.possible) for b in marks[ref]]
        assert sorted(got) == sorted(want), ref
    assert [(b.advisory.id, b.possible) for b in marks["u@1.0.0"]] == [("A-2", True)]
    assert all(b.advisory.id != "A-1" for b in marks["m40@1.0.0"])  # cleared by its fix
