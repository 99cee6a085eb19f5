"""The one training loop every method uses: SGD + momentum, cosine schedule, optional mask.

Schedules (``schedule``): ``step`` anneals the learning rate by cosine per step down to 0;
``epoch`` is the DEL authors' (``CosineAnnealingLR(T_max=epochs, eta_min=0.01·lr)`` stepped
once per epoch): epoch e of E runs at 0.01·lr + 0.99·lr·(1 + cos(π e / E)) / 2.

Masked-out parameters never move: their gradients are zeroed before each step (so momentum
and weight decay see nothing) and their values are restored bit for bit after it. Parameters
that are masked out entirely are left out of the optimizer and take no gradient at all.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass

import torch
from torch import nn

Mask = dict[str, torch.Tensor]  # parameter name -> bool tensor of the parameter's shape
LossFn = Callable[[nn.Module, torch.Tensor, torch.Tensor], torch.Tensor]


@dataclass(frozen=True, kw_only=True)
class Runtime:
    """Where and how to compute."""

    device: str = "cpu"
    amp: bool = False  # bf16 autocast (CUDA only)
    compile: bool = False  # torch.compile the model for training
    progress: bool = False  # tqdm bars on stderr


def resolve_device(name: str) -> str:
    if name == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    return name


def autocast(rt: Runtime) -> AbstractContextManager[object]:
    if rt.amp and rt.device.startswith("cuda"):
        return torch.autocast("cuda", dtype=torch.bfloat16)
    return nullcontext()


class MaskGuard:
    """Keeps every parameter outside ``trainable`` (name -> bool mask) exactly where it is."""

    def __init__(self, model: nn.Module, trainable: Mask | None) -> None:
        self.model = model
        self.frozen: list[nn.Parameter] = []
        self.partial: list[tuple[nn.Parameter, torch.Tensor, torch.Tensor]] = []
        self.params: list[nn.Parameter] = []
        for name, p in model.named_parameters():
            if not p.requires_grad:
                continue
            m = None if trainable is None else trainable.get(name)
            if m is None and trainable is not None:
                m = torch.zeros_like(p, dtype=torch.bool)
            if m is None or bool(m.all()):
                self.params.append(p)
            elif not bool(m.any()):
                p.requires_grad_(False)
                self.frozen.append(p)
            else:
                m = m.to(p.device)
                self.partial.append((p, m, p.detach().clone()))
                self.params.append(p)

    @torch.no_grad()
    def before_step(self) -> None:
        for p, m, _ in self.partial:
            if p.grad is not None:
                p.grad.mul_(m)

    @torch.no_grad()
    def after_step(self) -> None:
        for p, m, p0 in self.partial:
            torch.where(m, p, p0, out=p)

    def release(self) -> None:
        for p in self.frozen:
            p.requires_grad_(True)


def set_bn_policy(model: nn.Module, policy: str) -> None:
    """``train``: BatchNorm statistics follow the data; ``freeze``: running stats stay as is."""
    model.train()
    if policy == "freeze":
        for m in model.modules():
            if isinstance(m, nn.modules.batchnorm._BatchNorm):
                m.eval()
    elif policy != "train":
        from umr.unlearn.config import ConfigError

        raise ConfigError(
            f"method.bn_policy: {policy!r} is not a policy", hint="use 'train' or 'freeze'"
        )


SCHEDULES = ("step", "epoch")


def lr_at(lr: float, schedule: str, step: int, total: int, epoch: int, epochs: int) -> float:
    """The learning rate of ``step`` (of ``total``) in ``epoch`` (of ``epochs``)."""
    if schedule == "step":
        return lr * 0.5 * (1 + math.cos(math.pi * step / total))
    if schedule == "epoch":
        low = 0.01 * lr
        return low + (lr - low) * 0.5 * (1 + math.cos(math.pi * epoch / max(1, epochs)))
    from umr.unlearn.config import ConfigError

    raise ConfigError(
        f"method.schedule: {schedule!r} is not a schedule",
        hint=f"use one of {', '.join(SCHEDULES)}",
    )


def ce(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    return nn.functional.cross_entropy(model(x), y)


@dataclass
class FitStats:
    steps: int = 0
    samples: int = 0  # counted after warm-up

    seconds: float = 0.0


def fit(
    model: nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    *,
    epochs: int,
    lr: float,
    batch_size: int = 128,
    momentum: float = 0.9,
    weight_decay: float = 5e-4,
    seed: int = 0,
    trainable: Mask | None = None,
    loss_fn: LossFn = ce,
    bn_policy: str = "train",
    schedule: str = "step",
    rt: Runtime | None = None,
    max_steps: int | None = None,
    timed_after: int = 0,
) -> FitStats:
    """Minimise ``loss_fn`` over (x, y) with SGD; only ``trainable`` entries move.

    ``schedule`` is ``step`` (cosine per step to 0) or ``epoch`` (the DEL authors' per-epoch
    cosine to 0.01·lr).
    ``stats`` count steps, samples and seconds after the first ``timed_after`` steps (warm-up).
    """
    rt = rt or Runtime()
    lr_at(lr, schedule, 0, 1, 0, 1)  # an unknown schedule fails before anything moves
    dev = torch.device(rt.device)
    model.to(dev)
    x, y = x.to(dev), y.to(dev)
    guard = MaskGuard(model, trainable)
    stats = FitStats()
    if not guard.params or epochs <= 0 or len(y) == 0:
        guard.release()
        return stats
    opt = torch.optim.SGD(guard.params, lr=lr, momentum=momentum, weight_decay=weight_decay)
    steps_per_epoch = math.ceil(len(y) / batch_size)
    total = (
        epochs * steps_per_epoch if max_steps is None else min(max_steps, epochs * steps_per_epoch)
    )
    fwd: nn.Module = torch.compile(model) if rt.compile else model  # type: ignore[assignment]
    gen = torch.Generator().manual_seed(seed)
    set_bn_policy(model, bn_policy)
    bar = None
    if rt.progress:
        from tqdm import tqdm

        bar = tqdm(total=total, leave=False, desc="fit", unit="step")
    t0 = time.perf_counter()
    try:
        while stats.steps < total:
            order = torch.randperm(len(y), generator=gen).to(dev)
            for i in range(0, len(y), batch_size):
                if stats.steps >= total:
                    break
                idx = order[i : i + batch_size]
                rate = lr_at(
                    lr, schedule, stats.steps, total, stats.steps // steps_per_epoch, epochs
                )
                for g in opt.param_groups:
                    g["lr"] = rate
                with autocast(rt):
                    loss = loss_fn(fwd, x[idx], y[idx])
                opt.zero_grad(set_to_none=True)
                loss.backward()
                guard.before_step()
                opt.step()
                guard.after_step()
                stats.steps += 1
                if stats.steps == timed_after:
                    if dev.type == "cuda":
                        torch.cuda.synchronize()
                    t0 = time.perf_counter()
                elif stats.steps > timed_after:
                    stats.samples += len(idx)
                if bar is not None:
                    bar.update()
        if dev.type == "cuda":
            torch.cuda.synchronize()
    finally:
        stats.seconds = time.perf_counter() - t0
        if bar is not None:
            bar.close()
        guard.release()
        model.eval()
    return stats


@torch.no_grad()
def logits(
    model: nn.Module, x: torch.Tensor, rt: Runtime | None = None, batch: int = 4096
) -> torch.Tensor:
    """Model outputs on ``x`` in eval mode, as float32 on the CPU: (N, classes)."""
    rt = rt or Runtime()
    model.eval()
    dev = next(model.parameters()).device
    outs = []
    for i in range(0, len(x), batch):
        with autocast(rt):
            outs.append(model(x[i : i + batch].to(dev)).float().cpu())
    return torch.cat(outs) if outs else torch.zeros(0)
