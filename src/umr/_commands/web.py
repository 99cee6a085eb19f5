"""CLI commands: web."""

from __future__ import annotations

import click


def register(app: click.Group) -> None:
    """Add this group's commands to the root app."""
