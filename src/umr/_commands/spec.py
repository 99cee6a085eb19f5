"""CLI commands: records (init, validate, show, explain, diff, bump, schema)."""

from __future__ import annotations

from pathlib import Path

import click

from umr._commands._common import format_option, record_source
from umr.cli import Options, emit, fail


@click.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path), default=".")
def init(directory: Path) -> None:
    """Create a workspace with an example record in DIRECTORY.

    \b
    Example:
      umr init my-models && umr validate my-models
    """
    from umr.spec.starter import init_workspace

    for path in init_workspace(directory):
        emit(f"created {path}")
    emit(f"next: edit the records, then run 'umr validate {directory}'")


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@format_option("text", "json")
@click.pass_obj
def validate(opts: Options, paths: tuple[Path, ...], fmt: str) -> None:
    """Validate record files and folders; list every problem; exit 1 on any.

    \b
    Example:
      umr validate records/ extra/acme-chat.yaml
    """
    from umr.spec.check import validate_paths

    report = validate_paths(paths, source=record_source(opts))
    if fmt == "json":
        emit(report.to_dict(), "json")
    else:
        for problem in report.problems:
            click.echo(str(problem), err=True)
        emit(
            f"{len(report.records)} valid record(s) in {report.files} file(s), "
            f"{len(report.problems)} problem(s)"
        )
    if not report.ok:
        raise SystemExit(1)


@click.command()
@click.argument("ref")
@click.option("--resolved", is_flag=True, help="Fill in inherited fields from the base chain.")
@format_option("yaml", "json", default="yaml")
@click.pass_obj
def show(opts: Options, ref: str, resolved: bool, fmt: str) -> None:
    """Print a record (a file path or NAME@RANGE).

    \b
    Example:
      umr show acme-chat-7b@^1 --resolved --format json
    """
    from umr.spec import dump_yaml, resolve
    from umr.spec.lookup import lookup

    record, source = lookup(ref, record_source(opts))
    data = resolve(record, source).to_dict() if resolved else record.to_dict()
    emit(data, "json") if fmt == "json" else emit(dump_yaml(data).rstrip())


@click.command()
@click.argument("ref")
@click.argument("field")
@format_option("text", "json")
@click.pass_obj
def explain(opts: Options, ref: str, field: str, fmt: str) -> None:
    """Show a resolved field's value and which record supplied it.

    \b
    Example:
      umr explain acme-chat-7b license.id
      umr explain acme-chat-7b extensions.lab.context
    """
    from umr.spec.explain import explain_field
    from umr.spec.lookup import lookup

    record, source = lookup(ref, record_source(opts))
    result = explain_field(record, source, field)
    emit(result.to_dict(), "json") if fmt == "json" else emit(result.text())


@click.command()
@click.argument("a")
@click.argument("b")
@format_option("text", "json")
@click.pass_obj
def diff(opts: Options, a: str, b: str, fmt: str) -> None:
    """List field-level changes from record A to record B, each with its SemVer level.

    \b
    Example:
      umr diff acme-chat-7b@1.0.0 records/acme-chat.yaml
    """
    from umr.spec import bump_level
    from umr.spec import diff as diff_records
    from umr.spec.lookup import lookup

    source = record_source(opts)
    changes = diff_records(lookup(a, source)[0], lookup(b, source)[0])
    if fmt == "json":
        emit({"changes": [c.to_dict() for c in changes], "level": bump_level(changes)}, "json")
    else:
        emit("\n".join(str(c) for c in changes) or "no changes")


@click.command()
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--write", is_flag=True, help="Rewrite the version line of PATH in place.")
@click.pass_obj
def bump(opts: Options, path: Path, write: bool) -> None:
    """Propose PATH's next version from its changes against the latest other version.

    \b
    Example:
      umr bump records/acme-chat.yaml --write
    """
    from umr.spec.bumping import propose_bump

    proposal = propose_bump(path, record_source(opts), write=write)
    emit(proposal.text())
    if proposal.stale and not write:
        fail(f"hint: run 'umr bump {path} --write' to set version {proposal.proposed}")


@click.command()
def schema() -> None:
    """Print the JSON Schema of record spec 'umr: 1'.

    \b
    Example:
      umr schema > umr-1.json
    """
    from umr.spec.schema import json_schema_text

    emit(json_schema_text().rstrip())


def register(app: click.Group) -> None:
    """Add this group's commands to the root ``app``."""
    for command in (init, validate, show, explain, diff, bump, schema):
        app.add_command(command)
