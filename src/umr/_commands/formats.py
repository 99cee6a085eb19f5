"""CLI commands: render (every output format) and import (hf-card, cyclonedx, umr-legacy)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from umr._commands._common import (
    OUTPUT_FILE,
    Options,
    deprecated,
    emit,
    emit_result,
    output_options,
    record_source,
    registry_or_none,
)


def _source(opts: Options, ref: str) -> Any:
    """The registry for a published ref when there is one (closed with the command), else
    the workspace."""
    from umr.spec.lookup import is_path

    registry = None if is_path(ref) else registry_or_none(opts)
    return record_source(opts) if registry is None else registry


@click.command()
@click.argument("ref", required=False)
@click.option(
    "--format",
    "-f",
    "fmt",
    default="html",
    show_default=True,
    help="Output format ('umr formats' lists them).",
)
@OUTPUT_FILE
@click.option("--list", "list_", is_flag=True, hidden=True, help="Deprecated: 'umr formats'.")
@click.pass_obj
def render(opts: Options, ref: str | None, fmt: str, output: Path | None, list_: bool) -> None:
    """Render a record (a file path or a published NAME@RANGE) in one format.

    A published ref includes its full lineage and audit; a file shows its own edges.

    \b
    Example:
      umr render acme-chat-7b@^1 --format html -o acme.html
      umr render records/acme-chat.yaml --format markdown > README.md
    """
    from umr.formats import build_context
    from umr.formats import render as render_format

    if list_ or ref is None:
        if list_:
            deprecated("'umr render --list'", "'umr formats'")
        else:
            click.echo("usage: umr render REF [--format FORMAT]; the formats are:", err=True)
        return _list_formats("text")
    data = render_format(fmt, build_context(ref, _source(opts, ref)))
    if output is None:
        emit(data)
    else:
        output.write_bytes(data)
        emit(f"wrote {output} ({len(data):,} bytes)")


@click.command(name="formats")
@output_options()
def formats_cmd(fmt: str) -> None:
    """List the output formats 'umr render --format' takes: name, file suffix, description.

    \b
    Example:
      umr formats
      umr formats --format json
    """
    _list_formats(fmt)


def _list_formats(fmt: str) -> None:
    from umr.formats import formats

    found = formats()
    emit_result(
        fmt,
        [f.to_dict() for f in found],
        "\n".join(f"{f.name:10} {f.suffix:6} {f.description}" for f in found),
    )


@click.group(name="import")
def import_() -> None:
    """Import records from other formats into a workspace.

    \b
    Example:
      umr import hf-card README.md --workspace records/
    """


def _import(
    opts: Options, kind: str, path: Path | None, workspace: Path | None, force: bool, fmt: str
) -> None:
    from umr.formats.importers import import_into

    report = import_into(kind, path, workspace or opts.workspace, force=force)
    data = {
        "written": [str(p) for p in report.written],
        "unchanged": [str(p) for p in report.unchanged],
        "lost": report.lost,
        "disagreements": report.disagreements,
    }
    emit_result(fmt, data, report.text())


_WS = click.option(
    "--workspace",
    "-w",
    "workspace",
    default=None,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to write records into [default: the global --workspace].",
)
_FORCE = click.option(
    "--force",
    is_flag=True,
    help="Overwrite record files that already exist with other content (by default the "
    "import stops and writes nothing).",
)


@import_.command(name="hf-card")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_WS
@_FORCE
@output_options()
@click.pass_obj
def hf_card(opts: Options, path: Path, workspace: Path | None, force: bool, fmt: str) -> None:
    """Import a Hugging Face model or dataset card (README.md with YAML front matter).

    \b
    Example:
      umr import hf-card README.md --workspace records/
    """
    _import(opts, "hf-card", path, workspace, force, fmt)


@import_.command(name="cyclonedx")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_WS
@_FORCE
@output_options()
@click.pass_obj
def cyclonedx(opts: Options, path: Path, workspace: Path | None, force: bool, fmt: str) -> None:
    """Import the models and datasets of a CycloneDX 1.6 ML-BOM (JSON).

    \b
    Example:
      umr import cyclonedx bom.json --workspace records/
    """
    _import(opts, "cyclonedx", path, workspace, force, fmt)


@import_.command(name="umr-legacy")
@click.argument("path", type=click.Path(exists=True, file_okay=False, path_type=Path))
@_WS
@_FORCE
@output_options()
@click.pass_obj
def umr_legacy(opts: Options, path: Path, workspace: Path | None, force: bool, fmt: str) -> None:
    """Import a reference UMR repository (<pkg>/<pkg>-<semver>.yaml files under 'mr:').

    \b
    Example:
      umr import umr-legacy ./umr-repo --workspace records/
    """
    _import(opts, "umr-legacy", path, workspace, force, fmt)


_ZOO_PATH = click.argument(
    "path", required=False, type=click.Path(exists=True, file_okay=False, path_type=Path)
)


@import_.command(name="timm")
@_ZOO_PATH
@_WS
@_FORCE
@output_options()
@click.pass_obj
def timm(opts: Options, path: Path | None, workspace: Path | None, force: bool, fmt: str) -> None:
    """Import every pretrained tag of timm (the installed package, or its folder PATH).

    timm is read from its files, never imported. Each tag becomes a record with its Hugging
    Face repo, license, papers and the training data its tag names; tag parts that name no
    known dataset or recipe are listed.

    \b
    Example:
      umr import timm --workspace zoo/
      umr import timm .venv/lib/python3.11/site-packages/timm -w zoo/
    """
    _import(opts, "timm", path, workspace, force, fmt)


@import_.command(name="open-clip")
@_ZOO_PATH
@_WS
@_FORCE
@output_options()
@click.pass_obj
def open_clip(
    opts: Options, path: Path | None, workspace: Path | None, force: bool, fmt: str
) -> None:
    """Import every model/pretrained pair of open_clip (installed, or its folder PATH).

    \b
    Example:
      umr import open-clip --workspace zoo/
    """
    _import(opts, "open-clip", path, workspace, force, fmt)


def register(app: click.Group) -> None:
    """Add this group's commands to the root app."""
    app.add_command(render)
    app.add_command(formats_cmd)
    app.add_command(import_)
