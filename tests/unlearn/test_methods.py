from __future__ import annotations

import copy

import pytest
import torch

from umr.unlearn._train import fit, logits
from umr.unlearn.config import ConfigError, LocalizeConfig, MethodConfig, TrainConfig
from umr.unlearn.methods import METHODS, available_methods, get_method
from umr.unlearn.methods.del_ import reset_seed
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
    assert sel.any() and not sel.all()
    partial = int((sel.any(dim=1) & ~sel.all(dim=1)).sum())
    assert partial <= 1  # whole rows, but for the one the 30% cut may split
    assert not torch.equal(new.state_dict()["body.0.weight"][sel], before["body.0.weight"][sel])
    assert abs(info["method_info"]["reset_fraction"] - 0.3) < 1e-3


def test_del_defaults_follow_the_reference(tiny) -> None:
    model, data, factory = tiny
    train = TrainConfig(epochs=3, lr=0.07, weight_decay=1e-3)
    _, info = unlearn(model, data, MethodConfig(name="del"), factory=factory, train=train)
    hp = info["hyperparameters"]
    assert (hp["epochs"], hp["lr"], hp["weight_decay"], hp["schedule"]) == (3, 0.07, 1e-3, "epoch")
    cfg = MethodConfig(name="finetune")
    model2, data2, _ = tiny
    _, info = unlearn(model2, data2, cfg.with_(epochs=1), factory=factory, train=train)
    assert (info["hyperparameters"]["weight_decay"], info["hyperparameters"]["schedule"]) == (
        5e-4,
        "step",
    )


@pytest.mark.parametrize("seed", [0, 11])
def test_del_reset_is_a_new_initialization_even_at_the_training_seed(tiny, seed: int) -> None:
    """The old bug: resetting to factory(method seed) rewound to the original's init."""
    _, data, factory = tiny
    init = factory(seed)
    model = copy.deepcopy(init)
    fit(model, data.x_train, data.y_train, epochs=1, lr=0.05, seed=seed)
    cfg = MethodConfig(name="del", epochs=0, seed=seed)  # no finetuning: the reset values stay
    new, info = unlearn(model, data, cfg, factory=factory)
    assert info["method_info"]["reset_seed"] == reset_seed(seed) != seed
    reset, orig = [], []
    for (n, p), p0 in zip(new.named_parameters(), init.parameters(), strict=True):
        m = info["mask"][n] if n not in ("head.weight", "head.bias") else None
        if m is not None and p.dim() >= 2 and m.any():
            reset.append(p.detach()[m])
            orig.append(p0.detach()[m])
    a, b = torch.cat(reset), torch.cat(orig)
    assert len(a) > 1000 and not torch.equal(a, b)
    corr = torch.corrcoef(torch.stack([a, b]))[0, 1].item()
    assert abs(corr) < 0.1, corr


@pytest.mark.parametrize("seed", [0, 4])
def test_del_leaves_masked_out_entries_outside_the_head_bit_identical(tiny, seed: int) -> None:
    model, data, factory = tiny
    before = copy.deepcopy(model.state_dict())
    cfg = MethodConfig(name="del", epochs=2, lr=0.05, weight_decay=0.01, seed=seed)
    new, info = unlearn(model, data, cfg, factory=factory)
    moved = 0
    for n, p in new.named_parameters():
        keep = ~info["mask"][n]
        if n.startswith("head."):
            assert not keep.any()  # the head is trained in full
        assert torch.equal(p.detach()[keep], before[n][keep]), n
        moved += int((p.detach()[~keep] != before[n][~keep]).sum())
    assert moved > 0


def test_ssd_only_dampens(tiny) -> None:
    model, data, factory = tiny
    before = copy.deepcopy(model.state_dict())
    new, _ = unlearn(model, data, MethodConfig(name="ssd", options={"alpha": 1.0}), factory=factory)
    for n, p in new.named_parameters():
        assert (p.detach().abs() <= before[n].abs() + 1e-7).all()


def test_methods_registry_is_shared_with_the_package() -> None:
    import umr.unlearn

    assert umr.unlearn.METHODS is METHODS
