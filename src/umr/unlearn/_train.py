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
from pathlib import Path
from typing import Any

import torch
from torch import nn

from umr.unlearn.stream import (
    Adapter,
    LogitsOf,
    Source,
    TensorSource,
    epoch_batches,
    on_device,
    shard,
    steps_per_epoch,
    to_device,
    world,
)

Mask = dict[str, torch.Tensor]  # parameter name -> bool tensor of the parameter's shape
LossFn = Callable[[nn.Module, Any, torch.Tensor], torch.Tensor]  # (logits fn, inputs, labels)


@dataclass(frozen=True, kw_only=True)
class Runtime:
    """Where and how to compute."""

    device: str = "cpu"
    amp: bool = False  # bf16 autocast (CUDA only)
    compile: bool = False  # torch.compile the model for training
    progress: bool = False  # tqdm bars on stderr


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


def ce(model: nn.Module, x: Any, y: torch.Tensor) -> torch.Tensor:
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
    **kwargs: Any,
) -> FitStats:
    """:func:`fit_on` over in-memory tensors ``x`` (N, ...) and ``y`` (N,)."""

    return fit_on(model, TensorSource(x, y), **kwargs)


def fit_on(
    model: nn.Module,
    source: Source,
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
    adapter: Adapter | None = None,
    max_steps: int | None = None,
    timed_after: int = 0,
    checkpoint: str | Path | None = None,
) -> FitStats:
    """Minimise ``loss_fn`` over ``source``'s batches with SGD; only ``trainable`` entries move.

    ``loss_fn(fwd, x, y)`` gets ``fwd``, the model seen through ``adapter`` (its forward returns
    logits). Each epoch reads the examples in ``torch.randperm`` order from a generator seeded
    by ``seed``, ``batch_size`` at a time. Under torchrun every rank reads its strided slice of
    each batch and DistributedDataParallel averages the gradients, which are then masked.
    ``schedule`` is ``step`` (cosine per step to 0) or ``epoch`` (the DEL authors' per-epoch
    cosine to 0.01·lr). With ``checkpoint``, the model, optimizer and order generator are saved
    there after every epoch (by rank 0) and a run that finds the file resumes from it (a
    finished run's file returns its model at once); a file written by another run
    (:func:`run_key` differs) is refused, naming what differs.
    ``stats`` count steps, samples and seconds after the first ``timed_after`` steps (warm-up).
    """

    rt = rt or Runtime()
    lr_at(lr, schedule, 0, 1, 0, 1)  # an unknown schedule fails before anything moves
    dev = torch.device(rt.device)
    model.to(dev)
    source = on_device(source, dev)  # in-memory data moves to the device once
    n = len(source)
    guard = MaskGuard(model, trainable)
    stats = FitStats()
    if not guard.params or epochs <= 0 or n == 0:
        guard.release()
        return stats
    opt = torch.optim.SGD(guard.params, lr=lr, momentum=momentum, weight_decay=weight_decay)
    rank, size = world()
    if batch_size < size:
        guard.release()
        from umr.unlearn.config import ConfigError

        raise ConfigError(
            f"batch_size {batch_size} is smaller than the {size} processes, so some would "
            "train on no example",
            hint=f"batch_size is the global batch: use at least {size}",
        )
    per_epoch = steps_per_epoch(n, batch_size, size)
    total = epochs * per_epoch if max_steps is None else min(max_steps, epochs * per_epoch)
    net: nn.Module = model
    if size > 1:
        from torch.nn.parallel import DistributedDataParallel

        net = DistributedDataParallel(model, device_ids=[dev.index] if dev.type == "cuda" else None)
    fwd: nn.Module = LogitsOf(net, adapter or Adapter())
    if rt.compile:
        fwd = torch.compile(fwd)  # type: ignore[assignment]
    gen = torch.Generator().manual_seed(seed)
    ckpt = Path(checkpoint) if checkpoint is not None else None
    run: dict[str, str] = {}
    if ckpt is not None:
        settings = {
            "epochs": epochs, "lr": lr, "batch_size": batch_size, "momentum": momentum,
            "weight_decay": weight_decay, "seed": seed, "bn_policy": bn_policy,
            "schedule": schedule, "max_steps": max_steps, "world": size,
        }  # fmt: skip
        run = run_key(model, trainable, settings, source)
    if ckpt is not None and ckpt.exists():
        state = torch.load(ckpt, map_location=dev, weights_only=True)
        saved = state.get("run") if isinstance(state.get("run"), dict) else {}
        differ = [k for k in run if saved.get(k) != run[k]]
        if differ:
            guard.release()
            _refuse(ckpt, differ)
        model.load_state_dict(state["model"])
        opt.load_state_dict(state["optimizer"])
        gen.set_state(state["generator"])
        stats.steps, stats.samples = int(state["steps"]), int(state["samples"])
    set_bn_policy(model, bn_policy)
    bar = None
    if rt.progress and rank == 0:
        from tqdm import tqdm

        bar = tqdm(total=total, initial=stats.steps, leave=False, desc="fit", unit="step")
    t0 = time.perf_counter()
    pin = dev.type == "cuda"
    try:
        while stats.steps < total:
            order = torch.randperm(n, generator=gen)
            left = total - stats.steps
            batches = epoch_batches(order, batch_size, size)[:left]
            for (x, y), full in zip(
                source.batches(shard(batches, whole=False)), batches, strict=True
            ):
                x, y = to_device(x, dev, non_blocking=pin), y.to(dev, non_blocking=pin)
                rate = lr_at(lr, schedule, stats.steps, total, stats.steps // per_epoch, epochs)
                for g in opt.param_groups:
                    g["lr"] = rate
                with autocast(rt):
                    loss = loss_fn(fwd, x, y)
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
                    stats.samples += len(full)
                if bar is not None:
                    bar.update()
            if ckpt is not None and rank == 0:
                _save_state(ckpt, model, opt, gen, stats, run)
        if dev.type == "cuda":
            torch.cuda.synchronize()
    finally:
        stats.seconds = time.perf_counter() - t0
        if bar is not None:
            bar.close()
        guard.release()
        model.eval()
    return stats


def run_key(
    model: nn.Module, trainable: Mask | None, settings: dict[str, Any], source: Source
) -> dict[str, str]:
    """What a resumable run depends on, one sha256 per part: the settings, the starting weights
    and buffers, the mask, and the data (in-memory tensors in full; any other source by its
    type and length only). The loss function is the caller's to keep the same."""
    import hashlib
    import json

    def digest(*parts: Any) -> str:
        h = hashlib.sha256()
        for part in parts:
            if isinstance(part, torch.Tensor):
                t = part.detach().cpu().contiguous()
                h.update(f"{t.dtype}:{tuple(t.shape)}".encode())
                h.update(t.reshape(-1).view(torch.uint8).numpy().tobytes())
            else:
                h.update(repr(part).encode())
        return h.hexdigest()

    def tensors(named: Any) -> list[Any]:  # non-tensor entries (extra state): by type only
        out: list[Any] = []
        for k in sorted(named):
            v = named[k]
            out += [k, v if isinstance(v, torch.Tensor) else type(v).__qualname__]
        return out

    if isinstance(source, TensorSource):
        data = digest(source.x, source.y)
    else:
        data = digest(type(source).__qualname__, len(source))
    return {
        "settings": digest(json.dumps(settings, sort_keys=True)),
        "starting weights": digest(*tensors(model.state_dict())),
        "mask": digest(*tensors(trainable or {})),
        "data": data,
    }


def _refuse(path: Path, differ: list[str]) -> None:
    from umr.unlearn.checkpoint import CheckpointError

    raise CheckpointError(
        f"{path}: this resume file belongs to another run (its {', '.join(differ)} differ), so "
        "resuming from it would return that run's model",
        hint="if this is the same run restarted, build the model with the same seed (or load "
        "the same starting weights) and pass the same data and settings; otherwise delete the "
        "file or give this run its own checkpoint path",
    )


def _save_state(
    path: Path,
    model: nn.Module,
    opt: torch.optim.Optimizer,
    gen: torch.Generator,
    s: FitStats,
    run: dict[str, str],
) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    state = {
        "run": run,
        "model": model.state_dict(),
        "optimizer": opt.state_dict(),
        "generator": gen.get_state(),
        "steps": s.steps,
        "samples": s.samples,
    }
    torch.save(state, tmp)
    tmp.replace(path)  # a crash mid-write leaves the previous epoch's file


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
