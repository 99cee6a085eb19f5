"""Retrain: the oracle. A fresh model trained from scratch on the retain set only."""

from __future__ import annotations

from umr.unlearn._train import fit
from umr.unlearn.methods._base import Context, Outcome, register_method


@register_method("retrain")
def run(ctx: Context) -> Outcome:
    t = ctx.train
    model = ctx.factory(t.seed + 7919)  # not the original's initialisation
    stats = fit(
        model,
        ctx.data.x_retain,
        ctx.data.y_retain,
        epochs=t.epochs,
        lr=t.lr,
        batch_size=t.batch_size,
        weight_decay=t.weight_decay,
        seed=t.seed + 7919,
        bn_policy="train",
        rt=ctx.rt,
    )
    return Outcome(model=model, stats=stats)
