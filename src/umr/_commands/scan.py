"""CLI command: scan (what models and datasets a project uses, and what advisories reach them)."""

from __future__ import annotations

from pathlib import Path

import click

from umr._commands._common import OUTPUT_FILE, SEVERITY, Options, emit, open_registry

FORMATS = ("text", "json", "sarif", "cyclonedx")


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="text (grouped by finding), json, sarif (2.1.0, for code review) or cyclonedx "
    "(1.6 ML-BOM with vulnerabilities).",
)
@click.option(
    "--fail-on",
    type=click.Choice(["none", *SEVERITY.choices]),
    default="low",
    show_default=True,
    help="Exit 1 on a finding at or above this severity ('none': never).",
)
@click.option(
    "--include-uncertain",
    is_flag=True,
    help="Count possible findings (every route through an uncertain edge) for --fail-on.",
)
@OUTPUT_FILE
@click.pass_obj
def scan(
    opts: Options,
    paths: tuple[Path, ...],
    fmt: str,
    fail_on: str,
    include_uncertain: bool,
    output: Path | None,
) -> None:
    """Find the models and datasets PATHS use (default: the current folder) and audit them.

    Python files and notebooks are read by their syntax tree (never imported or run), config
    files by their keys (model_name_or_path, base_model, dataset_name, ...), and
    pyproject.toml's [tool.umr] lists what code builds at run time. Each reference is
    matched to published records by their aliases and hf:// artifacts; what is not in the
    registry and what is named at run time are listed. The findings are those of 'umr audit':
    each advisory once per record used, with its routes, the code that names the record and
    the next step.

    Exit status: 0 clean, 1 a finding at or above --fail-on (a possible one only with
    --include-uncertain), 2 an error.

    \b
    Example:
      umr scan . --fail-on high
      umr scan . --fail-on high --include-uncertain
      umr scan src/ notebooks/ --format sarif -o umr.sarif
    """
    from umr.scan import scan as run_scan
    from umr.scan.output import render

    with open_registry(opts) as reg:
        report = run_scan(paths or (Path("."),), reg)
        data = render(report, fmt, reg)
    if output is None:
        emit(data)
    else:
        output.write_text(data, encoding="utf-8")
        emit(f"wrote {output} ({len(report.findings())} finding(s))")
    if fail_on != "none" and report.fails(fail_on, include_uncertain):
        raise SystemExit(1)


def register(app: click.Group) -> None:
    """Add this group's commands to the root app."""
    app.add_command(scan)
