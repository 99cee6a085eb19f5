"""Shared pieces of the command modules: global options, the registry and record source in
force, printing and output options. The command modules import from here, never from
``umr.cli``, which imports them."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from umr.registry import Registry
    from umr.spec import RecordSource, Workspace

SEVERITY = click.Choice(["low", "medium", "high", "critical"])


@dataclass
class Options:
    """Global options shared by every command."""

    workspace: Path  # where the default registry lives and imports write ("." by default)
    registry: str | None  # URL; None means the workspace default
    workspace_given: bool = False  # named by --workspace or $UMR_WORKSPACE


def workspace_folder(opts: Options) -> Path | None:
    """The folder whose record files refs resolve in, or None.

    A folder named by ``--workspace`` (or ``$UMR_WORKSPACE``) always is one; otherwise the
    current folder is one only when it holds ``.umr/`` (made by ``umr init`` and by the first
    publish into the default registry). So running umr from a large or foreign folder reads
    nothing there."""
    if opts.workspace_given or (opts.workspace / ".umr").is_dir():
        return opts.workspace
    return None


def registry_url(opts: Options) -> str:
    """The registry URL in force: --registry, then $UMR_REGISTRY, then the workspace default."""
    if opts.registry:
        return opts.registry
    db = (opts.workspace / ".umr" / "registry.db").resolve()
    return f"sqlite:///{db}"


def emit(value: Any, fmt: str = "text") -> None:
    """Print one command result: JSON for ``fmt == 'json'``, else the text as is."""
    if fmt == "json":
        click.echo(json.dumps(value, indent=2, ensure_ascii=False, default=str))
    elif isinstance(value, bytes):
        sys.stdout.buffer.write(value)
        sys.stdout.flush()
    else:
        click.echo(value)


def fail(message: str, *, code: int = 1) -> None:
    """Print ``message`` to stderr and exit with ``code`` (for findings, not errors)."""
    click.echo(message, err=True)
    raise SystemExit(code)


def open_registry(opts: Options, *, create: bool = False, url: str | None = None) -> Registry:
    """The registry in force (or at ``url``), opened once and closed when the command ends
    (``with`` closes it sooner). Only writing commands (``create``) may bring a new one into
    being, so a reading command with a misspelled path fails instead of reading nothing."""
    from umr.registry import Registry

    url = url or registry_url(opts)
    registry = Registry(url if create else existing_registry(url))
    ctx = click.get_current_context(silent=True)
    if ctx is not None:
        ctx.call_on_close(registry.close)
    return registry


MAX_WARNINGS = 10  # skipped workspace files listed one by one; the rest are counted


def record_source(opts: Options) -> RecordSource:
    """Where refs resolve for CLI commands: the workspace folder, if there is one (see
    :func:`workspace_folder`), then the registry (if its database exists: a PostgreSQL
    URL, or a SQLite file that is already there). Workspace files that do not load are
    skipped, each with a warning on stderr, and change nothing else."""
    from umr.spec.source import MemorySource

    sources: list[RecordSource] = []
    workspace = _workspace_or_none(opts)
    if workspace is not None:
        sources.append(workspace)
    registry = registry_or_none(opts)  # reading must not create one
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
    """The workspace in force (see :func:`workspace_folder`), warning about the files
    it skipped when the command ends, or None when there is none."""
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


def registry_or_none(opts: Options) -> Registry | None:
    """The registry in force if its database exists (closed with the command), else None."""
    from umr.registry.db import sqlite_path

    url = registry_url(opts)
    path = sqlite_path(url)
    if (path is not None and not path.exists()) or (path is None and url.startswith("sqlite")):
        return None
    return open_registry(opts, create=True)


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
    reg = None if choice == "workspace" else registry_or_none(opts)
    if choice == "registry" and reg is None:
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


def output_options(*choices: str, default: str = "text") -> Callable[[_F], _F]:
    """The one output option of every command that prints a result: ``--format``, with
    ``json`` (machine-readable, the same keys as the web API where there is one) always among
    ``choices`` (default: text and json)."""
    formats = tuple(dict.fromkeys((*(choices or ("text",)), "json")))
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(formats),
        default=default,
        show_default=True,
        help=f"Output format: {', '.join(formats)} (json: machine-readable).",
    )


OUTPUT_FILE = click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write to FILE instead of standard output.",
)
"""The one ``--output FILE`` option of the commands that can write their answer to a file."""


def emit_result(fmt: str, data: Any, text: str) -> None:
    """Print a command's result: ``data`` as JSON for ``--format json``, else ``text``."""
    if fmt == "json":
        emit(data, "json")
    else:
        emit(text)


def deprecated(old: str, new: str) -> None:
    """One line on standard error: ``old`` still works, ``new`` is the way now."""
    click.echo(f"warning: {old} is deprecated and will go; use {new}", err=True)


def repeatable(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> list[str]:
    """Callback of a list option: one value per use of the option (``--seed 0 --seed 1``). A
    comma-separated value, the older form, is split, with a deprecation note."""
    out: list[str] = []
    flag = param.opts[0]
    for value in values:
        parts = [v.strip() for v in value.split(",") if v.strip()]
        if not parts:
            raise click.BadParameter(f"{value!r} names nothing", param_hint=flag)
        if len(parts) > 1:
            deprecated(f"{flag} {value}", " ".join(f"{flag} {v}" for v in parts))
        out.extend(parts)
    return list(dict.fromkeys(out))  # a value given twice counts once


def split_ref(text: str, *, param_hint: str = "REF") -> tuple[str, str]:
    """``NAME@VERSION`` -> (name, version), for commands that name one exact version."""
    name, sep, version = text.partition("@")
    if not (sep and name and version):
        raise click.BadParameter(
            f"{text!r} is not NAME@VERSION; write it like mnist1d-cnn@2.0.0", param_hint=param_hint
        )
    return name, version
