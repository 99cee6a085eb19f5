"""CLI commands: registry (publish, yank, lineage, advisory add/list/show/history/fix/withdraw,
audit, impact, search)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from umr._commands._common import (
    SEVERITY,
    Options,
    deprecated,
    emit,
    emit_result,
    fail,
    open_registry,
    output_options,
    split_ref,
)
from umr.paging import MAX_ROUTE_OFFSET

if TYPE_CHECKING:
    from umr.registry import Registry

ROUTES_PAGE = 50  # routes per finding and page with --all-paths
MAX_ROUTE_PAGE = MAX_ROUTE_OFFSET // ROUTES_PAGE + 1  # the last page whose offset routes may skip


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--fail-on",
    type=SEVERITY,
    default=None,
    help="Audit first: publish nothing and exit 1 on a finding at or above this severity.",
)
@click.option(
    "--include-uncertain", is_flag=True, help="With --fail-on: count possible findings too."
)
@output_options()
@click.pass_obj
def publish(
    opts: Options, paths: tuple[Path, ...], fail_on: str | None, include_uncertain: bool, fmt: str
) -> None:
    """Publish record files and folders in one transaction: all of them or none.

    Each upstream and inherits ref is locked to the highest published version it admits. The
    records are audited as they are locked, and the summary of what was published is printed
    (like npm install's "found 1 critical vulnerability"); with --fail-on a finding at or above
    it stops the publish.

    \b
    Example:
      umr publish records/
      umr publish records/ --fail-on high
      umr --registry postgresql://umr@db/umr publish acme-chat.yaml
    """
    from umr.graph import summary_line

    with open_registry(opts, create=True) as reg:
        reports = reg.audit_records(paths)
        failing = [r for r in reports if fail_on and r.fails(fail_on, include_uncertain)]
        if failing:
            emit("\n".join(r.text() for r in failing))
            fail(f"nothing published: {len(failing)} record(s) fail --fail-on {fail_on}", code=1)
        result = reg.publish(paths)
    new = set(result.published)
    flagged = [r for r in reports if r.record in new and r.findings]
    if fmt == "json":
        audit = [{"record": r.record, "ok": r.ok, "summary": r.summary()} for r in flagged]
        emit(result.to_dict() | {"audit": audit}, "json")
        return
    emit(result.text())
    if flagged:
        findings = [f for r in flagged for f in r.findings]
        emit(f"audit: found {summary_line(findings)} among the published records")
        for r in flagged:
            emit(f"  {r.record}: {r.summary()}; see 'umr audit {r.record}'")


@click.command()
@click.argument("ref")
@click.option("--reason", required=True, help="Why: shown to anyone who resolves it.")
@output_options()
@click.pass_obj
def yank(opts: Options, ref: str, reason: str, fmt: str) -> None:
    """Hide NAME@VERSION from new resolution; existing locks keep working.

    \b
    Example:
      umr yank acme-chat@1.0.0 --reason "wrong tokenizer uploaded"
    """
    with open_registry(opts) as reg:
        yanked = reg.yank(ref, reason)
    emit_result(fmt, {"yanked": yanked, "reason": reason}, f"yanked {yanked}: {reason}")


@click.command()
@click.argument("ref")
@click.option("--up", "direction", flag_value="up", default=True, help="What REF derives from.")
@click.option("--down", "direction", flag_value="down", help="What derives from REF.")
@click.option(
    "--relation", "relations", multiple=True, help="Follow only this relation (repeatable)."
)
@click.option("--depth", type=click.IntRange(min=1), default=None, help="Stop after N edges.")
@output_options("tree", "dot", default="tree")
@click.pass_obj
def lineage(
    opts: Options, ref: str, direction: str, relations: tuple[str, ...], depth: int | None, fmt: str
) -> None:
    """Show the locked lineage of REF, up or down: every edge among its records, a record
    shown again marked (deduped).

    \b
    Example:
      umr lineage stable-diffusion-v1-5 --up --relation trained_on --relation finetuned_from
      umr lineage laion-5b@1 --down --depth 2 --format dot | dot -Tsvg > laion.svg
    """
    from umr.registry.printing import render_dot, render_tree

    with open_registry(opts) as reg, reg.snapshot():
        # All reads in one snapshot: the record found is the one whose lineage is walked,
        # even if a newer version is published between them.
        root = reg.get_ref(ref).id
        found = reg.lineage(root, direction, list(relations) or None, depth)  # type: ignore[arg-type]
        edges = [] if fmt == "json" else reg.edges_among([root, *(h.id for h in found)])
        note = _other_versions(reg, root) if direction == "down" and fmt == "tree" else ""
    if relations:
        edges = [e for e in edges if e.relation in relations]
    if fmt == "json":
        emit(lineage_json(root, direction, found), "json")
    elif fmt == "dot":
        emit(render_dot(root, edges))
    else:
        emit(render_tree(root, found, edges, direction) + (f"\n{note}" if note else ""))  # type: ignore[arg-type]


def _other_versions(reg: Registry, root: str) -> str:
    """A note on the other versions of ``root``'s name that have downstream records, so that a
    walk down from one version does not pass for the name's whole impact."""
    name, _, version = root.partition("@")
    others = []
    for v in reg.versions(name, include_yanked=True):
        if str(v) != version and reg.lineage(f"{name}@{v}", "down", depth=1):
            others.append(f"{name}@{v} ({len(reg.lineage(f'{name}@{v}', 'down'))})")
    if not others:
        return ""
    return (
        f"(this is {root}; other versions have downstream records too: {', '.join(others)}; "
        f"'umr impact {name}' covers every version)"
    )


def lineage_json(root: str, direction: str, found: list[Any]) -> dict[str, Any]:
    """The JSON of a lineage answer: the same keys as ``GET /api/records/.../lineage``."""
    return {
        "record": root,
        "direction": direction,
        "total": len(found),
        "hits": [h.to_dict() for h in found],
    }


@click.command()
@click.argument("targets", nargs=-1, required=True, metavar="REF|PATH...")
@click.option(
    "--fail-on",
    type=SEVERITY,
    default="low",
    show_default=True,
    help="Exit 1 on a finding at or above this severity.",
)
@click.option(
    "--include-uncertain",
    is_flag=True,
    help="Count possible findings (every route through an uncertain edge) for --fail-on.",
)
@click.option("--all-paths", is_flag=True, help="List every route, a page at a time.")
@click.option(
    "--page",
    type=click.IntRange(min=1, max=MAX_ROUTE_PAGE),
    default=1,
    show_default=True,
    help=f"With --all-paths: which page of {ROUTES_PAGE} routes per finding "
    f"(at most {MAX_ROUTE_PAGE}: routes are listed shortest first, and paging stops there).",
)
@output_options()
@click.pass_obj
def audit(
    opts: Options,
    targets: tuple[str, ...],
    fail_on: str,
    include_uncertain: bool,
    all_paths: bool,
    page: int,
    fmt: str,
) -> None:
    """Report the advisories that reach published refs, or record files and folders before
    they are published (locked against the registry as publishing would lock them).

    Each advisory is listed once with the number of routes that carry it (the shortest shown;
    --all-paths lists the rest), the fixed versions and the next step.
    Exit status: 0 clean, 1 a finding at or above --fail-on, 2 an error.

    \b
    Example:
      umr audit stable-diffusion-v1-5 --fail-on high
      umr audit records/ --fail-on high
    """
    from umr.graph import summary_line
    from umr.spec.lookup import is_path

    paths = [Path(x) for x in targets if is_path(x) or Path(x).is_dir()]
    refs = [x for x in targets if not (is_path(x) or Path(x).is_dir())]
    offset, limit = ((page - 1) * ROUTES_PAGE, ROUTES_PAGE) if all_paths else (0, 1)
    with open_registry(opts) as reg, reg.snapshot():
        reports = reg.audit_records(paths, offset=offset, limit=limit) if paths else []
        reports += [reg.audit(r, offset=offset, limit=limit) for r in refs]
    if fmt == "json":
        if len(targets) == 1 and len(reports) == 1:
            emit(reports[0].to_dict(), "json")
        else:
            findings = [f for r in reports for f in r.findings]
            emit(
                {"summary": summary_line(findings), "reports": [r.to_dict() for r in reports]},
                "json",
            )
    else:
        emit("\n".join(r.text() for r in reports))
        if len(reports) > 1:
            findings = [f for r in reports for f in r.findings]
            emit(f"{len(reports)} records: {summary_line(findings)}")
        more = [f for r in reports for f in r.findings if f.routes > offset + len(f.paths)]
        if more and all_paths and page >= MAX_ROUTE_PAGE:
            emit(f"more routes past the first {offset + ROUTES_PAGE:,} are not listed")
        elif more and all_paths:
            emit(f"more routes: add --page {page + 1}")
        elif more:
            emit("every route: add --all-paths")
    if any(r.fails(fail_on, include_uncertain) for r in reports):
        raise SystemExit(1)


@click.command()
@click.argument("ref")
@output_options()
@click.pass_obj
def impact(opts: Options, ref: str, fmt: str) -> None:
    """List every published record that NAME[@RANGE] reaches downstream, with the path from
    each back to it (record first). Covers every version in RANGE (all versions by default).

    \b
    Example:
      umr impact laion-5b@"<2"
    """
    from umr.graph import hit_paths
    from umr.spec import Ref

    parsed = Ref.parse(ref)
    with open_registry(opts) as reg, reg.snapshot():
        found = reg.impact(parsed.name, parsed.range)
        covered = [str(v) for v in reg.versions(parsed.name, True) if v in parsed.range]
    if fmt == "json":
        emit(impact_json(parsed.name, str(parsed.range), covered, found), "json")
    else:
        lines = list(hit_paths(found))
        lines.append(
            f"{len(found)} record(s) downstream of {parsed.name} "
            f"{', '.join(covered) or '(no version)'} (range {parsed.range})"
        )
        emit("\n".join(lines))


def impact_json(name: str, rng: str, covered: list[str], found: list[Any]) -> dict[str, Any]:
    """The JSON of an impact answer: the same keys as ``GET /api/impact/NAME``."""
    return {
        "name": name,
        "range": rng,
        "versions": covered,
        "total": len(found),
        "hits": [h.to_dict() for h in found],
    }


@click.command()
@click.argument("name")
@output_options()
@click.pass_obj
def versions(opts: Options, name: str, fmt: str) -> None:
    """List every published version of NAME, newest first, with its marks: latest, yanked,
    affected by an advisory, reached by one through its lineage, fixed, superseded.

    \b
    Example:
      umr versions laion-5b
    """
    with open_registry(opts) as reg:
        found = reg.version_infos(name)
    if fmt == "json":
        latest = next((str(v.version) for v in found if v.latest), None)
        emit({"name": name, "latest": latest, "versions": [v.to_dict() for v in found]}, "json")
        return
    width = max(len(str(v.version)) for v in found)
    emit(
        "\n".join(f"{name}@{v.version!s:<{width}}  {'; '.join(v.marks())}".rstrip() for v in found)
    )


@click.command()
@click.argument("text")
@click.option(
    "--kind",
    type=click.Choice(["model", "dataset", "family", "system"]),
    default=None,
    help="Only records of this kind.",
)
@click.option(
    "--limit", type=click.IntRange(min=1), default=20, show_default=True, help="Most hits shown."
)
@output_options()
@click.pass_obj
def search(opts: Options, text: str, kind: str | None, limit: int, fmt: str) -> None:
    """Search names, titles, summaries and publishers (latest version of each name).

    \b
    Example:
      umr search "stable diffusion" --kind model
    """
    from umr.suggest import did_you_mean

    with open_registry(opts) as reg:
        found = reg.search(text, kind=kind, limit=limit)
        near = "" if found else did_you_mean(text, reg.similar_names(text))
    if fmt == "json":
        emit([h.to_dict() for h in found], "json")
    else:
        emit(
            "\n".join(h.text() for h in found)
            or f"nothing matches {text!r}" + (f"; {near}" if near else "")
        )


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
@click.option(
    "--force", is_flag=True, help="Keep it although an affected name is not published (yet)."
)
@output_options()
@click.pass_obj
def advisory_add(opts: Options, files: tuple[Path, ...], force: bool, fmt: str) -> None:
    """Store advisory files; the same content again is a no-op, a changed one a new revision.
    An advisory whose affected names are not published is refused (it would reach nothing),
    with the nearest names.

    \b
    Example:
      umr advisory add advisories/UMR-2023-0001.yaml
    """
    with open_registry(opts, create=True) as reg:
        added = [reg.add_advisory(file, force=force) for file in files]
    lines = [f"added {a.id} [{a.severity}] {a.summary}" for a in added]
    lines.append("next: run 'umr audit NAME' to see what they reach")
    emit_result(fmt, {"added": [a.id for a in added]}, "\n".join(lines))


@advisory.command("list")
@click.option("--name", default=None, help="Only advisories that affect this name.")
@output_options()
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
@output_options()
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
@click.argument("ref", required=False, metavar="NAME@VERSION")
@click.option("--name", default=None, hidden=True, help="Deprecated: give NAME@VERSION.")
@click.option("--version", "version", default=None, hidden=True, help="Deprecated: NAME@VERSION.")
@click.option(
    "--force",
    is_flag=True,
    help="Record it although its lineage still reaches the affected data (needs --reason).",
)
@click.option("--reason", default=None, help="With --force: why; kept with the fix.")
@output_options()
@click.pass_obj
def advisory_fix(
    opts: Options,
    advisory_id: str,
    ref: str | None,
    name: str | None,
    version: str | None,
    force: bool,
    reason: str | None,
    fmt: str,
) -> None:
    """Record NAME@VERSION as the fix of an advisory: audits through it are cleared.

    Refused while the version's lineage still reaches the affected data by a route through no
    unlearned_from edge (a version retrained on the same data is not a fix), unless --force
    with a --reason, which is kept and shown with every audit it clears.

    \b
    Example:
      umr advisory fix UMR-2026-0001 mnist1d-cnn@2.0.0
    """
    from umr.errors import RecordError

    if ref is not None:
        if name or version:
            raise click.UsageError("give NAME@VERSION, or the deprecated --name and --version")
        name, version = split_ref(ref, param_hint="NAME@VERSION")
    elif name and version:
        deprecated("--name NAME --version VERSION", "NAME@VERSION")
    else:
        raise click.UsageError("name the fixed version: umr advisory fix ID NAME@VERSION")
    if force != bool(reason and reason.strip()):
        raise RecordError("--force and --reason go together: say why the fix is kept")
    with open_registry(opts) as reg:
        reg.advisory(advisory_id)  # an unknown id is a clear NotFoundError
        reg.fix_advisory(advisory_id, name, version, forced=reason if force else None)
    emit_result(
        fmt,
        {"advisory": advisory_id, "fixed": f"{name}@{version}"},
        f"{advisory_id}: {name}@{version} recorded as fixed; next: 'umr audit {name}@{version}'",
    )


@advisory.command("export")
@click.argument("ids", nargs=-1, metavar="[ID]...")
@output_options("osv", default="osv")
@click.option(
    "--out",
    "outdir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Write one ID.json file per advisory into this folder instead of printing.",
)
@click.pass_obj
def advisory_export(opts: Options, ids: tuple[str, ...], fmt: str, outdir: Path | None) -> None:
    """Export advisories (all, or the IDs given) in the OSV format, validated against the
    OSV schema: one JSON object for one advisory, a list for several.

    \b
    Example:
      umr advisory export UMR-2023-0001 --format osv > UMR-2023-0001.json
      umr advisory export --out osv/
    """
    import json

    with open_registry(opts) as reg:
        entries = reg.export_osv(ids)
    if outdir is None:
        emit(entries[0] if len(ids) == 1 else entries, "json")
        return
    outdir.mkdir(parents=True, exist_ok=True)
    for entry in entries:
        name = entry["id"].removeprefix("x_umr:").replace("/", "_")
        (outdir / f"{name}.json").write_text(json.dumps(entry, indent=2, ensure_ascii=False) + "\n")
    emit(f"wrote {len(entries)} OSV file(s) to {outdir}")


@advisory.command("import")
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option(
    "--force", is_flag=True, help="Keep an advisory although an affected name is not published."
)
@output_options()
@click.pass_obj
def advisory_import(opts: Options, files: tuple[Path, ...], force: bool, fmt: str) -> None:
    """Import advisories from OSV files (one entry, a list, or {"vulns": [...]}), validated
    against the OSV schema; the same content again is a no-op.

    \b
    Example:
      umr advisory import UMR-2023-0001.json
    """
    with open_registry(opts, create=True) as reg:
        found = [a for file in files for a in reg.import_osv(file, force=force)]
    lines = [
        f"imported {a.id} [{a.severity}] {a.summary}{' (withdrawn)' if a.withdrawn else ''}"
        for a in found
    ]
    lines.append("next: run 'umr audit NAME' to see what they reach")
    emit_result(fmt, {"imported": [a.id for a in found]}, "\n".join(lines))


@advisory.command("history")
@click.argument("advisory_id")
@output_options()
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
@output_options()
@click.pass_obj
def advisory_withdraw(opts: Options, advisory_id: str, reason: str, fmt: str) -> None:
    """Withdraw an advisory: audits stop reporting it; its page and feeds say why.

    \b
    Example:
      umr advisory withdraw UMR-2024-0007 --reason "the files were re-checked: no match"
    """
    with open_registry(opts) as reg:
        a = reg.withdraw_advisory(advisory_id, reason)
    emit_result(
        fmt,
        {"withdrawn": a.id, "at": a.withdrawn, "reason": a.withdrawn_reason},
        f"{a.id} withdrawn at {a.withdrawn}; next: 'umr advisory history {a.id}'",
    )


def register(app: click.Group) -> None:
    """Add this group's commands to the root app."""
    for command in (publish, yank, lineage, audit, impact, versions, search, advisory):
        app.add_command(command)
