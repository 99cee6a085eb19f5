"""CLI commands: registry (publish, yank, lineage, advisory add/list/show/history/fix/withdraw,
audit, impact, search)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from umr._commands._common import format_option
from umr.cli import Options, emit, registry_url

if TYPE_CHECKING:
    from umr.registry import Registry

SEVERITY = click.Choice(["low", "medium", "high", "critical"])


def open_registry(opts: Options) -> Registry:
    from umr.registry import Registry

    return Registry(registry_url(opts))


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@format_option("text", "json")
@click.pass_obj
def publish(opts: Options, paths: tuple[Path, ...], fmt: str) -> None:
    """Publish record files and folders in one transaction: all of them or none.

    Each upstream and inherits ref is locked to the highest published version it admits.

    \b
    Example:
      umr publish records/
      umr --registry postgresql://umr@db/umr publish acme-chat.yaml
    """
    with open_registry(opts) as reg:
        result = reg.publish(paths)
    emit(result.to_dict(), "json") if fmt == "json" else emit(result.text())


@click.command()
@click.argument("ref")
@click.option("--reason", required=True, help="Why: shown to anyone who resolves it.")
@click.pass_obj
def yank(opts: Options, ref: str, reason: str) -> None:
    """Hide NAME@VERSION from new resolution; existing locks keep working.

    \b
    Example:
      umr yank acme-chat@1.0.0 --reason "wrong tokenizer uploaded"
    """
    with open_registry(opts) as reg:
        emit(f"yanked {reg.yank(ref, reason)}: {reason}")


@click.command()
@click.argument("ref")
@click.option("--up", "direction", flag_value="up", default=True, help="What REF derives from.")
@click.option("--down", "direction", flag_value="down", help="What derives from REF.")
@click.option(
    "--relation", "relations", multiple=True, help="Follow only this relation (repeatable)."
)
@click.option("--depth", type=click.IntRange(min=1), default=None, help="Stop after N edges.")
@format_option("tree", "json", "dot", default="tree")
@click.pass_obj
def lineage(
    opts: Options, ref: str, direction: str, relations: tuple[str, ...], depth: int | None, fmt: str
) -> None:
    """Show the locked lineage of REF, up or down, each record with its shortest path.

    \b
    Example:
      umr lineage stable-diffusion-v1-5 --up --relation trained_on --relation finetuned_from
      umr lineage laion-5b@1 --down --depth 2 --format dot | dot -Tsvg > laion.svg
    """
    from umr.registry.lineage import render_dot, render_tree

    with open_registry(opts) as reg, reg.snapshot():
        # Both reads in one snapshot: the record found is the one whose lineage is walked,
        # even if a newer version is published between them.
        root = reg.get_ref(ref).id
        found = reg.lineage(root, direction, list(relations) or None, depth)  # type: ignore[arg-type]
    if fmt == "json":
        emit(
            {"record": root, "direction": direction, "results": [h.to_dict() for h in found]},
            "json",
        )
    else:
        emit(render_dot(root, found) if fmt == "dot" else render_tree(root, found, direction))  # type: ignore[arg-type]


@click.command()
@click.argument("ref")
@click.option(
    "--fail-on",
    type=SEVERITY,
    default="low",
    show_default=True,
    help="Exit 1 on a finding at or above this severity.",
)
@format_option("text", "json")
@click.pass_obj
def audit(opts: Options, ref: str, fail_on: str, fmt: str) -> None:
    """Report advisories that reach REF through its locked upstream closure.

    Exit status: 0 clean, 1 a finding at or above --fail-on, 2 an error.

    \b
    Example:
      umr audit stable-diffusion-v1-5 --fail-on high
    """
    with open_registry(opts) as reg:
        report = reg.audit(ref)
    emit(report.to_dict(), "json") if fmt == "json" else emit(report.text())
    if report.fails(fail_on):
        raise SystemExit(1)


@click.command()
@click.argument("ref")
@format_option("text", "json")
@click.pass_obj
def impact(opts: Options, ref: str, fmt: str) -> None:
    """List every published record downstream of NAME[@RANGE], with the path to each.

    \b
    Example:
      umr impact laion-5b@"<2"
    """
    from umr.registry.lineage import path_text
    from umr.spec import Ref

    parsed = Ref.parse(ref)
    with open_registry(opts) as reg:
        found = reg.impact(parsed.name, parsed.range)
    if fmt == "json":
        emit(
            {
                "name": parsed.name,
                "range": str(parsed.range),
                "results": [h.to_dict() for h in found],
            },
            "json",
        )
    else:
        emit(
            "\n".join(
                [path_text(h.id, list(reversed(h.path)), "up") for h in found]
                + [f"{len(found)} record(s) downstream of {ref}"]
            )
        )


@click.command()
@click.argument("text")
@click.option("--kind", type=click.Choice(["model", "dataset", "family", "system"]), default=None)
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True)
@format_option("text", "json")
@click.pass_obj
def search(opts: Options, text: str, kind: str | None, limit: int, fmt: str) -> None:
    """Search names, titles, summaries and publishers (latest version of each name).

    \b
    Example:
      umr search "stable diffusion" --kind model
    """
    with open_registry(opts) as reg:
        found = reg.search(text, kind=kind, limit=limit)
    if fmt == "json":
        emit([h.to_dict() for h in found], "json")
    else:
        emit("\n".join(h.text() for h in found) or f"nothing matches {text!r}")


@click.group()
def advisory() -> None:
    """Add, list, show, fix and withdraw advisories (OSV-like YAML files); every change is
    kept as a revision.

    \b
    Example:
      umr advisory add advisories/UMR-2023-0001.yaml
    """


@advisory.command("add")
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.pass_obj
def advisory_add(opts: Options, files: tuple[Path, ...]) -> None:
    """Store advisory files; the same content again is a no-op, a changed one a new revision.

    \b
    Example:
      umr advisory add advisories/UMR-2023-0001.yaml
    """
    with open_registry(opts) as reg:
        for file in files:
            a = reg.add_advisory(file)
            emit(f"added {a.id} [{a.severity}] {a.summary}")
    emit("next: run 'umr audit NAME' to see what they reach")


@advisory.command("list")
@click.option("--name", default=None, help="Only advisories that affect this name.")
@format_option("text", "json")
@click.pass_obj
def advisory_list(opts: Options, name: str | None, fmt: str) -> None:
    """List advisories, newest first.

    \b
    Example:
      umr advisory list --name laion-5b
    """
    with open_registry(opts) as reg:
        found = reg.advisories(name)
    if fmt == "json":
        emit([a.to_dict() for a in found], "json")
    else:
        emit("\n".join(f"{a.id} [{a.severity}] {a.summary}" for a in found) or "no advisories")


@advisory.command("show")
@click.argument("advisory_id")
@format_option("text", "json")
@click.pass_obj
def advisory_show(opts: Options, advisory_id: str, fmt: str) -> None:
    """Show one advisory.

    \b
    Example:
      umr advisory show UMR-2023-0001 --format json
    """
    with open_registry(opts) as reg:
        a = reg.advisory(advisory_id)
    emit(a.to_dict(), "json") if fmt == "json" else emit(a.text())


@advisory.command("fix")
@click.argument("advisory_id")
@click.option("--name", required=True, help="The record that carries the fix.")
@click.option("--version", "version", required=True, help="Its fixed version, e.g. 2.0.0.")
@click.pass_obj
def advisory_fix(opts: Options, advisory_id: str, name: str, version: str) -> None:
    """Record NAME@VERSION as fixed for an advisory: audits through it are cleared.

    \b
    Example:
      umr advisory fix UMR-2026-0001 --name mnist1d-cnn --version 2.0.0
    """
    with open_registry(opts) as reg:
        reg.advisory(advisory_id)  # an unknown id is a clear NotFoundError
        reg.fix_advisory(advisory_id, name, version)
    emit(f"{advisory_id}: {name}@{version} recorded as fixed; next: 'umr audit {name}@{version}'")


@advisory.command("history")
@click.argument("advisory_id")
@format_option("text", "json")
@click.pass_obj
def advisory_history(opts: Options, advisory_id: str, fmt: str) -> None:
    """Show every revision of an advisory: who changed what, and when.

    \b
    Example:
      umr advisory history UMR-2023-0001
    """
    with open_registry(opts) as reg:
        revs = reg.advisory_history(advisory_id)
    if fmt == "json":
        emit([r.to_dict() for r in revs], "json")
    else:
        emit("\n".join(r.text() for r in revs))


@advisory.command("withdraw")
@click.argument("advisory_id")
@click.option("--reason", required=True, help="Why it no longer holds: shown on its page.")
@click.pass_obj
def advisory_withdraw(opts: Options, advisory_id: str, reason: str) -> None:
    """Withdraw an advisory: audits stop reporting it; its page and feeds say why.

    \b
    Example:
      umr advisory withdraw UMR-2024-0007 --reason "the files were re-checked: no match"
    """
    with open_registry(opts) as reg:
        a = reg.withdraw_advisory(advisory_id, reason)
    emit(f"{a.id} withdrawn at {a.withdrawn}; next: 'umr advisory history {a.id}'")


def register(app: click.Group) -> None:
    """Add this group's commands to the root app."""
    for command in (publish, yank, lineage, audit, impact, search, advisory):
        app.add_command(command)
