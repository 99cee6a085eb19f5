from __future__ import annotations

import math
from typing import cast

import pytest
import torch
from torch import nn

from umr.unlearn._train import fit


def _model() -> nn.Sequential:
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 3))


def test_masked_out_entries_are_bit_identical_despite_momentum_and_weight_decay() -> None:
    model = _model()
    before = {n: p.detach().clone() for n, p in model.named_parameters()}
    trainable = {n: torch.rand(p.shape) > 0.5 for n, p in model.named_parameters()}
    trainable["3.bias"] = torch.zeros(3, dtype=torch.bool)  # entirely frozen
    x, y = torch.randn(64, 4), torch.randint(0, 3, (64,))
    fit(model, x, y, epochs=3, lr=0.5, batch_size=16, weight_decay=0.1, trainable=trainable)
    for n, p in model.named_parameters():
        m = trainable[n]
        assert torch.equal(p.detach()[~m], before[n][~m]), n
        if m.any():
            assert not torch.equal(p.detach()[m], before[n][m]), n
        assert p.requires_grad  # frozen tensors are released afterwards


@pytest.mark.parametrize(("policy", "moves"), [("train", True), ("freeze", False)])
def test_batchnorm_policy(policy: str, moves: bool) -> None:
    model = _model()
    bn = cast(nn.BatchNorm1d, model[1])
    stats = cast(torch.Tensor, bn.running_mean).clone()
    fit(
        model,
        torch.randn(32, 4) + 3,
        torch.randint(0, 3, (32,)),
        epochs=1,
        lr=0.1,
        bn_policy=policy,
    )
    assert (not torch.equal(cast(torch.Tensor, bn.running_mean), stats)) is moves
    assert not model.training  # left in eval mode


def test_epoch_schedule_is_the_references_per_epoch_cosine() -> None:
    from umr.unlearn._train import lr_at
    from umr.unlearn.config import ConfigError

    lrs = [lr_at(0.1, "epoch", s, 40, s // 10, 4) for s in range(40)]  # 4 epochs of 10 steps
    assert lrs[0] == lrs[9] == pytest.approx(0.1) and lrs[10] < lrs[9]
    assert lrs[30] == pytest.approx(0.001 + 0.099 * 0.5 * (1 + math.cos(math.pi * 3 / 4)))
    assert min(lrs) > 0.001  # never below 0.01 * lr
    assert lr_at(0.1, "step", 20, 40, 2, 4) == pytest.approx(0.05)
    with pytest.raises(ConfigError, match=r"schedule: 'linear'"):
        fit(
            _model(),
            torch.randn(8, 4),
            torch.zeros(8, dtype=torch.long),
            epochs=1,
            lr=0.1,
            schedule="linear",
        )
