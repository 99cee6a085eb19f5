"""The library on data and models as users have them: map-style Datasets streamed in batches,
a 2-D CNN with BatchNorm on 8x8 digit images, and a Hugging Face sequence classifier.

Every Dataset here counts the items it has handed out that are still alive and fails the test
if that ever exceeds ``LIMIT`` (one scoring or evaluation batch of 256, the largest batch umr
reads from a Dataset by default): nothing may hold the whole dataset.
"""

from __future__ import annotations

import copy
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset

from support import need_module

BATCH = 64  # training batches
LIMIT = 256  # items alive at once


class Counting(Dataset[tuple[Any, int]]):
    """Items built on access; at most ``limit`` of them may be alive at once."""

    def __init__(self, make: Callable[[int], Any], y: torch.Tensor, limit: int) -> None:
        self.make, self.y, self.limit = make, y, limit
        self.held = self.most = self.reads = 0

    def __len__(self) -> int:
        return len(self.y)

    def _release(self) -> None:
        self.held -= 1

    def __getitem__(self, i: int) -> tuple[Any, int]:
        x = self.make(int(i))
        probe = x if isinstance(x, torch.Tensor) else next(iter(x.values()))
        weakref.finalize(probe, self._release)
        self.held += 1
        self.reads += 1
        self.most = max(self.most, self.held)
        assert self.held <= self.limit, f"{self.held} items alive: the dataset is being held"
        return x, int(self.y[i])


def counting(x: Any, y: torch.Tensor) -> Counting:
    if isinstance(x, dict):
        return Counting(lambda i: {k: v[i].clone() for k, v in x.items()}, y, LIMIT)
    return Counting(lambda i: x[i].clone(), y, LIMIT)


def split_data(x: Any, y: torch.Tensor, num_classes: int, seed: int = 0) -> Any:
    """forget 10% / retain / test 25%, as counting Datasets in StreamData."""
    from umr.unlearn.stream import StreamData

    g = torch.Generator().manual_seed(seed)
    order = torch.randperm(len(y), generator=g)
    n_test = len(y) // 4
    test, train = order[:n_test], order[n_test:]
    n_f = len(train) // 10
    forget, retain = train[:n_f], train[n_f:]

    def take(idx: torch.Tensor) -> Counting:
        xs = {k: v[idx] for k, v in x.items()} if isinstance(x, dict) else x[idx]
        return counting(xs, y[idx])

    return StreamData.of(
        forget=take(forget), retain=take(retain), test=take(test), num_classes=num_classes
    )


class DigitsCNN(nn.Module):
    """2-D CNN with BatchNorm: (N, 1, 8, 8) -> (N, 10)."""

    def __init__(self) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1, bias=False),
            nn.BatchNorm2d(16),
            nn.ReLU(),
            nn.Conv2d(16, 32, 3, stride=2, padding=1, bias=False),
            nn.BatchNorm2d(32),
            nn.ReLU(),
        )
        self.head = nn.Linear(32 * 4 * 4, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out: torch.Tensor = self.head(self.features(x).flatten(1))
        return out


def digits_images() -> tuple[torch.Tensor, torch.Tensor]:
    from sklearn.datasets import load_digits

    d = load_digits()
    x = torch.tensor(d.images / 16.0, dtype=torch.float32).unsqueeze(1)  # (1797, 1, 8, 8)
    return x, torch.tensor(d.target, dtype=torch.int64)


def seeded(build: Callable[[], nn.Module]) -> Callable[[int], nn.Module]:
    def factory(seed: int) -> nn.Module:
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            return build()

    return factory


def hf_classifier() -> Callable[[int], nn.Module]:
    need_module("transformers", "dev")
    from transformers import BertConfig, BertForSequenceClassification

    cfg = BertConfig(  # type: ignore[call-arg]
        vocab_size=40,
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=16,
        num_labels=3,
        hidden_dropout_prob=0.0,
        attention_probs_dropout_prob=0.0,
    )
    return seeded(lambda: BertForSequenceClassification(cfg))


def token_data(n: int = 900, length: int = 12, seed: int = 0) -> tuple[dict[str, Any], Any]:
    """Token ids 4..39; the label's token (1, 2 or 3) first, as a [CLS] token would be, and
    again at a random place."""
    g = torch.Generator().manual_seed(seed)
    ids = torch.randint(4, 40, (n, length), generator=g)
    y = torch.randint(0, 3, (n,), generator=g)
    for i in range(n):
        ids[i, 0] = ids[i, 1 + torch.randint(0, length - 1, (1,), generator=g)] = 1 + y[i]
    return {"input_ids": ids, "attention_mask": torch.ones_like(ids)}, y


METHODS = ["del", "retrain", "finetune", "neggrad_plus", "salun"]


def check_methods(factory: Callable[[int], nn.Module], data: Any, lr: float) -> dict[str, Any]:
    """Train the original on everything, then run every method through the same API."""
    from umr.unlearn import MethodConfig, TrainConfig, evaluate, train, unlearn

    recipe = TrainConfig(epochs=6, lr=lr, batch_size=BATCH, seed=0)
    original = factory(0)
    train(original, data.train, recipe)
    before = evaluate(original, data, mia=False)
    assert before["retain_acc"] > 0.8, before
    results = {}
    for name in METHODS:
        model = copy.deepcopy(original)
        params = {n: p.detach().clone() for n, p in model.named_parameters()}
        method = MethodConfig(name=name, epochs=2, batch_size=BATCH, lr=lr)
        new, info = unlearn(model, data, method, factory=factory, train=recipe)
        m = evaluate(new, data)
        assert all(v == v for v in m.values()), (name, m)  # no NaN
        if info["mask"] is not None:  # entries outside the mask stay bit for bit
            for n, p in new.named_parameters():
                keep = ~info["mask"][n]
                assert torch.equal(p.detach()[keep], params[n][keep]), (name, n)
            assert 0 < info["fraction_changed"] < 1
        results[name] = (m, info)
    return {"before": before, **results}


def assert_streamed(data: Any) -> None:
    for part in (data.forget, data.retain, data.test):
        ds = part.dataset
        assert ds.reads > len(ds) and ds.most <= LIMIT  # read many times, never held at once
    assert data.retain.dataset.most < len(data.retain.dataset)


def test_a_2d_cnn_with_batchnorm_on_digit_images() -> None:
    x, y = digits_images()
    data = split_data(x, y, 10, seed=0)
    res = check_methods(seeded(DigitsCNN), data, lr=0.05)
    assert_streamed(data)
    # DEL resets 30% of the scalar parameters and retrains them on the retain set: it keeps a
    # useful model, and the oracle never saw the forget set.
    assert res["del"][0]["test_acc"] > 0.7 and res["retrain"][0]["test_acc"] > 0.7
    assert abs(res["del"][1]["method_info"]["reset_fraction"] - 0.3) < 0.01


def test_a_hugging_face_sequence_classifier_on_token_ids() -> None:
    factory = hf_classifier()
    x, y = token_data()
    data = split_data(x, y, 3, seed=1)
    res = check_methods(factory, data, lr=0.05)
    assert_streamed(data)
    assert res["retrain"][0]["test_acc"] > 0.6  # the task is learnable from scratch
    assert "classifier.weight" in res["del"][1]["mask"]  # the head: the last nn.Linear


@pytest.mark.parametrize("name", ["del", "salun", "neggrad_plus", "scrub", "ssd"])
def test_the_tensor_path_equals_the_dataset_path(tiny: Any, name: str) -> None:
    """Tolerance: 1e-6 on every metric. The same examples are read in the same seeded order,
    so the two paths differ only in how a batch is assembled (indexing or default_collate)."""
    from umr.unlearn import MethodConfig, StreamData, evaluate, unlearn

    model, data, factory = tiny
    streamed = StreamData.of(
        forget=counting(data.x_forget, data.y_forget),
        retain=counting(data.x_retain, data.y_retain),
        test=counting(data.x_test, data.y_test),
        val=counting(data.x_val, data.y_val),
        num_classes=data.num_classes,
    )
    method = MethodConfig(name=name, epochs=2, seed=3)
    a, _ = unlearn(copy.deepcopy(model), data, method, factory=factory)
    b, _ = unlearn(copy.deepcopy(model), streamed, method, factory=factory)
    ma, mb = evaluate(a, data, seed=3), evaluate(b, streamed, seed=3)
    assert ma.keys() == mb.keys()
    for k in ma:
        assert abs(ma[k] - mb[k]) <= 1e-6, (k, ma[k], mb[k])


def test_a_dataloader_brings_its_workers_and_an_adapter_reads_any_output(tiny: Any) -> None:
    from umr.unlearn import Adapter, MethodConfig, StreamData, evaluate, unlearn

    model, data, factory = tiny

    class Wrapped(nn.Module):  # returns a dict, as some libraries do
        def __init__(self, inner: nn.Module) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
            return {"scores": self.inner(x)}

    def loader(x: torch.Tensor, y: torch.Tensor) -> DataLoader[Any]:
        ds = torch.utils.data.TensorDataset(x, y)
        return DataLoader(ds, batch_size=7, shuffle=True, num_workers=1)  # one CPU suffices

    streamed = StreamData.of(
        forget=loader(data.x_forget, data.y_forget),
        retain=loader(data.x_retain, data.y_retain),
        test=loader(data.x_test, data.y_test),
        num_classes=data.num_classes,
    )
    assert streamed.retain.loading.num_workers == 1  # type: ignore[attr-defined]
    adapter = Adapter(logits=lambda out: out["scores"])
    method = MethodConfig(name="del", epochs=1)
    plain, _ = unlearn(copy.deepcopy(model), data, method, factory=factory)
    wrapped, _ = unlearn(
        Wrapped(copy.deepcopy(model)),
        streamed,
        method,
        factory=lambda s: Wrapped(factory(s)),
        adapter=adapter,
    )
    a, b = evaluate(plain, data, mia=False), evaluate(wrapped, streamed, mia=False, adapter=adapter)
    assert {k: a[k] for k in b} == b  # workers read the same batches: the same model
    from umr.unlearn.config import ConfigError

    with pytest.raises(ConfigError, match="model output dict has no logits"):
        evaluate(wrapped, streamed, mia=False)


def test_an_interrupted_finetuning_resumes_where_it_stopped(tiny: Any, tmp_path: Path) -> None:
    from umr.unlearn._train import fit

    model, data, _ = tiny
    kw: dict[str, Any] = {"epochs": 4, "lr": 0.05, "batch_size": 32, "seed": 5}
    whole = copy.deepcopy(model)
    fit(whole, data.x_retain, data.y_retain, **kw)

    steps = [0]
    per_epoch = -(-len(data.y_retain) // 32)

    def stops(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        steps[0] += 1
        if steps[0] == 2 * per_epoch + 5:  # in the third epoch
            raise KeyboardInterrupt
        return nn.functional.cross_entropy(model(x), y)

    ckpt = tmp_path / "fit.pt"
    resumed = copy.deepcopy(model)
    with pytest.raises(KeyboardInterrupt):
        fit(resumed, data.x_retain, data.y_retain, loss_fn=stops, checkpoint=ckpt, **kw)
    assert ckpt.exists()
    resumed = copy.deepcopy(model)  # a new process would start from the original weights
    calls = [0]

    def counted(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        calls[0] += 1
        return nn.functional.cross_entropy(model(x), y)

    stats = fit(resumed, data.x_retain, data.y_retain, loss_fn=counted, checkpoint=ckpt, **kw)
    assert stats.steps == 4 * per_epoch and calls[0] == 2 * per_epoch  # only epochs 3 and 4
    for a, b in zip(whole.state_dict().values(), resumed.state_dict().values(), strict=True):
        assert torch.equal(a, b)
    # The finished run's file stays; the same run started again returns its model at once.
    again, calls[0] = copy.deepcopy(model), 0
    stats = fit(again, data.x_retain, data.y_retain, loss_fn=counted, checkpoint=ckpt, **kw)
    assert calls[0] == 0 and stats.steps == 4 * per_epoch
    for a, b in zip(whole.state_dict().values(), again.state_dict().values(), strict=True):
        assert torch.equal(a, b)


@pytest.mark.parametrize(
    "change",
    [
        {"lr": 0.02, "differ": "settings"},
        {"epochs": 5, "differ": "settings"},
        {"seed": 6, "differ": "settings"},
        {"start": "other weights", "differ": "starting weights"},
        {"mask": "first layer only", "differ": "mask"},
        {"data": "same size, other labels", "differ": "data"},
    ],
    ids=lambda c: next(iter(c)),
)
def test_a_resume_file_of_another_run_is_refused_not_resumed(
    tiny: Any, tmp_path: Path, change: dict[str, Any]
) -> None:
    from umr.unlearn._train import fit
    from umr.unlearn.checkpoint import CheckpointError

    model, data, _ = tiny
    kw: dict[str, Any] = {"epochs": 3, "lr": 0.05, "batch_size": 32, "seed": 5}

    calls = [0]

    def stops(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        calls[0] += 1
        if calls[0] == -(-len(data.y_retain) // 32) + 2:  # in the second epoch
            raise KeyboardInterrupt
        return nn.functional.cross_entropy(model(x), y)

    ckpt = tmp_path / "fit.pt"
    with pytest.raises(KeyboardInterrupt):
        fit(
            copy.deepcopy(model), data.x_retain, data.y_retain, loss_fn=stops, checkpoint=ckpt, **kw
        )
    saved = ckpt.read_bytes()
    other = copy.deepcopy(model)
    kw.update({k: v for k, v in change.items() if k in kw})
    if "start" in change:
        with torch.no_grad():
            next(other.parameters()).add_(1e-3)
    if "mask" in change:
        first = next(n for n, _ in other.named_parameters())
        kw["trainable"] = {
            first: torch.ones_like(dict(other.named_parameters())[first], dtype=torch.bool)
        }
    y = data.y_retain
    if "data" in change:
        y = (y + 1) % int(y.max() + 1)
    before = copy.deepcopy(other.state_dict())
    with pytest.raises(CheckpointError, match="belongs to another run") as err:
        fit(other, data.x_retain, y, checkpoint=ckpt, **kw)
    assert f"its {change['differ']} differ" in str(err.value)  # says what differs
    assert "same seed" in (err.value.hint or "") and "delete the file" in (err.value.hint or "")
    assert ckpt.read_bytes() == saved  # the other run's file is kept as it was
    for k, v in before.items():
        assert torch.equal(v, other.state_dict()[k])  # and the model is untouched
    assert all(p.requires_grad for p in other.parameters())  # masked-out ones given back


def test_concat_reads_each_source_once_per_pass_in_the_asked_order() -> None:
    from umr.unlearn.stream import Concat, TensorSource, in_order

    class Counted(TensorSource):
        calls = 0

        def batches(self, index_batches: Any) -> Any:
            type(self).calls += 1
            return super().batches(index_batches)

    class A(Counted):
        calls = 0

    class B(Counted):
        calls = 0

    gen = torch.Generator().manual_seed(3)
    xa, xb = torch.randn(37, 4, generator=gen), torch.randn(23, 4, generator=gen)
    ya, yb = torch.randint(0, 5, (37,), generator=gen), torch.randint(0, 5, (23,), generator=gen)
    both = Concat(A(xa, ya), B(xb, yb))
    order = torch.randperm(60, generator=gen)
    batches = [order[i : i + 8] for i in range(0, 60, 8)]
    x, y = torch.cat([xa, xb]), torch.cat([ya, yb])
    got = list(both.batches(batches))
    assert len(got) == len(batches) and A.calls == 1 and B.calls == 1
    for idx, (bx, by) in zip(batches, got, strict=True):
        assert torch.equal(bx, x[idx]) and torch.equal(by, y[idx])
    only_a = list(both.batches(in_order(37, 10)))  # the second source is never asked
    assert B.calls == 1 and torch.equal(torch.cat([b for _, b in only_a]), ya)


def test_a_model_with_extra_state_checkpoints_and_resumes(tmp_path: Path) -> None:
    from umr.unlearn._train import fit

    class Noted(nn.Linear):
        def get_extra_state(self) -> Any:
            return {"note": "kept beside the weights"}

        def set_extra_state(self, state: Any) -> None:
            self.note = state["note"]

    gen = torch.Generator().manual_seed(0)
    x, y = torch.randn(40, 8, generator=gen), torch.randint(0, 3, (40,), generator=gen)
    torch.manual_seed(0)
    first = Noted(8, 3)
    again = copy.deepcopy(first)
    kw: dict[str, Any] = {"epochs": 2, "lr": 0.1, "batch_size": 8, "checkpoint": tmp_path / "f.pt"}
    fit(first, x, y, **kw)
    stats = fit(again, x, y, **kw)  # the finished run, found again: its model, no step taken
    assert stats.steps == 10 and again.note == "kept beside the weights"
    assert torch.equal(first.weight, again.weight)


def test_concat_gives_an_empty_batch_for_an_empty_index() -> None:
    from umr.unlearn.stream import Concat, TensorSource

    both = Concat(TensorSource(torch.ones(3, 2), torch.zeros(3, dtype=torch.int64)),
                  TensorSource(torch.zeros(2, 2), torch.ones(2, dtype=torch.int64)))  # fmt: skip
    got = list(both.batches([torch.tensor([4, 0]), torch.zeros(0, dtype=torch.int64)]))
    assert got[0][1].tolist() == [1, 0]
    assert got[1][0].shape == (0, 2) and got[1][1].shape == (0,)  # as a TensorSource gives


@pytest.mark.parametrize("world_size", [1, 2, 3, 8])
def test_no_rank_gets_an_empty_training_slice(world_size: int) -> None:
    """Under torchrun a last batch smaller than the world is dropped (a rank with no example
    would take a NaN loss into the averaged gradient); the step count says the same."""
    from umr.unlearn.stream import epoch_batches, steps_per_epoch

    for n in range(0, 70):
        for batch_size in (b for b in (1, 4, 7, 16) if b >= world_size):  # fit_on refuses less
            got = epoch_batches(torch.arange(n), batch_size, world_size)
            assert len(got) == steps_per_epoch(n, batch_size, world_size), (n, batch_size)
            assert all(len(b[r::world_size]) for b in got for r in range(world_size))
            kept = torch.cat(got).tolist() if got else []
            assert kept == list(range(len(kept))) and n - len(kept) < world_size
            if world_size == 1:
                assert len(kept) == n  # one process trains on every example, as before


def test_inputs_umr_cannot_stream_are_refused_with_what_to_pass() -> None:
    from torch.utils.data import IterableDataset

    from umr.unlearn.config import ConfigError
    from umr.unlearn.stream import as_source

    class Stream(IterableDataset[Any]):
        def __iter__(self) -> Any:
            return iter([])

    x, y = torch.zeros(4, 2), torch.zeros(4, dtype=torch.int64)
    for bad in (Stream(), DataLoader(Stream()), {"x": x, "y": y}, (x, y, y), "xy"):
        with pytest.raises(ConfigError, match="data: ") as err:
            as_source(bad)
        assert "Dataset" in (err.value.hint or "")


def test_dataset_labels_of_any_integer_type_train_and_dict_items_are_refused() -> None:
    import numpy as np

    from umr.unlearn._train import fit_on
    from umr.unlearn.config import ConfigError
    from umr.unlearn.stream import as_source

    class Items(Dataset[Any]):
        def __init__(self, as_dict: bool) -> None:
            self.as_dict = as_dict

        def __len__(self) -> int:
            return 12

        def __getitem__(self, i: int) -> Any:
            x, y = torch.full((3,), float(i)), np.int32(i % 2)  # numpy int32 labels
            return {"x": x, "y": y} if self.as_dict else (x, y)

    model = nn.Linear(3, 2)
    stats = fit_on(model, as_source(Items(False)), epochs=1, lr=0.1, batch_size=4)
    assert stats.steps == 3
    with pytest.raises(ConfigError, match=r"collate to a dict, not \(inputs, label\)"):
        fit_on(model, as_source(Items(True)), epochs=1, lr=0.1, batch_size=4)


def test_training_moves_every_in_memory_source_once_combined_ones_too() -> None:
    from umr.unlearn._train import fit_on
    from umr.unlearn.stream import Concat, Relabeled, TensorSource

    moved: list[str] = []

    class Tracked(TensorSource):
        def to(self, device: torch.device) -> TensorSource:
            moved.append(str(device))
            return TensorSource(self.x.to(device), self.y.to(device))

    gen = torch.Generator().manual_seed(1)
    x, y = torch.randn(20, 3, generator=gen), torch.randint(0, 2, (20,), generator=gen)
    wrong = Relabeled(Tracked(x[:5], y[:5]), torch.ones(5, dtype=torch.int64), 2)
    fit_on(nn.Linear(3, 2), Concat(Tracked(x[5:], y[5:]), wrong), epochs=3, lr=0.1, batch_size=4)
    assert moved == ["cpu", "cpu"]  # each part once, before the first step
