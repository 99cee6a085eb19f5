"""The ``umr`` command line: a thin layer over the library.

Options are parsed here and in ``umr._commands.*``; each command calls one library function and
prints through :func:`umr._commands._common.emit`. Known errors become user text in exactly one
place, :meth:`UmrGroup.main`.
No YAML, Jinja or torch imports here: the bare install must start without the extras.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import click

from umr import __version__
from umr._commands import demo, formats, reference, registry, scan, spec, unlearn, web
from umr._commands._common import Options
from umr._gc import gc_paused
from umr.errors import RecordError, RenderError, UmrError

# Commands that serve threads for hours, train models or render every page (site: paused, its
# rendering cycles pile up; docs/benchmarks.md, "The cyclic GC pause") keep it running.
KEEP_GC = frozenset({"serve", "unlearn", "site"})

INTERNAL_ERROR = 70  # exit status of a fault in umr itself (sysexits' EX_SOFTWARE)


class UmrGroup(click.Group):
    """The root group: turns every UmrError into a message with a hint, exit status 2, and any
    other exception into one line that asks for a report (the traceback only with --debug)."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        kwargs["standalone_mode"] = False
        argv = kwargs.get("args") if kwargs.get("args") is not None else sys.argv[1:]
        debug = "--debug" in (argv or ()) or os.environ.get("UMR_DEBUG", "") not in ("", "0")
        try:
            return super().main(*args, **kwargs)
        except (click.exceptions.Abort, KeyboardInterrupt):
            click.echo("aborted", err=True)
            raise SystemExit(130) from None
        except click.ClickException as exc:
            exc.show()
            raise SystemExit(exc.exit_code) from None
        except UmrError as exc:
            if debug and isinstance(exc, RenderError):
                raise
            label = "invalid" if isinstance(exc, RecordError) else "error"
            click.echo(f"{label}: {exc.message}", err=True)
            if exc.hint:
                click.echo(f"hint: {exc.hint}", err=True)
            raise SystemExit(INTERNAL_ERROR if isinstance(exc, RenderError) else 2) from None
        except BrokenPipeError:
            raise SystemExit(0) from None
        except Exception as exc:
            if debug:
                raise
            click.echo(f"error: umr failed unexpectedly ({type(exc).__name__}: {exc})", err=True)
            click.echo(
                "hint: this is a fault in umr, not in your input: run the command again with "
                "--debug to see where, and report it",
                err=True,
            )
            raise SystemExit(INTERNAL_ERROR) from None


@click.group(cls=UmrGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="umr")
@click.option(
    "--workspace",
    "-w",
    envvar="UMR_WORKSPACE",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder of record YAML files that refs resolve in (scanned recursively) "
    "[default: the current folder if it holds .umr/, else none; $UMR_WORKSPACE]",
)
@click.option(
    "--registry",
    envvar="UMR_REGISTRY",
    default=None,
    help="Registry URL: sqlite:///PATH or postgresql://... "
    "[default: $UMR_REGISTRY, else WORKSPACE/.umr/registry.db]",
)
@click.option(
    "--debug",
    is_flag=True,
    help="Show the traceback of an unexpected failure [$UMR_DEBUG=1].",
)
@click.pass_context
def app(ctx: click.Context, workspace: Path | None, registry: str | None, debug: bool) -> None:
    """umr: machine-readable model records, lineage, advisories and audit.

    \b
    Examples:
      umr validate records/
      umr show acme-chat-7b@^1 --resolved
      umr audit acme-chat-7b --fail-on high
    """
    ctx.obj = Options(
        workspace=workspace or Path("."), registry=registry, workspace_given=workspace is not None
    )
    if ctx.invoked_subcommand not in KEEP_GC:
        # A command is one batch: it allocates many objects and frees few, so collections
        # would only rescan them; one pause for the whole command (docs/benchmarks.md, "The
        # cyclic GC pause"). Never in library calls: the collector is process-wide.
        ctx.with_resource(gc_paused())


for _module in (spec, registry, formats, scan, web, unlearn, demo, reference):
    _module.register(app)


def main(argv: list[str] | None = None) -> None:
    """Console entry point."""
    app.main(args=argv, prog_name="umr")
