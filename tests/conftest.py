"""Fixtures shared by several test folders."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from support import need


@pytest.fixture(scope="session")
def zoo_registry(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A SQLite registry with the demo and the installed timm and open_clip weights (built
    once per session: publishing ~3,400 records takes seconds)."""
    for module, wheel in (("timm", "timm"), ("open_clip", "open_clip_torch")):
        need(
            importlib.util.find_spec(module) is not None,
            f"{module} is not installed (pip install --no-deps {wheel}; 'make venv' does)",
        )
    from umr.registry.demo import load_demo

    url = f"sqlite:///{Path(tmp_path_factory.mktemp('zoo')) / 'zoo.db'}"
    load_demo(url, ["timm", "open-clip"])
    return url
