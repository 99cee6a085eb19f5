"""Localized machine unlearning (DEL) with baselines, evaluation and benchmarks.

Needs the ``unlearn`` extra (PyTorch). Typical use::

    from umr.unlearn import RunConfig, MethodConfig, run
    result = run(RunConfig(method=MethodConfig(name="del")))
    result.metrics["tow"], result.state_dict
"""

from umr.errors import require

require("torch", "unlearn")

from umr.unlearn._train import Runtime  # noqa: E402
from umr.unlearn.config import (  # noqa: E402
    DataConfig,
    ForgetConfig,
    LocalizeConfig,
    MethodConfig,
    RunConfig,
    TrainConfig,
)
from umr.unlearn.evaluate import evaluate  # noqa: E402
from umr.unlearn.methods import METHODS  # noqa: E402
from umr.unlearn.run import RunResult, load_config, run, train, unlearn  # noqa: E402
from umr.unlearn.stream import Adapter, Loading, StreamData  # noqa: E402

__all__ = [
    "METHODS",
    "Adapter",
    "DataConfig",
    "ForgetConfig",
    "Loading",
    "LocalizeConfig",
    "MethodConfig",
    "RunConfig",
    "RunResult",
    "Runtime",
    "StreamData",
    "TrainConfig",
    "evaluate",
    "load_config",
    "run",
    "train",
    "unlearn",
]
