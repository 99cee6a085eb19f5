"""Shared pieces of the command modules: the record source in force, formatting helpers."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from umr.cli import Options
    from umr.spec import RecordSource, Workspace


MAX_WARNINGS = 10  # skipped workspace files listed one by one; the rest are counted


def record_source(opts: Options) -> RecordSource:
    """Where refs resolve for CLI commands: the workspace folder, if there is one (see
    :func:`umr.cli.workspace_folder`), then the registry (if its database exists: a PostgreSQL
    URL, or a SQLite file that is already there). Workspace files that do not load are
    skipped, each with a warning on stderr, and change nothing else."""
    from umr.cli import registry_url, workspace_folder
    from umr.registry.db import sqlite_path
    from umr.spec import Workspace
    from umr.spec.source import MemorySource

    sources: list[RecordSource] = []
    ctx = click.get_current_context(silent=True)
    folder = workspace_folder(opts)
    if folder is not None:
        workspace = Workspace(folder)
        sources.append(workspace)
        if ctx is not None:
            ctx.call_on_close(lambda: _warn_skipped(workspace))
    url = registry_url(opts)
    path = sqlite_path(url)
    # a SQLite registry that is not there yet (or in memory): reading must not create it
    if not (
        (path is not None and not path.exists()) or (path is None and url.startswith("sqlite"))
    ):
        from umr.registry import Registry

        registry = Registry(url)
        if ctx is not None:
            ctx.call_on_close(registry.close)
        sources.append(registry)
    if not sources:
        return MemorySource(
            label="any workspace or registry (the current folder has no .umr/ and no registry "
            "was named: pass --workspace DIR or --registry URL)"
        )
    if len(sources) == 1:
        return sources[0]
    from umr.registry import ChainSource

    return ChainSource(*sources)


def _warn_skipped(workspace: Workspace) -> None:
    """One line per workspace file that did not load (only if the workspace was read)."""
    skipped = workspace.skipped
    for problem in skipped[:MAX_WARNINGS]:
        click.echo(f"warning: skipped {problem}", err=True)
    if len(skipped) > MAX_WARNINGS:
        click.echo(
            f"warning: {len(skipped) - MAX_WARNINGS} more workspace file(s) skipped; run "
            f"'umr validate {workspace.root}' to list them",
            err=True,
        )


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
