"""The method registry and what every method receives and returns."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import torch
from torch import nn

from umr.unlearn._train import FitStats, LossFn, Mask, Runtime, fit_on
from umr.unlearn.config import ConfigError, MethodConfig, TrainConfig
from umr.unlearn.stream import Adapter, LogitsOf, Source, StreamData


@dataclass(frozen=True, kw_only=True)
class Defaults:
    """A method's defaults for the MethodConfig fields left at None."""

    epochs: int | None = 5  # None: the pretraining recipe's epochs
    lr: float | None = 0.05  # None: the pretraining recipe's learning rate
    weight_decay: float | None = 5e-4  # None: the pretraining recipe's weight decay
    schedule: str = "step"  # see umr.unlearn._train.SCHEDULES


@dataclass(kw_only=True)
class Context:
    """Inputs of one unlearning run. ``model`` is the trained model; methods change it in place."""

    model: nn.Module
    data: StreamData  # forget, retain, test (and val) as sources of batches
    cfg: MethodConfig
    factory: Callable[[int], nn.Module]  # seed -> freshly initialised model, same architecture
    train: TrainConfig = field(default_factory=TrainConfig)  # the original recipe (retrain)
    rt: Runtime = field(default_factory=Runtime)
    adapter: Adapter = field(default_factory=Adapter)  # how to call the model and score it

    def option(self, key: str, default: float) -> float:
        return float(self.cfg.options.get(key, default))

    @property
    def defaults(self) -> Defaults:
        return DEFAULTS.get(self.cfg.name, Defaults())

    @property
    def epochs(self) -> int:
        """``cfg.epochs``, else the method's default, else the pretraining epochs."""
        if self.cfg.epochs is not None:
            return self.cfg.epochs
        return self.train.epochs if self.defaults.epochs is None else self.defaults.epochs

    @property
    def lr(self) -> float:
        if self.cfg.lr is not None:
            return self.cfg.lr
        return self.train.lr if self.defaults.lr is None else self.defaults.lr

    @property
    def weight_decay(self) -> float:
        if self.cfg.weight_decay is not None:
            return self.cfg.weight_decay
        d = self.defaults.weight_decay
        return self.train.weight_decay if d is None else d

    @property
    def schedule(self) -> str:
        return self.cfg.schedule or self.defaults.schedule

    def resolved(self) -> dict[str, Any]:
        """The hyperparameters this run uses, defaults filled in (what a record reports)."""
        return {
            **{k: v for k, v in self.cfg.to_dict().items() if k != "name"},
            "epochs": self.epochs,
            "lr": self.lr,
            "weight_decay": self.weight_decay,
            "schedule": self.schedule,
        }

    def loss(self, logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """The task loss (mean over the batch) of ``logits`` against labels ``y``."""
        return self.adapter.loss(logits, y)

    def ce(self, model: nn.Module, x: Any, y: torch.Tensor) -> torch.Tensor:
        """The default ``loss_fn``: the task loss of ``model``'s logits."""
        return self.adapter.loss(model(x), y)

    def logits_of(self, model: nn.Module) -> nn.Module:
        """``model`` seen through the adapter: calling it returns logits."""
        return LogitsOf(model, self.adapter)

    def fit(
        self,
        source: Source,
        *,
        loss_fn: LossFn | None = None,
        trainable: Mask | None = None,
        epochs: int | None = None,
        lr: float | None = None,
        model: nn.Module | None = None,
    ) -> FitStats:
        c = self.cfg
        return fit_on(
            model or self.model,
            source,
            epochs=self.epochs if epochs is None else epochs,
            lr=self.lr if lr is None else lr,
            batch_size=c.batch_size,
            momentum=c.momentum,
            weight_decay=self.weight_decay,
            seed=c.seed,
            trainable=trainable,
            loss_fn=loss_fn or self.ce,
            bn_policy=c.bn_policy,
            schedule=self.schedule,
            rt=self.rt,
            adapter=self.adapter,
        )


@dataclass(kw_only=True)
class Outcome:
    model: nn.Module
    mask: Mask | None = None  # the parameters the method was allowed to change
    stats: FitStats | None = None  # finetuning steps, samples and seconds
    info: dict[str, Any] = field(default_factory=dict)


MethodFn = Callable[[Context], Outcome]
METHODS: dict[str, MethodFn] = {}
DEFAULTS: dict[str, Defaults] = {}


def register_method(
    name: str, *, defaults: Defaults | None = None
) -> Callable[[MethodFn], MethodFn]:
    """Decorator: make an unlearning method available by ``name``, with its ``defaults``."""

    def deco(fn: MethodFn) -> MethodFn:
        METHODS[name] = fn
        DEFAULTS[name] = defaults or Defaults()
        return fn

    return deco


def get_method(name: str) -> MethodFn:
    if name not in METHODS:
        raise ConfigError(
            f"method.name: {name!r} is not a method", hint=f"known: {', '.join(sorted(METHODS))}"
        )
    return METHODS[name]
