from __future__ import annotations

import pytest
import torch
from torch import nn

from umr.errors import NotFoundError
from umr.unlearn.config import ConfigError, LocalizeConfig
from umr.unlearn.localize import (
    load_mask,
    mask_info,
    plot_mask,
    save_mask,
    scores,
    select,
    unit_scores,
)


def test_param_granularity_selects_exactly_the_global_top_k() -> None:
    s = {"a": torch.tensor([[5.0, 1.0], [3.0, 7.0]]), "b": torch.tensor([2.0, 6.0])}
    mask = select(s, LocalizeConfig(granularity="param", fraction=0.5))  # k = 3 of 6: 7, 6, 5
    assert mask["a"].tolist() == [[True, False], [False, True]]
    assert mask["b"].tolist() == [False, True]


def test_channel_granularity_scores_each_channel_by_its_top_h_mean() -> None:
    w = torch.tensor([[1.0, 2.0, 3.0, 4.0], [10.0, 0.0, 0.0, 0.0], [2.0, 2.0, 2.0, 2.0]])
    assert unit_scores(w, "channel", 0.5).tolist() == [3.5, 5.0, 2.0]  # mean of top 2 per row
    assert unit_scores(w, "channel", 0.0).tolist() == [4.0, 10.0, 2.0]  # at least one entry
    s = {"w": w, "b": torch.tensor([1.0, 4.0, 6.0])}  # 1-D: per element
    mask = select(s, LocalizeConfig(granularity="channel", fraction=0.5, top_h=0.5))  # 6, 5, 4
    assert mask["w"].tolist() == [[False] * 4, [True] * 4, [False] * 4]
    assert mask["b"].tolist() == [False, True, True]


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
