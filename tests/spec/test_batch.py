"""One validation path: ``umr validate`` and ``umr publish`` give one verdict on every fixture
folder and case in tests/, and the depth rule of ``inherits`` counts whole chains."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from umr.cli import app
from umr.errors import RecordError
from umr.spec import Resolver, Workspace, load_record
from umr.spec.batch import strongly_connected
from umr.spec.check import validate_paths

TESTS = Path(__file__).resolve().parent.parent
INVALID = TESTS / "fixtures" / "records" / "invalid"
DEEP = INVALID / "inherits-too-deep"


def _fixture_inputs() -> list[Path]:
    """Every folder under tests/ that holds YAML, and every case of the invalid fixtures."""
    folders = {p.parent for p in TESTS.rglob("*.y*ml")}
    cases = [p for p in INVALID.iterdir() if p.suffix != ".expected"]
    return sorted(folders | set(cases))


INPUTS = _fixture_inputs()


def test_the_fixture_inputs_are_found() -> None:
    assert len(INPUTS) >= 60
    assert TESTS / "web" / "fixtures" / "records" in INPUTS and DEEP in INPUTS


@pytest.mark.parametrize("target", INPUTS, ids=lambda p: str(p.relative_to(TESTS)))
def test_validate_and_publish_agree(tmp_path: Path, target: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    registry = f"sqlite:///{tmp_path / 'registry.db'}"
    base = ["--workspace", str(empty), "--registry", registry]
    runner = CliRunner()
    validated = runner.invoke(app, [*base, "validate", str(target)])
    published = runner.invoke(app, [*base, "publish", str(target)])
    assert validated.exception is None or isinstance(validated.exception, SystemExit)
    assert published.exception is None or isinstance(published.exception, SystemExit)
    verdicts = (validated.exit_code == 0, published.exit_code == 0)
    assert verdicts[0] == verdicts[1], (validated.output, published.output)
    assert "Traceback" not in validated.output + published.output


def test_the_depth_rule_does_not_depend_on_the_batch() -> None:
    # deep-65 is 65 'inherits' steps below deep-00: refused alone, in the folder, and after
    # its bases were resolved (and cached) by the same resolver; deep-64 (64 steps) passes
    ws = Workspace(DEEP)
    alone = validate_paths([DEEP / "deep-65.yaml"], source=ws)
    folder = validate_paths([DEEP])
    assert [p.message for p in alone.problems] == [p.message for p in folder.problems]
    assert len(folder.problems) == 1 and "more than 64 'inherits' steps" in str(folder.problems[0])
    assert validate_paths([DEEP / "deep-64.yaml"], source=ws).ok
    resolver = Resolver(ws)
    assert len(resolver.resolve(load_record(DEEP / "deep-64.yaml")).chain) == 65
    with pytest.raises(RecordError, match=r"deep-65@1\.0\.0 is more than 64 'inherits' steps"):
        resolver.resolve(load_record(DEEP / "deep-65.yaml"))


def test_every_record_in_a_knot_is_reported(tmp_path: Path) -> None:
    # a -> x -> a is the cycle shown; m is on another (x -> m -> a) and is reported too
    edges = {"a": ["x"], "x": ["a", "m"], "m": ["a"], "free": ["a"]}
    for name, targets in edges.items():
        upstream = "".join(f"  - {{ref: {t}@1, relation: depends_on}}\n" for t in targets)
        (tmp_path / f"{name}.yaml").write_text(
            f"umr: 1\nname: {name}\nversion: 1.0.0\nkind: model\nupstream:\n{upstream}"
        )
    report = validate_paths([tmp_path])
    by_file = {Path(p.source or "").stem: p.message for p in report.problems}
    assert set(by_file) == {"a", "x", "m"}
    assert by_file["x"] == "lineage cycle: x@1.0.0 -> a@1.0.0 -> x@1.0.0"
    assert by_file["m"] == (
        "lineage cycle: a@1.0.0 leads back to m@1.0.0 through the cycle "
        "a@1.0.0 -> x@1.0.0 -> a@1.0.0"
    )
    assert [r.id for r in report.records] == ["free@1.0.0"]


def test_strongly_connected_components() -> None:
    graph = {"a": {"b": 0}, "b": {"c": 0}, "c": {"a": 0, "d": 0}, "d": {}, "e": {"e": 0}}
    parts = sorted(sorted(c) for c in strongly_connected(graph))
    assert parts == [["a", "b", "c"], ["d"], ["e"]]
    chain = {str(i): {str(i + 1): 0} for i in range(100_000)}  # no recursion limit to hit
    assert len(strongly_connected(chain)) == 100_000


NAME_CASES = [
    ["acme_model", "acme-model", "thing.json", "widget-"],
    ["zeta.model", "zeta_model", "ok-name"],
    ["b1oom", "bloom", "notes.md", "fine"],
    ["rnnist", "mnist", "data.yaml."],
    ["plain", "other-plain"],
]


@pytest.mark.parametrize("names", NAME_CASES, ids=lambda n: "+".join(n))
def test_validate_and_publish_agree_on_names(tmp_path: Path, names: list[str]) -> None:
    """The one name check: the names publishing refuses (look-alikes within the folder,
    served suffixes, trailing punctuation) are the ones validate reports."""
    folder = tmp_path / "recs"
    folder.mkdir()
    for i, name in enumerate(names):
        (folder / f"r{i}.yaml").write_text(
            f"umr: 1\nname: {name}\nversion: 1.0.0\nkind: model\ntitle: T\n"
        )
    base = ["--workspace", str(tmp_path), "--registry", f"sqlite:///{tmp_path / 'r.db'}"]
    validated = CliRunner().invoke(app, [*base, "validate", str(folder)])
    published = CliRunner().invoke(app, [*base, "publish", str(folder)])
    assert (validated.exit_code == 0) == (published.exit_code == 0)
    said = {n for n in names if f"name {n!r}" in validated.stderr}
    refused = {n for n in names if f"name {n!r}" in published.stderr}
    assert said == refused, (validated.output, published.output)
    assert validate_paths([folder]).ok == (not said)


def test_validate_checks_new_names_against_the_registry(tmp_path: Path) -> None:
    registry = f"sqlite:///{tmp_path / 'r.db'}"
    base = ["--workspace", str(tmp_path), "--registry", registry]
    (tmp_path / "a.yaml").write_text("umr: 1\nname: acme-model\nversion: 1.0.0\nkind: model\n")
    assert CliRunner().invoke(app, [*base, "publish", str(tmp_path / "a.yaml")]).exit_code == 0
    (tmp_path / "b.yaml").write_text("umr: 1\nname: acme_model\nversion: 1.0.0\nkind: model\n")
    (tmp_path / "c.yaml").write_text("umr: 1\nname: acme-model\nversion: 2.0.0\nkind: model\n")
    out = CliRunner().invoke(app, [*base, "validate", str(tmp_path / "b.yaml")])
    assert out.exit_code == 1 and "reads like 'acme-model', which is registered" in out.stderr
    # a registered name is not new: its next version passes
    assert CliRunner().invoke(app, [*base, "validate", str(tmp_path / "c.yaml")]).exit_code == 0
