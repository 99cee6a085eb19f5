"""``umr scan`` on a project made of real public snippets, against the demo registry with the
timm and open_clip weights: the LAION-trained models are flagged with their routes to
LAION-5B, and the SARIF and CycloneDX reports validate against their official schemas."""

from __future__ import annotations

import copy
import functools
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from support import need_module
from umr.cli import app

FIXTURES = Path(__file__).parent / "fixtures"
PROJECT = FIXTURES / "project"


def _scan(registry: str, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["--registry", registry, "scan", str(PROJECT), *args])
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, result.stdout


@pytest.fixture(scope="module")
def report(zoo_registry: str) -> dict[str, Any]:
    code, out = _scan(zoo_registry, "--format", "json")
    assert code == 1  # critical findings fail the default --fail-on low
    return dict(json.loads(out))


def test_laion_trained_models_are_flagged_with_routes_to_laion_5b(report: dict[str, Any]) -> None:
    laion = {f["record"]: f for f in report["findings"] if f["advisory"]["id"] == "UMR-2023-0001"}
    assert sorted(laion) == [
        "laion-2b-en@1.1.0",  # load_dataset("laion/laion2B-en"): the original, not Re-LAION
        "openclip-vit-b-32-laion2b@1.1.0",  # open_clip ViT-B-32 / laion2b_s34b_b79k
        "openclip-vit-h-14-laion2b@1.1.0",  # the notebook's open_clip call
        "plip@1.1.0",  # the notebook's CLIPModel.from_pretrained("vinid/plip")
        "stable-diffusion-v1-4@1.0.0",  # the training config's base model
        "stable-diffusion-v1-5@1.1.0",  # its former repo name runwayml/stable-diffusion-v1-5
        "timm-vit_base_patch16_clip_224.laion2b_ft_in12k_in1k@1.0.0",  # the timm import
    ]
    dataset = laion.pop("laion-2b-en@1.1.0")  # used directly: the fix is Re-LAION's subset
    assert dataset["fix"]["kind"] == "upgrade" and dataset["fix"]["ref"] == "laion-2b-en@2.2.0"
    assert dataset["fix_aliases"] == ["hf:datasets/laion/relaion2B-en-research"]
    for finding in laion.values():
        (route,) = finding["paths"]  # the shortest, as 'umr audit' lists it
        assert route[-1]["to"] == "laion-5b@1.0.0" and route[0]["from"] == finding["record"]
        assert finding["locations"] and finding["fix"]["ref"] == "laion-5b@2.0.0"
        assert finding["fix"]["kind"] == "rebuild" and finding["fix_aliases"] == []
    assert laion["stable-diffusion-v1-5@1.1.0"]["routes"] == 4
    # PLIP reaches LAION-5B only through OpenPath's uncertain edge: a possible finding
    assert [f for f, v in laion.items() if v["possible"]] == ["plip@1.1.0"]
    (edge,) = [e for e in laion["plip@1.1.0"]["edges"] if e.get("uncertain")]
    assert edge["from"] == "openpath@1.1.0" and "LAION" in edge["note"]
    where = {
        f: [(Path(x["path"]).name, x["line"]) for x in v["locations"]] for f, v in laion.items()
    }
    assert where["stable-diffusion-v1-5@1.1.0"] == [("generate.py", 16)]
    assert where["timm-vit_base_patch16_clip_224.laion2b_ft_in12k_in1k@1.0.0"] == [
        ("generate.py", 21)
    ]
    assert where["openclip-vit-h-14-laion2b@1.1.0"] == [("tagging.ipynb", 27)]


def test_unknown_and_unresolved_references_are_listed(report: dict[str, Any]) -> None:
    unknown = sorted(r["text"] for r in report["not_in_registry"])
    assert unknown == [
        "all-MiniLM-L6-v2",
        "facebookresearch/dinov2/dinov2_vitb14",
        "lambdalabs/naruto-blip-captions",
    ]
    (dynamic,) = report["unresolved"]
    assert dynamic["expression"] == "os.environ['SD_CHECKPOINT']"
    assert (Path(dynamic["location"]["path"]).name, dynamic["location"]["line"]) == (
        "generate.py",
        35,
    )
    used = {u["text"]: u["records"] for u in report["uses"]}
    assert used["timm:resnet50.a1_in1k"] == ["timm-resnet50.a1_in1k@1.0.0"]  # [tool.umr]
    assert used["distilbert-base-uncased-finetuned-sst-2-english"] == [
        "distilbert-base-uncased-finetuned-sst-2-english@1.1.0"
    ]


def test_text_groups_by_finding_and_exit_status_follows_fail_on(zoo_registry: str) -> None:
    code, text = _scan(zoo_registry)
    assert code == 1
    assert (
        "UMR-2023-0001 critical: LAION-5B withdrawn after child sexual abuse material was found"
        in text
    )
    assert (
        "  stable-diffusion-v1-5@1.1.0: 4 routes; the shortest:\n"
        "    stable-diffusion-v1-5@1.1.0 -trained_on-> laion-aesthetics-v2-5plus@1.0.0 "
        "-derived_from-> laion-2b-en@1.1.0 -derived_from-> laion-5b@1.0.0\n"
        f"    used at {PROJECT / 'src/app/generate.py'}:16\n"
        "    next: rebuild stable-diffusion-v1-5 on laion-5b@2.0.0, which UMR-2023-0001 names "
        "fixed"
    ) in text
    assert (
        "  plip@1.1.0 (possible: through an uncertain edge): 1 route:\n"
        "    plip@1.1.0 -trained_on-> openpath@1.1.0 -derived_from?-> laion-5b@1.0.0\n"
        "    uncertain: openpath@1.1.0 -derived_from-> laion-5b@1.0.0: pathology image-text "
    ) in text
    assert "8 finding(s): 6 critical, 1 medium in 14 routes; 1 possible" in text
    assert f"unresolved reference at {PROJECT / 'src/app/generate.py'}:35" in text
    assert (
        "    next: upgrade to laion-2b-en@2.2.0, which UMR-2023-0001 does not reach; in code it "
        "is hf:datasets/laion/relaion2B-en-research\n"
    ) in text
    assert "not in the registry (3):" in text
    assert _scan(zoo_registry, "--fail-on", "none")[0] == 0
    assert _scan(zoo_registry, "--fail-on", "critical")[0] == 1


@functools.cache
def _sarif_validator() -> Any:
    need_module("jsonschema", "dev")
    import jsonschema

    schema = json.loads((FIXTURES / "sarif-schema-2.1.0.json").read_text())
    return jsonschema.Draft4Validator(schema)


def _sarif_errors(data: dict[str, Any]) -> list[str]:
    return [e.message for e in _sarif_validator().iter_errors(data)]


def test_sarif_validates_and_points_at_the_line(zoo_registry: str, tmp_path: Path) -> None:
    out = tmp_path / "umr.sarif"
    code, text = _scan(zoo_registry, "--format", "sarif", "-o", str(out))
    assert code == 1 and text.startswith(f"wrote {out} (")
    data = json.loads(out.read_text())
    assert _sarif_errors(data) == []
    run = data["runs"][0]
    results = {
        (
            r["ruleId"],
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            r["locations"][0]["physicalLocation"]["region"]["startLine"],
            r["level"],
        )
        for r in run["results"]
    }
    assert ("UMR-2023-0001", "src/app/generate.py", 16, "error") in results
    assert ("UMR-2023-0001", "notebooks/tagging.ipynb", 27, "error") in results
    assert ("UMR-2023-0001", "notebooks/tagging.ipynb", 39, "note") in results  # plip: possible
    assert ("umr/unresolved-reference", "src/app/generate.py", 35, "note") in results
    assert ("umr/not-in-registry", "src/app/embed.py", 5, "note") in results
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    assert rules["UMR-2023-0001"]["properties"]["security-severity"] == "9.5"
    assert run["originalUriBaseIds"]["SRCROOT"]["uri"].endswith("/project/")


def test_the_sarif_schema_rejects_a_broken_report(zoo_registry: str) -> None:
    data = json.loads(_scan(zoo_registry, "--format", "sarif")[1])
    for breaking in (
        lambda d: d.update(version="2.0.0"),
        lambda d: d["runs"][0]["results"][0].update(level="fatal"),
        lambda d: d["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"].update(
            startLine=0
        ),
    ):
        broken = copy.deepcopy(data)
        breaking(broken)
        assert _sarif_errors(broken) != []


def test_cyclonedx_with_vulnerabilities_validates(zoo_registry: str) -> None:
    need_module("cyclonedx", "dev")
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator

    validator = JsonStrictValidator(SchemaVersion.V1_6)
    text = _scan(zoo_registry, "--format", "cyclonedx")[1]
    assert validator.validate_str(text) is None
    bom = json.loads(text)
    refs = {c["bom-ref"] for c in bom["components"]}
    (laion,) = [v for v in bom["vulnerabilities"] if v["id"] == "UMR-2023-0001"]
    assert {a["ref"] for a in laion["affects"]} <= refs
    assert "umr:stable-diffusion-v1-5@1.1.0" in {a["ref"] for a in laion["affects"]}
    assert laion["ratings"][0]["severity"] == "critical"
    locations = json.loads(
        next(p["value"] for p in laion["properties"] if p["name"] == "umr:locations")
    )
    assert any(loc.endswith("generate.py:16") for loc in locations)
    assert (
        "stable-diffusion-v1-5@1.1.0: rebuild stable-diffusion-v1-5 on laion-5b@2.0.0"
        in (laion["recommendation"])
    )
    assert "analysis" not in laion  # certain for most records, so not in triage
    broken = copy.deepcopy(bom)
    broken["vulnerabilities"][0]["ratings"][0]["severity"] = "catastrophic"
    assert validator.validate_str(json.dumps(broken)) is not None


def test_possible_findings_count_for_fail_on_only_with_include_uncertain(
    zoo_registry: str, tmp_path: Path
) -> None:
    """PLIP reaches LAION-5B only through OpenPath's uncertain edge, Llama 2 reaches Books3
    only through its pretraining data's edge alleged in Kadrey v. Meta: both are possible."""
    project = tmp_path / "probe"
    project.mkdir()
    (project / "probe.py").write_text(
        "from transformers import AutoModelForCausalLM, CLIPModel\n\n"
        "clip = CLIPModel.from_pretrained('vinid/plip')\n"
        "llm = AutoModelForCausalLM.from_pretrained('meta-llama/Llama-2-7b-hf')\n"
    )
    args = ["--registry", zoo_registry, "scan", str(project)]
    plain = CliRunner().invoke(app, args)
    assert plain.exit_code == 0, plain.output
    assert "plip@1.1.0 (possible: through an uncertain edge)" in plain.stdout
    assert (
        "  llama-2-7b@2.0.0 (possible: through an uncertain edge): 1 route:\n"
        "    llama-2-7b@2.0.0 -trained_on?-> llama-2-pretraining-data@2.0.0 "
        "-derived_from?-> books3@1.1.0\n"
    ) in plain.stdout
    assert "Kadrey v. Meta Platforms" in plain.stdout
    assert "2 finding(s): 2 possible (through an uncertain edge)" in plain.stdout
    assert "possible findings count for --fail-on with --include-uncertain" in plain.stdout
    assert CliRunner().invoke(app, [*args, "--include-uncertain"]).exit_code == 1
    assert (
        CliRunner().invoke(app, [*args, "--include-uncertain", "--fail-on", "critical"]).exit_code
        == 1
    )
    bom = json.loads(CliRunner().invoke(app, [*args, "--format", "cyclonedx"]).stdout)
    vulns = {v["id"]: v for v in bom["vulnerabilities"]}
    assert {v["analysis"]["state"] for v in vulns.values()} == {"in_triage"}
    assert (
        "openpath@1.1.0 -derived_from-> laion-5b@1.0.0"
        in vulns["UMR-2023-0001"]["analysis"]["detail"]
    )
    assert "Kadrey v. Meta" in vulns["UMR-2023-0002"]["analysis"]["detail"]
    sarif = json.loads(CliRunner().invoke(app, [*args, "--format", "sarif"]).stdout)
    assert {r["level"] for r in sarif["runs"][0]["results"]} == {"note"}
    assert _sarif_errors(sarif) == []


def test_an_identifier_resolves_to_the_versions_that_carry_it(tmp_path: Path) -> None:
    """Aliases belong to record versions: the highest release carrying the id wins, yanked
    versions never, a prerelease only when no release carries it."""
    from umr.registry import Registry
    from umr.scan import scan
    from umr.spec import Record

    def rec(version: str, *aliases: str) -> Record:
        out: dict[str, Any] = {"umr": 1, "name": "corpus", "version": version, "kind": "dataset"}
        return Record.from_dict(out | ({"aliases": list(aliases)} if aliases else {}))

    url = f"sqlite:///{tmp_path / 'r.db'}"
    with Registry(url) as reg:
        reg.publish(
            [
                rec("1.0.0", "hf:datasets/org/corpus"),
                rec("1.1.0", "hf:datasets/org/corpus"),
                rec("2.0.0", "hf:datasets/org/corpus-clean"),
                rec("3.0.0-rc.1", "hf:datasets/org/corpus-next"),
                rec("3.0.0"),  # the latest release carries no alias at all
            ]
        )
        reg.yank("corpus@1.1.0", "withdrawn")
        (tmp_path / "load.py").write_text(
            "from datasets import load_dataset\n\n"
            "a = load_dataset('org/corpus')\n"
            "b = load_dataset('ORG/Corpus-Clean')\n"  # the Hub matches ids in any case
            "c = load_dataset('org/corpus-next')\n"
        )
        report = scan([tmp_path / "load.py"], reg)
    assert [u.records for u in report.uses] == [
        ("corpus@1.0.0",),
        ("corpus@2.0.0",),
        ("corpus@3.0.0-rc.1",),
    ]


def test_scanning_against_an_empty_registry_says_what_to_load(tmp_path: Path) -> None:
    from umr.registry import Registry

    url = f"sqlite:///{tmp_path / 'empty.db'}"
    missing = CliRunner().invoke(app, ["--registry", url, "scan", str(PROJECT)])
    assert missing.exit_code == 2 and "no registry at" in missing.stderr
    assert "umr demo load" in missing.stderr
    Registry(url).close()  # created, with no record in it
    result = CliRunner().invoke(app, ["--registry", url, "scan", str(PROJECT)])
    assert result.exit_code == 2
    assert "the registry holds no records" in result.stderr
    assert "umr demo load" in result.stderr
