"""The record commands, run through the real CLI entry point."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from umr.cli import app

VALID = Path(__file__).resolve().parent.parent / "fixtures" / "records" / "valid"
INVALID = VALID.parent / "invalid"


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    shutil.copytree(VALID, tmp_path / "records")
    return tmp_path


def run(ws: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["--workspace", str(ws), *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_validate_ok_and_json(ws: Path) -> None:
    code, out, _ = run(ws, "validate", str(ws / "records"))
    assert code == 0
    assert "9 valid record(s) in 9 file(s), 0 problem(s)" in out
    code, out, _ = run(ws, "validate", str(ws / "records"), "--format", "json")
    assert json.loads(out)["ok"] is True


def test_validate_lists_every_problem_and_exits_1(ws: Path) -> None:
    files = [
        str(INVALID / n) for n in ("bad-kind.yaml", "name-traversal.yaml", "duplicate-key.yaml")
    ]
    code, out, err = run(ws, "validate", *files)
    assert code == 1
    assert "bad-kind.yaml:4:7 kind:" in err
    assert "name-traversal.yaml:2:7 name: name '../../etc/passwd' looks like a path" in err
    assert "duplicate-key.yaml:5:1 name: duplicate key 'name'" in err
    assert "3 problem(s)" in out


def test_show_json_has_identity_at_top(ws: Path) -> None:
    code, out, _ = run(ws, "show", "chat-llm@^1", "--resolved", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert (data["name"], data["version"], data["publisher"]) == (
        "chat-llm",
        "1.0.0",
        "Example Lab",
    )
    code, out, _ = run(ws, "show", str(ws / "records" / "chat-llm.yaml"))
    assert "inherits: base-llm@^1" in out and "publisher" not in out


def test_explain_names_the_supplier(ws: Path) -> None:
    code, out, _ = run(ws, "explain", "chat-llm", "extensions.lab.tokenizer.vocab")
    assert code == 0
    assert out.splitlines() == [
        "extensions.lab.tokenizer.vocab = 32000",
        "from base-llm@1.2.0",
        "chain: chat-llm@1.0.0 -> base-llm@1.2.0",
    ]
    code, out, _ = run(ws, "explain", "chat-llm", "extensions.lab", "--format", "json")
    sources = {s["path"]: s["from"] for s in json.loads(out)["sources"]}
    assert sources == {
        "extensions.lab.context": "chat-llm@1.0.0",
        "extensions.lab.tokenizer.type": "base-llm@1.2.0",
        "extensions.lab.tokenizer.vocab": "base-llm@1.2.0",
    }


def test_unknown_ref_is_a_clear_error(ws: Path) -> None:
    code, _, err = run(ws, "show", "base-llm@^7")
    assert code == 2
    assert "'base-llm@^7' matches no version of 'base-llm'" in err and "(available: 1.2.0)" in err
    assert "hint: widen the range" in err


def test_diff_and_bump(ws: Path) -> None:
    new = ws / "records" / "base-llm-next.yaml"
    text = (ws / "records" / "base-llm.yaml").read_text()
    new.write_text(
        text.replace("version: 1.2.0", "version: 1.2.0-dev").replace(
            "Pretrained for 1T tokens.", "Pretrained for 1.2T tokens."
        )
    )
    code, out, _ = run(ws, "bump", str(new))
    assert "~ description: " in out and "[patch]" in out
    assert "next version 1.2.1 (file says 1.2.0-dev)" in out
    assert code == 1
    code, out, _ = run(ws, "bump", str(new), "--write")
    assert code == 0 and "version: 1.2.1" in new.read_text()
    new.write_text(new.read_text().replace("license: {id: apache-2.0", "license: {id: mit"))
    code, out, _ = run(ws, "diff", "base-llm@1.2.0", str(new), "--format", "json")
    changes = json.loads(out)
    assert changes["level"] == "major"
    assert {
        "path": "license.id",
        "op": "changed",
        "old": "apache-2.0",
        "new": "mit",
        "level": "major",
    } in changes["changes"]


def test_init_creates_a_valid_workspace(tmp_path: Path) -> None:
    code, out, _ = run(tmp_path, "init", str(tmp_path / "new"))
    assert code == 0 and "created" in out
    code, out, _ = run(tmp_path, "validate", str(tmp_path / "new"))
    assert code == 0 and "1 valid record(s)" in out
    code, _, err = run(tmp_path, "init", str(tmp_path / "new"))
    assert code == 2 and "already exists" in err


def test_schema_matches_committed_file() -> None:
    committed = Path(__file__).resolve().parents[2] / "schema" / "umr-1.json"
    out = CliRunner().invoke(app, ["schema"]).stdout
    assert json.loads(out) == json.loads(committed.read_text()), (
        "run: umr schema > schema/umr-1.json"
    )
