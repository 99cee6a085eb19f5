"""Unlearning tests need the 'unlearn' extra; they run on one CPU thread with tiny models."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator

import pytest

from support import IN_CI

if importlib.util.find_spec("torch") is None and not IN_CI:
    collect_ignore_glob = ["test_*.py"]  # bare install: nothing here can run


@pytest.fixture(autouse=True)
def _one_thread(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    import torch

    n = torch.get_num_threads()
    torch.set_num_threads(1)  # fast and stable on a shared 2-core machine
    monkeypatch.setenv("UMR_CACHE", str(tmp_path_factory.getbasetemp() / "umr-cache"))
    yield
    torch.set_num_threads(n)


@pytest.fixture(scope="session")
def digits():
    from umr.unlearn.config import DataConfig
    from umr.unlearn.data import load

    return load(DataConfig(name="digits", seed=0))


@pytest.fixture
def tiny(digits):
    """Digits split by a 10% IID forget set, with a briefly trained MLP and its factory."""
    from umr.unlearn import models
    from umr.unlearn._train import fit
    from umr.unlearn.config import ForgetConfig
    from umr.unlearn.data import make_forget_set, split

    fs = make_forget_set(digits.y_train, ForgetConfig(kind="iid", fraction=0.1, seed=0), 10)
    data = split(digits, fs)

    def factory(seed: int):
        return models.build("mlp", 64, 10, seed)

    model = factory(0)
    fit(model, data.x_train, data.y_train, epochs=3, lr=0.05)
    return model, data, factory


@pytest.fixture
def remediate_dummy(tmp_path):
    """Publish a record text, then run ``remediate`` on a ref of it with a placeholder
    checkpoint and forget set (for the refusals that come before anything is read)."""
    from contextlib import contextmanager

    from umr.registry import Registry
    from umr.unlearn.config import MethodConfig
    from umr.unlearn.remediate import remediate

    @contextmanager
    def published(text: str):
        (tmp_path / "m.yaml").write_text(text)
        (tmp_path / "ck.safetensors").write_bytes(b"not the weights")
        (tmp_path / "f.json").write_text("{}")
        with Registry(f"sqlite:///{tmp_path / 'r.db'}") as reg:
            reg.publish([tmp_path / "m.yaml"])
            yield lambda ref: remediate(
                reg,
                ref,
                checkpoint=tmp_path / "ck.safetensors",
                forget=tmp_path / "f.json",
                method=MethodConfig(),
                out=tmp_path / "o",
            )

    return published
