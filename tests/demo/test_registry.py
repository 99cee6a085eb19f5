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


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'registry.db'}"
    result = CliRunner().invoke(app, ["--registry", url, "demo", "load"])
    assert result.exit_code == 0, result.output
    assert "226 record(s) published" in result.stdout
    again = CliRunner().invoke(app, ["--registry", url, "demo", "load"])
    assert "0 record(s) published, 226 unchanged" in again.stdout  # idempotent
    return url


def cli(url: str, *args: str) -> tuple[int, str]:
    # An empty workspace, so that only the registry answers (not record files in the cwd).
    empty = url.removeprefix("sqlite:///").rsplit("/", 1)[0]
    result = CliRunner().invoke(app, ["--workspace", empty, "--registry", url, *args])
    return result.exit_code, result.stdout


@pytest.mark.parametrize("name", sorted(LAION_IMAGE_MODELS))
def test_audit_reports_the_december_2023_advisory_with_its_path(registry: str, name: str) -> None:
    code, out = cli(registry, "audit", name, "--format", "json")
    assert code == 1  # a critical finding fails the default --fail-on
    report = json.loads(out)
    laion = [f for f in report["findings"] if f["advisory"]["id"] == "UMR-2023-0001"]
    assert laion, f"{name}: UMR-2023-0001 not reported"
    path = laion[0]["path"]
    assert path[0]["from"] == report["record"]
    assert path[-1]["to"] in ("laion-5b@1.0.0", "laion-400m@1.0.0")
    assert all(a["to"] == b["from"] for a, b in itertools.pairwise(path))


def test_audit_text_shows_the_chain(registry: str) -> None:
    code, out = cli(registry, "audit", "stable-diffusion-v1-5")
    assert code == 1
    assert (
        "stable-diffusion-v1-5@1.1.0 -trained_on-> laion-aesthetics-v2-5plus@1.0.0 "
        "-derived_from-> laion-2b-en@1.0.0 -derived_from-> laion-5b@1.0.0 "
        "[UMR-2023-0001 critical]"
    ) in out


def test_impact_lists_exactly_the_expected_models(registry: str) -> None:
    models: set[str] = set()
    for target in ("laion-5b@<2.0.0", "laion-400m"):
        code, out = cli(registry, "impact", target, "--format", "json")
        assert code == 0
        models |= {h["name"] for h in json.loads(out)["results"] if h["kind"] == "model"}
    assert models == LAION_IMAGE_MODELS


def test_re_laion_is_clean_and_a_text_model_is_not_flagged(registry: str) -> None:
    assert cli(registry, "audit", "laion-5b@2.0.0")[0] == 0
    _code, out = cli(registry, "audit", "bert-base-uncased", "--format", "json")
    assert "UMR-2023-0001" not in out


def test_validate_the_whole_demo_set(tmp_path: Path) -> None:
    from umr.demo import records_dir

    result = CliRunner().invoke(app, ["--workspace", str(tmp_path), "validate", str(records_dir())])
    assert result.exit_code == 0, result.stderr
    assert "226 valid record(s) in 226 file(s), 0 problem(s)" in result.stdout


def test_worked_example_is_flagged_then_fixed(registry: str) -> None:
    """The remediation worked example ships in the demo: 1.0.0 fails, its unlearned 2.0.0
    passes because the advisory names it as fixed, and the shipped weights match the records."""
    import hashlib

    from umr.demo import records_dir

    code, out = cli(registry, "audit", "mnist1d-cnn@1.0.0")
    assert code == 1 and "[UMR-2026-0001 high]" in out
    code, out = cli(registry, "audit", "mnist1d-cnn@2.0.0")
    assert code == 0 and "cleared: every path from mnist1d-cnn@2.0.0" in out
    artifacts = records_dir().parent / "artifacts"
    for version in ("1.0.0", "2.0.0"):
        record = json.loads(cli(registry, "show", f"mnist1d-cnn@{version}", "--format", "json")[1])
        weights = (artifacts / f"mnist1d-cnn-{version}.safetensors").read_bytes()
        assert record["artifacts"][0]["sha256"] == hashlib.sha256(weights).hexdigest()
    new = json.loads(cli(registry, "show", "mnist1d-cnn@2.0.0", "--format", "json")[1])
    forget = (artifacts / "mnist1d-labels-forget.json").read_bytes()
    assert new["extensions"]["unlearning"]["forget"]["sha256"] == hashlib.sha256(forget).hexdigest()
