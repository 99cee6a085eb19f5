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
    from umr.spec.source import MemorySource

    sources: list[RecordSource] = []
    workspace = _workspace_or_none(opts)
    if workspace is not None:
        sources.append(workspace)
    registry = _registry_or_none(opts)  # reading must not create one
    if registry is not None:
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


def _workspace_or_none(opts: Options) -> Workspace | None:
    """The workspace in force (see :func:`umr.cli.workspace_folder`), warning about the files
    it skipped when the command ends, or None when there is none."""
    from umr.cli import workspace_folder
    from umr.spec import Workspace

    folder = workspace_folder(opts)
    if folder is None:
        return None
    workspace = Workspace(folder)
    ctx = click.get_current_context(silent=True)
    if ctx is not None:
        ctx.call_on_close(lambda: _warn_skipped(workspace))
    return workspace


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


def _registry_or_none(opts: Options) -> Any:
    """The registry in force if its database exists (closed with the command), else None."""
    from umr.cli import registry_url
    from umr.registry.db import sqlite_path

    url = registry_url(opts)
    path = sqlite_path(url)
    if (path is not None and not path.exists()) or (path is None and url.startswith("sqlite")):
        return None
    from umr.registry import Registry

    registry = Registry(url)
    ctx = click.get_current_context(silent=True)
    if ctx is not None:
        ctx.call_on_close(registry.close)
    return registry


def read_ref(
    opts: Options, text: str, choice: str = "auto", *, quiet: bool = False
) -> tuple[Any, Any, str]:
    """The record ``text`` names (a file path, or NAME@RANGE resolved in the workspace, the
    registry, or the workspace then the registry with ``auto``), the source its own refs
    resolve in, and where it was read. Unless ``quiet``, standard error says where; ``auto``
    warns when a workspace file shadows a published record of the same version that differs."""
    from umr.errors import NotFoundError
    from umr.registry import ChainSource
    from umr.spec.lookup import is_path, lookup
    from umr.spec.source import MemorySource

    ws = None if choice == "registry" else _workspace_or_none(opts)
    reg = None if choice == "workspace" else _registry_or_none(opts)
    if choice == "registry" and reg is None:
        from umr.cli import registry_url

        existing_registry(registry_url(opts))  # raises: no registry there
    parts = [s for s in (ws, reg) if s is not None]
    if not parts:
        source: Any = MemorySource(
            label="any workspace (the current folder has no .umr/: pass --workspace DIR)"
        )
    elif len(parts) == 1:
        source = parts[0]
    else:
        source = ChainSource(*parts)
    record, where = lookup(text, source)
    if is_path(text):
        label = f"file {text}"
    elif choice != "auto":
        label = source.describe()
    elif ws is not None and record.version in ws.versions(record.name):
        label = ws.describe()
        if reg is not None and record.version in reg.versions(record.name, include_yanked=True):
            try:
                published = reg.get(record.name, record.version)
            except NotFoundError:
                published = None
            if published is not None and published.to_dict() != record.to_dict():
                click.echo(
                    f"warning: the workspace's {record.id} differs from the published one; "
                    "'--source registry' reads the published record",
                    err=True,
                )
    else:
        label = reg.describe() if reg is not None else source.describe()
    if not quiet:
        click.echo(f"# {record.id} from {label}", err=True)
    return record, where, label


def existing_registry(url: str) -> str:
    """``url`` if it names a registry that exists (a PostgreSQL URL, or a SQLite file that is
    there); reading commands never create one, so a misspelled path is an error, not an
    empty registry."""
    from umr.errors import NotFoundError
    from umr.registry.db import display_url, sqlite_path

    path = sqlite_path(url)
    if path is not None and not path.exists():
        raise NotFoundError(
            f"no registry at {display_url(url)!r}: {path} does not exist",
            hint="check --registry (or $UMR_REGISTRY); 'umr publish FILE' or 'umr demo load' "
            "creates a registry",
        )
    return url


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
