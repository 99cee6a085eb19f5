"""Test helpers shared across the suite (importable as ``support``)."""

from __future__ import annotations

import importlib.util
import os
import shutil

import pytest

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def need(condition: bool, reason: str) -> None:
    """Skip when ``condition`` is false, with ``reason``; under CI=true fail instead.

    CI installs every system package and extra the suite uses (see .ci/run), so a test that
    would skip there points at a broken install step, not at a missing optional piece.
    """
    if condition:
        return
    if IN_CI:
        pytest.fail(f"required in CI but missing: {reason}")
    pytest.skip(reason)


def need_tool(name: str, package: str | None = None) -> str:
    """Return the path of executable ``name`` or skip/fail (see :func:`need`)."""
    path = shutil.which(name)
    need(path is not None, f"{name!r} is not on PATH (apt-get install {package or name})")
    assert path is not None
    return path


def need_module(name: str, extra: str) -> None:
    """Skip/fail unless Python module ``name`` imports (installed by the ``extra`` extra)."""
    need(importlib.util.find_spec(name) is not None, f"{name} missing: pip install 'umr[{extra}]'")
