"""Data as users have it: map-style Datasets (or DataLoaders) streamed in batches.

A :class:`Source` yields ``(inputs, labels)`` batches for lists of example indices; nothing
holds a whole dataset. :class:`DatasetSource` reads any map-style ``Dataset`` whose items are
``(inputs, label)`` (inputs: a tensor of any shape and dtype, or a mapping of tensors such as a
tokenizer's output) through a ``DataLoader`` with the user's ``num_workers``, ``pin_memory``
and ``collate_fn``; :class:`TensorSource` is the same over in-memory tensors (the benchmarks'
path) and indexes them directly. Which examples form a batch is always umr's choice (seeded),
so a Dataset and the tensors holding the same examples give the same batches.

:class:`Adapter` says how to call a model and read its output: ``model(**x)`` for mapping
inputs, else ``model(x)``; logits are the output itself, its ``.logits`` (Hugging Face
``ModelOutput``) or its first element; the loss defaults to mean cross-entropy.

Under ``torchrun`` (``torch.distributed`` initialised) each rank reads its share of every
batch; :func:`all_reduce_f64` and :func:`gather` combine results in a fixed order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import torch
from torch import nn
from torch.nn import functional as F
from torch.utils.data import DataLoader, Dataset, IterableDataset

Batch = tuple[Any, torch.Tensor]  # (inputs: a tensor or a mapping of tensors, labels (B,))


class Source(Protocol):
    """Examples addressable by index, read in batches. A source that holds its examples in
    memory may also have ``to(device)``, returning itself on ``device``: training calls it once
    (see :func:`on_device`)."""

    def __len__(self) -> int: ...

    def batches(self, index_batches: Sequence[torch.Tensor]) -> Iterator[Batch]:
        """The batches for ``index_batches`` (each a 1-D int64 tensor), in that order."""
        ...


@dataclass(frozen=True)
class TensorSource:
    """In-memory ``x`` (N, ...) and ``y`` (N,): batches by indexing."""

    x: torch.Tensor
    y: torch.Tensor

    def __len__(self) -> int:
        return len(self.y)

    def batches(self, index_batches: Sequence[torch.Tensor]) -> Iterator[Batch]:
        for idx in index_batches:
            idx = idx.to(self.x.device)
            yield self.x[idx], self.y[idx]

    def to(self, device: torch.device) -> TensorSource:
        """The same examples held on ``device`` (training moves them once, not per batch)."""
        return TensorSource(self.x.to(device), self.y.to(device))


@dataclass(frozen=True, kw_only=True)
class Loading:
    """How a :class:`DatasetSource` reads (the DataLoader settings that are not the order)."""

    num_workers: int = 0  # worker processes reading items
    pin_memory: bool = False  # page-locked batches for faster copies to a GPU
    collate_fn: Callable[[list[Any]], Any] | None = None  # None: torch's default_collate
    prefetch_factor: int | None = None  # batches read ahead per worker (num_workers > 0)


@dataclass(frozen=True)
class DatasetSource:
    """A map-style ``Dataset`` of ``(inputs, label)`` items, read through a DataLoader."""

    dataset: Dataset[Any]
    loading: Loading = field(default_factory=Loading)

    def __len__(self) -> int:
        return len(self.dataset)  # type: ignore[arg-type]

    def batches(self, index_batches: Sequence[torch.Tensor]) -> Iterator[Batch]:
        if not index_batches:
            return
        lo = self.loading
        loader = DataLoader(
            self.dataset,
            batch_sampler=[b.tolist() for b in index_batches],
            num_workers=lo.num_workers,
            pin_memory=lo.pin_memory,
            collate_fn=lo.collate_fn,
            prefetch_factor=lo.prefetch_factor if lo.num_workers else None,
        )
        for item in loader:
            if isinstance(item, Mapping) or len(item) < 2:
                from umr.unlearn.config import ConfigError

                raise ConfigError(
                    f"data: the Dataset's items collate to a {type(item).__name__}, not "
                    "(inputs, label)",
                    hint="make __getitem__ return (inputs, label), e.g. wrap the Dataset: "
                    "(item['x'], item['label'])",
                )
            yield item[0], torch.as_tensor(item[1]).long()  # class numbers, as the loss wants


class Relabeled:
    """``source`` with label ``(y + shift[i]) % num_classes`` for example ``i`` (SalUn)."""

    def __init__(self, source: Source, shift: torch.Tensor, num_classes: int) -> None:
        self.source, self.shift, self.num_classes = source, shift, num_classes

    def __len__(self) -> int:
        return len(self.source)

    def batches(self, index_batches: Sequence[torch.Tensor]) -> Iterator[Batch]:
        for idx, (x, y) in zip(index_batches, self.source.batches(index_batches), strict=True):
            yield x, (y + self.shift[idx].to(y.device)) % self.num_classes

    def to(self, device: torch.device) -> Relabeled:
        return Relabeled(on_device(self.source, device), self.shift, self.num_classes)


def on_device(source: Source, device: torch.device) -> Source:
    """``source`` moved to ``device`` once if it holds tensors in memory, else as it is."""
    move = getattr(source, "to", None)
    return move(device) if callable(move) else source


class Concat:
    """Sources one after another: index ``i`` past the first's length reads the second."""

    def __init__(self, *sources: Source) -> None:
        self.sources = sources
        self.starts = [0]
        for s in sources:
            self.starts.append(self.starts[-1] + len(s))

    def __len__(self) -> int:
        return self.starts[-1]

    def to(self, device: torch.device) -> Concat:
        return Concat(*(on_device(s, device) for s in self.sources))

    def batches(self, index_batches: Sequence[torch.Tensor]) -> Iterator[Batch]:
        # Each batch's indices are split by source up front, so every source is read with one
        # batches() call (one DataLoader for a Dataset), not one per batch.
        plans: list[list[tuple[int, torch.Tensor]]] = []
        per_source: list[list[torch.Tensor]] = [[] for _ in self.sources]
        for idx in index_batches:
            plan = []
            for k in range(len(self.sources)):
                lo, hi = self.starts[k], self.starts[k + 1]
                where = ((idx >= lo) & (idx < hi)).nonzero().flatten()
                if len(where):
                    plan.append((k, where))
                    per_source[k].append(idx[where] - lo)
            plans.append(plan)
        readers = [
            iter(s.batches(b)) if b else iter(())
            for s, b in zip(self.sources, per_source, strict=True)
        ]
        for idx, plan in zip(index_batches, plans, strict=True):
            if not plan:  # an empty batch (a rank's share can be): shaped like the first's
                yield next(iter(self.sources[0].batches([idx])))
                continue
            parts = [(where, next(readers[k])) for k, where in plan]
            order = torch.cat([w for w, _ in parts]).argsort()  # back to the order of idx
            x = _cat([b[0] for _, b in parts])
            y = torch.cat([b[1] for _, b in parts])
            yield _index(x, order), y[order]


def _cat(xs: list[Any]) -> Any:
    if isinstance(xs[0], Mapping):
        return {k: torch.cat([x[k] for x in xs]) for k in xs[0]}
    return torch.cat(xs)


def _index(x: Any, idx: torch.Tensor) -> Any:
    if isinstance(x, Mapping):
        return {k: v[idx] for k, v in x.items()}
    return x[idx]


def as_source(data: Any, loading: Loading | None = None) -> Source:
    """A :class:`Source` for a Source, a Dataset, a DataLoader (its dataset and reading
    settings; its order is replaced by umr's seeded one) or a pair of tensors ``(x, y)``."""
    from umr.unlearn.config import ConfigError

    if hasattr(data, "batches"):
        return data  # type: ignore[no-any-return]
    if isinstance(data, tuple) and len(data) == 2 and isinstance(data[0], torch.Tensor):
        return TensorSource(data[0], torch.as_tensor(data[1]).long())
    dataset = data.dataset if isinstance(data, DataLoader) else data
    if isinstance(dataset, IterableDataset):
        raise ConfigError(
            f"data: {type(dataset).__name__} is an iterable-style dataset; umr draws its own "
            "seeded order, so it needs a map-style Dataset (__getitem__ and __len__)",
            hint="materialize the examples you need into a map-style Dataset",
        )
    if isinstance(data, DataLoader):
        return DatasetSource(
            data.dataset,
            Loading(
                num_workers=data.num_workers,
                pin_memory=data.pin_memory,
                collate_fn=data.collate_fn,
                prefetch_factor=data.prefetch_factor,
            ),
        )
    usable = isinstance(data, Dataset) or (
        hasattr(data, "__getitem__")
        and hasattr(data, "__len__")
        and not isinstance(data, Mapping | tuple | str | bytes)
    )
    if usable:
        return DatasetSource(data, loading or Loading())
    raise ConfigError(
        f"data: {type(data).__name__} is not a map-style Dataset, a DataLoader or (x, y)",
        hint="pass a torch.utils.data.Dataset whose items are (inputs, label), or a pair of "
        "tensors (x, y)",
    )


def to_device(x: Any, device: torch.device, *, non_blocking: bool = False) -> Any:
    if isinstance(x, torch.Tensor):
        return x.to(device, non_blocking=non_blocking)
    if isinstance(x, Mapping):
        return {k: to_device(v, device, non_blocking=non_blocking) for k, v in x.items()}
    return x


def output_logits(out: Any) -> torch.Tensor:
    """Logits of a model output: a tensor, an object with ``.logits``, or a tuple's first."""
    if isinstance(out, torch.Tensor):
        return out
    if hasattr(out, "logits"):
        return out.logits  # type: ignore[no-any-return]
    if isinstance(out, tuple | list) and out and isinstance(out[0], torch.Tensor):
        return out[0]
    from umr.unlearn.config import ConfigError

    raise ConfigError(
        f"model output {type(out).__name__} has no logits",
        hint="pass Adapter(logits=...) to say how to read logits from the model's output",
    )


def call_model(model: nn.Module, x: Any) -> Any:
    return model(**x) if isinstance(x, Mapping) else model(x)


@dataclass(frozen=True, kw_only=True)
class Adapter:
    """How to call a model, read logits (N, classes) from its output, and score a batch."""

    call: Callable[[nn.Module, Any], Any] = call_model
    logits: Callable[[Any], torch.Tensor] = output_logits
    loss: Callable[[torch.Tensor, torch.Tensor], torch.Tensor] = F.cross_entropy  # mean

    def __call__(self, model: nn.Module, x: Any) -> torch.Tensor:
        return self.logits(self.call(model, x))


class LogitsOf(nn.Module):
    """``model`` seen through ``adapter``: ``forward(x)`` returns logits (N, classes).

    Methods write their losses as ``loss_fn(LogitsOf(model), x, y)``; so the same method code
    serves a plain classifier and a Hugging Face model.
    """

    def __init__(self, model: nn.Module, adapter: Adapter) -> None:
        super().__init__()
        self.inner = model
        self.adapter = adapter

    def forward(self, x: Any) -> torch.Tensor:
        return self.adapter(self.inner, x)


@dataclass(frozen=True, kw_only=True)
class StreamData:
    """The training set split by a forget set, plus held-out evaluation data, as sources.

    ``heldout``: data the model never saw, of the forget set's kind (for the oracle-free
    evidence); None means the test data.
    """

    forget: Source
    retain: Source
    test: Source
    num_classes: int
    val: Source | None = None
    heldout: Source | None = None

    @classmethod
    def of(
        cls,
        *,
        forget: Any,
        retain: Any,
        test: Any,
        num_classes: int,
        val: Any = None,
        heldout: Any = None,
        loading: Loading | None = None,
    ) -> StreamData:
        """From Datasets, DataLoaders, sources or ``(x, y)`` tensor pairs (see
        :func:`as_source`); ``loading`` applies to the Datasets given as such."""

        def src(d: Any) -> Source | None:
            return None if d is None else as_source(d, loading)

        return cls(
            forget=as_source(forget, loading),
            retain=as_source(retain, loading),
            test=as_source(test, loading),
            num_classes=num_classes,
            val=src(val),
            heldout=src(heldout),
        )

    @property
    def train(self) -> Source:
        """Retain then forget: everything the original model was trained on."""
        return Concat(self.retain, self.forget)

    @classmethod
    def from_tensors(cls, data: Any) -> StreamData:
        """The tensor path (:class:`umr.unlearn.data.UnlearnData`) as sources."""
        return cls(
            forget=TensorSource(data.x_forget, data.y_forget),
            retain=TensorSource(data.x_retain, data.y_retain),
            val=TensorSource(data.x_val, data.y_val),
            test=TensorSource(data.x_test, data.y_test),
            num_classes=data.num_classes,
        )


def stream_data(data: Any) -> StreamData:
    """``data`` as :class:`StreamData`: itself, or the tensor path's ``UnlearnData``."""
    return data if isinstance(data, StreamData) else StreamData.from_tensors(data)


# ---- more than one process ---------------------------------------------------------------


def world() -> tuple[int, int]:
    """(rank, world size): (0, 1) unless torch.distributed is initialised."""
    dist = torch.distributed
    if dist.is_available() and dist.is_initialized():
        return dist.get_rank(), dist.get_world_size()
    return 0, 1


def resolve_device(name: str) -> str:
    """``auto`` is the GPU when one is visible, else the CPU; any other name must be a device
    torch knows (``cpu``, ``cuda``, ``cuda:N``) and, for CUDA, one that is visible."""
    if name == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    from umr.unlearn.config import ConfigError

    try:
        dev = torch.device(name)
    except (RuntimeError, TypeError):
        raise ConfigError(
            f"device: {name[:40]!r} is not a device", hint="use auto, cpu, cuda or cuda:N"
        ) from None
    if dev.type == "cuda" and (
        not torch.cuda.is_available() or (dev.index or 0) >= torch.cuda.device_count()
    ):
        raise ConfigError(
            f"device: {name!r} asks for a CUDA GPU, and none by that number is visible here",
            hint="use --device cpu (or auto, which takes a GPU only when there is one)",
        )
    return name


def init_distributed(device: str = "auto") -> str:
    """Join the process group that ``torchrun`` describes (``WORLD_SIZE``, ``RANK``,
    ``LOCAL_RANK``, ``MASTER_ADDR``...) and return this process's device: ``cuda:LOCAL_RANK``
    with NCCL when CUDA is used, else the CPU with gloo. Without torchrun, a no-op."""
    import os

    dev = resolve_device(device)
    if int(os.environ.get("WORLD_SIZE", "1")) <= 1:
        return dev
    if dev.startswith("cuda"):
        local = int(os.environ.get("LOCAL_RANK", "0"))
        torch.cuda.set_device(local)
        dev = f"cuda:{local}"
    dist = torch.distributed
    if not dist.is_initialized():
        dist.init_process_group("nccl" if dev.startswith("cuda") else "gloo")
    return dev


def is_writer() -> bool:
    """True on the one process that writes outputs (rank 0)."""
    return world()[0] == 0


def all_reduce_f64(tensors: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """Sum each tensor over ranks in float64, one tensor at a time in the dict's order."""
    _, size = world()
    if size == 1:
        return tensors
    out = {}
    for n, t in tensors.items():
        t64 = t.to(torch.float64).contiguous()
        torch.distributed.all_reduce(t64)
        out[n] = t64
    return out


def gather(values: torch.Tensor) -> torch.Tensor:
    """Every rank's 1-D ``values`` concatenated in rank order (same result on every rank)."""
    _, size = world()
    if size == 1:
        return values
    parts: list[Any] = [None] * size
    torch.distributed.all_gather_object(parts, values.cpu())
    return torch.cat(parts)


def shard(index_batches: list[torch.Tensor], *, whole: bool) -> list[torch.Tensor]:
    """This rank's part of ``index_batches``: whole batches round robin (``whole``), or every
    batch split into strided slices (training: each rank's slice of the global batch)."""
    rank, size = world()
    if size == 1:
        return index_batches
    if whole:
        return index_batches[rank::size]
    return [b[rank::size] for b in index_batches]


def in_order(n: int, batch_size: int) -> list[torch.Tensor]:
    """Index batches 0..n-1 in order (scoring and evaluation)."""
    return [torch.arange(i, min(n, i + batch_size)) for i in range(0, n, batch_size)]


def steps_per_epoch(n: int, batch_size: int, world_size: int = 1) -> int:
    """Training steps in one pass over ``n`` examples: every batch, less a last one too small
    to give each of ``world_size`` ranks an example (see :func:`epoch_batches`)."""
    full, rest = divmod(n, batch_size)
    return full + (1 if rest and rest >= world_size else 0)


def epoch_batches(order: torch.Tensor, batch_size: int, world_size: int = 1) -> list[torch.Tensor]:
    """``order`` cut into batches of ``batch_size``. Under torchrun a last batch smaller than
    the world is dropped: a rank with an empty slice would take a NaN loss (the mean over no
    examples) and DDP would average it into every rank's gradient."""
    batches = [order[i : i + batch_size] for i in range(0, len(order), batch_size)]
    if batches and len(batches[-1]) < world_size:
        batches.pop()
    return batches


__all__ = [
    "Adapter",
    "Batch",
    "Concat",
    "DatasetSource",
    "Loading",
    "LogitsOf",
    "Relabeled",
    "Source",
    "StreamData",
    "TensorSource",
    "all_reduce_f64",
    "as_source",
    "call_model",
    "epoch_batches",
    "gather",
    "in_order",
    "init_distributed",
    "is_writer",
    "on_device",
    "output_logits",
    "shard",
    "steps_per_epoch",
    "stream_data",
    "to_device",
    "world",
]
