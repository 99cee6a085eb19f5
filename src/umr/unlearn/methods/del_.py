"""DEL (Deletion by Example Localization, Torkzadehmahani et al., TMLR 2025).

Score criticality for the forget set (default ``weighted_grad``, channel granularity, top 30%),
reset the selected parameters to a fresh seeded initialisation of the same architecture, then
finetune only those plus the classifier head on the retain set (SGD, momentum 0.9, cosine).
"""

from __future__ import annotations

import torch

from umr.unlearn.config import LocalizeConfig
from umr.unlearn.localize import localize
from umr.unlearn.methods._base import Context, Outcome, register_method
from umr.unlearn.models import head_names

DEFAULT = LocalizeConfig(criticality="weighted_grad", granularity="channel", fraction=0.3)


@register_method("del")
def run(ctx: Context) -> Outcome:
    d = ctx.data
    mask = localize(ctx.model, d.x_forget, d.y_forget, ctx.cfg.localize or DEFAULT, rt=ctx.rt)
    fresh = dict(ctx.factory(ctx.cfg.seed).named_parameters())
    with torch.no_grad():
        for n, p in ctx.model.named_parameters():
            torch.where(mask[n].to(p.device), fresh[n].to(p.device), p, out=p)
    heads = head_names(ctx.model)
    trainable = {n: torch.ones_like(m) if n in heads else m for n, m in mask.items()}
    stats = ctx.fit(d.x_retain, d.y_retain, trainable=trainable)
    return Outcome(model=ctx.model, mask=trainable, stats=stats)
