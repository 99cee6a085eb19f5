"""The demo registry published for real: `umr audit` and `umr impact` name the LAION models.

The expected list is the hand-written ``LAION_IMAGE_MODELS``; these tests run the CLI against a
SQLite registry loaded with `umr demo load`, so they check publish, locking, audit and impact
together on real data.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from demo.test_advisories import LAION_IMAGE_MODELS
from umr.cli import app
from umr.registry import Registry


def cli(url: str, *args: str) -> tuple[int, str]:
    # An empty workspace, so that only the registry answers (not record files in the cwd).
    empty = url.removeprefix("sqlite:///").rsplit("/", 1)[0]
    result = CliRunner().invoke(app, ["--workspace", empty, "--registry", url, *args])
    return result.exit_code, result.stdout


@pytest.mark.parametrize("name", sorted(LAION_IMAGE_MODELS))
def test_audit_reports_the_december_2023_advisory_with_its_path(registry: str, name: str) -> None:
    code, out = cli(registry, "audit", name, "--format", "json", "--include-uncertain")
    assert code == 1  # a critical finding fails the default --fail-on
    report = json.loads(out)
    laion = [f for f in report["findings"] if f["advisory"]["id"] == "UMR-2023-0001"]
    assert laion, f"{name}: UMR-2023-0001 not reported"
    path = laion[0]["paths"][0]
    assert path[0]["from"] == report["record"]
    assert path[-1]["to"] in ("laion-5b@1.0.0", "laion-400m@1.1.0")
    assert all(a["to"] == b["from"] for a, b in itertools.pairwise(path))


def test_audit_of_sd_v1_5_counts_four_routes_and_names_the_fix(registry: str) -> None:
    """LAION-5B reaches SD v1-5 by four routes: through laion-aesthetics-v2-5plus; through v1-2
    and laion-improved-aesthetics; through v1-2, v1-1 and laion-2b-en; through v1-2, v1-1 and
    laion-high-resolution. The advisory names the cleaned laion-5b@2.0.0 fixed."""
    code, out = cli(registry, "audit", "stable-diffusion-v1-5", "--all-paths", "--format", "json")
    assert code == 1
    (finding,) = json.loads(out)["findings"]
    assert finding["advisory"]["id"] == "UMR-2023-0001" and finding["routes"] == 4
    assert finding["fix"] == {
        "kind": "rebuild",
        "ref": "laion-5b@2.0.0",
        "text": finding["fix"]["text"],
    }
    through = {tuple(step["to"] for step in p[:-1]) for p in finding["paths"]}
    assert through == {
        ("laion-aesthetics-v2-5plus@1.0.0", "laion-2b-en@1.1.0"),
        ("stable-diffusion-v1-2@1.0.0", "laion-improved-aesthetics@1.0.0", "laion-2b-en@1.1.0"),
        ("stable-diffusion-v1-2@1.0.0", "stable-diffusion-v1-1@1.0.0", "laion-2b-en@1.1.0"),
        (
            "stable-diffusion-v1-2@1.0.0",
            "stable-diffusion-v1-1@1.0.0",
            "laion-high-resolution@1.1.0",
        ),
    }
    code, text = cli(registry, "audit", "stable-diffusion-v1-5")
    assert "4 routes; the shortest:" in text and "fixed in: laion-5b@2.0.0" in text
    assert "stable-diffusion-v1-5@1.1.0: 1 critical in 4 routes" in text


def test_sd_v1_5_page_graph_has_every_locked_edge(demo: Registry) -> None:
    """All 25 locked edges among SD v1-5 (its latest version, 1.1.0) and its upstream records
    (23 typed, 2 inherits), and the 3 edges of the records that derive from it."""
    from umr.web import views

    graph = views.context(demo, "stable-diffusion-v1-5", "1.1.0").graph()
    upstream = {n for n, node in graph.nodes.items() if node.role != "downstream"}
    among = [e for e in graph.edges if e.src in upstream and e.dst in upstream]
    assert len(among) == 25 and sum(e.relation == "inherits" for e in among) == 2
    assert len(graph.edges) == 28
    drawn = {(e.src, e.dst) for e in graph.edges}
    for missing_before in (  # (derived, source): left out by a shortest-path tree
        ("laion-improved-aesthetics@1.0.0", "laion-2b-en@1.1.0"),
        ("laion-high-resolution@1.1.0", "laion-5b@1.0.0"),
        ("stable-diffusion-v1-1@1.0.0", "laion-2b-en@1.1.0"),
    ):
        assert missing_before in drawn


def test_advisory_page_reads_record_first_and_matches_impact(demo: Registry, registry: str) -> None:
    from umr.web import views

    page = views.advisory(demo, "UMR-2023-0001", limit=1000)
    sd = next(h for h in page["reached"] if h["id"] == "stable-diffusion-v1-5@1.0.0")
    assert sd["path"][0]["from"] == "stable-diffusion-v1-5@1.0.0"
    assert sd["path"][-1]["to"] == "laion-5b@1.0.0"
    code, out = cli(registry, "impact", "laion-5b@<2.0.0", "--format", "json")
    assert code == 0
    impact = {h["id"]: h for h in json.loads(out)["hits"]}
    for hit in page["reached"]:
        if hit["id"] in impact:  # the same walk: the same parent and relation
            assert (hit["via"], hit["relation"]) == (
                impact[hit["id"]]["via"],
                impact[hit["id"]]["relation"],
            )
    _, text = cli(registry, "impact", "laion-5b@<2.0.0")
    assert f"{sd['path'][0]['from']} -{sd['path'][0]['relation']}-> {sd['path'][0]['to']}" in text


def test_the_fixed_mnist1d_cnn_is_shown_as_fixed_not_reached(demo: Registry) -> None:
    from umr.web import views

    page = views.advisory(demo, "UMR-2026-0001")
    assert "mnist1d-cnn@2.0.0" not in {h["id"] for h in page["reached"]}
    assert "mnist1d-cnn@1.0.0" in {h["id"] for h in page["reached"]}
    assert {"id": "mnist1d-cnn@2.0.0", "url": "/records/mnist1d-cnn/2.0.0", "named": True} in page[
        "fixed"
    ]


def test_impact_lists_exactly_the_expected_models(registry: str) -> None:
    models: set[str] = set()
    for target in ("laion-5b@<2.0.0", "laion-400m"):
        code, out = cli(registry, "impact", target, "--format", "json")
        assert code == 0
        models |= {h["name"] for h in json.loads(out)["hits"] if h["kind"] == "model"}
    assert models == LAION_IMAGE_MODELS


def test_llama_2_audit_shows_books3_as_possible_and_fails_only_when_asked(registry: str) -> None:
    code, out = cli(registry, "audit", "llama-2-7b")
    assert code == 0
    assert "UMR-2023-0002 high (possible): Books3 taken down over copyright" in out
    assert (
        "    llama-2-7b@2.0.0 -trained_on?-> llama-2-pretraining-data@2.0.0 "
        "-derived_from?-> books3@1.1.0\n"
    ) in out
    assert (
        "  uncertain: llama-2-pretraining-data@2.0.0 -derived_from-> books3@1.1.0: alleged " in out
    )
    assert "llama-2-7b@2.0.0: 1 possible (through an uncertain edge)" in out
    assert cli(registry, "audit", "llama-2-7b", "--include-uncertain")[0] == 1
    assert cli(registry, "audit", "llama-2-7b@1.0.0", "--include-uncertain")[0] == 0


def test_re_laion_is_clean_and_a_text_model_is_not_flagged(registry: str) -> None:
    assert cli(registry, "audit", "laion-5b@2.0.0")[0] == 0
    _code, out = cli(registry, "audit", "bert-base-uncased", "--format", "json")
    assert "UMR-2023-0001" not in out


def test_validate_the_whole_demo_set(tmp_path: Path) -> None:
    from umr.demo import records_dir

    result = CliRunner().invoke(app, ["--workspace", str(tmp_path), "validate", str(records_dir())])
    assert result.exit_code == 0, result.stderr
    assert "265 valid record(s) in 265 file(s), 0 problem(s)" in result.stdout


def test_worked_example_is_flagged_then_fixed(registry: str) -> None:
    """The remediation worked example ships in the demo: 1.0.0 fails, its unlearned 2.0.0
    (earlier DEL) and 3.0.0 (the fixed DEL) pass because the advisory names them fixed, the
    audit points to the newest, and the shipped weights match the records."""
    import hashlib

    from umr.demo import records_dir

    code, out = cli(registry, "audit", "mnist1d-cnn@1.0.0")
    assert code == 1 and "UMR-2026-0001 high" in out
    assert "next: upgrade to mnist1d-cnn@3.0.0, which UMR-2026-0001 does not reach" in out
    # the versions listing and the record page name the same newest fix as the audit
    code, out = cli(registry, "versions", "mnist1d-cnn", "--format", "json")
    states = {s["version"]: s for s in json.loads(out)["versions"]}
    assert states["1.0.0"]["superseded_by"] == "mnist1d-cnn@3.0.0"
    assert states["2.0.0"]["superseded_by"] is None
    for fixed in ("2.0.0", "3.0.0"):
        code, out = cli(registry, "audit", f"mnist1d-cnn@{fixed}")
        assert code == 0 and f"cleared: mnist1d-cnn@{fixed} is named fixed by UMR-2026-0001" in out
    artifacts = records_dir().parent / "artifacts"
    for version in ("1.0.0", "2.0.0", "3.0.0"):
        record = json.loads(cli(registry, "show", f"mnist1d-cnn@{version}", "--format", "json")[1])
        weights = (artifacts / f"mnist1d-cnn-{version}.safetensors").read_bytes()
        assert record["artifacts"][0]["sha256"] == hashlib.sha256(weights).hexdigest()
    forget = (artifacts / "mnist1d-labels-forget.json").read_bytes()
    for version in ("2.0.0", "3.0.0"):
        new = json.loads(cli(registry, "show", f"mnist1d-cnn@{version}", "--format", "json")[1])
        done = new["extensions"]["unlearning"]
        assert done["forget"]["sha256"] == hashlib.sha256(forget).hexdigest()
    # 3.0.0: the fixed DEL reset 30% of the parameters to a new initialization, and says which
    assert done["fraction_changed"] == pytest.approx(0.3, abs=0.01)
    assert done["method_info"]["reset_seed"] != 0 and done["hyperparameters"]["schedule"] == "epoch"
    assert abs(done["after"]["forget_acc"] - done["oracle"]["forget_acc"]) < 0.02
    # and it carries the oracle-free evidence, which the spec layer validated on load
    ev = done["evidence"]
    assert ev["oracle_run"] is True and ev["forget_vs_heldout"]["forget_size"] == 720
    assert ev["compute"]["examples"] >= ev["retrain_budget"]["examples"]  # the full budget


def test_every_demo_advisory_round_trips_through_osv(demo: Registry, tmp_path: Path) -> None:
    from umr.demo import records_dir

    entries = demo.export_osv()
    assert len(entries) == len(demo.advisories())
    path = tmp_path / "all.json"
    path.write_text(json.dumps(entries))
    with Registry(f"sqlite:///{tmp_path / 'copy.db'}") as copy:
        copy.publish([records_dir()])  # the records, no advisory: they come from the file
        back = {a.id: a.content().to_dict() for a in copy.import_osv(path)}
        assert copy.audit("stable-diffusion-v1-5").findings[0].routes == 4
    assert back == {a.id: a.content().to_dict() for a in demo.advisories()}
