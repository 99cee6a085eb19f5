"""Benchmarks: every method against the mean of independent retrain oracles, at equal budgets.

Protocol (``run_bench``), per suite:

1. The data are generated once. For the ``memorized`` forget set, two models are trained with
   the pretraining recipe, one on each half of the training set; the pool is every training
   example the model that never saw it misclassifies (a model fits those only by memorizing).
2. For the search seed and every reported seed: the original model (trained on noisy labels
   for the ``mislabeled`` forget set) and ``oracles`` independent retrains per forget set.
3. Search, on the search seed only (never reported): every training-based method runs at every
   point of the shared epoch grid (fractions of the pretraining epochs, the pretraining budget
   included) times its learning-rate grid (the same size for every method); for each epoch
   budget the rate with the best ToW on the validation split, against the mean of the oracles,
   is kept. Training-free methods (SSD) search their own grid of the same kind.
4. Final: on every reported seed, every method at every epoch budget with its chosen rate, plus
   the untouched original, with MIA. ToW is measured against the mean of the seed's oracles;
   the ToW of one oracle against another is the noise floor.

Every unit of work is one line of ``runs.jsonl``, written as it finishes; a restart with the
same suite skips finished units. Units run in ``workers`` spawned processes (0: in this one), so
memory stays bounded by one model per worker. ``results.json``, ``results.md`` and the plots are
written at the end (``bench_report``).
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from umr.unlearn import data as _data
from umr.unlearn import models
from umr.unlearn._bench_units import (
    Unit,
    execute,
    forget_path,
    method_config,
    original_path,
    splits,
    variant_of,
)
from umr.unlearn._train import Runtime, fit
from umr.unlearn.bench_report import assemble, plot, table
from umr.unlearn.checkpoint import load_checkpoint
from umr.unlearn.config import ConfigError, DataConfig, ForgetConfig, LocalizeConfig, TrainConfig
from umr.unlearn.localize import localize
from umr.unlearn.stream import resolve_device

FORGET_SETS = {
    "iid": ForgetConfig(kind="iid", fraction=0.1),
    "non_iid": ForgetConfig(kind="non_iid", fraction=0.1, classes=(2, 5)),
    "mislabeled": ForgetConfig(kind="mislabeled", fraction=0.1),
    "memorized": ForgetConfig(kind="memorized", fraction=0.1),
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
FREE = ("ssd",)  # training-free: no epochs, their own grid
Grid = dict[str, list[Any]]  # MethodConfig field (or "options.KEY" / "localize.KEY") -> values

# Learning-rate grids as multiples of the pretraining rate, one length for every method.
# DEL's include the DEL authors' 0.15x (0.015 against their 0.1 pretraining rate). The
# three-point grid is the two-point one plus one point above it (2x; gradient ascent 1x): in
# the two-point search most methods chose their top point, so the top edge may bind.
LR2 = {"del": (0.15, 1.0), "retrain": (0.5, 1.0), "gradient_ascent": (0.02, 0.2)}
LR3 = {"del": (0.15, 1.0, 2.0), "retrain": (0.5, 1.0, 2.0), "gradient_ascent": (0.02, 0.2, 1.0)}
BASE2, BASE3 = (0.2, 1.0), (0.2, 1.0, 2.0)


def lr_scales(n: int) -> dict[str, tuple[float, ...]]:
    own, base = (LR2, BASE2) if n == 2 else (LR3, BASE3)
    return {m: own.get(m, base) for m in METHOD_NAMES if m not in FREE}


@dataclass(frozen=True, kw_only=True)
class Suite:
    name: str
    data: DataConfig
    model: str
    widths: tuple[int, ...] | None = None
    train: TrainConfig  # original and oracle recipe: the pretraining budget
    batch_size: int  # unlearning batch size
    epoch_fractions: tuple[float, ...] = (0.25, 0.5, 1.0)  # the shared grid, of train.epochs
    lr_scales: dict[str, tuple[float, ...]] = field(default_factory=lambda: lr_scales(2))
    free_grids: dict[str, Grid] = field(
        default_factory=lambda: {"ssd": {"options.alpha": [10.0, 1.0]}}
    )
    options: dict[str, dict[str, float]] = field(
        default_factory=lambda: {"neggrad_plus": {"alpha": 0.99}}  # the DEL authors' value
    )
    seeds: tuple[int, ...] = (0, 1, 2)
    search_seed: int = 1000  # hyperparameters are chosen here; never reported
    oracles: int = 2  # independent retrains per forget set and seed
    forget_sets: tuple[str, ...] = ("iid", "non_iid", "mislabeled")
    methods: tuple[str, ...] = METHOD_NAMES
    amp: bool = False
    compile: bool = False
    throughput_steps: int = 0  # >0: also time DEL finetuning against a plain loop
    threads: int | None = 1  # torch CPU threads per process; 1 is fastest on a busy machine
    workers: int = 1  # processes running units; 0 runs them in this process

    def epoch_grid(self) -> list[int]:
        return sorted({max(1, round(f * self.train.epochs)) for f in self.epoch_fractions})

    def points(self, method: str) -> list[dict[str, Any]]:
        """Every grid point of ``method``: the epoch grid times its learning-rate grid."""
        if method in FREE:
            return grid_points(self.free_grids.get(method, {}))
        scales = self.lr_scales[method]
        return [
            {"epochs": e, "lr": round(self.train.lr * k, 8)}
            for e in self.epoch_grid()
            for k in scales
        ]


SUITES = {
    "smoke": Suite(
        name="smoke",
        data=DataConfig(num_samples=4000),
        model="cnn1d",
        train=TrainConfig(epochs=20),
        batch_size=128,
        epoch_fractions=(1.0,),
        lr_scales={m: v[-1:] for m, v in lr_scales(2).items()},
        free_grids={"ssd": {"options.alpha": [10.0]}},
        seeds=(0,),
        forget_sets=("iid",),
        workers=0,
    ),
    "cpu": Suite(
        name="cpu",
        data=DataConfig(num_samples=10_000),
        model="cnn1d",
        train=TrainConfig(epochs=30),
        batch_size=128,
        epoch_fractions=(0.25, 1.0),
        workers=2,
    ),
    "memorization": Suite(
        name="memorization",
        data=DataConfig(num_samples=4500, corr_noise_scale=0.5, iid_noise_scale=0.05),
        model="resnet18_1d",
        widths=(16, 32, 64, 128),
        train=TrainConfig(epochs=16, lr=0.05),
        batch_size=128,
        epoch_fractions=(0.25, 1.0),
        forget_sets=("memorized", "non_iid", "iid", "mislabeled"),  # the targets' first
        methods=("del", "finetune", "neggrad_plus", "scrub", "ssd", "retrain"),
        workers=2,
    ),
    "gpu": Suite(
        name="gpu",
        data=DataConfig(num_samples=200_000),
        model="resnet18_1d",
        train=TrainConfig(epochs=12, lr=0.1, batch_size=512),
        batch_size=512,
        amp=True,
        compile=True,
        throughput_steps=200,
        threads=None,
        workers=0,
    ),
}


def left_out(s: Suite) -> str:
    """What the report says about the methods this run left out ("" when none): those the
    suite's default leaves out (to fit the time) apart from those ``--method`` left out."""
    default = SUITES[s.name].methods if s.name in SUITES else METHOD_NAMES
    out = [m for m in METHOD_NAMES if m not in s.methods]
    by_suite = [m for m in out if m not in default]
    by_choice = [m for m in out if m in default]
    parts = []
    if by_suite:
        parts.append(
            f"{', '.join(by_suite)} not run: the {s.name} suite leaves them out by default to fit "
            "the time on 2 shared CPU cores (--method adds them; a rerun with the same --out "
            "keeps the finished runs)"
        )
    if by_choice:
        parts.append(f"{', '.join(by_choice)} not run: not chosen with --method")
    return "; ".join(parts) + ("." if parts else "")


def grid_points(grid: Grid) -> list[dict[str, Any]]:
    import itertools

    keys = list(grid)
    return [
        dict(zip(keys, vals, strict=True)) for vals in itertools.product(*(grid[k] for k in keys))
    ]


@dataclass(kw_only=True)
class BenchResult:
    suite: str
    rows: list[dict[str, Any]] = field(default_factory=list)  # final runs, with ToW
    search: list[dict[str, Any]] = field(default_factory=list)  # every search run
    chosen: dict[str, dict[str, Any]] = field(default_factory=dict)  # "kind/method/E" -> point
    summary: list[dict[str, Any]] = field(default_factory=list)  # kind/method/budget: mean, CI
    noise_floor: dict[str, dict[str, Any]] = field(default_factory=dict)  # kind -> mean, CI
    oracle: dict[str, dict[str, float]] = field(default_factory=dict)  # kind -> mean metrics
    budgets: dict[str, dict[str, Any]] = field(default_factory=dict)  # kind -> DEL vs baselines
    memorized_pool: dict[str, Any] | None = None
    excluded: str = ""
    throughput: dict[str, Any] | None = None
    environment: dict[str, Any] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)
    executed: int = 0  # units run by this call (the rest were read back from runs.jsonl)
    wall_s: float = 0.0


def _environment(rt: Runtime, s: Suite) -> dict[str, Any]:
    env = {
        "python": sys.version.split()[0],
        "torch": torch.__version__,
        "platform": platform.platform(),
        "machine": " ".join(platform.uname()),
        "torch_threads": s.threads or torch.get_num_threads(),
        "workers": s.workers,
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
    lr_points: int | None = None,
    device: str = "auto",
    compile: bool | None = None,
    threads: int | None = None,
    throughput_steps: int | None = None,
    workers: int | None = None,
    progress: bool = True,
) -> BenchResult:
    """Run benchmark ``suite``; the overrides shrink it (tests) or split it (``forget_sets``)."""
    if suite not in SUITES:
        raise ConfigError(
            f"--suite: {suite!r} is not a suite", hint=f"use one of {', '.join(SUITES)}"
        )
    s = SUITES[suite]
    if samples is not None:
        s = replace(s, data=replace(s.data, num_samples=samples))
    if epochs is not None:
        s = replace(s, train=replace(s.train, epochs=epochs))
    for flag, given, known in (
        ("--method", methods, METHOD_NAMES),
        ("--forget-set", forget_sets, FORGET_SETS),
    ):
        bad = [x for x in given or () if x not in known]
        if bad:
            raise ConfigError(
                f"{flag}: {str(bad[0])[:40]!r} is unknown", hint=f"use one of {', '.join(known)}"
            )

    def once(given: Iterable[Any] | None, default: tuple[Any, ...]) -> tuple[Any, ...]:
        return tuple(dict.fromkeys(given)) if given else default  # a repeat is not a second run

    s = replace(
        s,
        seeds=once(seeds, s.seeds),
        methods=once(methods, s.methods),
        forget_sets=once(forget_sets, s.forget_sets),
        throughput_steps=s.throughput_steps if throughput_steps is None else throughput_steps,
        threads=threads or s.threads,
        workers=s.workers if workers is None else workers,
    )
    if lr_points is not None:
        if lr_points not in (2, 3):
            raise ConfigError(f"lr_points: {lr_points} is not 2 or 3", hint="use 2 or 3")
        s = replace(s, lr_scales=lr_scales(lr_points))
    if s.search_seed in s.seeds:
        raise ConfigError(
            f"--seed: {s.search_seed} is the search seed and is never reported",
            hint="report other seeds, e.g. --seed 0 --seed 1 --seed 2",
        )
    if s.threads:
        torch.set_num_threads(s.threads)
    rt = Runtime(
        device=resolve_device(device), amp=s.amp, compile=s.compile if compile is None else compile
    )
    s = replace(s, compile=rt.compile)
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


def memorized_pool(half_rows: Sequence[dict[str, Any]]) -> np.ndarray:
    """Training indices misclassified by the half-data model that never saw them."""
    idx = sorted({int(i) for r in half_rows for i in r["misclassified"]})
    return np.asarray(idx, dtype=np.int64)


DIGEST_KEYS = ("data", "model", "widths", "train", "batch_size", "options", "search_seed", "amp")


def _differences(old: Any, new: Any, keys: Iterable[str], where: str = "") -> list[str]:
    """``data.num_samples 300 there, 400 here``: the leaves of ``keys`` that differ."""
    out: list[str] = []
    for k in keys:
        a, b, at = old.get(k), new.get(k), f"{where}{k}"
        if isinstance(a, dict) and isinstance(b, dict):
            out += _differences(a, b, sorted({*a, *b}), f"{at}.")
        elif a != b:
            out.append(f"{at} {a!r} there, {b!r} here")
    return out


def _suite_digest(s: Suite) -> str:
    """What a finished unit's numbers depend on beyond its key (grids and seeds are in keys)."""
    doc = {k: v for k, v in asdict(s).items() if k in DIGEST_KEYS}
    return hashlib.sha256(json.dumps(doc, sort_keys=True, default=str).encode()).hexdigest()


class _Bench:
    def __init__(self, s: Suite, rt: Runtime, out: Path, search: bool, progress: bool) -> None:
        self.s, self.rt, self.out, self.do_search, self.progress = s, rt, out, search, progress
        self.res = BenchResult(suite=s.name, environment=_environment(rt, s), excluded=left_out(s))
        self.done: dict[str, dict[str, Any]] = {}
        self.log = out / "runs.jsonl"
        self.pool: Any = None
        self.kinds_done: list[str] = []

    # -- bookkeeping -------------------------------------------------------------------------
    def _open(self) -> None:
        self.out.mkdir(parents=True, exist_ok=True)
        (self.out / "forget").mkdir(exist_ok=True)
        (self.out / "checkpoints").mkdir(exist_ok=True)
        meta = self.out / "suite.json"
        digest = _suite_digest(self.s)
        if meta.exists() and self.log.exists():
            saved = json.loads(meta.read_text())
            if saved.get("digest") != digest:
                now = json.loads(json.dumps(asdict(self.s), default=str))
                differ = _differences(saved.get("suite") or {}, now, DIGEST_KEYS)
                raise ConfigError(
                    f"{self.out}: runs.jsonl holds runs of another suite configuration"
                    + (f" ({'; '.join(differ[:3])})" if differ else ""),
                    hint="use another --out, or delete the folder to start over",
                )
        meta.write_text(json.dumps({"digest": digest, "suite": asdict(self.s)}, default=str))
        if self.log.exists():
            for line in self.log.read_text().splitlines():
                if line.strip():
                    try:
                        row = json.loads(line)
                    except json.JSONDecodeError:
                        continue  # a line cut short by a crash: that unit runs again
                    self.done[row["key"]] = row

    def _record(self, unit: Unit, result: dict[str, Any]) -> None:
        line = json.dumps({"key": unit.key, "unit": unit.to_dict(), **result}, default=str)
        with self.log.open("a") as f:
            f.write(line + "\n")
        self.done[unit.key] = json.loads(line)  # what a restart reads back
        self.res.executed += 1

    def _stage(self, units: list[Unit], label: str) -> None:
        todo = [u for u in dict.fromkeys(units) if u.key not in self.done]
        if not todo:
            return
        from tqdm import tqdm

        bar = tqdm(
            total=len(todo), desc=f"{self.s.name} {label}", unit="run", file=sys.stderr,
            disable=not self.progress,
        )  # fmt: skip
        args = (self.s, self.out)
        if self.s.workers <= 0:
            for u in todo:
                self._record(u, execute(*args, u, self.rt.device, self.s.threads))
                bar.update()
        else:
            from concurrent.futures import as_completed

            futures = {
                self._executor().submit(execute, *args, u, self.rt.device, self.s.threads): u
                for u in todo
            }
            for f in as_completed(futures):
                self._record(futures[f], f.result())
                bar.update()
        bar.close()

    def _executor(self) -> Any:
        if self.pool is None:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            self.pool = ProcessPoolExecutor(
                self.s.workers, mp_context=multiprocessing.get_context("spawn")
            )
        return self.pool

    # -- protocol ----------------------------------------------------------------------------
    def run(self) -> BenchResult:
        self.t0 = time.perf_counter()
        self._open()
        try:
            self._run()
        finally:
            if self.pool is not None:
                self.pool.shutdown()
        if self.s.throughput_steps:
            self.res.throughput = self._throughput()
        if self.s.throughput_steps or not self.kinds_done:
            self._write()  # else the last forget set's write is already the whole result
        return self.res

    def _run(self) -> None:
        s = self.s
        sp = splits(s.data)  # the units' cache: generated once per process
        self.splits = sp
        all_seeds = ([s.search_seed] if self.do_search else []) + list(s.seeds)
        methods = [m for m in s.methods if m != "original"]
        # stage 1: half-data models (memorized pool) and the clean originals
        stage1 = []
        if "memorized" in s.forget_sets:
            stage1 += [Unit(kind="half", seed=0, variant=v) for v in ("a", "b")]
        if any(k != "mislabeled" for k in s.forget_sets):
            stage1 += [Unit(kind="original", seed=x, variant="clean") for x in all_seeds]
        for seed in all_seeds:  # forget sets that need no model, written before anything reads
            for kind in s.forget_sets:
                if kind != "memorized":
                    self._forget_set(kind, seed, sp, None)
        self._stage(stage1, "originals")
        pool = None
        if "memorized" in s.forget_sets:
            halves = [self.done[Unit(kind="half", seed=0, variant=v).key] for v in ("a", "b")]
            pool = memorized_pool(halves)
            self.res.memorized_pool = {
                "size": len(pool),
                "of": len(sp.y_train),
                "half_wall_s": [h["wall_s"] for h in halves],
            }
            for seed in all_seeds:
                self._forget_set("memorized", seed, sp, pool)
        # then one forget set at a time, in the suite's order, so a run cut short still leaves
        # whole forget sets: its oracles and search, then every reported seed at every budget
        for kind in s.forget_sets:
            if kind == "mislabeled":
                units = [Unit(kind="original", seed=x, variant="noisy") for x in all_seeds]
                self._stage(units, "noisy originals")
            units = [
                Unit(kind="oracle", seed=x, forget_set=kind, index=j)
                for x in all_seeds
                for j in range(s.oracles)
            ]
            if self.do_search:
                units += [self._search_unit(kind, m, p) for m in methods for p in s.points(m)]
            self._stage(units, f"{kind}: oracles + search")
            self.res.chosen.update(self._choose(kind, methods))
            finals = [
                Unit(kind="run", seed=x, forget_set=kind, method=m, point=tuple(p.items()))
                for x in s.seeds
                for m in methods
                for p in self._final_points(kind, m)
            ]
            finals += [
                Unit(kind="run", seed=x, forget_set=kind, method="original") for x in s.seeds
            ]
            self._stage(finals, f"{kind}: final")
            self.kinds_done.append(kind)
            self._write()  # what is finished so far, rewritten after every forget set

    def _forget_set(self, kind: str, seed: int, sp: _data.Splits, pool: np.ndarray | None) -> None:
        fs = _data.make_forget_set(
            sp.y_train, replace(FORGET_SETS[kind], seed=seed), sp.num_classes, pool=pool
        )
        path = forget_path(self.out, kind, seed)
        if not path.exists() or _data.load_forget_set(path).sha256 != fs.sha256:
            _data.save_forget_set(fs, path)

    def _oracle_mean(self, kind: str, seed: int) -> dict[str, float]:
        rows = [
            self.done[Unit(kind="oracle", seed=seed, forget_set=kind, index=j).key]
            for j in range(self.s.oracles)
        ]
        keys = [k for k, v in rows[0].items() if isinstance(v, float)]
        return {k: float(np.mean([r[k] for r in rows])) for k in keys}

    def _search_unit(self, kind: str, method: str, point: dict[str, Any]) -> Unit:
        """The search run of ``method`` at ``point`` on the (never reported) search seed."""
        return Unit(
            kind="run",
            seed=self.s.search_seed,
            forget_set=kind,
            method=method,
            point=tuple(point.items()),
            search=True,
        )

    def _choose(self, kind: str, methods: list[str]) -> dict[str, dict[str, Any]]:
        """Per method and epoch budget: the point with the best search ToW-val on ``kind``."""
        from umr.unlearn.evaluate import versus_oracle

        s, chosen = self.s, dict[str, dict[str, Any]]()
        oracle = self._oracle_mean(kind, s.search_seed) if self.do_search else {}
        for m in methods:
            for p in s.points(m):
                budget = p.get("epochs", 0)
                key = f"{kind}/{m}/{budget}"
                if not self.do_search:
                    chosen.setdefault(key, p)
                    continue
                row = self.done[self._search_unit(kind, m, p).key]
                score = versus_oracle(row, oracle)["tow_val"]
                self.res.search.append(
                    {
                        "forget_set": kind,
                        "method": m,
                        "seed": s.search_seed,
                        "params": p,
                        "tow_val": score,
                        **{k: row[k] for k in ("val_acc", "forget_acc", "retain_acc", "wall_s")},
                    }
                )
                if key not in chosen or score > chosen[key]["_score"]:
                    chosen[key] = {**p, "_score": score}
        return {k: {a: b for a, b in v.items() if a != "_score"} for k, v in chosen.items()}

    def _final_points(self, kind: str, method: str) -> list[dict[str, Any]]:
        return [p for k, p in self.res.chosen.items() if k.startswith(f"{kind}/{method}/")]

    def _throughput(self) -> dict[str, Any]:
        """Samples/s of DEL's masked finetuning against a plain loop on the same model."""
        s, rt, n = self.s, self.rt, self.s.throughput_steps
        warm = min(20, n)  # warm-up steps (compilation, allocator) are not timed
        x, y = self.splits.x_train, self.splits.y_train
        feats, classes = int(x.shape[1]), self.splits.num_classes

        def build(seed: int) -> nn.Module:
            return models.build(s.model, feats, classes, seed, widths=s.widths)

        p = plain_loop(build(0), x, y, steps=n, warmup=warm, batch_size=s.batch_size, rt=rt)
        model = build(s.seeds[0])
        variant = variant_of(s.forget_sets[0])
        model.load_state_dict(load_checkpoint(original_path(self.out, variant, s.seeds[0])))
        model.to(rt.device)
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
            weight_decay=0.0,
            schedule="epoch",
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
        res, s = self.res, self.s
        res.wall_s = time.perf_counter() - self.t0
        assemble(res, replace(s, forget_sets=tuple(self.kinds_done)), self.done, self._oracle_mean)
        res.files["results"] = str(self.out / "results.json")
        res.files["table"] = str(self.out / "results.md")
        res.files["runs"] = str(self.log)
        res.files.update(plot(res, self.out))
        doc = {"suite": asdict(s), **{k: v for k, v in asdict(res).items() if k != "suite"}}
        Path(res.files["results"]).write_text(json.dumps(doc, indent=2, default=str) + "\n")
        Path(res.files["table"]).write_text(table(res) + "\n")


__all__ = [
    "FORGET_SETS",
    "METHOD_NAMES",
    "SUITES",
    "BenchResult",
    "Suite",
    "grid_points",
    "memorized_pool",
    "method_config",
    "plain_loop",
    "run_bench",
]
