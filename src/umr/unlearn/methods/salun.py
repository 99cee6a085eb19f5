"""SalUn (Fan et al., ICLR 2024): saliency-masked random relabelling.

Mask: ``grad`` criticality, per parameter, top 50%. Train on the forget set with random wrong
labels mixed with the retain set; only the masked parameters move.
"""

from __future__ import annotations

import torch

from umr.unlearn.config import LocalizeConfig
from umr.unlearn.localize import localize
from umr.unlearn.methods._base import Context, Outcome, register_method

DEFAULT = LocalizeConfig(criticality="grad", granularity="param", fraction=0.5)


@register_method("salun")
def run(ctx: Context) -> Outcome:
    d = ctx.data
    mask = localize(ctx.model, d.x_forget, d.y_forget, ctx.cfg.localize or DEFAULT, rt=ctx.rt)
    gen = torch.Generator().manual_seed(ctx.cfg.seed)
    shift = torch.randint(1, d.num_classes, d.y_forget.shape, generator=gen)
    y_random = (d.y_forget + shift) % d.num_classes  # a wrong label for every forget example
    x = torch.cat([d.x_retain, d.x_forget])
    y = torch.cat([d.y_retain, y_random])
    stats = ctx.fit(x, y, trainable=mask)
    return Outcome(model=ctx.model, mask=mask, stats=stats)
