"""Shared pieces of the command modules: the record source in force, formatting helpers."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from umr.cli import Options
    from umr.spec import RecordSource


def record_source(opts: Options) -> RecordSource:
    """Where refs resolve for CLI commands: the workspace folder, then the registry (if its
    database exists: a PostgreSQL URL, or a SQLite file that is already there)."""
    from umr.cli import registry_url
    from umr.registry.db import sqlite_path
    from umr.spec import Workspace

    workspace = Workspace(opts.workspace)
    url = registry_url(opts)
    path = sqlite_path(url)
    if (path is not None and not path.exists()) or (path is None and url.startswith("sqlite")):
        # a SQLite registry that is not there yet (or in memory): reading must not create it
        return workspace
    from umr.registry import ChainSource, Registry

    registry = Registry(url)
    ctx = click.get_current_context(silent=True)
    if ctx is not None:
        ctx.call_on_close(registry.close)
    return ChainSource(workspace, registry)


_F = TypeVar("_F", bound=Callable[..., Any])


def format_option(*choices: str, default: str = "text") -> Callable[[_F], _F]:
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(choices),
        default=default,
        show_default=True,
        help="Output format.",
    )
