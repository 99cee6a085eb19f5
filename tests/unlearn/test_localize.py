from __future__ import annotations

from dataclasses import replace

import pytest
import torch
from torch import nn

from umr.errors import NotFoundError
from umr.unlearn.config import ConfigError, LocalizeConfig
from umr.unlearn.localize import (
    channel_scores,
    entry_scores,
    load_mask,
    mask_info,
    plot_mask,
    save_mask,
    scores,
    select,
)


def test_param_granularity_selects_exactly_the_global_top_k() -> None:
    s = {"a": torch.tensor([[5.0, 1.0], [3.0, 7.0]]), "b": torch.tensor([2.0, 6.0])}
    mask = select(s, LocalizeConfig(granularity="param", fraction=0.5))  # k = 3 of 6: 7, 6, 5
    assert mask["a"].tolist() == [[True, False], [False, True]]
    assert mask["b"].tolist() == [False, True]


def test_channel_scores_follow_the_named_rule() -> None:
    w = torch.tensor([[1.0, 2.0, 3.0, 4.0], [10.0, 0.0, 0.0, 0.0], [2.0, 2.0, 2.0, 2.0]])
    assert channel_scores(w, "top_h", 0.5).tolist() == [3.5, 5.0, 2.0]  # top 2 of fan-in 4
    assert channel_scores(w, "top_h", 0.0).tolist() == [4.0, 10.0, 2.0]  # at least one entry
    # "ref": the top int(0.1 * out_channels) entries of the row; 3 outputs -> at least 1
    assert channel_scores(w, "ref").tolist() == [4.0, 10.0, 2.0]
    big = torch.arange(20 * 5, dtype=torch.float32).reshape(20, 5)  # 20 outputs -> top 2
    assert channel_scores(big, "ref").tolist() == [(r[-1] + r[-2]).item() / 2 for r in big]
    with pytest.raises(ConfigError, match=r"channel_score: 'median'"):
        channel_scores(w, "median")


def test_ref_rule_gives_a_head_with_fewer_than_10_outputs_finite_scores() -> None:
    gen = torch.Generator().manual_seed(4)
    for outputs in (1, 2, 9):
        head = torch.rand(outputs, 7, generator=gen)
        sc = channel_scores(head, "ref")
        assert torch.isfinite(sc).all() and torch.equal(sc, head.max(dim=1).values)
    s = {"body": torch.rand(12, 6, generator=gen), "head": torch.rand(3, 12, generator=gen)}
    mask = select(s, LocalizeConfig(fraction=0.3))
    assert sum(int(m.sum()) for m in mask.values()) == round(0.3 * (72 + 36))


def test_channel_score_is_written_over_the_channels_entries() -> None:
    w = torch.tensor([[1.0, 2.0, 3.0, 4.0], [10.0, 0.0, 0.0, 0.0], [2.0, 2.0, 2.0, 2.0]])
    cfg = LocalizeConfig(granularity="channel", channel_score="top_h", top_h=0.5)
    assert entry_scores(w, cfg).tolist() == [[3.5] * 4, [5.0] * 4, [2.0] * 4]
    b = torch.tensor([1.0, 4.0, 6.0])
    assert torch.equal(entry_scores(b, cfg), b)  # 1-D: one score per entry
    # 15 entries, 2/3 -> 10 scalar parameters: b's 6, row 1 (5.0, 4 entries), b's 4, row 0
    # (3.5, 4 entries); at 0.8 -> 12, two of row 2's four tied entries: the cut splits it
    mask = select({"w": w, "b": b}, replace(cfg, fraction=2 / 3))
    assert mask["w"][0].all() and mask["w"][1].all() and int(mask["w"][2].sum()) == 0
    assert mask["b"].tolist() == [False, True, True]
    mask = select({"w": w, "b": b}, replace(cfg, fraction=0.8))  # 12 of 15
    assert int(mask["w"][2].sum()) == 2 and mask["b"].tolist() == [False, True, True]


@pytest.mark.parametrize(("rule", "seed"), [("ref", 0), ("ref", 5), ("top_h", 3)])
def test_del_selects_30_percent_of_scalar_parameters_within_one_channel(
    rule: str, seed: int
) -> None:
    from umr.unlearn import models

    model = models.build("resnet18_1d", 40, 10, seed, widths=(4, 8, 8, 16))
    gen = torch.Generator().manual_seed(seed)
    x, y = torch.randn(32, 40, generator=gen), torch.randint(0, 10, (32,), generator=gen)
    cfg = LocalizeConfig(fraction=0.3, channel_score=rule)
    mask = select(scores(model, x, y, cfg), cfg)
    total = sum(p.numel() for p in model.parameters())
    assert sum(int(m.sum()) for m in mask.values()) == round(0.3 * total)
    partial = []  # channels (rows) of 2+-D tensors neither fully in nor fully out
    for n, m in mask.items():
        if m.dim() >= 2:
            rows = m.reshape(m.shape[0], -1)
            partial += [(n, i) for i in range(len(rows)) if 0 < int(rows[i].sum()) < rows.shape[1]]
    assert len(partial) <= 1, partial
    assert any(m.dim() >= 2 and m.any() for m in mask.values())


@pytest.mark.parametrize("fraction", [0.0, 0.1, 0.37, 1.0])
def test_top_k_count_is_exact(fraction: float) -> None:
    gen = torch.Generator().manual_seed(0)
    s = {"x": torch.rand(7, 5, generator=gen), "y": torch.rand(13, generator=gen)}
    mask = select(s, LocalizeConfig(granularity="param", fraction=fraction))
    chosen = torch.cat([m.flatten() for m in mask.values()])
    assert int(chosen.sum()) == round(fraction * 48)
    flat = torch.cat([v.flatten() for v in s.values()])
    if 0 < fraction < 1:
        assert flat[chosen].min() > flat[~chosen].max()


def _grads(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> dict[str, torch.Tensor]:
    model.zero_grad()
    (-nn.functional.cross_entropy(model(x), y)).backward()
    return {n: p.grad.clone() for n, p in model.named_parameters()}  # type: ignore[union-attr]


def test_criticalities_match_hand_computed_values() -> None:
    torch.manual_seed(0)
    model = nn.Linear(3, 2)
    x, y = torch.randn(6, 3), torch.tensor([0, 1, 1, 0, 1, 0])
    g1, g2 = _grads(model, x[:4], y[:4]), _grads(model, x[4:], y[4:])  # two batches of 4 and 2
    total = {n: g1[n] + g2[n] for n in g1}
    wg = scores(model, x, y, LocalizeConfig(criticality="weighted_grad"), batch_size=4)
    g = scores(model, x, y, LocalizeConfig(criticality="grad"), batch_size=4)
    w = scores(model, x, y, LocalizeConfig(criticality="weight"))
    for n, p in model.named_parameters():
        assert torch.allclose(wg[n], (p.detach() * total[n]).abs())
        assert torch.allclose(g[n], total[n].abs())
        assert torch.equal(w[n], p.detach().abs())
    r1 = scores(model, x, y, LocalizeConfig(criticality="random", seed=1))
    r2 = scores(model, x, y, LocalizeConfig(criticality="random", seed=1))
    assert all(torch.equal(r1[n], r2[n]) for n in r1)
    with pytest.raises(ConfigError, match=r"criticality: 'hessian'"):
        scores(model, x, y, LocalizeConfig(criticality="hessian"))


def test_mask_file_round_trip_info_and_plot(tmp_path) -> None:
    mask = {
        "a.weight": torch.tensor([[True, False], [False, False]]),
        "a.bias": torch.tensor([True, True]),
    }
    path = tmp_path / "mask.safetensors"
    digest = save_mask(mask, path)
    assert len(digest) == 64
    back = load_mask(path)
    assert all(torch.equal(back[n], mask[n]) for n in mask)
    rows = mask_info(back)
    assert rows[-1] == {"name": "TOTAL", "numel": 6, "selected": 3, "fraction": 0.5}
    assert {r["name"]: r["fraction"] for r in rows[:-1]} == {"a.weight": 0.25, "a.bias": 1.0}
    plot_mask(back, tmp_path / "mask.png")
    assert (tmp_path / "mask.png").read_bytes()[:4] == b"\x89PNG"
    with pytest.raises(NotFoundError, match="no such mask file"):
        load_mask(tmp_path / "nope.safetensors")
