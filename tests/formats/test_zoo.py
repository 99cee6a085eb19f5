"""Model zoo importers: timm and open_clip read from their installed files match what the
packages report about themselves, tags become lineage (or are reported), and the demo with
both zoos reaches the LAION advisory through their weights."""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from support import need
from umr.cli import app
from umr.formats.importers import ImportResult, read
from umr.formats.importers._zoo import read_tag, training_edges
from umr.formats.importers.open_clip import read_pairs
from umr.formats.importers.timm import package_dir, read_weights
from umr.formats.importers.zoo import zoo_batch
from umr.spec import parse_record
from umr.spec.names import check_new_name, name_key

HERE = Path(__file__).parent


def _need_zoos() -> None:
    for module, wheel in (("timm", "timm"), ("open_clip", "open_clip_torch")):
        need(
            importlib.util.find_spec(module) is not None,
            f"{module} is not installed (pip install --no-deps {wheel}; 'make venv' does)",
        )


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The registries as the imported packages list them (tests/formats/_live_zoo.py)."""
    _need_zoos()
    out = tmp_path_factory.mktemp("live") / "zoo.json"
    subprocess.run([sys.executable, str(HERE / "_live_zoo.py"), str(out)], check=True)
    return dict(json.loads(out.read_text()))


@pytest.fixture(scope="module")
def timm_records() -> ImportResult:
    _need_zoos()
    return read("timm", None)


@pytest.fixture(scope="module")
def open_clip_records() -> ImportResult:
    _need_zoos()
    return read("open-clip", None)


def test_timm_read_from_files_matches_timm_list_pretrained(live: dict[str, Any]) -> None:
    weights = {w.key: w for w in read_weights(package_dir(None, "timm"), ImportResult())}
    assert list(weights) and sorted(weights) == sorted(live["timm"])
    for key, want in live["timm"].items():
        w = weights[key]
        got = {
            "hf_hub_id": w.hub_id,
            "license": w.cfg.get("license"),
            "paper_ids": w.cfg.get("paper_ids"),
            "origin_url": w.cfg.get("origin_url"),
            "url": w.cfg.get("url") or None,
            "default": w.default,
        }
        assert got == want, key


def test_open_clip_read_from_files_matches_open_clip_list_pretrained(live: dict[str, Any]) -> None:
    pairs = read_pairs(package_dir(None, "open_clip"))
    got = {
        f"{m}/{t}": {k: cfg.get(k) or None for k in ("hf_hub", "url")}
        for (m, t), cfg in pairs.items()
    }
    assert got == live["open_clip"]


@pytest.mark.parametrize(
    ("tag", "edges", "unread"),
    [
        (
            "laion2b_ft_in12k_in1k",
            [
                ("laion-2b-en@^1", "pretraining (tag part 'laion2b')"),
                ("imagenet-12k@^1", "fine-tuning (tag part 'in12k')"),
                ("imagenet-1k@^1", "fine-tuning (tag part 'in1k')"),
            ],
            (),
        ),
        (
            "in22k_ft_in22k_in1k",  # a dataset at two stages: one edge naming both
            [
                (
                    "imagenet-21k@^1",
                    "pretraining (tag part 'in22k'); fine-tuning (tag part 'in22k')",
                ),
                ("imagenet-1k@^1", "fine-tuning (tag part 'in1k')"),
            ],
            (),
        ),
        ("laion2b_s34b_b79k", [("laion-2b-en@^1", "pretraining (tag part 'laion2b')")], ()),
        (
            "commonpool_m_clip_s128m_b4k",
            [("commonpool@^1", "pretraining (tag part 'commonpool_m_clip')")],
            (),
        ),
        (
            "fb_swsl_ig1b_ft_in1k",
            [
                ("ig-1b-targeted@^1", "pretraining (tag part 'swsl_ig1b')"),
                ("imagenet-1k@^1", "fine-tuning (tag part 'in1k')"),
            ],
            (),
        ),
        (
            "mscoco_finetuned_laion2b_s13b_b90k",  # the split of COCO is not named: unread
            [("laion-2b-en@^1", "pretraining (tag part 'laion2b')")],
            ("mscoco",),
        ),
        ("sw_in12k", [("imagenet-12k@^1", "pretraining (tag part 'in12k')")], ("sw",)),
        (
            "fb_wsl_ig1b_ft_in1k",
            [("imagenet-1k@^1", "fine-tuning (tag part 'in1k')")],
            ("wsl", "ig1b"),
        ),
        ("metaclip_altogether", [], ("metaclip", "altogether")),
    ],
)
def test_tags_name_their_data_or_are_reported(
    tag: str, edges: list[tuple[str, str]], unread: tuple[str, ...]
) -> None:
    reading = read_tag(tag)
    assert [(e["ref"], e["note"]) for e in training_edges(reading)] == edges
    assert reading.unread == unread


def test_every_imported_record_validates_and_names_never_fold_together(
    timm_records: ImportResult, open_clip_records: ImportResult
) -> None:
    records = timm_records.records + [
        r
        for r in open_clip_records.records
        if r["name"] not in {x["name"] for x in timm_records.records}
    ]
    for data in records:
        parse_record(data, source=data["name"])
    folded: dict[str, str] = {}
    for data in records:  # the registry's name rules: no look-alikes, no served suffixes
        assert check_new_name(data["name"]) is None, data["name"]
        assert folded.setdefault(name_key(data["name"]), data["name"]) == data["name"]
    names = {r["name"] for r in records}
    assert "timm-vit_base_patch16_clip_224.laion2b_ft_in12k_in1k" in names  # tag recognisable
    assert "open-clip-vit-b-32.laion2b_s34b_b79k" in names
    assert {"imagenet-1k", "imagenet-12k", "imagenet-21k", "datacomp-1b", "commonpool"} <= names


def test_timm_records_carry_hub_ids_defaults_and_former_names(timm_records: ImportResult) -> None:
    by_name = {r["name"]: r for r in timm_records.records}
    vit = by_name["timm-vit_base_patch16_clip_224.laion2b_ft_in12k_in1k"]
    assert vit["aliases"][:1] == ["timm:vit_base_patch16_clip_224.laion2b_ft_in12k_in1k"]
    assert "hf:timm/vit_base_patch16_clip_224.laion2b_ft_in12k_in1k" in vit["aliases"]
    assert vit["upstream"][0] == {"ref": "timm-vit_base_patch16_clip_224", "relation": "member_of"}
    assert by_name["timm-vit_base_patch16_clip_224"]["kind"] == "family"
    defaults = [r for r in timm_records.records if "timm:resnet50" in r.get("aliases", ())]
    assert len(defaults) == 1  # create_model("resnet50", pretrained=True) names one tag
    former = [a for r in timm_records.records for a in r.get("aliases", ()) if a.count(".") == 0]
    assert len(former) > len({r["name"] for r in timm_records.records if r["kind"] == "family"})
    assert any("is not interpreted" in line for line in timm_records.lost)


def test_zoos_together_import_each_set_of_weights_once() -> None:
    _need_zoos()
    batch = zoo_batch(
        ["timm", "open-clip"], {"hf:laion/clip-vit-b-32-laion2b-s34b-b79k": "demo-b32"}
    )
    by_alias = {a: r["name"] for r in batch.records for a in r.get("aliases", ())}
    # open_clip's ViT-B-32/openai loads timm's repo: one record answers to both names
    assert by_alias["open_clip:ViT-B-32/openai"] == "timm-vit_base_patch32_clip_224.openai"
    assert (
        by_alias["open_clip:ViT-B-32-quickgelu/openai"] == "timm-vit_base_patch32_clip_224.openai"
    )
    # a pair the registry already holds is not imported again, and says so
    assert "open_clip:ViT-B-32/laion2b_s34b_b79k" not in by_alias
    assert any("the same weights as demo-b32" in line for line in batch.lost)
    names = [r["name"] for r in batch.records]
    assert len(names) == len(set(names))


def test_demo_with_both_zoos_reaches_laion_through_their_weights(zoo_registry: str) -> None:
    impact = CliRunner().invoke(app, ["--registry", zoo_registry, "impact", "laion-5b"]).output
    assert (
        "timm-vit_base_patch16_clip_224.laion2b_ft_in12k_in1k@1.0.0 -trained_on-> "
        "laion-2b-en@1.1.0 -derived_from-> laion-5b@1.0.0"
    ) in impact
    assert "open-clip-vit-h-14.laion2b_s32b_b79k@1.0.0" not in impact  # the demo holds it
    assert "open-clip-convnext_base_w.laion2b_s13b_b82k@1.0.0 -trained_on-> laion-2b-en" in impact
    assert "timm-resnet50.a1_in1k" not in impact
    again = CliRunner().invoke(
        app, ["--registry", zoo_registry, "demo", "load", "--with", "timm", "--with", "open-clip"]
    )
    assert again.exit_code == 0, again.output
    assert re.search(
        r"timm, open-clip: 0 record\(s\) published, \d{4} unchanged, \d{4} edges, "
        r"\d+ tag part\(s\) not interpreted",
        again.output,
    )


def test_import_cli_writes_the_zoo_and_reports(tmp_path: Path) -> None:
    _need_zoos()
    result = CliRunner().invoke(app, ["import", "open-clip", "-w", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "tag part 'dfndr2b' is not interpreted" in result.output
    assert "records name datasets that are not in this import: laion-2b-en" in result.output
    assert (tmp_path / "open-clip-vit-b-32.laion2b_s34b_b79k-1.0.0.yaml").is_file()
    missing = CliRunner().invoke(app, ["import", "timm", str(tmp_path), "-w", str(tmp_path / "x")])
    assert missing.exit_code == 2 and "has no models/ folder: not a timm package" in missing.stderr
