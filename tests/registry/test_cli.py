"""The registry commands through click's CliRunner: output, JSON shapes and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from umr.cli import app
from umr.demo import advisories_dir
from umr.spec.source import iter_yaml_files


@pytest.fixture
def ws(tmp_path: Path, url: str) -> tuple[Path, str]:
    records = tmp_path / "records"
    records.mkdir()
    (records / "corpus.yaml").write_text(
        "umr: 1\nname: corpus-x\nversion: 2.0.0\nkind: dataset\ntitle: Corpus X\n"
    )
    (records / "llama.yaml").write_text(
        "umr: 1\nname: llama-2-7b\nversion: 1.0.0\nkind: model\npublisher: Meta\n"
        "upstream: [{ref: corpus-x@^2, relation: trained_on}]\n"
    )
    (records / "acme.yaml").write_text(
        "umr: 1\nname: acme-chat\nversion: 1.1.0\nkind: model\ninherits: llama-2-7b@^1\n"
        "upstream: [{ref: llama-2-7b@^1, relation: finetuned_from}]\n"
    )
    (tmp_path / "adv.yaml").write_text(
        "id: UMR-2024-0003\nsummary: Corpus X holds personal data\nseverity: high\n"
        "published: 2024-05-01\naffected: [{name: corpus-x, versions: '<3'}]\n"
    )
    return tmp_path, url


def umr(ws: tuple[Path, str], *args: str) -> tuple[int, str, str]:
    root, url = ws
    result = CliRunner().invoke(app, ["--workspace", str(root), "--registry", url, *args])
    return result.exit_code, result.stdout, result.stderr


def test_publish_audit_exit_codes(ws: tuple[Path, str]) -> None:
    root = ws[0]
    code, out, _ = umr(ws, "publish", str(root / "records"))
    assert code == 0 and out.splitlines()[-1] == "3 published, 0 unchanged"
    assert umr(ws, "publish", str(root / "records"), "--format", "json")[1].count("unchanged") == 1
    assert umr(ws, "audit", "acme-chat")[0] == 0
    assert umr(ws, "advisory", "add", str(root / "adv.yaml"))[0] == 0
    code, out, _ = umr(ws, "audit", "acme-chat")
    assert code == 1
    assert out.splitlines()[:4] == [
        "UMR-2024-0003 high: Corpus X holds personal data",
        "  affected: corpus-x@2.0.0",
        "  1 route:",
        "    acme-chat@1.1.0 -finetuned_from-> llama-2-7b@1.0.0 -trained_on-> corpus-x@2.0.0",
    ]
    assert umr(ws, "audit", "acme-chat", "--fail-on", "high")[0] == 1
    assert umr(ws, "audit", "acme-chat", "--fail-on", "critical")[0] == 0
    code, out, _ = umr(ws, "audit", "acme-chat", "--format", "json", "--fail-on", "critical")
    assert json.loads(out)["findings"][0]["affected"] == ["corpus-x@2.0.0"]
    code, _, err = umr(ws, "audit", "nope")
    assert code == 2 and "no record named 'nope'" in err


def test_immutability_and_yank(ws: tuple[Path, str]) -> None:
    root = ws[0]
    umr(ws, "publish", str(root / "records"))
    (root / "records" / "corpus.yaml").write_text(
        "umr: 1\nname: corpus-x\nversion: 2.0.0\nkind: dataset\ntitle: Other\n"
    )
    code, _, err = umr(ws, "publish", str(root / "records"))
    assert code == 2 and "already published with different content" in err and "umr bump" in err
    code, out, _ = umr(ws, "yank", "corpus-x@2.0.0", "--reason", "pulled")
    assert code == 0 and out.strip() == "yanked corpus-x@2.0.0: pulled"


def test_lineage_impact_search_advisories(ws: tuple[Path, str]) -> None:
    root = ws[0]
    umr(ws, "publish", str(root / "records"))
    umr(ws, "advisory", "add", str(root / "adv.yaml"))
    _, out, _ = umr(
        ws, "lineage", "acme-chat", "--relation", "finetuned_from", "--relation", "trained_on"
    )
    assert out.splitlines()[1] == "  -finetuned_from-> llama-2-7b@1.0.0 [model]"
    _, out, _ = umr(ws, "lineage", "corpus-x", "--down", "--format", "json")
    data = json.loads(out)
    assert [(r["name"], r["version"]) for r in data["hits"]] == [
        ("llama-2-7b", "1.0.0"),
        ("acme-chat", "1.1.0"),
    ]
    assert "digraph" in umr(ws, "lineage", "acme-chat", "--format", "dot")[1]
    _code, out, _ = umr(ws, "impact", "corpus-x@<3")
    assert "acme-chat@1.1.0 -finetuned_from-> llama-2-7b@1.0.0 -trained_on-> corpus-x@2.0.0" in out
    assert (
        json.loads(umr(ws, "impact", "corpus-x", "--format", "json")[1])["hits"][0]["name"]
        == "llama-2-7b"
    )
    assert umr(ws, "search", "corpus")[1].startswith("corpus-x@2.0.0 [dataset]")
    assert json.loads(umr(ws, "search", "meta", "--format", "json")[1])[0]["publisher"] == "Meta"
    assert umr(ws, "advisory", "list", "--name", "corpus-x")[1].startswith("UMR-2024-0003 [high]")
    assert (
        json.loads(umr(ws, "advisory", "show", "UMR-2024-0003", "--format", "json")[1])["severity"]
        == "high"
    )


def test_show_falls_back_to_the_registry(ws: tuple[Path, str], tmp_path: Path) -> None:
    umr(ws, "publish", str(ws[0] / "records"))
    empty = tmp_path / "elsewhere"
    empty.mkdir()
    result = CliRunner().invoke(
        app,
        [
            "--workspace",
            str(empty),
            "--registry",
            ws[1],
            "show",
            "acme-chat",
            "--resolved",
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["publisher"] == "Meta"


def test_demo_load_is_idempotent(url: str, tmp_path: Path) -> None:
    run = CliRunner().invoke
    first = run(app, ["--workspace", str(tmp_path), "demo", "load", "--registry", url])
    assert first.exit_code == 0, first.stderr
    shipped = len(list(iter_yaml_files(advisories_dir())))  # the demo grows; count what ships
    assert f"0 unchanged, {shipped} advisories" in first.stdout
    again = run(app, ["--workspace", str(tmp_path), "demo", "load", "--registry", url])
    assert again.stdout.startswith("0 record(s) published")
    code = run(
        app, ["--registry", url, "audit", "stable-diffusion-v1-5", "--fail-on", "critical"]
    ).exit_code
    assert code == 1
