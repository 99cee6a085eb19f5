"""Localization: score each parameter's criticality for the forget set and keep the top k.

Criticality (``scores``):
- ``weighted_grad`` (DEL): |Σ over forget batches of θ ⊙ ∇θ L|, L = −mean cross-entropy;
- ``grad`` (SalUn): |Σ ∇θ L|;  ``weight``: |θ|;  ``random``: seeded uniform noise.
Granularity (``unit_scores``): ``param`` keeps one score per entry; ``channel`` gives each
output channel of a tensor with 2+ dimensions the mean of the top ``h`` fraction of its scores
(at least one entry), and scores 1-D tensors per element. ``select`` takes the global top k
units (k = round(fraction × units)) and expands channels back to parameter-shaped masks.
"""

from __future__ import annotations

import hashlib
import math
from pathlib import Path

import torch
from torch import nn

from umr.errors import NotFoundError
from umr.unlearn._train import Mask, Runtime, autocast
from umr.unlearn.config import ConfigError, LocalizeConfig

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
    """Per-parameter criticality, each tensor the shape of its parameter (float32)."""
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
    dev = next(model.parameters()).device
    was_training = model.training
    model.eval()  # scores on the deployed model: BatchNorm uses its running statistics
    total = {n: torch.zeros_like(p, dtype=torch.float32) for n, p in params.items()}
    for i in range(0, len(y_forget), batch_size):
        xb, yb = x_forget[i : i + batch_size].to(dev), y_forget[i : i + batch_size].to(dev)
        model.zero_grad(set_to_none=True)
        with autocast(rt):
            loss = -nn.functional.cross_entropy(model(xb), yb)  # L = −mean CE
        loss.backward()
        for n, p in params.items():
            if p.grad is not None:
                total[n] += p.grad.float()
    model.zero_grad(set_to_none=True)
    model.train(was_training)
    if cfg.criticality == "weighted_grad":
        return {n: (params[n].detach().float() * g).abs() for n, g in total.items()}
    return {n: g.abs() for n, g in total.items()}


def unit_scores(s: torch.Tensor, granularity: str, top_h: float) -> torch.Tensor:
    """Scores of the selectable units of one tensor: per entry, or per output channel."""
    if granularity == "param" or s.dim() < 2:
        return s.flatten()
    if granularity != "channel":
        raise ConfigError(
            f"localize.granularity: {granularity!r} is not a granularity",
            hint="use 'param' or 'channel'",
        )
    rows = s.abs().reshape(s.shape[0], -1)  # (out_channels, fan_in)
    h = max(1, math.ceil(top_h * rows.shape[1]))
    return rows.topk(h, dim=1).values.mean(dim=1)  # (out_channels,)


def select(score: dict[str, torch.Tensor], cfg: LocalizeConfig) -> Mask:
    """The global top ``cfg.fraction`` of units, as bool masks shaped like the parameters."""
    if not 0 <= cfg.fraction <= 1:
        raise ConfigError(
            f"localize.fraction: {cfg.fraction!r} is not in [0, 1]", hint="use e.g. 0.3"
        )
    names = list(score)
    units = [unit_scores(score[n], cfg.granularity, cfg.top_h).cpu() for n in names]
    flat = torch.cat(units)
    k = round(cfg.fraction * flat.numel())
    chosen = torch.zeros(flat.numel(), dtype=torch.bool)
    if k:
        chosen[flat.topk(k, sorted=False).indices] = True
    mask: Mask = {}
    start = 0
    for n, u in zip(names, units, strict=True):
        c = chosen[start : start + u.numel()]
        start += u.numel()
        shape = score[n].shape
        if c.numel() == score[n].numel():
            mask[n] = c.reshape(shape)
        else:  # one unit per output channel: broadcast over the rest of the tensor
            mask[n] = c.reshape(-1, *([1] * (len(shape) - 1))).expand(shape).contiguous()
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
