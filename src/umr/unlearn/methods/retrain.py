"""Retrain: the oracle. A fresh model trained from scratch on the retain set only.

Left at their defaults, epochs, learning rate and weight decay are the pretraining recipe's
(the oracle); set, they give retraining at another budget, as the benchmark's search does.
"""

from __future__ import annotations

from umr.unlearn._train import fit_on
from umr.unlearn.methods._base import Context, Defaults, Outcome, register_method


@register_method("retrain", defaults=Defaults(epochs=None, lr=None, weight_decay=None))
def run(ctx: Context) -> Outcome:
    t = ctx.train
    model = ctx.factory(t.seed + 7919)  # not the original's initialisation
    stats = fit_on(
        model,
        ctx.data.retain,
        epochs=ctx.epochs,
        lr=ctx.lr,
        batch_size=t.batch_size,
        weight_decay=ctx.weight_decay,
        seed=t.seed + 7919,
        bn_policy="train",
        rt=ctx.rt,
        adapter=ctx.adapter,
    )
    return Outcome(model=model, stats=stats)
