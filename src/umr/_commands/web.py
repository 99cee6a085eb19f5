"""CLI commands: web (serve, token create, site)."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from umr._commands._common import (
    Options,
    emit,
    emit_result,
    open_registry,
    output_options,
    registry_url,
)
from umr.errors import require


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option(
    "--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Port."
)
@click.option("--demo", is_flag=True, help="Serve the bundled demo registry (loaded on first use).")
@click.option(
    "--cache-mb",
    default=64,
    show_default=True,
    type=click.IntRange(0, 1 << 20),
    help="Memory for cached answers, emptied whenever the registry changes; 0: none.",
)
@click.option("--create", is_flag=True, help="Create the registry if it does not exist yet.")
@click.option(
    "--base-url",
    default=None,
    help="Public address that absolute links (feeds) start with, e.g. https://models.example.org;"
    " without it they follow the request's Host.",
)
@click.option(
    "--max-body-mb",
    default=8,
    show_default=True,
    type=click.IntRange(1, 1024),
    help="Largest request body; larger ones are refused with 413 before they are read.",
)
@click.option(
    "--body-timeout",
    default=30,
    show_default=True,
    type=click.IntRange(1, 3600),
    help="Seconds a request body may take to arrive (408 after).",
)
@click.pass_obj
def serve(
    opts: Options,
    host: str,
    port: int,
    demo: bool,
    cache_mb: int,
    base_url: str | None,
    max_body_mb: int,
    body_timeout: int,
    create: bool,
) -> None:
    """Serve the web pages and the JSON API for a registry (one that exists, unless --create).

    \b
    Example:
      umr serve --demo
      umr --registry sqlite:///team.db serve --host 0.0.0.0 --port 8080 \\
          --base-url https://models.example.org
    """
    require("fastapi", "server")
    import uvicorn

    from umr._commands._common import existing_registry
    from umr.web.app import create_app
    from umr.web.demo import demo_url

    url = demo_url() if demo else registry_url(opts)
    if not (demo or create):
        existing_registry(url)
    app = create_app(
        url,
        demo=demo,
        cache_bytes=cache_mb * 1024 * 1024,
        base_url=base_url,
        max_body=max_body_mb * 1024 * 1024,
        body_timeout=body_timeout,
    )
    emit(f"umr serving {'the demo registry' if demo else url} at http://{host}:{port}/")
    sys.stdout.flush()
    # idle keep-alive connections close after 5 s (docs/security.md lists every limit)
    uvicorn.run(app, host=host, port=port, log_level="warning", timeout_keep_alive=5)


@click.group()
def token() -> None:
    """Bearer tokens for writes through the web API: create, list, revoke.

    \b
    Example:
      umr token create --scope 'publish:acme-*' --expires 90d
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
@click.option("--expires", default=None, help="Expiry: a span (90d, 12h, 2w) or a date.")
@output_options()
@click.pass_obj
def token_create(
    opts: Options, scopes: tuple[str, ...], label: str, expires: str | None, fmt: str
) -> None:
    """Create a token and print it once; only its hash is stored.

    \b
    Example:
      umr token create --scope 'publish:acme-*' --label 'acme CI' --expires 90d
    """
    from umr.registry.tokens import parse_expiry

    when = parse_expiry(expires) if expires is not None else None  # "" is refused too
    with _tokens(opts) as store:
        text, tok = store.create(list(scopes), label, expires=when)
    data = {
        "token": text,
        "id": tok.id,
        "scopes": list(tok.scopes),
        "label": tok.label,
        "expires": when.isoformat() if when else None,
    }
    emit_result(fmt, data, text)
    until = f"; it expires {when.isoformat()}" if when else ""
    click.echo(
        f"token {tok.id} with scope {' '.join(tok.scopes)}{until}; it is shown only once",
        err=True,
    )


@token.command("list")
@output_options()
@click.pass_obj
def token_list(opts: Options, fmt: str) -> None:
    """List tokens (never their secrets): scopes, state, expiry, last use.

    \b
    Example:
      umr token list
    """
    with _tokens(opts) as store:
        found = store.listing()
    if fmt == "json":
        emit([i.to_dict() for i in found], "json")
        return
    lines = [
        f"{i.id}  {i.state():<7}  {' '.join(i.scopes)}  label={i.label!r}  created={i.created}"
        f"  expires={i.expires or 'never'}  last_used={i.last_used or 'never'}"
        for i in found
    ]
    emit("\n".join(lines) or "no tokens; create one with 'umr token create --scope ...'")


@token.command("revoke")
@click.argument("token_id")
@output_options()
@click.pass_obj
def token_revoke(opts: Options, token_id: str, fmt: str) -> None:
    """Revoke a token by its id (the 16 hex digits after 'umr_'): it stops working at once.

    \b
    Example:
      umr token revoke 3f9c2a1b7d4e5f60
    """
    with _tokens(opts) as store:
        info = store.revoke(token_id)
    emit_result(
        fmt, info.to_dict(), f"token {info.id} revoked at {info.revoked}; next: 'umr token list'"
    )


@contextlib.contextmanager
def _tokens(opts: Options) -> Iterator[Any]:
    from umr.registry.tokens import TokenStore

    with open_registry(opts, create=True) as reg:
        yield TokenStore.for_registry(reg)


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

    registry = open_registry(opts, url=demo_url(), create=True) if demo else open_registry(opts)
    if demo:
        ensure_loaded(registry)
    emit(export(registry, outdir, formats=list(formats) or None).text())


def register(app: click.Group) -> None:
    """Add this group's commands to the root app."""
    for command in (serve, token, site):
        app.add_command(command)
