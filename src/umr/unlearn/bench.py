"""Benchmarks: every method against the retrain oracle, over forget sets and seeds.

Protocol per suite: generate the data; per seed, train the original model (on noisy labels for
the mislabeled forget set) and the oracle; search each method's hyperparameters on the first
seed by ToW on the validation split (held out from retain; test is never used to choose);
then run every method with its chosen hyperparameters on every seed and report mean and 95%
interval. Writes ``results.json``, ``results.md`` and two plots under ``out``.
"""

from __future__ import annotations

import itertools
import json
import os
import platform
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import torch
from torch import nn

from umr.unlearn import data as _data
from umr.unlearn import models
from umr.unlearn._train import Runtime, fit, resolve_device
from umr.unlearn.bench_report import plot, table
from umr.unlearn.checkpoint import save_checkpoint
from umr.unlearn.config import (
    ConfigError,
    DataConfig,
    ForgetConfig,
    LocalizeConfig,
    MethodConfig,
    TrainConfig,
)
from umr.unlearn.evaluate import evaluate, mean_ci, versus_oracle
from umr.unlearn.localize import localize
from umr.unlearn.run import train_model, unlearn

FORGET_SETS = {
    "iid": ForgetConfig(kind="iid", fraction=0.1),
    "non_iid": ForgetConfig(kind="non_iid", fraction=0.1, classes=(2, 5)),
    "mislabeled": ForgetConfig(kind="mislabeled", fraction=0.1),
}
METHOD_NAMES = (
    "del",
    "salun",
    "finetune",
    "neggrad_plus",
    "l1_sparse",
    "ssd",
    "gradient_ascent",
    "scrub",
    "retrain",
)
Grid = dict[str, list[Any]]  # MethodConfig field (or "options.KEY" / "localize.KEY") -> values


@dataclass(frozen=True, kw_only=True)
class Suite:
    name: str
    data: DataConfig
    model: str
    train: TrainConfig  # original and oracle recipe
    batch_size: int  # unlearning batch size
    grids: dict[str, Grid]  # per method; the first value of each key is the default
    seeds: tuple[int, ...] = (0, 1, 2)
    forget_sets: tuple[str, ...] = ("iid", "non_iid", "mislabeled")
    methods: tuple[str, ...] = METHOD_NAMES
    amp: bool = False
    compile: bool = False
    throughput_steps: int = 0  # >0: also time DEL finetuning against a plain loop
    threads: int | None = 1  # torch CPU threads; 1 stays fast on a busy shared machine


CPU_GRIDS: dict[str, Grid] = {
    "del": {"epochs": [8], "lr": [0.05, 0.1, 0.02], "localize.top_h": [0.1, 1.0]},
    "salun": {"epochs": [5, 3], "lr": [0.01, 0.05]},
    "finetune": {"epochs": [8, 5], "lr": [0.05, 0.01]},
    "neggrad_plus": {"epochs": [5], "lr": [0.01, 0.05], "options.alpha": [0.95, 0.99]},
    "l1_sparse": {"epochs": [5], "lr": [0.05, 0.01], "options.gamma": [5e-5, 2e-4]},
    "ssd": {"options.alpha": [10.0, 1.0, 50.0], "options.lambda": [1.0]},
    "gradient_ascent": {"epochs": [1, 2], "lr": [1e-3, 1e-2]},
    "scrub": {"epochs": [5], "lr": [0.01, 0.05], "options.msteps": [2]},
    "retrain": {},
}
SUITES = {
    "smoke": Suite(
        name="smoke",
        data=DataConfig(num_samples=4000),
        model="cnn1d",
        train=TrainConfig(epochs=20),
        batch_size=128,
        grids={m: {k: v[:1] for k, v in g.items()} for m, g in CPU_GRIDS.items()},
        seeds=(0,),
        forget_sets=("iid",),
    ),
    "cpu": Suite(
        name="cpu",
        data=DataConfig(num_samples=10_000),
        model="cnn1d",
        train=TrainConfig(epochs=30),
        batch_size=128,
        grids=CPU_GRIDS,
    ),
    "gpu": Suite(
        name="gpu",
        data=DataConfig(num_samples=200_000),
        model="resnet18_1d",
        train=TrainConfig(epochs=12, lr=0.1, batch_size=512),
        batch_size=512,
        grids={
            m: {k: (v if m in ("del", "ssd") else v[:2]) for k, v in g.items()}
            for m, g in CPU_GRIDS.items()
        },
        amp=True,
        compile=True,
        throughput_steps=200,
        threads=None,
    ),
}


def method_config(name: str, point: dict[str, Any], *, batch_size: int, seed: int) -> MethodConfig:
    """A MethodConfig from a grid point such as ``{"lr": 0.05, "options.alpha": 0.9}``."""
    plain = {k: v for k, v in point.items() if "." not in k}
    options = {k.split(".", 1)[1]: float(v) for k, v in point.items() if k.startswith("options.")}
    loc = {k.split(".", 1)[1]: v for k, v in point.items() if k.startswith("localize.")}
    cfg = MethodConfig(name=name, batch_size=batch_size, seed=seed, options=options, **plain)
    if loc:
        from umr.unlearn.methods import del_, salun

        base = {"del": del_.DEFAULT, "salun": salun.DEFAULT}.get(name, LocalizeConfig())
        cfg = cfg.with_(localize=replace(base, **loc))
    return cfg


def grid_points(grid: Grid) -> list[dict[str, Any]]:
    keys = list(grid)
    return [
        dict(zip(keys, vals, strict=True)) for vals in itertools.product(*(grid[k] for k in keys))
    ]


@dataclass(kw_only=True)
class BenchResult:
    suite: str
    rows: list[dict[str, Any]] = field(default_factory=list)  # one per method, forget set, seed
    search: list[dict[str, Any]] = field(default_factory=list)  # every grid point tried
    chosen: dict[str, dict[str, Any]] = field(default_factory=dict)  # "kind/method" -> point
    summary: list[dict[str, Any]] = field(default_factory=list)  # mean and CI per kind/method
    throughput: dict[str, Any] | None = None
    environment: dict[str, Any] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)


def _environment(rt: Runtime) -> dict[str, Any]:
    env = {
        "python": sys.version.split()[0],
        "torch": torch.__version__,
        "platform": platform.platform(),
        "machine": " ".join(platform.uname()),
        "torch_threads": torch.get_num_threads(),
        "cpu_count": os.cpu_count(),
        "device": rt.device,
        "date": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
    }
    if rt.device.startswith("cuda"):
        env["gpu"] = torch.cuda.get_device_name()
    return env


def run_bench(
    suite: str,
    *,
    out: str | Path,
    seeds: Sequence[int] | None = None,
    samples: int | None = None,
    epochs: int | None = None,
    methods: Iterable[str] | None = None,
    forget_sets: Iterable[str] | None = None,
    search: bool = True,
    device: str = "auto",
    compile: bool | None = None,
    threads: int | None = None,
    throughput_steps: int | None = None,
    progress: bool = True,
) -> BenchResult:
    """Run benchmark ``suite`` (``smoke``, ``cpu`` or ``gpu``); overrides shrink it for tests."""
    if suite not in SUITES:
        raise ConfigError(
            f"--suite: {suite!r} is not a suite", hint=f"use one of {', '.join(SUITES)}"
        )
    s = SUITES[suite]
    if samples is not None:
        s = replace(s, data=replace(s.data, num_samples=samples))
    if epochs is not None:
        s = replace(s, train=replace(s.train, epochs=epochs))
        s = replace(
            s, grids={m: {**g, "epochs": [1]} if "epochs" in g else g for m, g in s.grids.items()}
        )
    for name, given, known in (
        ("method", methods, METHOD_NAMES),
        ("forget set", forget_sets, FORGET_SETS),
    ):
        bad = [x for x in given or () if x not in known]
        if bad:
            raise ConfigError(
                f"{name} {bad[0]!r} is unknown", hint=f"use one of {', '.join(known)}"
            )
    s = replace(
        s,
        seeds=tuple(seeds) if seeds else s.seeds,
        methods=tuple(methods) if methods else s.methods,
        forget_sets=tuple(forget_sets) if forget_sets else s.forget_sets,
        throughput_steps=s.throughput_steps if throughput_steps is None else throughput_steps,
    )
    if threads or s.threads:
        torch.set_num_threads(threads or s.threads or 1)
    rt = Runtime(
        device=resolve_device(device), amp=s.amp, compile=s.compile if compile is None else compile
    )
    return _Bench(s, rt, Path(out), search, progress).run()


def plain_loop(
    model: nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    *,
    steps: int,
    warmup: int,
    batch_size: int,
    rt: Runtime,
) -> float:
    """Samples/s of a textbook PyTorch loop (SGD, momentum 0.9) on ``model``, after warm-up."""
    from umr.unlearn._train import autocast

    dev = torch.device(rt.device)
    model.to(dev).train()
    x, y = x.to(dev), y.to(dev)
    fwd = torch.compile(model) if rt.compile else model
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=5e-4)
    gen = torch.Generator().manual_seed(0)
    t0, seen = time.perf_counter(), 0
    for step in range(steps + warmup):
        if step == warmup:
            if dev.type == "cuda":
                torch.cuda.synchronize()
            t0, seen = time.perf_counter(), 0
        idx = torch.randint(0, len(y), (batch_size,), generator=gen).to(dev)
        with autocast(rt):
            loss = nn.functional.cross_entropy(fwd(x[idx]), y[idx])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        seen += batch_size
    if dev.type == "cuda":
        torch.cuda.synchronize()
    return seen / (time.perf_counter() - t0)


class _Bench:
    def __init__(self, s: Suite, rt: Runtime, out: Path, search: bool, progress: bool) -> None:
        self.s, self.rt, self.out, self.do_search = s, rt, out, search
        self.res = BenchResult(suite=s.name, environment=_environment(rt))
        self.originals: dict[tuple[str, int], dict[str, torch.Tensor]] = {}
        self.original_s: dict[tuple[str, int], float] = {}
        from tqdm import tqdm

        methods = [m for m in s.methods if m != "retrain"]
        n_search = sum(len(grid_points(s.grids[m])) for m in methods) if search else 0
        total = len(s.forget_sets) * (n_search + len(s.seeds) * (len(methods) + 1))
        self.bar = tqdm(
            total=total, desc=f"bench {s.name}", unit="run", file=sys.stderr, disable=not progress
        )

    def factory(self, seed: int) -> nn.Module:
        return models.build(self.s.model, self.in_features, self.splits.num_classes, seed)

    def run(self) -> BenchResult:
        s = self.s
        self.out.mkdir(parents=True, exist_ok=True)
        self.splits = _data.load(s.data)
        self.in_features = int(self.splits.x_train.shape[1])
        for kind in s.forget_sets:
            oracles: dict[int, dict[str, float]] = {}
            datas: dict[int, _data.UnlearnData] = {}
            for seed in s.seeds:
                fs = _data.make_forget_set(
                    self.splits.y_train,
                    replace(FORGET_SETS[kind], seed=seed),
                    self.splits.num_classes,
                )
                (self.out / "forget").mkdir(exist_ok=True)
                _data.save_forget_set(fs, self.out / "forget" / f"{kind}-s{seed}.json")
                datas[seed] = d = _data.split(self.splits, fs)
                self._original(kind, seed, d)
                oracles[seed] = self._oracle(kind, seed, d, fs.sha256)
            chosen = self._search(kind, datas[s.seeds[0]], oracles[s.seeds[0]])
            for seed in s.seeds:
                for m in s.methods:
                    if m != "retrain":
                        self._final(kind, seed, m, chosen[m], datas[seed], oracles[seed])
        self.bar.close()
        if s.throughput_steps:
            self.res.throughput = self._throughput()
        self._summarise()
        self._write()
        return self.res

    def _original(self, kind: str, seed: int, d: _data.UnlearnData) -> None:
        key = ("mislabeled" if kind == "mislabeled" else "clean", seed)
        if key in self.originals:
            return
        model = self.factory(seed)
        self.original_s[key] = train_model(
            model, d.x_train, d.y_train, replace(self.s.train, seed=seed), self.rt
        )
        self.originals[key] = {k: v.detach().cpu().clone() for k, v in model.state_dict().items()}
        save_checkpoint(
            self.originals[key], self.out / "checkpoints" / f"original-{key[0]}-s{seed}.safetensors"
        )

    def _trained(self, kind: str, seed: int) -> nn.Module:
        model = self.factory(seed)
        model.load_state_dict(
            self.originals[("mislabeled" if kind == "mislabeled" else "clean", seed)]
        )
        return model.to(self.rt.device)

    def _oracle(self, kind: str, seed: int, d: _data.UnlearnData, sha: str) -> dict[str, float]:
        train = replace(self.s.train, seed=seed)
        model, info = unlearn(
            self.factory(seed),
            d,
            MethodConfig(name="retrain"),
            factory=self.factory,
            train=train,
            rt=self.rt,
        )
        m = {
            **evaluate(model, d, rt=self.rt, seed=seed),
            "wall_s": info["wall_s"],
            "fraction_changed": 1.0,
        }
        if "retrain" in self.s.methods:
            self._row(kind, seed, "retrain", {}, {**m, **versus_oracle(m, m)}, m, sha)
        return m

    def _one(
        self,
        kind: str,
        seed: int,
        name: str,
        point: dict[str, Any],
        d: _data.UnlearnData,
        mia: bool,
    ) -> dict[str, float]:
        cfg = method_config(name, point, batch_size=self.s.batch_size, seed=seed)
        model, info = unlearn(
            self._trained(kind, seed),
            d,
            cfg,
            factory=self.factory,
            train=replace(self.s.train, seed=seed),
            rt=self.rt,
        )
        m = evaluate(model, d, rt=self.rt, mia=mia, seed=seed)
        return {**m, "wall_s": info["wall_s"], "fraction_changed": info["fraction_changed"]}

    def _search(
        self, kind: str, d: _data.UnlearnData, oracle: dict[str, float]
    ) -> dict[str, dict[str, Any]]:
        seed = self.s.seeds[0]
        chosen: dict[str, dict[str, Any]] = {}
        for name in self.s.methods:
            points = grid_points(self.s.grids.get(name, {}))
            if name == "retrain" or not self.do_search or len(points) <= 1:
                chosen[name] = points[0] if points else {}
                if self.do_search and name != "retrain":
                    self.bar.update(len(points))
                continue
            best = -1.0
            for point in points:
                m = self._one(kind, seed, name, point, d, mia=False)
                score = versus_oracle(m, oracle)["tow_val"]
                self.res.search.append(
                    {
                        "forget_set": kind,
                        "method": name,
                        "seed": seed,
                        "params": point,
                        "tow_val": score,
                        "val_acc": m["val_acc"],
                        "forget_acc": m["forget_acc"],
                        "retain_acc": m["retain_acc"],
                        "wall_s": m["wall_s"],
                    }
                )
                if score > best:
                    best, chosen[name] = score, point
                self.bar.update()
            self.res.chosen[f"{kind}/{name}"] = chosen[name]
        return chosen

    def _final(
        self,
        kind: str,
        seed: int,
        name: str,
        point: dict[str, Any],
        d: _data.UnlearnData,
        oracle: dict[str, float],
    ) -> None:
        m = self._one(kind, seed, name, point, d, mia=True)
        self._row(kind, seed, name, point, {**m, **versus_oracle(m, oracle)}, oracle, "")

    def _row(
        self,
        kind: str,
        seed: int,
        name: str,
        point: dict[str, Any],
        m: dict[str, float],
        oracle: dict[str, float],
        sha: str,
    ) -> None:
        fs = _data.load_forget_set(self.out / "forget" / f"{kind}-s{seed}.json")
        self.res.rows.append(
            {
                "forget_set": kind,
                "method": name,
                "seed": seed,
                "params": point,
                "forget_sha256": fs.sha256,
                "forget_size": len(fs.indices),
                **m,
                "cost_vs_oracle": m["wall_s"] / oracle["wall_s"],
            }
        )
        self.bar.update()

    def _summarise(self) -> None:
        keys = (
            "forget_acc",
            "retain_acc",
            "test_acc",
            "mia_svc",
            "mia_loss_auc",
            "tow",
            "tow_mia",
            "fraction_changed",
            "wall_s",
            "cost_vs_oracle",
        )
        for kind in self.s.forget_sets:
            for name in self.s.methods:
                rows = [r for r in self.res.rows if r["forget_set"] == kind and r["method"] == name]
                if rows:
                    entry: dict[str, Any] = {"forget_set": kind, "method": name, "n": len(rows)}
                    for k in keys:
                        entry[k], entry[k + "_ci"] = mean_ci([r[k] for r in rows])
                    self.res.summary.append(entry)

    def _throughput(self) -> dict[str, Any]:
        """Samples/s of DEL's masked finetuning against a plain loop on the same model."""
        s, rt, n = self.s, self.rt, self.s.throughput_steps
        warm = min(20, n)  # warm-up steps (compilation, allocator) are not timed
        x, y = self.splits.x_train, self.splits.y_train
        p = plain_loop(self.factory(0), x, y, steps=n, warmup=warm, batch_size=s.batch_size, rt=rt)
        model = self._trained("iid", s.seeds[0])
        mask = localize(model, x[:2048], y[:2048], LocalizeConfig(), rt=rt)
        heads = models.head_names(model)
        trainable = {k: torch.ones_like(v) if k in heads else v for k, v in mask.items()}
        st_del = fit(
            model,
            x,
            y,
            epochs=10**6,
            lr=0.01,
            batch_size=s.batch_size,
            rt=rt,
            trainable=trainable,
            max_steps=n + warm,
            timed_after=warm,
        )
        q = st_del.samples / st_del.seconds
        return {
            "steps": n,
            "batch_size": s.batch_size,
            "amp": rt.amp,
            "compile": rt.compile,
            "plain_samples_per_s": p,
            "del_samples_per_s": q,
            "ratio": q / p,
        }

    def _write(self) -> None:
        res = self.res
        res.files["results"] = str(self.out / "results.json")
        res.files["table"] = str(self.out / "results.md")
        res.files.update(plot(res.summary, self.out))
        doc = {"suite": asdict(self.s), **{k: v for k, v in asdict(res).items() if k != "suite"}}
        Path(res.files["results"]).write_text(json.dumps(doc, indent=2, default=str) + "\n")
        Path(res.files["table"]).write_text(table(res) + "\n")
