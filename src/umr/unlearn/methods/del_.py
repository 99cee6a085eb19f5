"""DEL (Deletion by Example Localization, Torkzadehmahani et al., TMLR 2025).

As the authors' code does it (``generate_mask.py``, ``unlearn.py``):

1. score criticality for the forget set (``weighted_grad``: |Σ θ ⊙ ∇θ(−CE)|), write each output
   channel's score over its entries (the reference's channel rule by default) and keep the
   global top 30% of scalar parameters;
2. reset the selected entries, the head's included, to a new initialization drawn from a seed
   derived from (method seed, "del-reset"), so never the original's initialization;
3. finetune on the retain set only the reset entries plus the whole head: SGD with momentum 0.9,
   the pretraining recipe's weight decay (the reference pretrains and finetunes with 0), the
   reference's per-epoch cosine to 0.01·lr, for the pretraining epochs by default.

The reset seed is returned in ``Outcome.info["reset_seed"]``.
"""

from __future__ import annotations

import hashlib

import torch

from umr.unlearn.config import LocalizeConfig
from umr.unlearn.localize import localize_on
from umr.unlearn.methods._base import Context, Defaults, Outcome, register_method
from umr.unlearn.models import head_names

DEFAULT = LocalizeConfig(criticality="weighted_grad", granularity="channel", fraction=0.3)
# None: the pretraining recipe's. Weight decay 0 on a model pretrained with 5e-4 cost 5 points
# of test accuracy against the oracles on the memorization suite's search seed (docs/decisions).
DEL_DEFAULTS = Defaults(epochs=None, lr=None, weight_decay=None, schedule="epoch")


def reset_seed(seed: int) -> int:
    """The seed of DEL's new initialization: a hash of (seed, "del-reset"), 31 bits.

    31 bits keep it exact wherever a record travels (JSON numbers, 32-bit signed ints).
    """
    digest = hashlib.sha256(f"{seed}:del-reset".encode()).digest()
    return int.from_bytes(digest[:4], "big") >> 1


@register_method("del", defaults=DEL_DEFAULTS)
def run(ctx: Context) -> Outcome:
    d = ctx.data
    cfg = ctx.cfg.localize or DEFAULT
    mask = localize_on(ctx.model, d.forget, cfg, rt=ctx.rt, adapter=ctx.adapter)
    rseed = reset_seed(ctx.cfg.seed)
    fresh = dict(ctx.factory(rseed).named_parameters())
    with torch.no_grad():
        for n, p in ctx.model.named_parameters():
            torch.where(mask[n].to(p.device), fresh[n].to(p.device), p, out=p)
    del fresh
    heads = head_names(ctx.model)
    trainable = {n: torch.ones_like(m) if n in heads else m for n, m in mask.items()}
    stats = ctx.fit(d.retain, trainable=trainable)
    selected = sum(int(m.sum()) for m in mask.values())
    total = sum(m.numel() for m in mask.values())
    info = {"reset_seed": rseed, "reset_fraction": selected / max(1, total)}
    return Outcome(model=ctx.model, mask=trainable, stats=stats, info=info)
