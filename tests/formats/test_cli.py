"""``umr render`` and ``umr import`` through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner, Result

from formats._lineage import RECORDS
from umr.cli import app


def run(*args: str) -> Result:
    return CliRunner().invoke(app, ["-w", str(RECORDS), *args], catch_exceptions=False)


def test_formats_names_every_format() -> None:
    from umr.formats import available

    result = run("formats")
    assert result.exit_code == 0
    listed = [line.split()[0] for line in result.stdout.splitlines()]
    assert listed == available()
    data = json.loads(run("formats", "--format", "json").stdout)
    assert [f["name"] for f in data] == available()
    assert set(data[0]) == {"name", "media_type", "suffix", "description"}
    old = run("render", "--list")  # the older spelling: the same list, and a note
    assert old.exit_code == 0 and old.stdout == result.stdout
    assert "'umr render --list' is deprecated" in old.stderr and "'umr formats'" in old.stderr


def test_render_ref_to_stdout_and_to_file(tmp_path: Path) -> None:
    result = run("render", "chat-7b@^1", "--format", "json")
    assert result.exit_code == 0 and result.stdout.startswith('{"artifacts"')
    out = tmp_path / "chat.html"
    result = run("render", str(RECORDS / "chat-7b.yaml"), "-f", "html", "-o", str(out))
    assert result.exit_code == 0 and "wrote" in result.stdout
    assert out.read_text().startswith("<!DOCTYPE html>")


def test_unknown_format_says_how_to_list() -> None:
    result = CliRunner().invoke(app, ["-w", str(RECORDS), "render", "chat-7b", "-f", "docx"])
    assert result.exit_code == 2
    assert "no output format 'docx'; available: json, yaml" in result.stderr
    assert "hint: run 'umr formats'" in result.stderr


def test_cli_module_imports_no_heavy_modules() -> None:
    import subprocess
    import sys

    code = (
        "import sys, umr.cli; bad = [m for m in ('jinja2', 'yaml', 'typst', 'networkx') "
        "if m in sys.modules]; print(bad)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
