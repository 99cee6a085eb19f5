from __future__ import annotations

import json
from pathlib import Path

import pytest

from umr.unlearn.bench import SUITES, grid_points, method_config, run_bench
from umr.unlearn.config import ConfigError


def test_grid_points_and_method_config() -> None:
    pts = grid_points({"lr": [0.1, 0.01], "options.alpha": [0.9]})
    assert pts == [{"lr": 0.1, "options.alpha": 0.9}, {"lr": 0.01, "options.alpha": 0.9}]
    cfg = method_config("del", {"epochs": 3, "localize.fraction": 0.2}, batch_size=64, seed=1)
    assert cfg.localize is not None and cfg.localize.fraction == 0.2
    assert cfg.localize.criticality == "weighted_grad" and cfg.epochs == 3


def test_suites_follow_the_protocol() -> None:
    cpu = SUITES["cpu"]
    assert cpu.data.num_samples >= 10_000 and cpu.model == "cnn1d" and cpu.seeds == (0, 1, 2)
    assert set(cpu.forget_sets) == {"iid", "non_iid", "mislabeled"} and len(cpu.methods) == 9
    gpu = SUITES["gpu"]
    assert gpu.data.num_samples >= 200_000 and gpu.model == "resnet18_1d" and gpu.amp


def test_small_bench_writes_results_table_and_plots(tmp_path) -> None:
    res = run_bench(
        "smoke",
        out=tmp_path,
        samples=300,
        epochs=1,
        seeds=[0, 1],
        forget_sets=["iid", "mislabeled"],
        progress=False,
    )
    methods = SUITES["smoke"].methods
    assert len(res.rows) == 2 * 2 * len(methods)
    assert {r["method"] for r in res.summary} == set(methods)
    doc = json.loads((tmp_path / "results.json").read_text())
    assert doc["environment"]["torch"] and len(doc["rows"]) == len(res.rows)
    assert "| del |" in (tmp_path / "results.md").read_text()
    for name in ("tow_vs_fraction.png", "accuracies.png"):
        assert (tmp_path / name).read_bytes()[:4] == b"\x89PNG"
    assert len(list((tmp_path / "forget").glob("*.json"))) == 4


def test_search_picks_the_best_validation_tow(tmp_path) -> None:
    res = run_bench(
        "cpu",
        out=tmp_path,
        samples=300,
        epochs=1,
        seeds=[0],
        forget_sets=["iid"],
        methods=["ssd", "retrain"],
        progress=False,
    )
    tried = [s for s in res.search if s["method"] == "ssd"]
    assert len(tried) == 3
    best = max(tried, key=lambda s: s["tow_val"])
    assert res.chosen["iid/ssd"] == best["params"]
    assert "test_acc" not in tried[0]  # the search never reads test


def test_gpu_suite_code_path_on_cpu(tmp_path) -> None:
    res = run_bench(
        "gpu",
        out=tmp_path,
        samples=200,
        epochs=1,
        seeds=[0],
        forget_sets=["iid"],
        methods=["del", "retrain"],
        search=False,
        device="cpu",
        compile=False,
        throughput_steps=2,
        progress=False,
    )
    assert res.throughput is not None and res.throughput["ratio"] > 0
    assert "samples/s" in (tmp_path / "results.md").read_text()


def test_unknown_suite_method_or_forget_set() -> None:
    with pytest.raises(ConfigError, match=r"--suite: 'huge'"):
        run_bench("huge", out=".")
    with pytest.raises(ConfigError, match=r"method 'magic' is unknown"):
        run_bench("smoke", out=".", methods=["magic"])


def test_render_redraws_table_and_plots_from_results(tmp_path) -> None:
    from umr.unlearn.bench_report import render

    run_bench(
        "smoke",
        out=tmp_path / "a",
        samples=200,
        epochs=1,
        methods=["ssd", "retrain"],
        progress=False,
    )
    files = render(tmp_path / "a" / "results.json", tmp_path / "b")
    assert (tmp_path / "b" / "results.md").read_text() == (
        tmp_path / "a" / "results.md"
    ).read_text()
    assert all(Path(f).exists() for f in files.values())
