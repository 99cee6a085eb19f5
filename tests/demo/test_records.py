"""The bundled demo registry: every record validates, refs resolve, lineage is well formed."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from umr.demo import advisories_dir, records_dir
from umr.spec import Workspace, load_record
from umr.spec.check import validate_paths

FILES = sorted(records_dir().rglob("*.yaml"))


def test_data_ships_inside_the_package() -> None:
    package = Path(__import__("umr.demo").demo.__file__).parent
    assert records_dir() == package / "records"
    assert advisories_dir() == package / "advisories"


def test_at_least_120_records() -> None:
    assert len(FILES) >= 120


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_record_parses_and_has_a_reference(path: Path) -> None:
    assert isinstance(yaml.safe_load(path.read_text()), dict)
    record = load_record(path)
    assert record.references, f"{path}: add at least one reference"
    stem = record.name if str(record.version) == "1.0.0" else f"{record.name}-{record.version}"
    assert path.stem == stem, f"{path}: file should be named {stem}.yaml"


def test_names_are_unique_per_version() -> None:
    ids = Counter(load_record(p).id for p in FILES)
    assert [i for i, n in ids.items() if n > 1] == []


def test_workspace_validates_with_every_ref_resolved() -> None:
    report = validate_paths([records_dir()])
    assert [str(p) for p in report.problems] == []
    assert len(report.records) == len(FILES)


def test_every_upstream_ref_names_a_demo_record() -> None:
    ws = Workspace(records_dir())
    names = set(ws.index())
    missing = {
        (r.id, e.ref.name) for r in ws.records() for e in r.edges() if e.ref.name not in names
    }
    assert missing == set()


def test_uncertain_edges_say_why() -> None:
    ws = Workspace(records_dir())
    for record in ws.records():
        for edge in record.edges():
            if edge.uncertain:
                assert edge.note, f"{record.id}: uncertain edge to {edge.ref} needs a note"


def test_covers_the_families_the_issue_names() -> None:
    names = set(Workspace(records_dir()).index())
    for required in [
        "llama-2-7b",
        "llama-3-8b",
        "mistral-7b-v0.1",
        "zephyr-7b-beta",
        "bloom",
        "bloomz",
        "mt5-base",
        "mt0-xxl",
        "roots",
        "xp3",
        "p3",
        "mc4",
        "bert-base-uncased",
        "distilbert-base-uncased",
        "clip-vit-large-patch14",
        "openclip-vit-h-14-laion2b",
        "stable-diffusion-v1-5",
        "stable-diffusion-2-1",
        "sdxl-base-1.0",
        "plip",
        "openpath",
        "llava-v1.5-7b",
        "vicuna-7b-v1.5",
        "common-crawl",
        "c4",
        "the-pile",
        "books3",
        "redpajama-data-1t",
        "laion-5b",
        "laion-400m",
        "laion-2b-en",
        "coco-2017",
        "wikipedia",
        "bookcorpus",
        "sharegpt",
    ]:
        assert required in names, required


def test_relations_cover_the_edge_types() -> None:
    used = {e.relation.value for r in Workspace(records_dir()).records() for e in r.edges()}
    assert used >= {
        "finetuned_from",
        "adapter_of",
        "quantized_from",
        "merged_from",
        "distilled_from",
        "member_of",
        "trained_on",
        "derived_from",
        "depends_on",
    }


def test_distilbert_is_distilled_from_bert_and_roberta_is_not_a_bert_derivative() -> None:
    ws = Workspace(records_dir())
    distil = {
        (e.relation.value, e.ref.name) for e in ws.get("distilbert-base-uncased", _v1()).edges()
    }
    assert ("distilled_from", "bert-base-uncased") in distil
    roberta = {e.ref.name for e in ws.get("roberta-base", _v1()).edges()}
    assert "bert-base-uncased" not in roberta


def test_re_laion_is_a_separate_major_version_with_no_edge_to_the_withdrawn_one() -> None:
    ws = Workspace(records_dir())
    from umr.spec import Version

    relaion = ws.get("laion-5b", Version.parse("2.0.0"))
    assert all(e.ref.name != "laion-5b" for e in relaion.edges())
    # Everything trained on the original pins ^1, so it never silently resolves to Re-LAION.
    for record in ws.records():
        for edge in record.edges():
            if edge.ref.name == "laion-5b" and record.name != "laion-2b-en":
                assert str(edge.ref.range).startswith("^1") or record.id.endswith("@2.0.0"), (
                    record.id
                )


def _v1():
    from umr.spec import Version

    return Version.parse("1.0.0")


def _latest() -> dict[str, Any]:
    by_name: dict[str, Any] = {}
    for record in Workspace(records_dir()).records():
        if record.name not in by_name or by_name[record.name].version < record.version:
            by_name[record.name] = record
    return by_name


def test_an_alias_names_one_record() -> None:
    from umr.spec.aliases import record_keys

    owner: dict[str, str] = {}
    for name, record in _latest().items():
        keys = record_keys(
            [str(a) for a in record.aliases or ()], (a.uri for a in record.artifacts or ())
        )
        for key in keys:
            assert owner.setdefault(key, name) == name, f"{key}: {owner[key]} and {name}"
    assert owner["hf:runwayml/stable-diffusion-v1-5"] == "stable-diffusion-v1-5"
    assert owner["hf:stable-diffusion-v1-5/stable-diffusion-v1-5"] == "stable-diffusion-v1-5"
    assert owner["open_clip:ViT-B-32/laion2b_s34b_b79k"] == "openclip-vit-b-32-laion2b"


def test_corrections_are_later_versions_and_the_first_ones_stay() -> None:
    ws = Workspace(records_dir())
    versions = {(r.name, str(r.version)) for r in ws.records()}
    for name, first, later in [
        ("books3", "1.0.0", "1.1.0"),
        ("laion-2b-en", "2.0.0", "2.1.0"),
        ("laion-improved-aesthetics", "1.0.0", "2.0.0"),
        ("sdxl-turbo", "1.0.0", "2.0.0"),
        ("plip", "1.0.0", "1.1.0"),
        ("openpath", "1.0.0", "1.1.0"),
    ]:
        assert {(name, first), (name, later)} <= versions
    latest = _latest()
    assert "July 2023" in (latest["books3"].description or "")
    assert str(latest["plip"].released) == "2023-03"
    assert {str(e.ref) for e in latest["sdxl-turbo"].edges()} >= {
        "openclip-vit-bigg-14-laion2b@^1",
        "clip-vit-large-patch14@^1",
    }
    assert "CC-BY-4.0" in (latest["laion-2b-en"].description or "")
