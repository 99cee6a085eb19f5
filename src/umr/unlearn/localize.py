"""Localization: score each parameter's criticality for the forget set and keep the top k.

Criticality (``scores``):
- ``weighted_grad`` (DEL): |Σ over forget batches of θ ⊙ ∇θ L|, L = −mean cross-entropy;
- ``grad`` (SalUn): |Σ ∇θ L|;  ``weight``: |θ|;  ``random``: seeded uniform noise.
Granularity (``entry_scores``): ``param`` keeps one score per entry; ``channel`` writes each
output channel's score (``channel_scores``: the reference's rule or umr's ``top_h`` rule) over
all the channel's entries of a tensor with 2+ dimensions, and keeps 1-D tensors per entry.
``select`` keeps the global top ``fraction`` of scalar parameters, as the DEL authors' code does
(``generate_mask.py``): a channel counts as many times as it has entries.
"""

from __future__ import annotations

import hashlib
import math
from pathlib import Path
from typing import TYPE_CHECKING

import torch
from torch import nn

from umr.errors import NotFoundError
from umr.unlearn._train import Mask, Runtime, autocast
from umr.unlearn.config import CHANNEL_SCORES, ConfigError, LocalizeConfig

if TYPE_CHECKING:
    from umr.unlearn.stream import Adapter, Source

CRITICALITIES = ("weighted_grad", "grad", "weight", "random")


def scores(
    model: nn.Module,
    x_forget: torch.Tensor,
    y_forget: torch.Tensor,
    cfg: LocalizeConfig,
    *,
    batch_size: int = 256,
    rt: Runtime | None = None,
) -> dict[str, torch.Tensor]:
    """:func:`scores_on` over in-memory tensors."""
    from umr.unlearn.stream import TensorSource

    return scores_on(model, TensorSource(x_forget, y_forget), cfg, batch_size=batch_size, rt=rt)


def scores_on(
    model: nn.Module,
    forget: Source,
    cfg: LocalizeConfig,
    *,
    batch_size: int = 256,
    rt: Runtime | None = None,
    adapter: Adapter | None = None,
) -> dict[str, torch.Tensor]:
    """Per-parameter criticality, each tensor the shape of its parameter (float32).

    The forget set is read in order, ``batch_size`` at a time; each batch's gradient is added
    in float64. Under torchrun each rank takes whole batches round robin and the sums are
    all-reduced in float64, tensor by tensor in parameter order, before any selection, so
    every rank holds the same scores (and the single-process ones up to float64 rounding).
    """
    from umr.unlearn.stream import Adapter, all_reduce_f64, in_order, shard, to_device

    params = dict(model.named_parameters())
    if cfg.criticality == "weight":
        return {n: p.detach().abs().float() for n, p in params.items()}
    if cfg.criticality == "random":
        gen = torch.Generator().manual_seed(cfg.seed)
        return {n: torch.rand(p.shape, generator=gen).to(p.device) for n, p in params.items()}
    if cfg.criticality not in CRITICALITIES:
        raise ConfigError(
            f"localize.criticality: {cfg.criticality!r} is not a criticality",
            hint=f"use one of {', '.join(CRITICALITIES)}",
        )
    rt = rt or Runtime()
    ad = adapter or Adapter()
    dev = next(model.parameters()).device
    was_training = model.training
    model.eval()  # scores on the deployed model: BatchNorm uses its running statistics
    total = {n: torch.zeros_like(p, dtype=torch.float64) for n, p in params.items()}
    for x, y in forget.batches(shard(in_order(len(forget), batch_size), whole=True)):
        x, y = to_device(x, dev), y.to(dev)
        model.zero_grad(set_to_none=True)
        with autocast(rt):
            loss = -ad.loss(ad(model, x).float(), y)  # L = −mean CE
        loss.backward()
        for n, p in params.items():
            if p.grad is not None:
                total[n] += p.grad.double()
    model.zero_grad(set_to_none=True)
    model.train(was_training)
    total = all_reduce_f64(total)
    if cfg.criticality == "weighted_grad":
        return {n: (params[n].detach().double() * g).abs().float() for n, g in total.items()}
    return {n: g.abs().float() for n, g in total.items()}


def channel_scores(s: torch.Tensor, rule: str = "ref", top_h: float = 0.1) -> torch.Tensor:
    """One score per output channel (row) of a tensor with 2+ dimensions: shape (out_channels,).

    ``ref`` (the DEL authors' code): the mean of the top ``int(0.1 · out_channels)`` entries of
    the row, at least one (so a head with fewer than 10 outputs scores by its row maximum).
    ``top_h`` (umr's earlier rule): the mean of the top ``ceil(top_h · fan_in)`` entries, at
    least one.
    """
    rows = s.abs().reshape(s.shape[0], -1)  # (out_channels, fan_in)
    if rule == "ref":
        h = int(0.1 * rows.shape[0])
    elif rule == "top_h":
        h = math.ceil(top_h * rows.shape[1])
    else:
        raise ConfigError(
            f"localize.channel_score: {rule!r} is not a channel-score rule",
            hint=f"use one of {', '.join(CHANNEL_SCORES)}",
        )
    h = min(max(1, h), rows.shape[1])
    return rows.topk(h, dim=1).values.mean(dim=1)


def entry_scores(s: torch.Tensor, cfg: LocalizeConfig) -> torch.Tensor:
    """Scores shaped like the parameter: per entry, or each channel's score over its entries.

    Tensors with fewer than 2 dimensions (biases, BatchNorm) keep one score per entry.
    """
    if cfg.granularity == "param" or s.dim() < 2:
        return s
    if cfg.granularity != "channel":
        raise ConfigError(
            f"localize.granularity: {cfg.granularity!r} is not a granularity",
            hint="use 'param' or 'channel'",
        )
    ch = channel_scores(s, cfg.channel_score, cfg.top_h)
    return ch.reshape(-1, *([1] * (s.dim() - 1))).expand(s.shape)


def select(score: dict[str, torch.Tensor], cfg: LocalizeConfig) -> Mask:
    """The global top ``cfg.fraction`` of scalar parameters, as bool masks like the parameters.

    Exactly ``round(fraction × total entries)`` entries are selected. At channel granularity
    every entry of a channel carries the channel's score, so whole channels are taken in score
    order and the channel at the cut may be split (its entries tie), as in the reference.
    """
    if not 0 <= cfg.fraction <= 1:
        raise ConfigError(
            f"localize.fraction: {cfg.fraction!r} is not in [0, 1]", hint="use e.g. 0.3"
        )
    names = list(score)
    flat = torch.cat([entry_scores(score[n].float(), cfg).cpu().flatten() for n in names])
    k = round(cfg.fraction * flat.numel())
    chosen = torch.zeros(flat.numel(), dtype=torch.bool)
    if k:
        chosen[flat.topk(k, sorted=False).indices] = True
    mask: Mask = {}
    start = 0
    for n in names:
        numel = score[n].numel()
        mask[n] = chosen[start : start + numel].reshape(score[n].shape)
        start += numel
    return mask


def localize(
    model: nn.Module,
    x_forget: torch.Tensor,
    y_forget: torch.Tensor,
    cfg: LocalizeConfig,
    *,
    rt: Runtime | None = None,
) -> Mask:
    """Score, then select: the mask of the parameters most critical for the forget set."""
    return select(scores(model, x_forget, y_forget, cfg, rt=rt), cfg)


def localize_on(
    model: nn.Module,
    forget: Source,
    cfg: LocalizeConfig,
    *,
    rt: Runtime | None = None,
    adapter: Adapter | None = None,
) -> Mask:
    """:func:`localize` over a :class:`~umr.unlearn.stream.Source` (any Dataset)."""
    return select(scores_on(model, forget, cfg, rt=rt, adapter=adapter), cfg)


def save_mask(mask: Mask, path: str | Path, *, metadata: dict[str, str] | None = None) -> str:
    """Write ``mask`` as safetensors (uint8 tensors); return the file's sha256."""
    from safetensors.torch import save_file

    save_file(
        {n: m.to(torch.uint8).cpu().contiguous() for n, m in mask.items()},
        str(path),
        metadata=metadata or {},
    )
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def load_mask(path: str | Path) -> Mask:
    """Read a mask written by :func:`save_mask`."""
    from safetensors.torch import load_file

    if not Path(path).exists():
        raise NotFoundError(f"{path}: no such mask file", hint="write one with `umr unlearn run`")
    return {n: t.bool() for n, t in load_file(str(path)).items()}


def mask_info(mask: Mask) -> list[dict[str, object]]:
    """One row per parameter (name, size, selected, fraction), then a ``TOTAL`` row."""
    rows: list[dict[str, object]] = []
    total = chosen = 0
    for n, m in mask.items():
        s = int(m.sum())
        rows.append(
            {"name": n, "numel": m.numel(), "selected": s, "fraction": s / max(1, m.numel())}
        )
        total += m.numel()
        chosen += s
    rows.append(
        {"name": "TOTAL", "numel": total, "selected": chosen, "fraction": chosen / max(1, total)}
    )
    return rows


def plot_mask(mask: Mask, path: str | Path) -> None:
    """A horizontal bar chart of the fraction selected per parameter tensor (PNG)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = mask_info(mask)[:-1]
    fig, ax = plt.subplots(figsize=(7, 0.25 * len(rows) + 1.2))
    ax.barh([str(r["name"]) for r in rows], [float(r["fraction"]) for r in rows])  # type: ignore[arg-type]
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xlabel("fraction of entries selected")
    ax.tick_params(axis="y", labelsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
