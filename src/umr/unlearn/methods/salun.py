"""SalUn (Fan et al., ICLR 2024): saliency-masked random relabelling.

Mask: ``grad`` criticality, per parameter, top 50%. Train on the forget set with random wrong
labels mixed with the retain set; only the masked parameters move.
"""

from __future__ import annotations

import torch

from umr.unlearn.config import LocalizeConfig
from umr.unlearn.localize import localize_on
from umr.unlearn.methods._base import Context, Outcome, register_method
from umr.unlearn.stream import Concat, Relabeled

DEFAULT = LocalizeConfig(criticality="grad", granularity="param", fraction=0.5)


@register_method("salun")
def run(ctx: Context) -> Outcome:
    d = ctx.data
    cfg = ctx.cfg.localize or DEFAULT
    mask = localize_on(ctx.model, d.forget, cfg, rt=ctx.rt, adapter=ctx.adapter)
    gen = torch.Generator().manual_seed(ctx.cfg.seed)
    shift = torch.randint(1, d.num_classes, (len(d.forget),), generator=gen)
    wrong = Relabeled(d.forget, shift, d.num_classes)  # a wrong label for every forget example
    stats = ctx.fit(Concat(d.retain, wrong), trainable=mask)
    return Outcome(model=ctx.model, mask=mask, stats=stats)
