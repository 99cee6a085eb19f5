"""The web interface: a FastAPI app over the registry (pages, JSON API, Atom feeds, writes).

Install with the ``server`` extra. :func:`create_app` builds the app; ``umr serve`` runs it and
``umr site OUTDIR`` exports the same pages as a static site. Importing this package imports
neither FastAPI nor Jinja; the modules that need them do so themselves.
"""

from __future__ import annotations

from typing import Any

__all__ = ["create_app"]


def create_app(registry_url: str, *, demo: bool = False, **options: Any) -> Any:
    """See :func:`umr.web.app.create_app`."""
    from umr.web.app import create_app as create

    return create(registry_url, demo=demo, **options)
