"""Docs are tested: every command has an example in --help and a section in docs/guide/,
every record field is documented, and so is every format and unlearning method."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from umr.cli import app
from umr.spec import FIELDS

ROOT = Path(__file__).resolve().parents[1]
GUIDE = "\n".join(  # the prose guide: cli.md, generated from --help, would name everything
    p.read_text(encoding="utf-8")
    for p in sorted((ROOT / "docs" / "guide").glob("*.md"))
    if p.name != "cli.md"
)


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    out: list[tuple[str, ...]] = []
    for name, cmd in sorted(group.commands.items()):
        path = (*prefix, name)
        if isinstance(cmd, click.Group):
            out.extend(_commands(cmd, path))
        else:
            out.append(path)
    return out


COMMANDS = _commands(app)


def test_there_are_commands() -> None:
    assert {("validate",), ("show",), ("explain",)} <= set(COMMANDS)


@pytest.mark.parametrize("path", COMMANDS, ids=" ".join)
def test_every_command_has_an_example_in_help(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(app, [*path, "--help"])
    assert result.exit_code == 0
    assert "Example" in result.stdout, f"'umr {' '.join(path)} --help' has no example"
    assert f"umr {' '.join(path)}" in result.stdout


@pytest.mark.parametrize("path", COMMANDS, ids=" ".join)
def test_every_command_is_in_the_guide(path: tuple[str, ...]) -> None:
    assert f"umr {' '.join(path)}" in GUIDE, f"docs/guide/ does not mention 'umr {' '.join(path)}'"


def test_every_record_field_is_documented() -> None:
    records = (ROOT / "docs" / "guide" / "records.md").read_text(encoding="utf-8")
    missing = [f for f in FIELDS if f"`{f}`" not in records]
    assert missing == []


def test_every_format_is_documented() -> None:
    from umr.formats import available

    missing = [f for f in available() if f"`{f}`" not in GUIDE]
    assert missing == []


def test_every_unlearning_method_is_documented() -> None:
    from umr.unlearn.methods import available_methods

    unlearn = (ROOT / "docs" / "unlearn.md").read_text(encoding="utf-8")
    missing = [m for m in available_methods() if f"`{m}`" not in unlearn]
    assert missing == []


def test_the_guides_own_model_example_runs_in_under_30_lines(tmp_path: Path) -> None:
    from support import need_module

    need_module("torch", "unlearn")
    need_module("sklearn", "unlearn")
    guide = (ROOT / "docs" / "guide" / "unlearn.md").read_text(encoding="utf-8")
    section = guide[guide.index("## Your own model and data") :]
    code = section.split("```python\n", 1)[1].split("```", 1)[0]
    assert len(code.strip().splitlines()) < 30
    script = tmp_path / "example.py"
    script.write_text(code)
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    run = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, env=env, timeout=300
    )
    assert run.returncode == 0, run.stderr[-2000:]
    metrics = ast.literal_eval(run.stdout.splitlines()[0])
    assert metrics["test_acc"] > 0.9  # the unlearned model still works
    assert run.stdout.splitlines()[1].endswith(" s")
