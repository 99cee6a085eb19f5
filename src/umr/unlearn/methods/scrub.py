"""SCRUB (Kurmanji et al., NeurIPS 2023): a student moves away from the original on forget.

The original model is the teacher. Each of the first ``msteps`` epochs runs a max step (one
pass over the forget set ascending KL(teacher ‖ student)); every epoch then runs a min step (one
pass over the retain set on CE + ``alpha`` · KL). Temperature ``T`` softens both distributions.
"""

from __future__ import annotations

import copy
from typing import Any

import torch
from torch import nn
from torch.nn import functional as F

from umr.unlearn._train import FitStats
from umr.unlearn.methods._base import Context, Outcome, register_method


@register_method("scrub")
def run(ctx: Context) -> Outcome:
    d = ctx.data
    alpha, temp = ctx.option("alpha", 0.5), ctx.option("T", 4.0)
    msteps = int(ctx.option("msteps", max(1, ctx.epochs // 2)))
    teacher = ctx.logits_of(copy.deepcopy(ctx.model).eval())
    for p in teacher.parameters():
        p.requires_grad_(False)

    def kl(student_out: torch.Tensor, x: Any) -> torch.Tensor:
        with torch.no_grad():
            t = F.log_softmax(teacher(x).float() / temp, dim=1)
        s = F.log_softmax(student_out.float() / temp, dim=1)
        return F.kl_div(s, t, log_target=True, reduction="batchmean") * temp**2

    def max_loss(model: nn.Module, x: Any, y: torch.Tensor) -> torch.Tensor:
        return -kl(model(x), x)

    def min_loss(model: nn.Module, x: Any, y: torch.Tensor) -> torch.Tensor:
        out = model(x)
        return ctx.loss(out, y) + alpha * kl(out, x)

    total = FitStats()
    for epoch in range(ctx.epochs):
        lr = ctx.lr * (0.1 if epoch >= msteps else 1.0)
        runs = [(d.forget, max_loss)] if epoch < msteps else []
        runs.append((d.retain, min_loss))
        for source, fn in runs:
            s = ctx.fit(source, loss_fn=fn, epochs=1, lr=lr)
            total.steps, total.samples = total.steps + s.steps, total.samples + s.samples
            total.seconds += s.seconds
    return Outcome(model=ctx.model, stats=total)
