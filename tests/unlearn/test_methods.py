from __future__ import annotations

import copy

import pytest
import torch

from umr.unlearn._train import logits
from umr.unlearn.config import ConfigError, LocalizeConfig, MethodConfig, TrainConfig
from umr.unlearn.methods import METHODS, available_methods, get_method
from umr.unlearn.run import unlearn

ALL = [
    "del",
    "salun",
    "finetune",
    "neggrad_plus",
    "l1_sparse",
    "ssd",
    "gradient_ascent",
    "scrub",
    "retrain",
]


def test_every_method_is_registered() -> None:
    assert available_methods() == sorted(ALL)
    with pytest.raises(ConfigError, match=r"method.name: 'forget_all' is not a method"):
        get_method("forget_all")


@pytest.mark.parametrize("name", ALL)
def test_every_method_runs(name: str, tiny) -> None:
    model, data, factory = tiny
    cfg = MethodConfig(name=name, epochs=1, lr=0.01, seed=0)
    new, info = unlearn(model, data, cfg, factory=factory, train=TrainConfig(epochs=1))
    out = logits(new, data.x_test)
    assert out.shape == (len(data.y_test), 10) and torch.isfinite(out).all()
    assert 0 <= info["fraction_changed"] <= 1
    assert info["wall_s"] > 0
    if name in ("del", "salun", "ssd"):
        assert info["mask"] is not None


@pytest.mark.parametrize("name", ["del", "salun"])
def test_masked_out_parameters_are_bit_identical(name: str, tiny) -> None:
    model, data, factory = tiny
    before = copy.deepcopy(model.state_dict())
    cfg = MethodConfig(
        name=name,
        epochs=2,
        lr=0.05,
        weight_decay=0.01,
        localize=LocalizeConfig(
            criticality="weighted_grad" if name == "del" else "grad",
            fraction=0.3,
            granularity="channel" if name == "del" else "param",
        ),
    )
    new, info = unlearn(model, data, cfg, factory=factory)
    mask = info["mask"]
    changed = 0
    for n, p in new.named_parameters():
        assert torch.equal(p.detach()[~mask[n]], before[n][~mask[n]]), n
        changed += int((p.detach() != before[n]).sum())
    assert 0 < changed <= sum(int(m.sum()) for m in mask.values())
    assert info["fraction_changed"] == changed / sum(p.numel() for p in new.parameters())


def test_del_always_finetunes_the_head_and_resets_selected_entries(tiny) -> None:
    model, data, factory = tiny
    before = copy.deepcopy(model.state_dict())
    new, info = unlearn(model, data, MethodConfig(name="del", epochs=1), factory=factory)
    assert info["mask"]["head.weight"].all() and info["mask"]["head.bias"].all()
    sel = info["mask"]["body.0.weight"]
    assert sel.any() and not sel.all()  # channel granularity: whole rows selected
    assert (sel.all(dim=1) | ~sel.any(dim=1)).all()
    assert not torch.equal(new.state_dict()["body.0.weight"][sel], before["body.0.weight"][sel])


def test_ssd_only_dampens(tiny) -> None:
    model, data, factory = tiny
    before = copy.deepcopy(model.state_dict())
    new, _ = unlearn(model, data, MethodConfig(name="ssd", options={"alpha": 1.0}), factory=factory)
    for n, p in new.named_parameters():
        assert (p.detach().abs() <= before[n].abs() + 1e-7).all()


def test_methods_registry_is_shared_with_the_package() -> None:
    import umr.unlearn

    assert umr.unlearn.METHODS is METHODS
