"""Gradient ascent: maximise the cross-entropy on the forget set (``epochs`` passes over it)."""

from __future__ import annotations

import torch
from torch import nn

from umr.unlearn.methods._base import Context, Outcome, register_method


def _ascent(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    return -nn.functional.cross_entropy(model(x), y)


@register_method("gradient_ascent")
def run(ctx: Context) -> Outcome:
    stats = ctx.fit(ctx.data.x_forget, ctx.data.y_forget, loss_fn=_ascent)
    return Outcome(model=ctx.model, stats=stats)
