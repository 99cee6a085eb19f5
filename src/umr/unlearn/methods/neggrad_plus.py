"""NegGrad+ (Kurmanji et al., 2023): descend on retain, ascend on forget.

Loss per step: ``alpha`` · CE(retain batch) − (1 − ``alpha``) · CE(forget batch).
"""

from __future__ import annotations

import torch
from torch import nn

from umr.unlearn.methods._base import Context, Outcome, register_method


@register_method("neggrad_plus")
def run(ctx: Context) -> Outcome:
    d = ctx.data
    alpha = ctx.option("alpha", 0.95)
    gen = torch.Generator().manual_seed(ctx.cfg.seed + 1)
    dev = next(ctx.model.parameters()).device
    xf, yf = d.x_forget.to(dev), d.y_forget.to(dev)

    def loss(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        idx = torch.randint(0, len(yf), (min(len(yf), len(y)),), generator=gen).to(dev)
        ce = nn.functional.cross_entropy
        return alpha * ce(model(x), y) - (1 - alpha) * ce(model(xf[idx]), yf[idx])

    stats = ctx.fit(d.x_retain, d.y_retain, loss_fn=loss)
    return Outcome(model=ctx.model, stats=stats)
