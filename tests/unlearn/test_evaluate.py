from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from torch import nn

from umr.unlearn.evaluate import (
    accuracy,
    evaluate,
    fraction_changed,
    loss_auc,
    mean_ci,
    svc_mia,
    tow,
    versus_oracle,
)


def test_accuracy_on_a_fixed_example() -> None:
    out = torch.tensor([[2.0, 1.0], [0.0, 3.0], [5.0, -1.0], [0.1, 0.2]])
    assert accuracy(out, torch.tensor([0, 1, 1, 0])) == 0.5


def test_tug_of_war_matches_hand_computation() -> None:
    u = {"forget_acc": 0.90, "retain_acc": 0.99, "test_acc": 0.93, "val_acc": 0.92, "mia_svc": 0.2}
    o = {"forget_acc": 0.94, "retain_acc": 0.98, "test_acc": 0.94, "val_acc": 0.95, "mia_svc": 0.1}
    assert tow(u, o, ("forget_acc", "retain_acc", "test_acc")) == pytest.approx(0.96 * 0.99 * 0.99)
    v = versus_oracle(u, o)
    assert v["tow"] == pytest.approx(0.940896)
    assert v["tow_val"] == pytest.approx(0.96 * 0.99 * 0.97)
    assert v["tow_mia"] == pytest.approx(0.9 * 0.99 * 0.99)
    assert versus_oracle(o, o)["tow"] == 1.0


def test_fraction_changed_counts_parameter_entries() -> None:
    model = nn.Linear(2, 2)  # 6 entries
    before = {n: p.detach().clone() for n, p in model.named_parameters()}
    with torch.no_grad():
        model.weight[0, 1] += 1
        model.bias[1] -= 1
    assert fraction_changed(before, model) == 2 / 6


def test_mean_and_95_percent_interval() -> None:
    mean, half = mean_ci([1.0, 2.0, 3.0])
    assert mean == 2.0
    assert half == pytest.approx(4.302652729911275 / math.sqrt(3))  # t(0.975, 2) * s / sqrt(n)
    assert mean_ci([0.7]) == (0.7, 0.0)


def test_loss_threshold_attack_auc() -> None:
    assert loss_auc(np.array([0.1, 0.2]), np.array([1.0, 2.0])) == 1.0  # members: lower loss
    assert loss_auc(np.array([1.0, 2.0]), np.array([0.1, 0.2])) == 0.0
    assert loss_auc(np.array([0.5, 1.0]), np.array([1.0, 0.5])) == 0.5


def test_svc_attack_flags_low_confidence_as_non_member() -> None:
    rng = np.random.default_rng(0)
    members, non = rng.uniform(0.9, 1.0, 200), rng.uniform(0.0, 0.3, 200)
    assert svc_mia(members, non, np.full(10, 0.05)) == 1.0
    assert svc_mia(members, non, np.full(10, 0.99)) == 0.0


def test_evaluate_reports_every_metric(tiny) -> None:
    model, data, _ = tiny
    m = evaluate(model, data)
    assert set(m) == {"forget_acc", "retain_acc", "val_acc", "test_acc", "mia_svc", "mia_loss_auc"}
    assert all(0 <= v <= 1 for v in m.values())
    assert "mia_svc" not in evaluate(model, data, mia=False)
