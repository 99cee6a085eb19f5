"""SSD, selective synaptic dampening (Foster et al., AAAI 2024). No training.

Importance = mean over batches of squared gradients of the CE loss (a diagonal Fisher), on the
forget set (I_f) and the whole training set (I_D). Where I_f > ``alpha`` · I_D, the parameter is
multiplied by β = min(``lambda`` · I_D / I_f, 1).
"""

from __future__ import annotations

import time

import torch
from torch import nn

from umr.unlearn._train import FitStats, autocast
from umr.unlearn.methods._base import Context, Outcome, register_method
from umr.unlearn.stream import Source, in_order, to_device


def importance(model: nn.Module, source: Source, ctx: Context) -> dict[str, torch.Tensor]:
    dev = next(model.parameters()).device
    params = dict(model.named_parameters())
    imp = {n: torch.zeros_like(p, dtype=torch.float32) for n, p in params.items()}
    model.eval()
    batches = 0
    bs = ctx.cfg.batch_size
    for x, y in source.batches(in_order(len(source), bs)):
        model.zero_grad(set_to_none=True)
        with autocast(ctx.rt):
            loss = ctx.loss(ctx.adapter(model, to_device(x, dev)), y.to(dev))
        loss.backward()
        for n, p in params.items():
            if p.grad is not None:
                imp[n] += p.grad.float() ** 2
        batches += 1
    model.zero_grad(set_to_none=True)
    return {n: v / max(1, batches) for n, v in imp.items()}


@register_method("ssd")
def run(ctx: Context) -> Outcome:
    d = ctx.data
    alpha, lam = ctx.option("alpha", 10.0), ctx.option("lambda", 1.0)
    t0 = time.perf_counter()
    i_f = importance(ctx.model, d.forget, ctx)
    i_d = importance(ctx.model, d.train, ctx)
    mask = {}
    with torch.no_grad():
        for n, p in ctx.model.named_parameters():
            sel = i_f[n] > alpha * i_d[n]
            beta = torch.clamp(lam * i_d[n] / i_f[n].clamp_min(1e-30), max=1.0)
            p.copy_(torch.where(sel, p * beta.to(p.dtype), p))
            mask[n] = sel
    return Outcome(model=ctx.model, mask=mask, stats=FitStats(seconds=time.perf_counter() - t0))
