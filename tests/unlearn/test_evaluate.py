from __future__ import annotations

import math
from typing import Any

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


def test_held_out_data_of_many_classes_is_described_in_one_short_line() -> None:
    from umr.spec.unlearning import ForgetVsHeldout
    from umr.unlearn.evidence import heldout_like
    from umr.unlearn.stream import TensorSource

    y_test = torch.arange(600) % 60
    held = heldout_like(
        "non_iid", torch.arange(50), y_test, num_classes=60, seed=0,
        make=lambda idx, y: TensorSource(torch.zeros(len(idx), 2), y),
    )  # fmt: skip
    assert held.description == "test examples of the 50 classes 0 to 49" and held.size == 500
    limit = ForgetVsHeldout.model_fields["heldout"].metadata
    assert any(getattr(m, "max_length", 0) >= len(held.description) for m in limit)


def test_a_forget_set_of_classes_the_test_split_lacks_is_refused() -> None:
    from umr.unlearn.data import DataError
    from umr.unlearn.evidence import heldout_like
    from umr.unlearn.stream import TensorSource

    with pytest.raises(DataError, match=r"no test example has a class it holds \(classes \[7\]\)"):
        heldout_like(
            "non_iid", torch.tensor([7, 7]), torch.tensor([0, 1, 2]), num_classes=8, seed=0,
            make=lambda idx, y: TensorSource(torch.zeros(len(idx), 2), y),
        )  # fmt: skip


def test_measure_reads_the_held_out_data_the_streams_carry(tiny: Any) -> None:
    from umr.unlearn.config import ConfigError
    from umr.unlearn.evidence import ComputeMeter, measure
    from umr.unlearn.stream import StreamData

    model, data, _ = tiny
    held = (data.x_test[:40], data.y_test[:40])
    args: dict[str, Any] = {
        "forget": (data.x_forget, data.y_forget),
        "retain": (data.x_retain, data.y_retain),
    }
    with_held = StreamData.of(**args, test=held, num_classes=10, heldout=held)
    got = measure(model, with_held)
    assert got["heldout_acc"] == got["test_acc"]  # the same 40 examples
    with pytest.raises(ConfigError, match="no held-out data"):
        measure(model, StreamData.of(**args, test=held, num_classes=10))
    with ComputeMeter() as meter:
        meter.watch(model)
        model(data.x_forget[:7].requires_grad_())
    model(data.x_forget[:5])  # after the block: no longer counted
    assert meter.examples == 7
