"""Shared pieces of the command modules: the record source in force, formatting helpers."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from umr.cli import Options
    from umr.spec import RecordSource


def record_source(opts: Options) -> RecordSource:
    """Where refs resolve for CLI commands: the workspace folder."""
    from umr.spec import Workspace

    return Workspace(opts.workspace)


def format_option(*choices: str, default: str = "text") -> Any:
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(choices),
        default=default,
        show_default=True,
        help="Output format.",
    )
