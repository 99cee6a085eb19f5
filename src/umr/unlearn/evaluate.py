"""Evaluation: accuracies, membership inference, Tug-of-War against the oracle, statistics.

- ``mia_svc``: SalUn's MIA-efficacy. An SVC learns members (retain) from non-members (test) on
  the model's confidence in the true label; the score is the fraction of the forget set it calls
  non-member (higher = the forget set looks less like training data).
- ``mia_loss_auc``: a loss-threshold attack, the ROC AUC of −loss separating forget (members)
  from test (non-members); 0.5 = indistinguishable.
- ``tow`` = Π over forget, retain, test of (1 − |acc_u − acc_o|); ``tow_mia`` replaces the forget
  accuracy term by the ``mia_svc`` term (Zhao et al., 2024). ``tow_val`` uses the validation
  split in place of test and is what the hyperparameter search maximises.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from umr.unlearn._train import Runtime, autocast
from umr.unlearn.data import UnlearnData
from umr.unlearn.stream import (
    Adapter,
    Source,
    StreamData,
    TensorSource,
    gather,
    in_order,
    shard,
    stream_data,
    to_device,
)

SVC_MAX = 1000  # members / non-members per side used to fit the SVC attack


def accuracy(out: torch.Tensor, y: torch.Tensor) -> float:
    """Fraction of rows of ``out`` (N, classes) whose argmax equals ``y``."""
    return float((out.argmax(1) == y).float().mean()) if len(y) else math.nan


def svc_mia(
    conf_members: np.ndarray, conf_nonmembers: np.ndarray, conf_target: np.ndarray, *, seed: int = 0
) -> float:
    """Fraction of ``conf_target`` an RBF SVC (fit members vs non-members) calls non-member."""
    from sklearn.svm import SVC

    rng = np.random.default_rng(seed)
    n = min(len(conf_members), len(conf_nonmembers), SVC_MAX)
    m = rng.choice(conf_members, n, replace=False)
    nm = rng.choice(conf_nonmembers, n, replace=False)
    x = np.concatenate([m, nm]).reshape(-1, 1)
    y = np.concatenate([np.ones(n), np.zeros(n)])
    clf = SVC(C=3, gamma="auto", kernel="rbf").fit(x, y)
    return float(1 - clf.predict(conf_target.reshape(-1, 1)).mean())


def loss_auc(loss_members: np.ndarray, loss_nonmembers: np.ndarray) -> float:
    """ROC AUC of −loss as a membership score (members = positives)."""
    from sklearn.metrics import roc_auc_score

    score = -np.concatenate([loss_members, loss_nonmembers])
    label = np.concatenate([np.ones(len(loss_members)), np.zeros(len(loss_nonmembers))])
    return float(roc_auc_score(label, score))


@dataclass(frozen=True)
class Predictions:
    """Per example, in the source's order: correct?, confidence in the label, loss."""

    correct: torch.Tensor  # (N,) bool
    conf: np.ndarray  # (N,) softmax probability of the label
    loss: np.ndarray  # (N,) cross-entropy

    @property
    def acc(self) -> float:
        return float(self.correct.float().mean()) if len(self.correct) else math.nan


@torch.no_grad()
def predict(
    model: nn.Module,
    source: Source,
    *,
    rt: Runtime | None = None,
    adapter: Adapter | None = None,
    batch_size: int | None = None,
) -> Predictions:
    """Stream ``source`` through ``model`` in eval mode, ``batch_size`` examples at a time
    (default: 4,096 from tensors in memory, 256 from a Dataset). Under torchrun each rank reads
    whole batches round robin and the per-example results are gathered back into source order.
    """
    if batch_size is None:
        batch_size = 4096 if isinstance(source, TensorSource) else 256
    rt = rt or Runtime()
    ad = adapter or Adapter()
    model.eval()
    dev = next(model.parameters()).device
    batches = shard(in_order(len(source), batch_size), whole=True)
    idx, correct, conf, loss = [], [], [], []
    for b, (x, y) in zip(batches, source.batches(batches), strict=True):
        with autocast(rt):
            out = ad(model, to_device(x, dev)).float().cpu()
        correct.append(out.argmax(1) == y)
        out = torch.nan_to_num(out, nan=0.0, posinf=1e4, neginf=-1e4)  # diverged models
        conf.append(F.softmax(out, 1).gather(1, y[:, None]).squeeze(1))
        loss.append(F.cross_entropy(out, y, reduction="none"))
        idx.append(b)

    def cat(parts: list[torch.Tensor], dtype: torch.dtype) -> torch.Tensor:
        return torch.cat(parts) if parts else torch.zeros(0, dtype=dtype)

    order = gather(cat(idx, torch.int64)).argsort()
    return Predictions(
        correct=gather(cat(correct, torch.bool))[order],
        conf=gather(cat(conf, torch.float32))[order].numpy(),
        loss=gather(cat(loss, torch.float32))[order].numpy(),
    )


SPLITS = ("forget", "retain", "val", "test")


def sets_of(data: UnlearnData | StreamData) -> dict[str, Source]:
    """The forget, retain, val and test sources of ``data`` (those it has)."""
    d = stream_data(data)
    sets = {"forget": d.forget, "retain": d.retain, "val": d.val, "test": d.test}
    return {k: s for k, s in sets.items() if s is not None}


def predict_all(
    model: nn.Module, sets: Mapping[str, Source], **kwargs: Any
) -> dict[str, Predictions]:
    """:func:`predict` on every source of ``sets``, each streamed once."""
    return {k: predict(model, s, **kwargs) for k, s in sets.items()}


def scores(
    preds: Mapping[str, Predictions], *, mia: bool = True, seed: int = 0
) -> dict[str, float]:
    """Accuracy on each split of :data:`SPLITS` in ``preds`` and both MIA scores."""
    res = {f"{k}_acc": p.acc for k, p in preds.items() if k in SPLITS}
    if mia:
        p = preds
        res["mia_svc"] = svc_mia(p["retain"].conf, p["test"].conf, p["forget"].conf, seed=seed)
        res["mia_loss_auc"] = loss_auc(p["forget"].loss, p["test"].loss)
    return res


def evaluate(
    model: nn.Module,
    data: UnlearnData | StreamData,
    *,
    rt: Runtime | None = None,
    mia: bool = True,
    seed: int = 0,
    adapter: Adapter | None = None,
    batch_size: int | None = None,
) -> dict[str, float]:
    """Accuracies on the full forget, retain, val and test sets, and both MIA scores."""
    preds = predict_all(model, sets_of(data), rt=rt, adapter=adapter, batch_size=batch_size)
    return scores(preds, mia=mia, seed=seed)


def tow(u: Mapping[str, float], o: Mapping[str, float], keys: Sequence[str]) -> float:
    """Π over ``keys`` of (1 − |u[k] − o[k]|)."""
    return math.prod(1 - abs(u[k] - o[k]) for k in keys)


def versus_oracle(u: Mapping[str, float], o: Mapping[str, float]) -> dict[str, float]:
    """ToW, ToW on validation, and ToW-MIA of unlearned metrics ``u`` against oracle ``o``."""
    res = {
        "tow": tow(u, o, ("forget_acc", "retain_acc", "test_acc")),
        "tow_val": tow(u, o, ("forget_acc", "retain_acc", "val_acc")),
    }
    if "mia_svc" in u and "mia_svc" in o:
        res["tow_mia"] = tow(u, o, ("mia_svc", "retain_acc", "test_acc"))
    return res


def fraction_changed(before: Mapping[str, torch.Tensor], model: nn.Module) -> float:
    """Fraction of parameter entries (not buffers) of ``model`` that differ from ``before``."""
    changed = total = 0
    for n, p in model.named_parameters():
        b = before[n].to(p.device)
        changed += int((p.detach() != b).sum())
        total += p.numel()
    return changed / max(1, total)


def mean_ci(values: Sequence[float]) -> tuple[float, float]:
    """Mean and half-width of the 95% Student-t interval (0 for a single value)."""
    v = np.asarray(values, dtype=float)
    if len(v) == 0:
        return math.nan, math.nan
    if len(v) == 1:
        return float(v[0]), 0.0
    from scipy.stats import t

    half = float(t.ppf(0.975, len(v) - 1) * v.std(ddof=1) / math.sqrt(len(v)))
    return float(v.mean()), half
