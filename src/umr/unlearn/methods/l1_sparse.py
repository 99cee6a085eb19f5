"""L1-sparse (Jia et al., NeurIPS 2023): finetune on retain with an L1 penalty.

Loss per step: CE + γ_t · ‖θ‖₁ with γ_t decaying linearly from ``gamma`` to 0.
"""

from __future__ import annotations

import math
from typing import Any

import torch
from torch import nn

from umr.unlearn.methods._base import Context, Outcome, register_method


@register_method("l1_sparse")
def run(ctx: Context) -> Outcome:
    d = ctx.data
    gamma = ctx.option("gamma", 5e-5)
    total = max(1, ctx.epochs * math.ceil(len(d.retain) / ctx.cfg.batch_size))
    step = [0]
    params = list(ctx.model.parameters())

    def loss(model: nn.Module, x: Any, y: torch.Tensor) -> torch.Tensor:
        g = gamma * (1 - step[0] / total)
        step[0] += 1
        l1 = torch.stack([p.abs().sum() for p in params]).sum()
        return ctx.loss(model(x), y) + g * l1

    stats = ctx.fit(d.retain, loss_fn=loss)
    return Outcome(model=ctx.model, stats=stats)
