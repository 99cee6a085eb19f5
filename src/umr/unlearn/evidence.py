"""Measure what an owner can know about an unlearning without retraining (the oracle-free
evidence of :mod:`umr.spec.unlearning`), and count the compute it took.

Held-out data **of the same kind** as the forget set is drawn from the test split:
- ``iid``: every test example;
- ``non_iid``: the test examples of the classes the forget set holds;
- ``mislabeled``: every test example with a wrong label drawn by the forget-set builder's
  rule (true label plus a seeded shift in 1..classes-1), so accuracy against those labels
  measures agreement with wrong labels on data the model never saw;
- any other kind (``memorized``): every test example, and the description says it is not of
  the forget set's kind.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from pydantic import ValidationError
from torch import nn

from umr.spec.limits import format_path
from umr.spec.unlearning import EVIDENCE_SPEC, Evidence
from umr.unlearn._train import Runtime
from umr.unlearn.data import DataError, wrong_labels
from umr.unlearn.evaluate import Predictions, loss_auc, predict_all, sets_of
from umr.unlearn.stream import Adapter, Source, StreamData


@dataclass(frozen=True, kw_only=True)
class Heldout:
    source: Source
    size: int
    description: str
    is_test: bool = False  # every test example with its true label: the test split itself


def heldout_like(
    kind: str,
    y_forget: torch.Tensor,
    y_test: torch.Tensor,
    *,
    num_classes: int,
    seed: int,
    make: Callable[[torch.Tensor, torch.Tensor], Source],
) -> Heldout:
    """Held-out data of the same kind as a forget set of ``kind`` (see the module docstring).

    ``make(index, labels)`` builds the source of test examples ``index`` with ``labels``.
    """
    every = torch.arange(len(y_test))
    if kind == "non_iid":
        classes = sorted(int(c) for c in torch.unique(y_forget))
        keep = every[torch.isin(y_test, torch.tensor(classes, dtype=y_test.dtype))]
        if not len(keep):
            raise DataError(
                f"forget set: no test example has a class it holds ({_classes(classes)}), so "
                "there is no held-out data of its kind to compare it with",
                hint="use a data split whose test part holds every class (a larger "
                "test_fraction), or a forget set of other classes",
            )
        return Heldout(
            source=make(keep, y_test[keep]),
            size=len(keep),
            description=f"test examples of {_classes(classes)}",
        )
    if kind == "mislabeled":
        wrong = wrong_labels(np.random.default_rng(seed), y_test.numpy(), num_classes)
        return Heldout(
            source=make(every, torch.from_numpy(wrong).to(y_test.dtype)),
            size=len(y_test),
            description="test examples with wrong labels drawn as the forget set's",
        )
    described = "test examples"
    if kind != "iid":  # no rule draws held-out data like this kind: say so
        described += f", not drawn like the {kind} forget set"
    return Heldout(
        source=make(every, y_test), size=len(y_test), description=described, is_test=True
    )


def _classes(classes: list[int]) -> str:
    """``classes [2, 5]``, or ``the 40 classes 0 to 63`` when the list would not read."""
    if len(classes) <= 10:
        return f"classes {classes}"
    return f"the {len(classes)} classes {classes[0]} to {classes[-1]}"


def measure(
    model: nn.Module,
    data: StreamData,
    heldout: Source | None = None,
    *,
    rt: Runtime | None = None,
    adapter: Adapter | None = None,
    mia: bool = True,
) -> dict[str, float]:
    """Forget, held-out, retain and test accuracy, and the forget-vs-held-out loss AUC,
    streaming every set through ``model``; ``heldout`` defaults to ``data.heldout``."""
    heldout = heldout if heldout is not None else data.heldout
    if heldout is None:
        from umr.unlearn.config import ConfigError

        raise ConfigError(
            "evidence.measure: no held-out data: pass heldout, or StreamData.of(..., heldout=...)",
            hint="held-out data of the forget set's kind: see evidence.heldout_like",
        )
    sets = {k: v for k, v in sets_of(data).items() if k != "val"}
    preds = predict_all(model, {**sets, "heldout": heldout}, rt=rt, adapter=adapter)
    return measured(preds, mia=mia)


def measured(preds: Mapping[str, Predictions], *, mia: bool = True) -> dict[str, float]:
    """:func:`measure`'s numbers from predictions on forget, heldout, retain and test."""
    res = {f"{k}_acc": preds[k].acc for k in ("forget", "heldout", "retain", "test")}
    if mia:
        res["auc"] = loss_auc(preds["forget"].loss, preds["heldout"].loss)
    return res


class ComputeMeter:
    """Counts the examples that pass forward with gradients on (so also backward) through the
    models it watches: the cost of an unlearning in the unit a retraining is counted in."""

    def __init__(self) -> None:
        self.examples = 0
        self._handles: list[Any] = []

    def _hook(self, module: nn.Module, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        if not torch.is_grad_enabled():
            return
        for v in (*args, *kwargs.values()):
            if isinstance(v, torch.Tensor) and v.dim() > 0:
                self.examples += int(v.shape[0])
                return

    def watch(self, model: nn.Module) -> nn.Module:
        self._handles.append(model.register_forward_pre_hook(self._hook, with_kwargs=True))
        return model

    def factory(self, factory: Callable[[int], nn.Module]) -> Callable[[int], nn.Module]:
        """``factory`` whose models are watched too (the retrain oracle builds its own)."""
        return lambda seed: self.watch(factory(seed))

    def close(self) -> None:
        for h in self._handles:
            h.remove()
        self._handles.clear()

    def __enter__(self) -> ComputeMeter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def compute(examples: int, retain_size: int, wall_s: float | None) -> dict[str, Any]:
    out: dict[str, Any] = {"examples": examples, "epochs": round(examples / max(1, retain_size), 4)}
    if wall_s is not None:
        out["wall_s"] = round(wall_s, 3)
    return out


def build(
    *,
    before: Mapping[str, float],
    after: Mapping[str, float],
    heldout: Heldout,
    forget_size: int,
    retain_size: int,
    parameters_changed: float,
    examples: int,
    wall_s: float,
    retrain_epochs: int | None,
    oracle: Mapping[str, Any] | None,
) -> dict[str, Any]:
    """The ``extensions.unlearning.evidence`` section, validated by the spec layer."""

    def change(key: str) -> dict[str, float]:
        return {"before": round(before[key], 6), "after": round(after[key], 6)}

    ev: dict[str, Any] = {
        "spec": EVIDENCE_SPEC,
        "forget_vs_heldout": {
            "heldout": heldout.description,
            "forget_size": forget_size,
            "heldout_size": heldout.size,
            "forget_acc": change("forget_acc"),
            "heldout_acc": change("heldout_acc"),
        },
        "retain_acc": change("retain_acc"),
        "test_acc": change("test_acc"),
        "parameters_changed": round(parameters_changed, 6),
        "compute": compute(examples, retain_size, wall_s),
        "oracle_run": oracle is not None,
    }
    if "auc" in before and "auc" in after:
        ev["membership"] = {"attack": "loss_auc", "auc": change("auc")}
    if retrain_epochs is not None:
        ev["retrain_budget"] = compute(retrain_epochs * retain_size, retain_size, None)
    if oracle is not None:
        o = {k: round(float(v), 6) for k, v in oracle.items() if k != "compute"}
        ev["oracle"] = {"compute": oracle["compute"], **o}
    try:
        return Evidence.from_dict(ev).to_dict()
    except ValidationError as exc:  # degenerate data (an empty set, a NaN): say which field
        first = exc.errors()[0]
        raise DataError(
            f"unlearning evidence {format_path(tuple(first['loc']))}: {first['msg']}",
            hint="check that the forget set and the held-out data are non-empty and that "
            "the model's outputs are finite",
        ) from None


__all__ = [
    "ComputeMeter",
    "Heldout",
    "build",
    "compute",
    "heldout_like",
    "measure",
    "measured",
]
