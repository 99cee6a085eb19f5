"""The CLI documents itself: docs/guide/cli.md is what the commands say, and every option
says what it does; the conventions of the CLI hold for every command."""

from __future__ import annotations

from pathlib import Path

import click
from click.testing import CliRunner

from umr._commands.reference import reference
from umr.cli import app

PAGE = Path(__file__).resolve().parents[1] / "docs" / "guide" / "cli.md"


def _commands(
    group: click.Group, prefix: tuple[str, ...] = ()
) -> list[tuple[tuple[str, ...], click.Command]]:
    out: list[tuple[tuple[str, ...], click.Command]] = []
    for name, cmd in sorted(group.commands.items()):
        if isinstance(cmd, click.Group):
            out.extend(_commands(cmd, (*prefix, name)))
        else:
            out.append(((*prefix, name), cmd))
    return out


COMMANDS = _commands(app)


def test_cli_reference_page_is_current() -> None:
    assert PAGE.read_text(encoding="utf-8") == reference(app), (
        "docs/guide/cli.md is stale: run 'umr cli-reference -o docs/guide/cli.md'"
    )


def test_cli_reference_command_prints_the_page(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["cli-reference", "-o", str(tmp_path / "cli.md")])
    assert result.exit_code == 0, result.output
    text = (tmp_path / "cli.md").read_text(encoding="utf-8")
    assert text == reference(app)
    assert "## umr unlearn remediate" in text and "## umr formats" in text
    assert "## umr cli-reference" not in text  # hidden


def test_every_option_has_help() -> None:
    missing = [
        f"umr {' '.join(path)} {param.opts[0]}"
        for path, cmd in COMMANDS
        for param in cmd.params
        if isinstance(param, click.Option) and not (param.help or "").strip()
    ]
    assert missing == []


def test_every_command_that_prints_a_result_has_format_json() -> None:
    # serve prints where it listens and then serves; schema prints a JSON Schema; site's
    # --format names the download formats it writes; render's formats are the renderers.
    exempt = {("serve",), ("schema",), ("site",), ("render",), ("cli-reference",)}
    lacking = []
    for path, cmd in COMMANDS:
        if path in exempt:
            continue
        fmt = next((p for p in cmd.params if p.name == "fmt"), None)
        if fmt is None or "json" not in getattr(fmt.type, "choices", ()):
            lacking.append(" ".join(path))
    assert lacking == []


def test_no_command_lists_with_a_flag() -> None:
    visible = [
        f"umr {' '.join(path)} {opt}"
        for path, cmd in COMMANDS
        for param in cmd.params
        if isinstance(param, click.Option) and not param.hidden
        for opt in param.opts
        if opt == "--list"
    ]
    assert visible == []
