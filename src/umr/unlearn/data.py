"""Datasets (MNIST-1D generated locally, scikit-learn digits) and forget-set builders.

MNIST-1D is generated with ``mnist1d.data.make_dataset`` (never ``get_dataset``, which
downloads). Forget sets are index files (JSON) identified by their sha256, so the original
model, the oracle, the mask and the unlearning all read the same seeded selection.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch.utils.data import Dataset

from umr.errors import NotFoundError, UmrError, require
from umr.unlearn.config import DataConfig, ForgetConfig


class DataError(UmrError, ValueError):
    """A dataset or forget set cannot be built as asked."""


@dataclass(frozen=True, kw_only=True)
class Splits:
    """Train / val / test tensors. ``x``: (N, features) float32, ``y``: (N,) int64."""

    name: str
    x_train: torch.Tensor
    y_train: torch.Tensor
    x_val: torch.Tensor  # held out from the retain set; used for hyperparameter search
    y_val: torch.Tensor
    x_test: torch.Tensor
    y_test: torch.Tensor
    num_classes: int


@dataclass(frozen=True, kw_only=True)
class ForgetSet:
    """Which training examples to forget; for ``mislabeled``, the flipped labels too."""

    kind: str
    indices: np.ndarray  # sorted int64 indices into the training set
    labels: np.ndarray | None  # mislabeled: the noisy label of each forget index
    seed: int
    sha256: str = ""

    def to_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "seed": self.seed,
            "indices": self.indices.tolist(),
            "labels": None if self.labels is None else self.labels.tolist(),
        }


def _cache_dir() -> Path:
    return Path(os.environ.get("UMR_CACHE", Path.home() / ".cache" / "umr"))


def _mnist1d(
    num_samples: int, seed: int, corr: float | None = None, iid: float | None = None
) -> tuple[np.ndarray, np.ndarray]:
    noise = "" if corr is None and iid is None else f"-c{corr}-i{iid}"
    path = _cache_dir() / f"mnist1d-n{num_samples}-s{seed}{noise}.npz"
    if path.exists():
        with np.load(path) as z:
            return z["x"], z["y"]
    require("mnist1d", "unlearn")
    from mnist1d.data import get_dataset_args, make_dataset

    args = get_dataset_args()
    args.num_samples = num_samples
    args.seed = seed
    if corr is not None:
        args.corr_noise_scale = corr
    if iid is not None:
        args.iid_noise_scale = iid
    d = make_dataset(args)
    x = np.concatenate([d["x"], d["x_test"]]).astype(np.float32)  # (N, 40)
    y = np.concatenate([d["y"], d["y_test"]]).astype(np.int64)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp.npz")
        np.savez(tmp, x=x, y=y)
        tmp.replace(path)
    except OSError:
        pass  # the cache is an optimisation only
    return x, y


def _digits() -> tuple[np.ndarray, np.ndarray]:
    from sklearn.datasets import load_digits

    d = load_digits()
    return (d.data / 16.0).astype(np.float32), d.target.astype(np.int64)  # (1797, 64)


DatasetFactory = Callable[[DataConfig], Any]  # cfg -> (x: (N, ...), y: (N,)) or a Dataset
DATASETS: dict[str, DatasetFactory] = {
    "mnist1d": lambda cfg: _mnist1d(
        cfg.num_samples, cfg.seed, cfg.corr_noise_scale, cfg.iid_noise_scale
    ),
    "digits": lambda cfg: _digits(),
}


def _made(cfg: DataConfig) -> Any:
    """What the factory of dataset ``cfg.name`` returns: a built-in or an entry point's."""
    from umr.unlearn.factories import DATASET_GROUP, resolve

    factory = resolve(cfg.name, what="data.name", group=DATASET_GROUP, builtin=DATASETS)
    return factory(cfg)


def _arrays(cfg: DataConfig, got: Any = None) -> tuple[np.ndarray, np.ndarray]:
    """All samples of dataset ``cfg.name`` as arrays."""
    got = _made(cfg) if got is None else got
    if not (isinstance(got, tuple) and len(got) == 2):
        raise DataError(
            f"data.name: {cfg.name!r} returned {type(got).__name__}, not a pair (x, y)",
            hint="a dataset factory returns (x, y): inputs (N, ...) and integer labels (N,), "
            "or a map-style Dataset of (input, label) items (remediation streams it)",
        )
    x, y = (v.numpy() if isinstance(v, torch.Tensor) else np.asarray(v) for v in got)
    if len(x) != len(y):
        raise DataError(
            f"data.name: {cfg.name!r} returned x {x.shape} and y {y.shape}",
            hint="y must hold one integer label per row of x",
        )
    return x, check_labels(y, f"data.name: {cfg.name!r}")


def check_labels(y: np.ndarray, where: str) -> np.ndarray:
    """``y`` as int64 class labels 0..C-1 (C >= 2), or a DataError saying what is wrong."""
    why = ""
    if y.ndim != 1:
        why = f"labels of shape {y.shape}, not one per example"
    elif not (np.issubdtype(y.dtype, np.integer) or np.issubdtype(y.dtype, np.bool_)):
        why = f"labels of type {y.dtype}, not whole numbers"
    elif len(y) and int(y.min()) < 0:
        why = f"a negative label ({int(y.min())})"
    elif len(np.unique(y)) < 2:
        why = f"{len(np.unique(y))} distinct label(s); unlearning needs at least 2 classes"
    if why:
        raise DataError(
            f"{where}: {why}", hint="labels are class numbers 0, 1, ... (integers), one per example"
        )
    return y.astype(np.int64)


def _split_indices(n: int, cfg: DataConfig) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(train, val, test) indices: a seeded permutation cut by the two fractions."""
    if not (0 < cfg.test_fraction < 1 and 0 <= cfg.val_fraction < 1):
        raise DataError(
            f"data: test_fraction {cfg.test_fraction!r} / val_fraction {cfg.val_fraction!r} "
            "out of range",
            hint="use 0 < test_fraction < 1 and 0 <= val_fraction < 1",
        )
    rng = np.random.default_rng(cfg.seed)
    order = rng.permutation(n)
    n_test = round(cfg.test_fraction * n)
    n_val = round(cfg.val_fraction * (n - n_test))
    return order[n_test + n_val :], order[n_test : n_test + n_val], order[:n_test]


def load(cfg: DataConfig, *, made: Any = None) -> Splits:
    """Build the train / val / test splits that ``cfg`` describes."""
    x, y = _arrays(cfg, made)
    train, val, test = _split_indices(len(y), cfg)

    def t(a: np.ndarray) -> torch.Tensor:
        return torch.from_numpy(np.ascontiguousarray(a))

    return Splits(
        name=cfg.name,
        x_train=t(x[train]),
        y_train=t(y[train]),
        x_val=t(x[val]),
        y_val=t(y[val]),
        x_test=t(x[test]),
        y_test=t(y[test]),
        num_classes=int(y.max()) + 1,
    )


def wrong_labels(rng: np.random.Generator, true: np.ndarray, num_classes: int) -> np.ndarray:
    """A label other than ``true`` for every example, uniform over the other classes: the
    mislabeled forget set's rule (and its held-out twin's in :mod:`umr.unlearn.evidence`)."""
    shift = rng.integers(1, num_classes, size=len(true))  # never 0: never the true label
    return ((true + shift) % num_classes).astype(np.int64)


def make_forget_set(
    y_train: torch.Tensor,
    cfg: ForgetConfig,
    num_classes: int,
    *,
    pool: np.ndarray | None = None,
) -> ForgetSet:
    """Choose ``cfg.fraction`` of the training set to forget, as ``cfg.kind`` says.

    ``memorized`` draws from ``pool``: training indices that models trained without them
    misclassify (see ``umr.unlearn.bench``), which a model can only fit by memorizing them.
    """
    n = len(y_train)
    k = round(cfg.fraction * n)
    if not 0 < k < n:
        raise DataError(
            f"forget.fraction: {cfg.fraction!r} selects {k} of {n} examples",
            hint="choose a fraction that selects at least one example and leaves a retain set",
        )
    rng = np.random.default_rng(cfg.seed)
    labels = None
    if cfg.kind in ("iid", "mislabeled"):
        idx = rng.choice(n, size=k, replace=False)
        if cfg.kind == "mislabeled":
            labels = wrong_labels(rng, y_train.numpy()[idx], num_classes)
    elif cfg.kind == "non_iid":
        pool = np.flatnonzero(np.isin(y_train.numpy(), cfg.classes))
        if len(pool) < k:
            raise DataError(
                f"forget: classes {list(cfg.classes)!r} hold {len(pool)} training examples, "
                f"fewer than the {k} asked for",
                hint="lower forget.fraction or name more classes",
            )
        idx = rng.choice(pool, size=k, replace=False)
    elif cfg.kind == "memorized":
        if pool is None:
            raise DataError(
                "forget.kind: 'memorized' needs the pool of examples held-out models misclassify",
                hint="build it with umr.unlearn.bench.memorized_pool, or use another kind",
            )
        if len(pool) < k:
            raise DataError(
                f"forget: the memorized pool holds {len(pool)} examples, fewer than the {k} "
                "asked for",
                hint="lower forget.fraction",
            )
        idx = rng.choice(np.asarray(pool, dtype=np.int64), size=k, replace=False)
    else:
        raise DataError(
            f"forget.kind: {cfg.kind!r} is not a forget-set kind",
            hint="use 'iid', 'non_iid', 'mislabeled' or 'memorized'",
        )
    order = np.argsort(idx)
    idx = idx[order].astype(np.int64)
    if labels is not None:
        labels = labels[order]
    fs = ForgetSet(kind=cfg.kind, indices=idx, labels=labels, seed=cfg.seed)
    return ForgetSet(**{**fs.__dict__, "sha256": _digest(_dump(fs))})


def _dump(fs: ForgetSet) -> bytes:
    return (json.dumps(fs.to_dict(), separators=(",", ":"), sort_keys=True) + "\n").encode()


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def save_forget_set(fs: ForgetSet, path: str | Path) -> str:
    """Write ``fs`` as a JSON index file; return its sha256."""
    data = _dump(fs)
    Path(path).write_bytes(data)
    return _digest(data)


def load_forget_set(path: str | Path, *, sha256: str | None = None) -> ForgetSet:
    """Read an index file written by :func:`save_forget_set`, checking ``sha256`` if given."""
    p = Path(path)
    if not p.exists():
        raise NotFoundError(
            f"{p}: no such forget-set file",
            hint="write one with `umr unlearn forget-set --record REF`",
        )
    data = p.read_bytes()
    digest = _digest(data)
    if sha256 is not None and digest != sha256:
        raise DataError(
            f"{p}: sha256 is {digest!r}, expected {sha256!r}",
            hint="the forget set changed; rebuild it or use the file the digest came from",
        )
    d = _forget_doc(p, data)
    labels = None if d["labels"] is None else np.asarray(d["labels"], dtype=np.int64)
    return ForgetSet(
        kind=d["kind"],
        indices=np.asarray(d["indices"], dtype=np.int64),
        labels=labels,
        seed=d["seed"],
        sha256=digest,
    )


FORGET_KINDS = ("iid", "non_iid", "mislabeled", "memorized")


def _forget_doc(path: Path, data: bytes) -> dict[str, Any]:
    """The fields of a forget-set file, each checked: a located error, never a KeyError."""

    def bad(what: str) -> DataError:
        return DataError(
            f"{path}: {what}",
            hint="write forget-set files with `umr unlearn forget-set`; "
            "it writes {kind, seed, indices, labels}",
        )

    try:
        d = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise bad(f"not JSON ({exc})") from None
    if not isinstance(d, dict):
        raise bad(f"holds a {type(d).__name__}, not an object")
    missing = [k for k in ("kind", "seed", "indices", "labels") if k not in d]
    if missing:
        raise bad(f"missing {', '.join(missing)}")
    if d["kind"] not in FORGET_KINDS:
        raise bad(f"kind {str(d['kind'])[:40]!r} is not one of {', '.join(FORGET_KINDS)}")

    def ints(v: Any) -> bool:
        return isinstance(v, list) and all(type(i) is int and i >= 0 for i in v)

    if type(d["seed"]) is not int:
        raise bad(f"seed {str(d['seed'])[:40]!r} is not a whole number")
    if not ints(d["indices"]):
        raise bad("indices must be a list of whole numbers >= 0")
    if d["labels"] is not None and not (
        ints(d["labels"]) and len(d["labels"]) == len(d["indices"])
    ):
        raise bad("labels must be null or one whole number >= 0 per index")
    return d


@dataclass(frozen=True, kw_only=True)
class UnlearnData:
    """The training set split by a forget set, plus the held-out evaluation sets."""

    x_forget: torch.Tensor
    y_forget: torch.Tensor  # the labels the model was trained on (noisy when mislabeled)
    x_retain: torch.Tensor
    y_retain: torch.Tensor
    x_val: torch.Tensor
    y_val: torch.Tensor
    x_test: torch.Tensor
    y_test: torch.Tensor
    num_classes: int

    @property
    def x_train(self) -> torch.Tensor:
        return torch.cat([self.x_retain, self.x_forget])

    @property
    def y_train(self) -> torch.Tensor:
        return torch.cat([self.y_retain, self.y_forget])


def _check_indices(fs: ForgetSet, n: int) -> None:
    """Refuse a forget set whose indices do not fit a training set of ``n`` examples."""
    if len(fs.indices) and (fs.indices.min() < 0 or fs.indices.max() >= n):
        raise DataError(
            f"forget set {fs.sha256[:12]!r}: index out of range for {n} training examples",
            hint="the forget set was built for another dataset; rebuild it",
        )


def split(splits: Splits, fs: ForgetSet) -> UnlearnData:
    """Split the training set into forget and retain by ``fs`` (applying flipped labels)."""
    n = len(splits.y_train)
    _check_indices(fs, n)
    y = splits.y_train.clone()
    idx = torch.from_numpy(fs.indices)
    if fs.labels is not None:
        y[idx] = torch.from_numpy(fs.labels)
    keep = torch.ones(n, dtype=torch.bool)
    keep[idx] = False
    return UnlearnData(
        x_forget=splits.x_train[idx],
        y_forget=y[idx],
        x_retain=splits.x_train[keep],
        y_retain=y[keep],
        x_val=splits.x_val,
        y_val=splits.y_val,
        x_test=splits.x_test,
        y_test=splits.y_test,
        num_classes=splits.num_classes,
    )


class _Items(Dataset[tuple[Any, int]]):
    """Items ``index[i]`` of ``dataset`` with label ``labels[i]`` (a split, maybe relabelled)."""

    def __init__(self, dataset: Any, index: np.ndarray, labels: np.ndarray) -> None:
        self.dataset, self.index, self.labels = dataset, index, labels

    def __len__(self) -> int:
        return len(self.index)

    def __getitem__(self, i: int) -> tuple[Any, int]:
        return self.dataset[int(self.index[i])][0], int(self.labels[i])


@dataclass(frozen=True, kw_only=True)
class DatasetSplits:
    """A dataset factory's map-style Dataset split by index; only the labels are held."""

    name: str
    dataset: Any  # items (input, label); read a batch at a time
    labels: np.ndarray  # (N,) int64, every item's label
    train: np.ndarray  # indices into dataset
    val: np.ndarray
    test: np.ndarray
    num_classes: int
    in_features: int  # entries of one input (what a model factory is told)

    @property
    def y_train(self) -> torch.Tensor:
        return torch.from_numpy(self.labels[self.train])

    @property
    def y_test(self) -> torch.Tensor:
        return torch.from_numpy(self.labels[self.test])

    def source(self, index: np.ndarray, labels: np.ndarray | None = None) -> Any:
        from umr.unlearn.stream import DatasetSource

        return DatasetSource(
            _Items(self.dataset, index, self.labels[index] if labels is None else labels)
        )


def _label(item: Any, name: str, i: int) -> Any:
    if isinstance(item, tuple | list) and len(item) >= 2:
        return item[1]
    raise DataError(
        f"data.name: {name!r}: item {i} is a {type(item).__name__}, not (inputs, label)",
        hint="make the Dataset's items (inputs, label) pairs, e.g. wrap it in a Dataset whose "
        "__getitem__ returns (item['x'], item['label'])",
    )


def load_any(cfg: DataConfig) -> Splits | DatasetSplits:
    """:func:`load`, or :class:`DatasetSplits` when the factory returns a Dataset."""
    made = _made(cfg)
    if isinstance(made, tuple) or not (hasattr(made, "__getitem__") and hasattr(made, "__len__")):
        return load(cfg, made=made)
    n = len(made)
    labels = getattr(made, "targets", None)
    if labels is None:  # one item at a time: only the labels are kept
        labels = [_label(made[i], cfg.name, i) for i in range(n)]
    y = check_labels(np.asarray(torch.as_tensor(labels).numpy()), f"data.name: {cfg.name!r}")
    if y.shape != (n,):
        raise DataError(
            f"data.name: {cfg.name!r}: {len(y)} labels for {n} items",
            hint="each item is (input, integer label)",
        )
    if n:
        _label(made[0], cfg.name, 0)  # items are (inputs, label) pairs, targets or not
    first = made[0][0] if n else torch.zeros(0)
    features = int(first.numel()) if isinstance(first, torch.Tensor) else 0
    train, val, test = _split_indices(n, cfg)
    return DatasetSplits(
        name=cfg.name,
        dataset=made,
        labels=y,
        train=train,
        val=val,
        test=test,
        num_classes=int(y.max()) + 1 if n else 0,
        in_features=features,
    )


def split_stream(splits: DatasetSplits, fs: ForgetSet) -> Any:
    """:func:`split` for a Dataset: a :class:`~umr.unlearn.stream.StreamData` of index views."""
    from umr.unlearn.stream import StreamData

    n = len(splits.train)
    _check_indices(fs, n)
    keep = np.ones(n, dtype=bool)
    keep[fs.indices] = False
    forget = splits.train[fs.indices]
    return StreamData(
        forget=splits.source(forget, fs.labels),
        retain=splits.source(splits.train[keep]),
        val=splits.source(splits.val),
        test=splits.source(splits.test),
        num_classes=splits.num_classes,
    )
