"""CLI commands: demo (load the bundled registry of real public models and datasets)."""

from __future__ import annotations

import click

from umr.cli import Options, emit, registry_url


@click.group()
def demo() -> None:
    """The bundled demo registry of real public models, datasets and advisories.

    \b
    Example:
      umr demo load && umr audit stable-diffusion-v1-5
    """


@demo.command("load")
@click.option(
    "--registry", "url", default=None, help="Registry URL [default: the global --registry]."
)
@click.pass_obj
def load(opts: Options, url: str | None) -> None:
    """Publish every demo record and advisory; running it again changes nothing.

    \b
    Example:
      umr demo load --registry sqlite:///demo.db
    """
    from umr.registry.demo import load_demo

    counts = load_demo(url or registry_url(opts))
    emit(
        f"{counts['published']} record(s) published, {counts['unchanged']} unchanged, "
        f"{counts['advisories']} advisories; next: 'umr audit stable-diffusion-v1-5'"
    )


def register(app: click.Group) -> None:
    """Add this group's commands to the root app."""
    app.add_command(demo)
