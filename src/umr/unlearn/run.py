"""Run one unlearning method end to end: the function the CLI and the record bridge call.

``unlearn`` works on any PyTorch model and data; ``run`` builds everything from a
:class:`RunConfig` (data, forget set, original model, method, oracle) and returns the new
state dict and its metrics.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from torch import nn

from umr.unlearn import data as _data
from umr.unlearn import models
from umr.unlearn._train import FitStats, Mask, Runtime, fit_on
from umr.unlearn.checkpoint import load_checkpoint, save_checkpoint
from umr.unlearn.config import MethodConfig, RunConfig, TrainConfig
from umr.unlearn.evaluate import evaluate, fraction_changed, versus_oracle
from umr.unlearn.localize import save_mask
from umr.unlearn.methods import METHODS, Context, get_method
from umr.unlearn.stream import Adapter, StreamData, as_source, resolve_device, stream_data


@dataclass(kw_only=True)
class RunResult:
    state_dict: dict[str, torch.Tensor]  # the unlearned model
    metrics: dict[str, float]  # accuracies, MIA, wall_s, fraction_changed, ToW vs oracle
    oracle: dict[str, float] | None  # the oracle's metrics, when it was run
    mask: Mask | None
    forget: _data.ForgetSet
    config: RunConfig
    files: dict[str, str] = field(default_factory=dict)  # name -> path written under cfg.out


def train_model(
    model: nn.Module, x: torch.Tensor, y: torch.Tensor, cfg: TrainConfig, rt: Runtime
) -> float:
    """Train ``model`` with ``cfg``'s recipe on in-memory tensors; return the wall time."""
    t0 = time.perf_counter()
    train(model, (x, y), cfg, rt=rt)
    return time.perf_counter() - t0


def train(
    model: nn.Module,
    data: Any,
    cfg: TrainConfig,
    *,
    rt: Runtime | None = None,
    adapter: Adapter | None = None,
    checkpoint: str | Path | None = None,
) -> FitStats:
    """Train ``model`` on ``data`` (a Dataset, DataLoader, source or ``(x, y)``) with
    ``cfg``'s recipe, streaming batches; with ``checkpoint``, resumable after every epoch."""
    return fit_on(
        model,
        as_source(data),
        epochs=cfg.epochs,
        lr=cfg.lr,
        batch_size=cfg.batch_size,
        weight_decay=cfg.weight_decay,
        seed=cfg.seed,
        rt=rt,
        adapter=adapter,
        checkpoint=checkpoint,
    )


def unlearn(
    model: nn.Module,
    data: _data.UnlearnData | StreamData,
    method: MethodConfig,
    *,
    factory: Callable[[int], nn.Module],
    train: TrainConfig | None = None,
    rt: Runtime | None = None,
    adapter: Adapter | None = None,
) -> tuple[nn.Module, dict[str, Any]]:
    """Run ``method`` on a trained ``model`` (changed in place, except for ``retrain``).

    ``data`` is the tensor path's :class:`~umr.unlearn.data.UnlearnData` or
    :class:`~umr.unlearn.stream.StreamData` over any Datasets; ``adapter`` says how to call
    the model and read its logits (default: ``model(x)``, a tensor or ``.logits``).

    Returns the unlearned model and ``{"wall_s", "fraction_changed", "mask", "stats",
    "hyperparameters", "method_info"}``: the hyperparameters with the method's defaults filled
    in, and what the method reports (DEL: ``reset_seed``, ``reset_fraction``).
    """
    rt = rt or Runtime()
    model.to(rt.device)
    before = {n: p.detach().clone() for n, p in model.named_parameters()}
    ctx = Context(
        model=model,
        data=stream_data(data),
        cfg=method,
        factory=factory,
        train=train or TrainConfig(),
        rt=rt,
        adapter=adapter or Adapter(),
    )
    t0 = time.perf_counter()
    out = get_method(method.name)(ctx)
    if rt.device.startswith("cuda"):
        torch.cuda.synchronize()
    wall = time.perf_counter() - t0
    out.model.eval()
    frac = 1.0 if method.name == "retrain" else fraction_changed(before, out.model)
    return out.model, {
        "wall_s": wall,
        "fraction_changed": frac,
        "mask": out.mask,
        "stats": out.stats,
        "hyperparameters": ctx.resolved(),
        "method_info": out.info,
    }


def run(cfg: RunConfig, *, progress: bool = False) -> RunResult:
    """Build data, forget set and original model from ``cfg``; unlearn; evaluate; save."""
    rt = Runtime(device=resolve_device(cfg.device), progress=progress)
    splits = _data.load(cfg.data)
    fs = _data.make_forget_set(splits.y_train, cfg.forget, splits.num_classes)
    data = _data.split(splits, fs)
    in_features = int(splits.x_train.shape[1])

    def factory(seed: int) -> nn.Module:
        return models.build(cfg.model, in_features, splits.num_classes, seed, widths=cfg.widths)

    model = factory(cfg.train.seed)
    if cfg.checkpoint:
        model.load_state_dict(load_checkpoint(cfg.checkpoint))
    else:
        train_model(model, data.x_train, data.y_train, cfg.train, rt)
    new, info = unlearn(model, data, cfg.method, factory=factory, train=cfg.train, rt=rt)
    metrics: dict[str, float] = {
        **evaluate(new, data, rt=rt, mia=cfg.mia, seed=cfg.method.seed),
        "wall_s": info["wall_s"],
        "fraction_changed": info["fraction_changed"],
    }
    oracle = None
    if cfg.oracle and cfg.method.name != "retrain":
        o_model, o_info = unlearn(
            factory(cfg.train.seed),
            data,
            MethodConfig(name="retrain"),
            factory=factory,
            train=cfg.train,
            rt=rt,
        )
        oracle = {
            **evaluate(o_model, data, rt=rt, mia=cfg.mia, seed=cfg.method.seed),
            "wall_s": o_info["wall_s"],
        }
        metrics.update(versus_oracle(metrics, oracle))
    state = {k: v.detach().cpu() for k, v in new.state_dict().items()}
    result = RunResult(
        state_dict=state, metrics=metrics, oracle=oracle, mask=info["mask"], forget=fs, config=cfg
    )
    if cfg.out:
        _write(result, Path(cfg.out))
    return result


def _write(r: RunResult, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    meta = {"method": r.config.method.name, "forget_sha256": r.forget.sha256}
    r.files["model"] = str(out / "model.safetensors")
    sha = save_checkpoint(r.state_dict, r.files["model"], metadata=meta)
    r.files["forget"] = str(out / "forget.json")
    _data.save_forget_set(r.forget, r.files["forget"])
    if r.mask is not None:
        r.files["mask"] = str(out / "mask.safetensors")
        save_mask(r.mask, r.files["mask"], metadata=meta)
    r.files["metrics"] = str(out / "metrics.json")
    doc = {
        "config": r.config.to_dict(),
        "metrics": r.metrics,
        "oracle": r.oracle,
        "model_sha256": sha,
        "forget_sha256": r.forget.sha256,
        "forget_size": len(r.forget.indices),
    }
    Path(r.files["metrics"]).write_text(json.dumps(doc, indent=2) + "\n")


def describe() -> dict[str, list[str]]:
    """The registered methods, models and datasets, installed entry points included (what
    ``--list`` prints)."""
    from umr.unlearn.factories import DATASET_GROUP, MODEL_GROUP, registered

    return {
        "methods": sorted(METHODS),
        "models": registered(MODEL_GROUP, models.MODELS),
        "datasets": registered(DATASET_GROUP, _data.DATASETS),
    }


def load_config(path: str | Path) -> RunConfig:
    """Read a YAML or JSON run config, held to the same input limits as records."""
    from umr.errors import NotFoundError
    from umr.spec.load import read_text
    from umr.spec.yamlio import load_yaml

    p = Path(path)
    if not p.exists():
        raise NotFoundError(f"{p}: no such config file", hint="see docs/unlearn.md for an example")
    data, _ = load_yaml(read_text(p), source=str(p))
    return RunConfig.from_dict(data or {})


__all__ = ["RunResult", "describe", "load_config", "run", "train", "train_model", "unlearn"]
