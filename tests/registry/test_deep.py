"""Walks are complete at any depth, and what they print or return stays linear in the chain.

A publisher can bury a flagged dataset under a long chain of cheap records; audit, impact and
lineage must still reach it, and a 2,000-deep chain must not cost quadratic output or
recursion in any printer."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from click.testing import CliRunner

from registry._helpers import advisory, rec
from umr.cli import app
from umr.registry import Registry
from umr.registry.printing import MAX_INDENT, render_dot, render_tree

DEPTH = 2000


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def deep(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Registry]:
    """flagged (a dataset) <- m1 <- m2 <- ... <- m2000, each finetuned from the one before;
    published once per backend for the module (the tests only read)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('deep') / 'registry.db'}"
    else:
        url = request.getfixturevalue("pg_server").create_database()
    with Registry(url) as reg:
        reg.publish(
            [rec("flagged@1.0.0", "dataset")]
            + [
                rec(
                    f"m{i}@1.0.0",
                    upstream=[(f"m{i - 1}@1" if i > 1 else "flagged@1", "finetuned_from")],
                )
                for i in range(1, DEPTH + 1)
            ]
        )
        reg.add_advisory(advisory("A-DEEP", "flagged", severity="critical"))
        yield reg


def test_audit_impact_and_lineage_reach_the_bottom(deep: Registry) -> None:
    report = deep.audit(f"m{DEPTH}")
    assert not report.ok and report.fails("critical")
    (finding,) = report.findings
    assert finding.affected == ("flagged@1.0.0",) and len(finding.path) == DEPTH
    assert finding.path[0].src == f"m{DEPTH}@1.0.0" and finding.path[-1].dst == "flagged@1.0.0"
    assert len(deep.impact("flagged")) == DEPTH
    up = deep.lineage(f"m{DEPTH}")
    assert len(up) == DEPTH and up[-1].id == "flagged@1.0.0" and up[-1].depth == DEPTH
    assert len(deep.lineage("flagged", "down")) == DEPTH


def test_answers_and_printers_stay_linear(deep: Registry) -> None:
    from umr._commands.registry import impact_json, lineage_json

    up = deep.lineage(f"m{DEPTH}")
    body = json.dumps(lineage_json(f"m{DEPTH}@1.0.0", "up", up))
    assert len(body) < 300 * DEPTH  # a hit names its parent, not its whole path
    down = deep.impact("flagged")
    assert len(json.dumps(impact_json("flagged", "*", ["1.0.0"], down))) < 300 * DEPTH
    edges = deep.edges_among([f"m{DEPTH}@1.0.0", *(h.id for h in up)])
    tree = render_tree(f"m{DEPTH}@1.0.0", up, edges, "up")  # a loop, not recursion
    lines = tree.splitlines()
    assert len(lines) == DEPTH + 1
    # indentation stops at MAX_INDENT levels; deeper lines say their level: linear output
    assert lines[-1] == "  " * MAX_INDENT + f"[{DEPTH}] -finetuned_from-> flagged@1.0.0 [dataset]"
    assert len(tree) < 120 * DEPTH and lines[MAX_INDENT].startswith("  " * MAX_INDENT + "-")
    assert len(render_dot(f"m{DEPTH}@1.0.0", edges).splitlines()) == DEPTH + 4


def test_cli_audit_fails_on_a_deep_chain(deep: Registry) -> None:
    runner = CliRunner()
    out = runner.invoke(app, ["--registry", deep.url, "audit", f"m{DEPTH}", "--fail-on", "high"])
    assert out.exit_code == 1, out.output
    assert f"m{DEPTH}@1.0.0: 1 critical in 1 route" in out.output
    text = runner.invoke(app, ["--registry", deep.url, "impact", "flagged"]).output
    lines = text.splitlines()
    assert len(lines) == DEPTH + 1
    assert max(len(line) for line in lines) < 1000  # long paths show their two ends
    assert "... 1,988 more steps ..." in lines[-2]
