"""CLI commands: records (init, validate, show, explain, diff, bump, schema)."""

from __future__ import annotations

from pathlib import Path

import click

from umr._commands._common import (
    Options,
    emit,
    emit_result,
    fail,
    output_options,
    read_ref,
    record_source,
    registry_or_none,
)


@click.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path), default=".")
@output_options()
def init(directory: Path, fmt: str) -> None:
    """Create a workspace with an example record in DIRECTORY.

    \b
    Example:
      umr init my-models && umr validate my-models
    """
    from umr.spec.starter import init_workspace

    created = init_workspace(directory)
    lines = [f"created {path}" for path in created]
    lines.append(f"next: edit the records, then run 'umr validate {directory}'")
    emit_result(fmt, {"created": [str(p) for p in created]}, "\n".join(lines))


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@output_options()
@click.pass_obj
def validate(opts: Options, paths: tuple[Path, ...], fmt: str) -> None:
    """Validate record files and folders as publishing would check them (schema, refs,
    cycles, inheritance, names); list every problem; exit 1 on any.

    \b
    Example:
      umr validate records/ extra/acme-chat.yaml
    """
    from umr.spec.check import validate_paths

    reg = registry_or_none(opts)  # new names are checked against it, as publish does
    report = validate_paths(
        paths,
        source=record_source(opts),
        registered=reg.registered_names if reg is not None else None,
    )
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


SOURCE = click.option(
    "--source",
    type=click.Choice(["auto", "workspace", "registry"]),
    default="auto",
    show_default=True,
    help="Where refs resolve: the workspace, then the registry (auto), or only one of them.",
)


@click.command()
@click.argument("ref")
@click.option("--resolved", is_flag=True, help="Fill in inherited fields from the base chain.")
@SOURCE
@output_options("yaml", default="yaml")
@click.pass_obj
def show(opts: Options, ref: str, resolved: bool, source: str, fmt: str) -> None:
    """Print a record (a file path or NAME@RANGE); standard error says where it was read.

    \b
    Example:
      umr show acme-chat-7b@^1 --resolved --format json
      umr show acme-chat-7b@1.0.0 --source registry
    """
    from umr.spec import dump_yaml, resolve

    record, where, _ = read_ref(opts, ref, source)
    data = resolve(record, where).to_dict() if resolved else record.to_dict()
    emit(data, "json") if fmt == "json" else emit(dump_yaml(data).rstrip())


@click.command()
@click.argument("ref")
@click.argument("field")
@output_options()
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
@SOURCE
@output_options()
@click.pass_obj
def diff(opts: Options, a: str, b: str, source: str, fmt: str) -> None:
    """List field-level changes from record A to record B, each with its SemVer level; each
    side says where it was read (a file, the workspace, the registry).

    \b
    Example:
      umr diff acme-chat-7b@1.0.0 records/acme-chat.yaml --source registry
    """
    from umr.spec import bump_level
    from umr.spec import diff as diff_records

    old, _, old_from = read_ref(opts, a, source, quiet=True)
    new, _, new_from = read_ref(opts, b, source, quiet=True)
    changes = diff_records(old, new)
    if fmt == "json":
        emit(
            {
                "from": {"id": old.id, "source": old_from},
                "to": {"id": new.id, "source": new_from},
                "changes": [c.to_dict() for c in changes],
                "level": bump_level(changes),
            },
            "json",
        )
    else:
        lines = [f"--- {old.id} ({old_from})", f"+++ {new.id} ({new_from})"]
        emit("\n".join([*lines, *(str(c) for c in changes)] if changes else [*lines, "no changes"]))


@click.command()
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--write", is_flag=True, help="Rewrite the version line of PATH in place.")
@output_options()
@click.pass_obj
def bump(opts: Options, path: Path, write: bool, fmt: str) -> None:
    """Propose PATH's next version from its changes: against the published record when PATH's
    version is published with other content (published versions are immutable), else against
    the latest other version.

    \b
    Example:
      umr bump records/acme-chat.yaml --write
    """
    from umr.spec.bumping import propose_bump

    published = registry_or_none(opts)
    proposal = propose_bump(path, record_source(opts), write=write, published=published)
    data = {
        "path": str(proposal.path),
        "current": str(proposal.current),
        "previous": None if proposal.previous is None else str(proposal.previous),
        "proposed": None if proposal.proposed is None else str(proposal.proposed),
        "stale": proposal.stale,
        "written": write and proposal.stale,
        "changes": [c.to_dict() for c in proposal.changes],
    }
    emit_result(fmt, data, proposal.text())
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
