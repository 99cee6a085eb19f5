from __future__ import annotations

import json

import torch
from click.testing import CliRunner

from umr.cli import app
from umr.unlearn.localize import save_mask


def test_mask_info_prints_fractions_and_draws(tmp_path) -> None:
    path = tmp_path / "mask.safetensors"
    save_mask({"w": torch.tensor([True, False, False, False])}, path)
    res = CliRunner().invoke(
        app, ["unlearn", "mask-info", str(path), "--plot", str(tmp_path / "m.png")]
    )
    assert res.exit_code == 0, res.output
    assert "25.00%" in res.stdout and "TOTAL" in res.stdout
    assert (tmp_path / "m.png").exists()
    res = CliRunner().invoke(app, ["unlearn", "mask-info", str(path), "--format", "json"])
    assert json.loads(res.stdout)[-1]["selected"] == 1


def test_run_lists_methods_and_runs_a_config(tmp_path) -> None:
    res = CliRunner().invoke(app, ["unlearn", "methods"])
    assert res.exit_code == 0 and "del" in res.stdout and "resnet18_1d" in res.stdout
    listed = json.loads(CliRunner().invoke(app, ["unlearn", "methods", "--format", "json"]).stdout)
    assert "del" in listed["methods"] and "mlp" in listed["models"]
    old = CliRunner().invoke(app, ["unlearn", "run", "--list"])
    assert old.exit_code == 0 and old.stdout == res.stdout
    assert "'umr unlearn methods'" in old.stderr
    cfg = tmp_path / "c.yaml"
    cfg.write_text(
        "model: mlp\ndata: {name: digits}\ntrain: {epochs: 1}\noracle: false\nmia: false\n"
        "method: {name: finetune, epochs: 1}\n"
    )
    res = CliRunner().invoke(
        app,
        [
            "unlearn",
            "run",
            "--config",
            str(cfg),
            "--method",
            "ssd",
            "--out",
            str(tmp_path / "o"),
            "--format",
            "json",
        ],
    )
    assert res.exit_code == 0, res.output
    assert "forget_acc" in json.loads(res.stdout)["metrics"]
    assert (tmp_path / "o" / "model.safetensors").exists()


def test_run_errors_become_user_text(tmp_path) -> None:
    cfg = tmp_path / "c.yaml"
    cfg.write_text("method: {name: del, epoch: 1}\n")
    res = CliRunner().invoke(app, ["unlearn", "run", "--config", str(cfg)])
    assert res.exit_code == 2
    assert "method: unknown key 'epoch'" in res.stderr and "hint:" in res.stderr


def test_bench_cli_runs_a_tiny_smoke(tmp_path) -> None:
    res = CliRunner().invoke(
        app,
        [
            "unlearn",
            "bench",
            "--suite",
            "smoke",
            "--samples",
            "200",
            "--epochs",
            "1",
            "--method",
            "del",
            "--method",
            "retrain",
            "--out",
            str(tmp_path),
        ],
    )
    assert res.exit_code == 0, res.output
    assert "| del |" in res.stdout and (tmp_path / "results.json").exists()
