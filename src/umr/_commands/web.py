"""CLI commands: web (serve, token create, site)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from umr.cli import Options, emit, registry_url
from umr.errors import require


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option("--demo", is_flag=True, help="Serve the bundled demo registry (loaded on first use).")
@click.option(
    "--cache-mb",
    default=64,
    show_default=True,
    type=click.IntRange(0, 1 << 20),
    help="Memory for cached answers, emptied whenever the registry changes; 0: none.",
)
@click.option("--create", is_flag=True, help="Create the registry if it does not exist yet.")
@click.pass_obj
def serve(opts: Options, host: str, port: int, demo: bool, cache_mb: int, create: bool) -> None:
    """Serve the web pages and the JSON API for a registry (one that exists, unless --create).

    \b
    Example:
      umr serve --demo
      umr --registry sqlite:///team.db serve --host 0.0.0.0 --port 8080
    """
    require("fastapi", "server")
    import uvicorn

    from umr._commands._common import existing_registry
    from umr.web.app import create_app
    from umr.web.demo import demo_url

    url = demo_url() if demo else registry_url(opts)
    if not (demo or create):
        existing_registry(url)
    app = create_app(url, demo=demo, cache_bytes=cache_mb * 1024 * 1024)
    emit(f"umr serving {'the demo registry' if demo else url} at http://{host}:{port}/")
    sys.stdout.flush()
    uvicorn.run(app, host=host, port=port, log_level="warning")


@click.group()
def token() -> None:
    """Bearer tokens for writes through the web API.

    \b
    Example:
      umr token create --scope 'publish:acme-*'
    """


@token.command("create")
@click.option(
    "--scope",
    "scopes",
    multiple=True,
    required=True,
    help="ACTION:GLOB, ACTION publish (publish, yank), advisory or *; repeatable.",
)
@click.option("--label", default="", help="Who holds the token (kept in the write log).")
@click.pass_obj
def token_create(opts: Options, scopes: tuple[str, ...], label: str) -> None:
    """Create a token and print it once; only its hash is stored.

    \b
    Example:
      umr token create --scope 'publish:acme-*' --label 'acme CI'
    """
    from umr.registry import Registry
    from umr.web.tokens import TokenStore

    url = registry_url(opts)
    text, tok = TokenStore.for_registry(Registry(url), url).create(list(scopes), label)
    emit(text)
    click.echo(f"token {tok.id} with scope {' '.join(tok.scopes)}; it is shown only once", err=True)


@click.command()
@click.argument("outdir", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--format", "formats", multiple=True, help="Download formats to write [default: all]."
)
@click.option("--demo", is_flag=True, help="Export the bundled demo registry.")
@click.pass_obj
def site(opts: Options, outdir: Path, formats: tuple[str, ...], demo: bool) -> None:
    """Export the web pages as a static site (relative links, prebuilt search index).

    \b
    Example:
      umr site public/ && python -m http.server -d public
    """
    require("fastapi", "server")
    from umr.web.demo import demo_url, ensure_loaded
    from umr.web.site import export

    registry = ensure_loaded(demo_url()) if demo else _open(registry_url(opts))  # checked
    emit(export(registry, outdir, formats=list(formats) or None).text())


def _open(url: str) -> object:
    from umr._commands._common import existing_registry
    from umr.registry import Registry

    return Registry(existing_registry(url))


def register(app: click.Group) -> None:
    """Add this group's commands to the root app."""
    for command in (serve, token, site):
        app.add_command(command)
