"""NegGrad+ (Kurmanji et al., 2023): descend on retain, ascend on forget.

Loss per step: ``alpha`` · CE(retain batch) − (1 − ``alpha``) · CE(forget batch).
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from umr.unlearn.methods._base import Context, Outcome, register_method
from umr.unlearn.stream import on_device, to_device


@register_method("neggrad_plus")
def run(ctx: Context) -> Outcome:
    d = ctx.data
    alpha = ctx.option("alpha", 0.95)
    gen = torch.Generator().manual_seed(ctx.cfg.seed + 1)
    dev = next(ctx.model.parameters()).device
    forget = on_device(d.forget, dev)  # in-memory forget data moves once, not every step
    n_forget = len(forget)

    def loss(model: nn.Module, x: Any, y: torch.Tensor) -> torch.Tensor:
        idx = torch.randint(0, n_forget, (min(n_forget, len(y)),), generator=gen)
        xf, yf = next(iter(forget.batches([idx])))  # a random forget batch, read alone
        xf, yf = to_device(xf, dev), yf.to(dev)
        return alpha * ctx.loss(model(x), y) - (1 - alpha) * ctx.loss(model(xf), yf)

    stats = ctx.fit(d.retain, loss_fn=loss)
    return Outcome(model=ctx.model, stats=stats)
