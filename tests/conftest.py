"""Hypothesis profiles for the whole suite.

``make test`` (the ``bounded`` profile): no example database, no deadline (speed is measured
in bench/, never in timed tests). ``make fuzz`` sets ``UMR_FUZZ_SECONDS`` (the ``long``
profile): an example database, so failures found once are replayed first next time.
Hypothesis keeps everything it stores (that database, its cache of constants) outside the
repository, in ``$UMR_HYPOTHESIS_HOME`` (default ``~/.cache/umr/hypothesis``).
"""

from __future__ import annotations

import os
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis.configuration import set_hypothesis_home_dir
from hypothesis.database import DirectoryBasedExampleDatabase

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
