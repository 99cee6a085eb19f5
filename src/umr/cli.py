"""The ``umr`` command line: a thin layer over the library.

Options are parsed here and in ``umr._commands.*``; each command calls one library function and
prints through :func:`emit`. Known errors become user text in exactly one place,
:meth:`UmrGroup.main`.
No YAML, Jinja or torch imports here: the bare install must start without the extras.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from umr import __version__
from umr.errors import RecordError, UmrError


@dataclass
class Options:
    """Global options shared by every command."""

    workspace: Path
    registry: str | None  # URL; None means the workspace default


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


class UmrGroup(click.Group):
    """The root group: turns every UmrError into a message with a hint, exit status 2."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        kwargs["standalone_mode"] = False
        try:
            return super().main(*args, **kwargs)
        except click.exceptions.Abort:
            click.echo("aborted", err=True)
            raise SystemExit(130) from None
        except click.ClickException as exc:
            exc.show()
            raise SystemExit(exc.exit_code) from None
        except UmrError as exc:
            label = "invalid" if isinstance(exc, RecordError) else "error"
            click.echo(f"{label}: {exc.message}", err=True)
            if exc.hint:
                click.echo(f"hint: {exc.hint}", err=True)
            raise SystemExit(2) from None
        except BrokenPipeError:
            raise SystemExit(0) from None


@click.group(cls=UmrGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="umr")
@click.option(
    "--workspace",
    "-w",
    type=click.Path(file_okay=False, path_type=Path),
    default=".",
    show_default=True,
    help="Folder of record YAML files (scanned recursively).",
)
@click.option(
    "--registry",
    envvar="UMR_REGISTRY",
    default=None,
    help="Registry URL: sqlite:///PATH or postgresql://... "
    "[default: $UMR_REGISTRY, else WORKSPACE/.umr/registry.db]",
)
@click.pass_context
def app(ctx: click.Context, workspace: Path, registry: str | None) -> None:
    """umr: machine-readable model records, lineage, advisories and audit.

    \b
    Examples:
      umr validate records/
      umr show acme-chat-7b@^1 --resolved
      umr audit acme-chat-7b --fail-on high
    """
    ctx.obj = Options(workspace=workspace, registry=registry)


def _register() -> None:
    from umr._commands import demo, formats, registry, scan, spec, unlearn, web

    for module in (spec, registry, formats, scan, web, unlearn, demo):
        module.register(app)


_register()


def main(argv: list[str] | None = None) -> None:
    """Console entry point."""
    app.main(args=argv, prog_name="umr")
