"""Gradient ascent: maximise the cross-entropy on the forget set (``epochs`` passes over it)."""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from umr.unlearn.methods._base import Context, Outcome, register_method


@register_method("gradient_ascent")
def run(ctx: Context) -> Outcome:
    def ascent(model: nn.Module, x: Any, y: torch.Tensor) -> torch.Tensor:
        return -ctx.loss(model(x), y)

    stats = ctx.fit(ctx.data.forget, loss_fn=ascent)
    return Outcome(model=ctx.model, stats=stats)
