"""Hypothesis profiles and fixtures shared by several test folders.

``make test`` (the ``bounded`` profile): no example database, no deadline (speed is measured
in bench/, never in timed tests). ``make fuzz`` sets ``UMR_FUZZ_SECONDS`` (the ``long``
profile): an example database, so failures found once are replayed first next time.
Hypothesis keeps everything it stores (that database, its cache of constants) outside the
repository, in ``$UMR_HYPOTHESIS_HOME`` (default ``~/.cache/umr/hypothesis``).
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis.configuration import set_hypothesis_home_dir
from hypothesis.database import DirectoryBasedExampleDatabase

from support import need

LONG = float(os.environ.get("UMR_FUZZ_SECONDS", "0")) > 0
HOME = Path(
    os.environ.get("UMR_HYPOTHESIS_HOME", str(Path.home() / ".cache" / "umr" / "hypothesis"))
)
set_hypothesis_home_dir(str(HOME))
_SUPPRESS = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]

settings.register_profile(
    "bounded", deadline=None, database=None, suppress_health_check=_SUPPRESS, print_blob=True
)
settings.register_profile(
    "long",
    deadline=None,  # each example's time is checked by the targets' own bound (see `run`)
    database=DirectoryBasedExampleDatabase(str(HOME / "examples")),
    suppress_health_check=_SUPPRESS,
    print_blob=True,
)
settings.load_profile("long" if LONG else "bounded")


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
