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

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from umr.unlearn._train import Runtime, logits
from umr.unlearn.data import UnlearnData

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


def evaluate(
    model: nn.Module,
    data: UnlearnData,
    *,
    rt: Runtime | None = None,
    mia: bool = True,
    seed: int = 0,
) -> dict[str, float]:
    """Accuracies on the full forget, retain, val and test sets, and both MIA scores."""
    sets = {
        "forget": (data.x_forget, data.y_forget),
        "retain": (data.x_retain, data.y_retain),
        "val": (data.x_val, data.y_val),
        "test": (data.x_test, data.y_test),
    }
    outs = {k: logits(model, x, rt) for k, (x, _) in sets.items()}
    res = {f"{k}_acc": accuracy(outs[k], y) for k, (_, y) in sets.items()}
    if mia:
        conf, loss = {}, {}
        for k, (_, y) in sets.items():
            out = torch.nan_to_num(outs[k], nan=0.0, posinf=1e4, neginf=-1e4)  # diverged models
            conf[k] = F.softmax(out, 1).gather(1, y[:, None]).squeeze(1).numpy()
            loss[k] = F.cross_entropy(out, y, reduction="none").numpy()
        res["mia_svc"] = svc_mia(conf["retain"], conf["test"], conf["forget"], seed=seed)
        res["mia_loss_auc"] = loss_auc(loss["forget"], loss["test"])
    return res


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
