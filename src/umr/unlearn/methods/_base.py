"""The method registry and what every method receives and returns."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import torch
from torch import nn

from umr.unlearn._train import FitStats, LossFn, Mask, Runtime, ce, fit
from umr.unlearn.config import ConfigError, MethodConfig, TrainConfig
from umr.unlearn.data import UnlearnData


@dataclass(kw_only=True)
class Context:
    """Inputs of one unlearning run. ``model`` is the trained model; methods change it in place."""

    model: nn.Module
    data: UnlearnData
    cfg: MethodConfig
    factory: Callable[[int], nn.Module]  # seed -> freshly initialised model, same architecture
    train: TrainConfig = field(default_factory=TrainConfig)  # the original recipe (retrain)
    rt: Runtime = field(default_factory=Runtime)

    def option(self, key: str, default: float) -> float:
        return float(self.cfg.options.get(key, default))

    def fit(
        self,
        x: torch.Tensor,
        y: torch.Tensor,
        *,
        loss_fn: LossFn = ce,
        trainable: Mask | None = None,
        epochs: int | None = None,
        lr: float | None = None,
        model: nn.Module | None = None,
    ) -> FitStats:
        c = self.cfg
        return fit(
            model or self.model,
            x,
            y,
            epochs=c.epochs if epochs is None else epochs,
            lr=c.lr if lr is None else lr,
            batch_size=c.batch_size,
            momentum=c.momentum,
            weight_decay=c.weight_decay,
            seed=c.seed,
            trainable=trainable,
            loss_fn=loss_fn,
            bn_policy=c.bn_policy,
            rt=self.rt,
        )


@dataclass(kw_only=True)
class Outcome:
    model: nn.Module
    mask: Mask | None = None  # the parameters the method was allowed to change
    stats: FitStats | None = None  # finetuning steps, samples and seconds
    info: dict[str, Any] = field(default_factory=dict)


MethodFn = Callable[[Context], Outcome]
METHODS: dict[str, MethodFn] = {}


def register_method(name: str) -> Callable[[MethodFn], MethodFn]:
    """Decorator: make an unlearning method available by ``name``."""

    def deco(fn: MethodFn) -> MethodFn:
        METHODS[name] = fn
        return fn

    return deco


def get_method(name: str) -> MethodFn:
    if name not in METHODS:
        raise ConfigError(
            f"method.name: {name!r} is not a method", hint=f"known: {', '.join(sorted(METHODS))}"
        )
    return METHODS[name]
