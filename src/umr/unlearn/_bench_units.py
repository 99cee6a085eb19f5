"""One unit of benchmark work (a training, an oracle, a method run), run in a worker process.

A unit reads what earlier stages wrote under the output folder (forget-set files, the
original's checkpoint), builds its model, works, and returns a small dict of numbers; the model
is freed when the unit returns. Splits are cached per process, keyed by their config.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import torch
from torch import nn

from umr.unlearn import data as _data
from umr.unlearn import models
from umr.unlearn._train import Runtime, logits
from umr.unlearn.checkpoint import load_checkpoint, save_checkpoint
from umr.unlearn.config import DataConfig, LocalizeConfig, MethodConfig
from umr.unlearn.evaluate import evaluate
from umr.unlearn.run import train_model, unlearn

if TYPE_CHECKING:
    from umr.unlearn.bench import Suite

_SPLITS: dict[DataConfig, _data.Splits] = {}
ORACLE_SEED = 10_000  # oracle j of seed s trains with seed s + ORACLE_SEED * (j + 1)
HALF_SEED = 2_000  # the two half-data models of the memorized pool


@dataclass(frozen=True, kw_only=True)
class Unit:
    """What to run. ``key`` names it in ``runs.jsonl`` (and lets a restart skip it)."""

    kind: str  # "original" | "half" | "oracle" | "run"
    seed: int
    forget_set: str = ""
    variant: str = ""  # original: "clean" or "noisy"; half: "a" or "b"
    index: int = 0  # oracle number
    method: str = ""  # run: a method name, or "original" (the untouched model)
    point: tuple[tuple[str, Any], ...] = ()  # run: hyperparameters, e.g. (("epochs", 4),)
    search: bool = False  # run: a search run (validation only, no MIA)

    @property
    def key(self) -> str:
        parts = [self.kind, str(self.seed), self.forget_set, self.variant, str(self.index)]
        parts += [self.method, ",".join(f"{k}={v}" for k, v in self.point), str(self.search)]
        return "|".join(parts)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["point"] = dict(self.point)
        return d


def splits(cfg: DataConfig) -> _data.Splits:
    if cfg not in _SPLITS:
        _SPLITS.clear()
        _SPLITS[cfg] = _data.load(cfg)
    return _SPLITS[cfg]


def forget_path(out: Path, kind: str, seed: int) -> Path:
    return out / "forget" / f"{kind}-s{seed}.json"


def original_path(out: Path, variant: str, seed: int) -> Path:
    return out / "checkpoints" / f"original-{variant}-s{seed}.safetensors"


def variant_of(kind: str) -> str:
    return "noisy" if kind == "mislabeled" else "clean"


def half_indices(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The two halves of the training set the memorized pool is built from."""
    order = np.random.default_rng(seed + HALF_SEED).permutation(n)
    return np.sort(order[: n // 2]), np.sort(order[n // 2 :])


def _factory(s: Suite, sp: _data.Splits) -> Any:
    features = int(sp.x_train.shape[1])

    def build(seed: int) -> nn.Module:
        return models.build(s.model, features, sp.num_classes, seed, widths=s.widths)

    return build


def method_config(
    name: str, point: dict[str, Any], *, batch_size: int, seed: int, options: dict[str, float]
) -> MethodConfig:
    """A MethodConfig from a grid point such as ``{"lr": 0.05, "options.alpha": 0.9}``."""
    plain = {k: v for k, v in point.items() if "." not in k}
    opts = {**options}
    opts.update(
        {k.split(".", 1)[1]: float(v) for k, v in point.items() if k.startswith("options.")}
    )
    loc = {k.split(".", 1)[1]: v for k, v in point.items() if k.startswith("localize.")}
    cfg = MethodConfig(name=name, batch_size=batch_size, seed=seed, options=opts, **plain)
    if loc:
        from umr.unlearn.methods import del_, salun

        base = {"del": del_.DEFAULT, "salun": salun.DEFAULT}.get(name, LocalizeConfig())
        cfg = cfg.with_(localize=replace(base, **loc))
    return cfg


def execute(s: Suite, out: Path, unit: Unit, device: str, threads: int | None) -> dict[str, Any]:
    """Run ``unit``; return its numbers (the row ``runs.jsonl`` stores)."""
    if threads:
        torch.set_num_threads(threads)
    rt = Runtime(device=device, amp=s.amp, compile=s.compile)
    sp = splits(s.data)
    factory = _factory(s, sp)
    if unit.kind == "half":
        a, b = half_indices(len(sp.y_train), s.data.seed)
        fit_on, held = (a, b) if unit.variant == "a" else (b, a)
        model = factory(unit.seed + HALF_SEED)
        wall = train_model(
            model,
            sp.x_train[fit_on],
            sp.y_train[fit_on],
            replace(s.train, seed=unit.seed + HALF_SEED),
            rt,
        )
        pred = logits(model, sp.x_train[held], rt).argmax(1)
        wrong = held[(pred != sp.y_train[held]).numpy()]
        return {"wall_s": wall, "misclassified": wrong.tolist(), "held_out": len(held)}
    if unit.kind == "original":
        if unit.variant == "noisy":
            fs = _data.load_forget_set(forget_path(out, "mislabeled", unit.seed))
            noisy = _data.split(sp, fs)
            x, y = noisy.x_train, noisy.y_train
        else:
            x, y = sp.x_train, sp.y_train
        model = factory(unit.seed)
        wall = train_model(model, x, y, replace(s.train, seed=unit.seed), rt)
        train_acc = float((logits(model, x, rt).argmax(1) == y).float().mean())
        state = {k: v.detach().cpu() for k, v in model.state_dict().items()}
        save_checkpoint(state, original_path(out, unit.variant, unit.seed))
        return {"wall_s": wall, "train_acc": train_acc}
    fs = _data.load_forget_set(forget_path(out, unit.forget_set, unit.seed))
    d = _data.split(sp, fs)
    if unit.kind == "oracle":
        seed = unit.seed + ORACLE_SEED * (unit.index + 1)
        model, info = unlearn(
            factory(seed),
            d,
            MethodConfig(name="retrain"),
            factory=factory,
            train=replace(s.train, seed=seed),
            rt=rt,
        )
        m = evaluate(model, d, rt=rt, mia=True, seed=unit.seed)
        return {**m, "wall_s": info["wall_s"]}
    if unit.kind != "run":
        raise ValueError(f"unknown unit kind {unit.kind!r}")
    model = factory(unit.seed)
    model.load_state_dict(
        load_checkpoint(original_path(out, variant_of(unit.forget_set), unit.seed))
    )
    if unit.method == "original":
        m = evaluate(model, d, rt=rt, mia=not unit.search, seed=unit.seed)
        return {**m, "wall_s": 0.0, "fraction_changed": 0.0, "samples": 0}
    cfg = method_config(
        unit.method,
        dict(unit.point),
        batch_size=s.batch_size,
        seed=unit.seed,
        options=s.options.get(unit.method, {}),
    )
    new, info = unlearn(
        model, d, cfg, factory=factory, train=replace(s.train, seed=unit.seed), rt=rt
    )
    wall = info["wall_s"]
    m = evaluate(new, d, rt=rt, mia=not unit.search, seed=unit.seed)
    stats = info["stats"]
    return {
        **m,
        "wall_s": wall,
        "fraction_changed": info["fraction_changed"],
        "samples": 0 if stats is None else stats.samples,
        "hyperparameters": info["hyperparameters"],
        "method_info": info["method_info"],
        "retain_size": len(d.y_retain),
        "forget_size": len(d.y_forget),
    }
