"""The bundled demo registry: real public models and datasets, their lineage and advisories.

The data ships inside the package (``records/`` and ``advisories/`` next to this file), so
``records_dir()`` works from a source checkout and from an installed wheel alike.
"""

from __future__ import annotations

from importlib.resources import as_file, files
from pathlib import Path

__all__ = ["advisories_dir", "records_dir"]


def _data_dir(name: str) -> Path:
    resource = files(__name__).joinpath(name)
    # Wheels install as plain directories; as_file is a no-op for them and would only
    # extract to a temporary copy for zipped installs, which umr does not support.
    with as_file(resource) as path:
        return Path(path)


def records_dir() -> Path:
    """Folder of demo record YAML files (one record per file, grouped by family)."""
    return _data_dir("records")


def advisories_dir() -> Path:
    """Folder of demo advisory YAML files (one OSV-like advisory per file)."""
    return _data_dir("advisories")
