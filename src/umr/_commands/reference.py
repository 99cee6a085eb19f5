"""The CLI reference page, docs/guide/cli.md, written from the commands themselves.

``umr cli-reference`` prints it; a test fails when the page in the tree differs, so the page
never drifts from the code (sqlite-utils keeps its CLI reference the same way).
"""

from __future__ import annotations

from pathlib import Path

import click

from umr._commands._common import OUTPUT_FILE

WIDTH = 100  # help text wrapped at this width, whatever the terminal

HEADER = """# CLI reference

Every `umr` command with its `--help`, written by `umr cli-reference -o docs/guide/cli.md`
from the commands themselves (a test fails when this page is stale). Conventions:

- a command that prints a result takes `--format json` (beside its other formats);
- a list is given by repeating its option (`--seed 0 --seed 1`);
- a published version is named `NAME@VERSION`, a range `NAME@RANGE`;
- a listing is a command (`umr formats`, `umr unlearn methods`).
"""


def _walk(
    command: click.Command, path: list[str], parent: click.Context | None
) -> list[tuple[list[str], str]]:
    ctx = command.make_context(
        path[-1],
        [],
        parent=parent,
        terminal_width=WIDTH,
        max_content_width=WIDTH,
        resilient_parsing=True,  # no argument is needed, no callback runs
    )
    out = [(path, command.get_help(ctx))]
    if isinstance(command, click.Group):
        for name in sorted(command.list_commands(ctx)):
            sub = command.get_command(ctx, name)
            if sub is not None and not sub.hidden:
                out.extend(_walk(sub, [*path, name], ctx))
    return out


def reference(app: click.Command) -> str:
    """The page: one section per command, in the order of the tree, each with its help."""
    parts = [HEADER]
    for path, text in _walk(app, ["umr"], None):
        parts.append(f"## {' '.join(path)}\n\n```\n{text.rstrip()}\n```\n")
    return "\n".join(parts)


@click.command("cli-reference", hidden=True)
@OUTPUT_FILE
@click.pass_context
def cli_reference(ctx: click.Context, output: Path | None) -> None:
    """Print the CLI reference page (docs/guide/cli.md) from the commands themselves.

    \b
    Example:
      umr cli-reference -o docs/guide/cli.md
    """
    text = reference(ctx.find_root().command)
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        click.echo(f"wrote {output}")


def register(app: click.Group) -> None:
    """Add the hidden reference command to the root app."""
    app.add_command(cli_reference)
