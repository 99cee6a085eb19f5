from __future__ import annotations

from typing import Any, cast

import pytest
import torch
from torch import nn

from umr.unlearn.models import MODELS, ModelError, build, head_names


@pytest.mark.parametrize(
    ("name", "features"), [("cnn1d", 40), ("resnet18_1d", 40), ("mlp", 64), ("cnn_digits", 64)]
)
def test_every_model_maps_a_batch_to_logits(name: str, features: int) -> None:
    model = build(name, features, 10, seed=0)
    out = model(torch.randn(3, features))  # (N, F) -> (N, classes)
    assert out.shape == (3, 10)
    assert head_names(model) == {"head.weight", "head.bias"}


def test_build_is_seeded() -> None:
    a, b, c = (cast(Any, build("mlp", 64, 10, s)) for s in (1, 1, 2))
    assert torch.equal(a.head.weight, b.head.weight)
    assert not torch.equal(a.head.weight, c.head.weight)


def test_resnet18_1d_has_batchnorm_and_64_to_512_channels() -> None:
    model = build("resnet18_1d", 40, 10, 0)
    bns = [m for m in model.modules() if isinstance(m, nn.BatchNorm1d)]
    assert bns and {bn.num_features for bn in bns} == {64, 128, 256, 512}


def test_head_of_a_foreign_model_is_its_last_linear() -> None:
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
    assert head_names(model) == {"2.weight", "2.bias"}
    with pytest.raises(ModelError, match="no submodule named 'head'"):
        head_names(nn.Sequential(nn.ReLU()))


def test_unknown_model_lists_the_known_ones() -> None:
    from umr.unlearn.factories import FactoryError

    with pytest.raises(FactoryError, match=r"'vit' is not registered \(known: ") as info:
        build("vit", 40, 10, 0)
    assert all(m in str(info.value) for m in MODELS)
    assert info.value.hint is not None and "umr.unlearn.models" in info.value.hint


def test_a_model_is_never_named_by_import_path() -> None:
    from umr.unlearn.factories import FactoryError

    with pytest.raises(
        FactoryError,
        match=r"is a module path, not a registered name: name 'umr.unlearn.models:_mlp'",
    ):
        build("umr.unlearn.models:_mlp", 64, 10, seed=0)


def test_widths_set_the_channels_of_the_models_that_take_them() -> None:
    model = build("resnet18_1d", 40, 10, 0, widths=(16, 32, 64, 128))
    bns = [m for m in model.modules() if isinstance(m, nn.BatchNorm1d)]
    assert {bn.num_features for bn in bns} == {16, 32, 64, 128}
    assert 200_000 < sum(p.numel() for p in model.parameters()) < 260_000
    assert model(torch.randn(2, 40)).shape == (2, 10)
    again = build("resnet18_1d", 40, 10, 0, widths=(16, 32, 64, 128))
    assert all(
        torch.equal(a, b) for a, b in zip(model.parameters(), again.parameters(), strict=True)
    )
    assert build("cnn1d", 40, 10, 0, widths=(8,))(torch.randn(2, 40)).shape == (2, 10)
    with pytest.raises(ModelError, match=r"'mlp' takes no widths"):
        build("mlp", 64, 10, 0, widths=(8,))
    with pytest.raises(ModelError, match=r"widths: \[16, 32\] is not 4 positive"):
        build("resnet18_1d", 40, 10, 0, widths=(16, 32))
