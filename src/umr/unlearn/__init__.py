"""Localized machine unlearning (DEL) with baselines, evaluation and benchmarks.

Needs the ``unlearn`` extra (PyTorch). Typical use::

    from umr.unlearn import RunConfig, MethodConfig, run
    result = run(RunConfig(method=MethodConfig(name="del")))
    result.metrics["tow"], result.state_dict
"""

from umr.errors import require

require("torch", "unlearn")

from umr.unlearn.config import (  # noqa: E402
    DataConfig,
    ForgetConfig,
    LocalizeConfig,
    MethodConfig,
    RunConfig,
    TrainConfig,
)
from umr.unlearn.methods import METHODS  # noqa: E402
from umr.unlearn.run import RunResult, load_config, run, unlearn  # noqa: E402

__all__ = [
    "METHODS",
    "DataConfig",
    "ForgetConfig",
    "LocalizeConfig",
    "MethodConfig",
    "RunConfig",
    "RunResult",
    "TrainConfig",
    "load_config",
    "run",
    "unlearn",
]
