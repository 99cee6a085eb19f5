"""CLI commands: demo (load the bundled registry of real public models and datasets)."""

from __future__ import annotations

import click

from umr._commands._common import Options, emit_result, output_options, registry_url, repeatable


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
@click.option(
    "--with",
    "zoos",
    multiple=True,
    callback=repeatable,
    metavar="ZOO",
    help="Also import an installed model zoo: timm or open-clip (repeatable).",
)
@output_options()
@click.pass_obj
def load(opts: Options, url: str | None, zoos: list[str], fmt: str) -> None:
    """Publish every demo record and advisory; running it again changes nothing.

    With --with, the pretrained weights of installed model zoos are imported (read from
    their files, not imported as Python) and published with their lineage to the demo's
    datasets.

    \b
    Example:
      umr demo load --registry sqlite:///demo.db
      umr demo load --with timm --with open-clip && umr impact laion-5b
    """
    from umr.registry.demo import load_demo

    counts = load_demo(url or registry_url(opts), zoos)
    text = (
        f"{counts['published']} record(s) published, {counts['unchanged']} unchanged, "
        f"{counts['advisories']} advisories"
    )
    if zoos:
        text += (
            f"; {', '.join(zoos)}: {counts['zoo_published']} record(s) published, "
            f"{counts['zoo_unchanged']} unchanged, {counts['zoo_edges']} edges, "
            f"{counts['zoo_unread']} tag part(s) not interpreted (see 'umr import --help')"
        )
    emit_result(fmt, counts, f"{text}; next: 'umr audit stable-diffusion-v1-5'")


def register(app: click.Group) -> None:
    """Add this group's commands to the root app."""
    app.add_command(demo)
