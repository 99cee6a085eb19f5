"""Finetune: keep training every parameter on the retain set only."""

from __future__ import annotations

from umr.unlearn.methods._base import Context, Outcome, register_method


@register_method("finetune")
def run(ctx: Context) -> Outcome:
    stats = ctx.fit(ctx.data.retain)
    return Outcome(model=ctx.model, stats=stats)
