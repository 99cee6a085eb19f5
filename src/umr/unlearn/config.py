"""Configuration dataclasses for unlearning runs and benchmarks.

Every knob has a commented default; every source of randomness takes an explicit seed.
Configs are frozen, keyword-only, and round-trip through ``from_dict``/``to_dict``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, replace
from typing import TYPE_CHECKING, Any, Self, TypeVar

from umr.errors import UmrError

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

_T = TypeVar("_T", bound="DataclassInstance")


class ConfigError(UmrError, ValueError):
    """An unlearning config names an unknown key or holds a bad value."""


def _build(cls: type[_T], data: dict[str, Any], where: str) -> _T:
    known = {f.name for f in fields(cls)}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ConfigError(
            f"{where}: unknown key {unknown[0]!r}",
            hint=f"known keys: {', '.join(sorted(known))}",
        )
    return cls(**data)


@dataclass(frozen=True, kw_only=True)
class DataConfig:
    name: str = "mnist1d"  # "mnist1d" (generated, never downloaded) or "digits" (sklearn)
    num_samples: int = 12_000  # mnist1d only: samples generated before splitting
    corr_noise_scale: float | None = None  # mnist1d only: correlated noise; None: generator's 0.25
    iid_noise_scale: float | None = None  # mnist1d only: per-point noise; None: generator's 2e-2
    test_fraction: float = 0.2  # of all samples
    val_fraction: float = 0.1  # of the training pool; held out from retain, never trained on
    seed: int = 0  # generation and split seed

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        return _build(cls, data, "data")


@dataclass(frozen=True, kw_only=True)
class ForgetConfig:
    kind: str = "iid"  # "iid" | "non_iid" | "mislabeled" | "memorized" (needs a pool)
    fraction: float = 0.1  # of the training set
    classes: tuple[int, ...] = (2, 5)  # non_iid only: classes the forget set is drawn from
    seed: int = 0

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        data = dict(data)
        if "classes" in data:
            data["classes"] = tuple(int(c) for c in data["classes"])
        return _build(cls, data, "forget")


@dataclass(frozen=True, kw_only=True)
class TrainConfig:
    """Training recipe for the original model and the retrain oracle."""

    epochs: int = 30
    lr: float = 0.05  # SGD, momentum 0.9, cosine schedule
    batch_size: int = 128
    weight_decay: float = 5e-4
    seed: int = 0

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        return _build(cls, data, "train")


CHANNEL_SCORES = ("ref", "top_h")


@dataclass(frozen=True, kw_only=True)
class LocalizeConfig:
    criticality: str = "weighted_grad"  # weighted_grad (DEL) | grad (SalUn) | weight | random
    granularity: str = "channel"  # "param" or "channel" (a channel's score covers its entries)
    fraction: float = 0.3  # global top-k: fraction of scalar parameters selected
    channel_score: str = "ref"  # channel granularity: "ref" (DEL's code) or "top_h" (see localize)
    top_h: float = 0.1  # channel_score "top_h": mean of the top h fraction of a row's fan-in
    seed: int = 0  # only used by "random"

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        return _build(cls, data, "localize")


@dataclass(frozen=True, kw_only=True)
class MethodConfig:
    """One unlearning method and its hyperparameters."""

    name: str = "del"  # a name in umr.unlearn.methods.METHODS
    # None below: the method's own default (umr.unlearn.methods.defaults_of); DEL's follow the
    # reference: epochs, lr and weight decay of the pretraining recipe, per-epoch cosine.
    epochs: int | None = None  # passes over the retain set (or the forget set for gradient_ascent)
    lr: float | None = None
    batch_size: int = 128
    momentum: float = 0.9
    weight_decay: float | None = None
    schedule: str | None = None  # "step": cosine per step to 0; "epoch": per epoch to 0.01·lr
    bn_policy: str = "train"  # "train": BatchNorm stats follow the data; "freeze": kept as is
    localize: LocalizeConfig | None = None  # None: the method's own default
    options: dict[str, float] = field(default_factory=dict)  # method-specific knobs
    seed: int = 0

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        data = dict(data)
        if data.get("localize") is not None:
            data["localize"] = LocalizeConfig.from_dict(data["localize"])
        return _build(cls, data, "method")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def with_(self, **changes: Any) -> MethodConfig:
        return replace(self, **changes)


@dataclass(frozen=True, kw_only=True)
class RunConfig:
    """Everything ``umr unlearn run`` needs: data, forget set, model, method, evaluation."""

    model: str = "cnn1d"  # a name in umr.unlearn.models.MODELS
    widths: tuple[int, ...] | None = (
        None  # channel widths (resnet18_1d: 4, cnn1d: 1); None: default
    )
    data: DataConfig = field(default_factory=DataConfig)
    forget: ForgetConfig = field(default_factory=ForgetConfig)
    train: TrainConfig = field(default_factory=TrainConfig)
    method: MethodConfig = field(default_factory=MethodConfig)
    checkpoint: str | None = None  # trained model (safetensors); None: train one
    oracle: bool = True  # also retrain from scratch to report ToW
    mia: bool = True  # run the membership-inference attacks
    device: str = "auto"  # "auto" | "cpu" | "cuda"
    out: str | None = None  # folder for the new checkpoint, mask and forget index

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        data = dict(data)
        subs = {
            "data": DataConfig,
            "forget": ForgetConfig,
            "train": TrainConfig,
            "method": MethodConfig,
        }
        for key, sub in subs.items():
            if key in data and isinstance(data[key], dict):
                data[key] = sub.from_dict(data[key])  # type: ignore[attr-defined]
        if data.get("widths") is not None:
            data["widths"] = tuple(int(w) for w in data["widths"])
        return _build(cls, data, "config")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
