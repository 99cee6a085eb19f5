from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch

from umr.unlearn.bench import (
    FREE,
    METHOD_NAMES,
    SUITES,
    BenchResult,
    grid_points,
    memorized_pool,
    run_bench,
)
from umr.unlearn.bench_report import budget_analysis, pareto_front
from umr.unlearn.config import ConfigError, ForgetConfig
from umr.unlearn.data import DataError, make_forget_set


def test_grid_points_and_method_config() -> None:
    from umr.unlearn._bench_units import method_config

    pts = grid_points({"lr": [0.1, 0.01], "options.alpha": [0.9]})
    assert pts == [{"lr": 0.1, "options.alpha": 0.9}, {"lr": 0.01, "options.alpha": 0.9}]
    cfg = method_config(
        "del", {"epochs": 3, "localize.fraction": 0.2}, batch_size=64, seed=1, options={}
    )
    assert cfg.localize is not None and cfg.localize.fraction == 0.2
    assert cfg.localize.criticality == "weighted_grad" and cfg.epochs == 3
    cfg = method_config("neggrad_plus", {"lr": 0.1}, batch_size=8, seed=0, options={"alpha": 0.99})
    assert cfg.options == {"alpha": 0.99} and cfg.lr == 0.1


@pytest.mark.parametrize("name", ["cpu", "memorization", "gpu"])
def test_every_training_method_searches_the_same_budgets_and_grid_size(name: str) -> None:
    s = SUITES[name]
    grid = s.epoch_grid()
    assert s.train.epochs in grid and len(grid) >= 2  # the pretraining budget is a grid point
    trained = [m for m in s.methods if m not in FREE]
    sizes = {len(s.lr_scales[m]) for m in trained}
    assert len(sizes) == 1 and sizes.pop() >= 2
    for m in trained:
        pts = s.points(m)
        assert sorted({p["epochs"] for p in pts}) == grid
        assert len(pts) == len(grid) * len(s.lr_scales[m])
    assert s.search_seed not in s.seeds and s.oracles >= 2 and len(s.seeds) >= 3
    lrs = [p["lr"] for p in s.points("del")]
    assert any(lr == pytest.approx(0.15 * s.train.lr) for lr in lrs)  # the reference's rate


def test_the_three_point_grid_adds_one_rate_above_every_two_point_grid() -> None:
    from umr.unlearn.bench import lr_scales

    two, three = lr_scales(2), lr_scales(3)
    assert two.keys() == three.keys() and "ssd" not in three
    for m, pts in three.items():
        assert len(pts) == 3 and pts[:2] == two[m] and pts[2] > max(two[m]), m


def test_suites_follow_the_protocol() -> None:
    cpu, mem, gpu = SUITES["cpu"], SUITES["memorization"], SUITES["gpu"]
    assert cpu.data.num_samples >= 10_000 and cpu.model == "cnn1d"
    assert set(cpu.methods) == set(METHOD_NAMES)  # every baseline, at the same budgets
    assert set(cpu.forget_sets) == {"iid", "non_iid", "mislabeled"}
    assert (mem.data.num_samples, mem.data.corr_noise_scale, mem.data.iid_noise_scale) == (
        4500,
        0.5,
        0.05,
    )
    assert mem.model == "resnet18_1d" and mem.widths == (16, 32, 64, 128)
    assert set(mem.forget_sets) == {"iid", "non_iid", "mislabeled", "memorized"}
    assert {"del", "finetune", "neggrad_plus", "scrub", "retrain"} <= set(mem.methods)
    assert gpu.data.num_samples >= 200_000 and gpu.model == "resnet18_1d" and gpu.amp


def test_memorized_pool_and_forget_set() -> None:
    rows = [{"misclassified": [7, 3, 9]}, {"misclassified": [1, 3]}]
    pool = memorized_pool(rows)
    assert pool.tolist() == [1, 3, 7, 9]
    y = torch.zeros(40, dtype=torch.long)
    fs = make_forget_set(y, ForgetConfig(kind="memorized", fraction=0.1, seed=2), 10, pool=pool)
    assert len(fs.indices) == 4 and set(fs.indices.tolist()) == {1, 3, 7, 9}
    with pytest.raises(DataError, match="'memorized' needs the pool"):
        make_forget_set(y, ForgetConfig(kind="memorized", fraction=0.1), 10)
    with pytest.raises(DataError, match="pool holds 2 examples"):
        make_forget_set(y, ForgetConfig(kind="memorized"), 10, pool=np.array([1, 2]))


def _tiny(out: Path, **kw: object) -> BenchResult:
    args: dict[str, object] = {
        "samples": 400,
        "epochs": 2,
        "seeds": [0, 1],
        "progress": False,
        "workers": 0,
    }
    args.update(kw)
    return run_bench("memorization", out=out, **args)  # type: ignore[arg-type]


def test_memorization_bench_writes_everything_and_resumes(tmp_path: Path) -> None:
    res = _tiny(tmp_path, methods=["del", "finetune", "ssd"], forget_sets=["memorized", "iid"])
    assert res.memorized_pool is not None and res.memorized_pool["size"] > 0
    kinds = {r["forget_set"] for r in res.rows}
    assert kinds == {"memorized", "iid"}
    assert {r["seed"] for r in res.rows} == {0, 1}  # the search seed is never reported
    assert {r["method"] for r in res.rows} == {"del", "finetune", "ssd", "original"}
    assert {r["budget_epochs"] for r in res.rows if r["method"] == "del"} == {1, 2}
    for kind in kinds:
        assert 0 < res.noise_floor[kind]["tow"] <= 1
        assert "least_winning_budget" in res.budgets[kind]
    doc = json.loads((tmp_path / "results.json").read_text())
    assert doc["environment"]["torch"] and len(doc["rows"]) == len(res.rows)
    table = (tmp_path / "results.md").read_text()
    assert "| del | 2 |" in table and "Noise floor" in table and "Pareto front" in table
    for name in ("tow_vs_budget.png", "tow_vs_wall.png", "pareto.png", "accuracies.png"):
        assert (tmp_path / name).read_bytes()[:4] == b"\x89PNG"
    n = len((tmp_path / "runs.jsonl").read_text().splitlines())
    assert res.executed == n
    again = _tiny(tmp_path, methods=["del", "finetune", "ssd"], forget_sets=["memorized", "iid"])
    assert again.executed == 0 and again.rows == res.rows
    lines = (tmp_path / "runs.jsonl").read_text().splitlines()
    (tmp_path / "runs.jsonl").write_text("\n".join(lines[:-3]) + "\n" + lines[-3][:20])
    third = _tiny(tmp_path, methods=["del", "finetune", "ssd"], forget_sets=["memorized", "iid"])
    assert third.executed == 3  # the two dropped runs and the one cut short
    with pytest.raises(
        ConfigError,
        match=r"runs of another suite configuration \(data.num_samples \d+ there, 300 here\)",
    ):
        _tiny(tmp_path, samples=300, methods=["del"], forget_sets=["iid"])
    fewer = _tiny(tmp_path, methods=["del"], forget_sets=["iid"])  # a subset: all read back
    assert fewer.executed == 0 and {r["method"] for r in fewer.rows} == {"del", "original"}


def test_search_picks_the_best_validation_tow_per_budget(tmp_path: Path) -> None:
    res = _tiny(tmp_path, methods=["del", "ssd"], forget_sets=["non_iid"], seeds=[3])
    for key, point in res.chosen.items():
        _, method, budget = key.split("/")
        tried = [
            r
            for r in res.search
            if r["method"] == method and r["params"].get("epochs", 0) == int(budget)
        ]
        assert len(tried) == 2  # two learning rates (SSD: two alphas)
        assert point == max(tried, key=lambda r: r["tow_val"])["params"]
        assert all("test_acc" not in r and r["seed"] == 1000 for r in tried)


def test_gpu_suite_code_path_on_cpu(tmp_path: Path) -> None:
    res = run_bench(
        "gpu",
        out=tmp_path,
        samples=200,
        epochs=1,
        seeds=[0],
        forget_sets=["iid"],
        methods=["del", "finetune"],
        search=False,
        device="cpu",
        compile=False,
        throughput_steps=2,
        progress=False,
    )
    assert res.throughput is not None and res.throughput["ratio"] > 0
    assert {r["method"] for r in res.rows} == {"del", "finetune", "original"}
    assert "samples/s" in (tmp_path / "results.md").read_text()


def test_unknown_suite_method_forget_set_or_a_reported_search_seed(tmp_path: Path) -> None:
    out = tmp_path / "o"
    with pytest.raises(ConfigError, match=r"--suite: 'huge'"):
        run_bench("huge", out=out)
    with pytest.raises(ConfigError, match=r"--method: 'magic' is unknown"):
        run_bench("smoke", out=out, methods=["magic"])
    with pytest.raises(ConfigError, match=r"--forget-set: '\.\./x' is unknown"):
        run_bench("smoke", out=out, forget_sets=["../x"])
    with pytest.raises(ConfigError, match=r"--seed: 1000 is the search seed"):
        run_bench("smoke", out=out, seeds=[0, 1000])
    assert not out.exists()


def test_pareto_front_and_budget_analysis() -> None:
    assert pareto_front([(0.0, 0.9), (0.5, 0.95), (0.5, 0.93), (1.0, 0.94), (1.0, 0.99)]) == [
        0,
        1,
        4,
    ]

    def e(m: str, b: int, tow: float, gap: float = 0.0) -> dict[str, object]:
        return {
            "forget_set": "k",
            "method": m,
            "budget_epochs": b,
            "compute_vs_oracle": b / 8,
            "tow": tow,
            "tow_ci": 0.01,
            "forget_gap": gap,
        }

    summary = [
        e("original", 0, 0.90),
        e("del", 2, 0.91, 0.05),
        e("del", 4, 0.96, 0.01),
        e("del", 8, 0.97, -0.03),
        e("finetune", 2, 0.93),
        e("finetune", 4, 0.95),
        e("finetune", 8, 0.98),
        e("ssd", 0, 0.92),
    ]
    b = budget_analysis(summary, "k", 8)
    assert [x["del_wins"] for x in b["per_budget"]] == [False, True, False]
    assert b["least_winning_budget"] == 4 and b["least_winning_fraction"] == 0.5
    assert b["target_met"] and b["forget_gap_points"] == pytest.approx(1.0)
    assert b["del_on_front"] and ("del", 4) in b["pareto_front"]
    assert b["best_baseline_any_budget"] == {"method": "finetune", "budget_epochs": 8, "tow": 0.98}


def test_render_redraws_table_and_plots_from_results(tmp_path: Path) -> None:
    from umr.unlearn.bench_report import render

    run_bench("smoke", out=tmp_path / "a", samples=200, epochs=1, methods=["ssd"], progress=False)
    files = render(tmp_path / "a" / "results.json", tmp_path / "b")
    assert (tmp_path / "b" / "results.md").read_text() == (
        tmp_path / "a" / "results.md"
    ).read_text()
    assert all(Path(f).exists() for f in files.values())


def test_the_report_says_why_a_method_was_not_run() -> None:
    from dataclasses import replace

    from umr.unlearn.bench import left_out

    mem, cpu = SUITES["memorization"], SUITES["cpu"]
    assert left_out(cpu) == ""  # every method runs
    text = left_out(mem)
    for m in set(METHOD_NAMES) - set(mem.methods):
        assert m in text
    assert "leaves them out by default" in text and "--method" in text
    assert left_out(replace(mem, methods=METHOD_NAMES)) == ""
    only = left_out(replace(cpu, methods=("del", "retrain")))
    assert "not chosen with --method" in only and "by default" not in only
    assert "finetune" in only and "del," not in only


def test_a_repeated_seed_or_method_is_one_run_not_two(tmp_path: Path) -> None:
    res = run_bench(
        "smoke", out=tmp_path, seeds=[3, 3], samples=300, epochs=1, methods=["ssd", "ssd"],
        search=False, workers=0, progress=False,
    )  # fmt: skip
    ssd = [r for r in res.rows if r["method"] == "ssd"]
    assert [r["seed"] for r in ssd] == [3]
    assert all(e["n"] == 1 for e in res.summary if e["method"] == "ssd")


@pytest.mark.parametrize(
    ("device", "says"), [("bogus", "is not a device"), ("cuda:7", "asks for a CUDA GPU")]
)
def test_a_device_torch_cannot_use_is_refused_before_anything_is_written(
    tmp_path: Path, device: str, says: str
) -> None:
    from umr.unlearn.config import ConfigError

    if device.startswith("cuda") and torch.cuda.device_count() > 7:
        pytest.fail("this check assumes fewer than 8 visible GPUs")
    with pytest.raises(ConfigError, match=f"device: '{device}' {says}"):
        run_bench("smoke", out=tmp_path / "o", device=device, progress=False)
    assert not (tmp_path / "o").exists()
