"""Remediation: unlearn a forget set from a published model and publish the fixed version.

The model's record says how to rebuild the model and its data, under
``extensions.umr-unlearn``::

    extensions:
      umr-unlearn:
        model: cnn1d                         # a registered name (umr.unlearn.factories)
        data: {name: mnist1d, num_samples: 4000, seed: 0}
        train: {epochs: 12, lr: 0.05}        # the recipe (used by the retrain oracle)

:func:`remediate` loads the checkpoint the record describes (its sha256 must match one of the
record's artifacts), runs one unlearning method on the forget set, saves the new checkpoint
and, with ``publish=True``, publishes a new record version that inherits from the old one,
adds ``{ref: NAME@=OLD, relation: unlearned_from}`` and records what was removed, how, and
how well under ``extensions.unlearning``.

Which part of the version moves: an unlearned model has a new lineage edge and a new weights
digest, both **major** changes under the record versioning rule (docs/guide/records.md), so
the new version is the next major after the highest published version of that name.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from torch import nn

from umr.errors import UmrError
from umr.spec import Record, Version, canonical_json
from umr.spec.unlearning import SECTION
from umr.unlearn import data as _data
from umr.unlearn import evidence as _evidence
from umr.unlearn import models
from umr.unlearn._train import Runtime
from umr.unlearn.checkpoint import load_checkpoint, save_checkpoint, sha256_file
from umr.unlearn.config import DataConfig, MethodConfig, TrainConfig
from umr.unlearn.evaluate import evaluate, predict_all, scores, sets_of, versus_oracle
from umr.unlearn.factories import DATASET_GROUP, MODEL_GROUP, check_name
from umr.unlearn.run import train, train_model, unlearn
from umr.unlearn.stream import StreamData, resolve_device

EXTENSION = "umr-unlearn"  # how to rebuild the model and its data
RESULTS = SECTION  # what an unlearning did, on the new version ("unlearning")


class RemediationError(UmrError, ValueError):
    """A record or file does not support the remediation asked for."""


@dataclass(frozen=True, kw_only=True)
class ModelSpec:
    """What ``extensions.umr-unlearn`` of a record says."""

    model: str
    data: DataConfig
    train: TrainConfig
    widths: tuple[int, ...] | None = None

    @classmethod
    def from_record(cls, record: Record) -> ModelSpec:
        ext = (record.extensions or {}).get(EXTENSION)
        if not isinstance(ext, dict) or "model" not in ext:
            raise RemediationError(
                f"{record.id} has no extensions.{EXTENSION}.model, so umr cannot rebuild it",
                hint=f"add 'extensions: {{{EXTENSION}: "
                "{model: cnn1d, data: {name: mnist1d}}}' "
                "(model and data.name: registered names, see docs/guide/remediation.md) "
                "and publish a new version",
            )
        where = f"{record.id} extensions.{EXTENSION}"
        model = check_name(ext["model"], what=f"{where}.model", group=MODEL_GROUP)
        data = ext.get("data") or {}
        if not isinstance(data, dict):
            raise RemediationError(
                f"{where}.data: {data!r} is not a mapping", hint="write data: {name: NAME, ...}"
            )
        if "name" in data:
            check_name(data["name"], what=f"{where}.data.name", group=DATASET_GROUP)
        return cls(
            model=model,
            data=DataConfig.from_dict(dict(data)),
            train=TrainConfig.from_dict(dict(ext.get("train") or {})),
            widths=None if ext.get("widths") is None else tuple(int(w) for w in ext["widths"]),
        )

    def factory(self, splits: _data.Splits | _data.DatasetSplits) -> Any:
        if isinstance(splits, _data.DatasetSplits):
            features = splits.in_features
        else:
            features = int(splits.x_train[0].numel())

        def build(seed: int) -> nn.Module:
            return models.build(self.model, features, splits.num_classes, seed, widths=self.widths)

        return build


@dataclass(kw_only=True)
class Remediation:
    """What :func:`remediate` did."""

    record: dict[str, Any]  # the new record version (plain data)
    checkpoint: Path
    sha256: str
    metrics: dict[str, float]  # unlearned model
    original: dict[str, float]  # the model before unlearning
    oracle: dict[str, float] | None
    published: list[str] = field(default_factory=list)

    def text(self) -> str:
        res = self.record["extensions"][RESULTS]
        m, b = res["after"], res["before"]  # as recorded (rounded), so the verdict agrees
        lines = [
            f"unlearned {res['forget']['size']} examples with {res['method']} in "
            f"{res['wall_s']:.1f}s, {res['fraction_changed']:.1%} of parameters changed",
            f"forget acc {b['forget_acc']:.3f} -> {m['forget_acc']:.3f}, "
            f"test acc {b['test_acc']:.3f} -> {m['test_acc']:.3f}"
            + (f", ToW {m['tow']:.3f}" if "tow" in m else ""),
            f"wrote {self.checkpoint} (sha256 {self.sha256[:12]})",
        ]
        ev = self.record["extensions"][RESULTS].get("evidence")
        if ev is not None:
            from umr.spec.unlearning import Evidence, verdict

            lines += [
                "evidence without an oracle:",
                *("  " + v for v in verdict(Evidence.from_dict(ev))),
            ]
        if self.published:
            lines.append(f"published {', '.join(self.published)}")
        else:
            lines.append(f"new record {self.record['name']}@{self.record['version']} not published")
        return "\n".join(lines)


def train_original(
    record: Record, forget_path: str | Path, out: str | Path, *, device: str = "auto"
) -> str:
    """Train the model ``record`` describes on its full training set, forget slice included
    (with the flipped labels of a mislabeled forget set); save it; return its sha256."""
    spec = ModelSpec.from_record(record)
    splits = _data.load_any(spec.data)
    fs = _data.load_forget_set(forget_path)
    model = spec.factory(splits)(spec.train.seed)
    rt = Runtime(device=resolve_device(device))
    if isinstance(splits, _data.DatasetSplits):
        train(model, _data.split_stream(splits, fs).train, spec.train, rt=rt)
    else:
        data = _data.split(splits, fs)
        train_model(model, data.x_train, data.y_train, spec.train, rt)
    state = {k: v.detach().cpu() for k, v in model.state_dict().items()}
    return save_checkpoint(state, out, metadata={"record": record.id, "forget_sha256": fs.sha256})


def write_forget_set(
    record: Record,
    out: str | Path,
    *,
    kind: str = "mislabeled",
    fraction: float = 0.1,
    classes: tuple[int, ...] = (2, 5),
    seed: int = 0,
) -> tuple[str, int]:
    """Choose a forget set from the training data ``record`` describes; save it.

    Returns the file's sha256 and the number of examples.
    """
    from umr.unlearn.config import ForgetConfig

    spec = ModelSpec.from_record(record)
    splits = _data.load_any(spec.data)
    cfg = ForgetConfig(kind=kind, fraction=fraction, classes=classes, seed=seed)
    fs = _data.make_forget_set(splits.y_train, cfg, splits.num_classes)
    return _data.save_forget_set(fs, out), len(fs.indices)


def _check_digest(record: Record, checkpoint: Path) -> str:
    sha = sha256_file(checkpoint)
    known = [a.sha256 for a in record.artifacts or () if a.sha256]
    if known and sha not in known:
        raise RemediationError(
            f"{checkpoint}: sha256 {sha[:16]}... matches none of {record.id}'s artifacts "
            f"({', '.join(k[:16] + '...' for k in known)})",
            hint="pass the checkpoint the record describes, or the record that describes it",
        )
    return sha


def next_major(versions: list[Version], old: Version) -> Version:
    """The next major after the highest version of the name (the unlearning rule)."""
    return max([old, *versions]).bump("major")


def unlearned_record(
    old: Record,
    *,
    version: Version,
    method: MethodConfig,
    forget: _data.ForgetSet,
    sha256: str,
    size: int,
    artifact_uri: str,
    source_sha256: str,
    original: dict[str, float],
    metrics: dict[str, float],
    oracle: dict[str, float] | None,
    dataset: str,
    hyperparameters: dict[str, Any] | None = None,
    method_info: dict[str, Any] | None = None,
    evidence: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The new record version: inherits the old one, adds the edge, the results, the artifact.

    ``hyperparameters`` are the ones the run used (defaults filled in; else ``method``'s own);
    ``method_info`` is what the method reported (DEL: its reset seed and reset fraction).
    """
    n = len(forget.indices)
    if hyperparameters is None:
        hyperparameters = {k: v for k, v in method.to_dict().items() if k != "name"}
    results: dict[str, Any] = {
        "method": method.name,
        "hyperparameters": hyperparameters,
        "forget": {"sha256": forget.sha256, "size": n, "kind": forget.kind},
        "source_checkpoint_sha256": source_sha256,
        "fraction_changed": round(metrics["fraction_changed"], 6),
        "wall_s": round(metrics["wall_s"], 3),
        "before": {k: round(v, 6) for k, v in original.items()},
        "after": {
            k: round(v, 6) for k, v in metrics.items() if k not in ("wall_s", "fraction_changed")
        },
    }
    if method_info:
        results["method_info"] = method_info
    if oracle is not None:
        results["oracle"] = {k: round(v, 6) for k, v in oracle.items()}
    if evidence is not None:
        results["evidence"] = evidence
    record: dict[str, Any] = {
        "umr": 1,
        "name": old.name,
        "version": str(version),
        "kind": old.kind,
        "inherits": f"{old.name}@={old.version}",
        "summary": (
            f"{old.title or old.name} with {n} training examples removed by "
            f"{method.name} unlearning (forget set sha256 {forget.sha256[:12]})."
        ),
        "upstream": [
            {
                "ref": f"{old.name}@={old.version}",
                "relation": "unlearned_from",
                "note": f"{method.name} on a {forget.kind} forget set of {n} examples",
            }
        ],
        "artifacts": [
            {"uri": artifact_uri, "sha256": sha256, "size": size, "format": "safetensors"}
        ],
        "evaluations": [
            {
                "benchmark": dataset,
                "metric": f"{split}_accuracy",
                "value": round(metrics[f"{split}_acc"], 6),
                "split": split,
            }
            for split in ("test", "retain", "forget")
        ],
        "extensions": {RESULTS: results},
    }
    Record.from_dict(record)  # fail here, not at publish, if anything is off
    canonical_json(record)
    return record


def remediate(
    registry: Any,
    ref: str,
    *,
    checkpoint: str | Path,
    forget: str | Path,
    method: MethodConfig,
    out: str | Path,
    oracle: bool = True,
    publish: bool = False,
    artifact_uri: str | None = None,
    device: str = "auto",
    progress: bool = False,
) -> Remediation:
    """Unlearn ``forget`` from the model published as ``ref``; see the module docstring."""
    old = registry.get_ref(ref)
    resolved = registry.resolve(f"{old.name}@={old.version}").record
    spec = ModelSpec.from_record(resolved)
    ckpt = Path(checkpoint)
    source_sha = _check_digest(resolved, ckpt)
    rt = Runtime(device=resolve_device(device), progress=progress)
    splits = _data.load_any(spec.data)
    fs = _data.load_forget_set(forget)
    data = _stream_split(splits, fs)
    factory = spec.factory(splits)
    model = factory(spec.train.seed)
    model.load_state_dict(load_checkpoint(ckpt))
    heldout = _evidence.heldout_like(
        fs.kind,
        _forget_labels(splits, fs),
        splits.y_test,
        num_classes=data.num_classes,
        seed=fs.seed + 1,
        make=_test_source(splits),
    )
    original, measured_before = _assess(model, data, heldout, rt, method.seed)
    with _evidence.ComputeMeter() as meter:
        meter.watch(model)
        new, info = unlearn(
            model, data, method, factory=meter.factory(factory), train=spec.train, rt=rt
        )
    after, measured_after = _assess(new, data, heldout, rt, method.seed)
    metrics = {**after, "wall_s": info["wall_s"], "fraction_changed": info["fraction_changed"]}
    oracle_metrics = None
    oracle_evidence: dict[str, Any] | None = None
    if oracle and method.name != "retrain":
        t0 = time.perf_counter()
        with _evidence.ComputeMeter() as o_meter:
            o_model, _ = unlearn(
                o_meter.factory(factory)(spec.train.seed),
                data,
                MethodConfig(name="retrain"),
                factory=o_meter.factory(factory),
                train=spec.train,
                rt=rt,
            )
        oracle_metrics = {
            **evaluate(o_model, data, rt=rt, seed=method.seed),
            "wall_s": time.perf_counter() - t0,
        }
        metrics.update(versus_oracle(metrics, oracle_metrics))
        oracle_evidence = {
            "compute": _evidence.compute(
                o_meter.examples, len(data.retain), oracle_metrics["wall_s"]
            ),
            **{k: oracle_metrics[k] for k in ("forget_acc", "retain_acc", "test_acc")},
            **{k: metrics[k] for k in ("tow", "tow_mia") if k in metrics},
        }
    evidence = _evidence.build(
        before=measured_before,
        after=measured_after,
        heldout=heldout,
        forget_size=len(data.forget),
        retain_size=len(data.retain),
        parameters_changed=info["fraction_changed"],
        examples=meter.examples,
        wall_s=info["wall_s"],
        retrain_epochs=spec.train.epochs,
        oracle=oracle_evidence,
    )
    out_dir = Path(out)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "model.safetensors"
    state = {k: v.detach().cpu() for k, v in new.state_dict().items()}
    sha = save_checkpoint(
        state, path, metadata={"unlearned_from": old.id, "forget_sha256": fs.sha256}
    )
    version = next_major(registry.versions(old.name, include_yanked=True), old.version)
    record = unlearned_record(
        old,
        version=version,
        method=method,
        forget=fs,
        sha256=sha,
        size=path.stat().st_size,
        artifact_uri=artifact_uri or path.resolve().as_uri(),
        source_sha256=source_sha,
        original=original,
        metrics=metrics,
        oracle=oracle_metrics,
        dataset=spec.data.name,
        hyperparameters=info["hyperparameters"],
        method_info=info["method_info"],
        evidence=evidence,
    )
    (out_dir / "record.yaml").write_text(_yaml(record), encoding="utf-8")
    result = Remediation(
        record=record,
        checkpoint=path,
        sha256=sha,
        metrics=metrics,
        original=original,
        oracle=oracle_metrics,
    )
    if publish:
        result.published = list(registry.publish([Record.from_dict(record)]).published)
    return result


def _assess(
    model: nn.Module, data: StreamData, heldout: _evidence.Heldout, rt: Runtime, seed: int
) -> tuple[dict[str, float], dict[str, float]]:
    """The metrics and the evidence measurements of ``model``, each set predicted once (held-out
    data that is the test split is not predicted again)."""
    sets = sets_of(data)
    if not heldout.is_test:
        sets["heldout"] = heldout.source
    preds = predict_all(model, sets, rt=rt)
    preds.setdefault("heldout", preds["test"])
    return scores(preds, seed=seed), _evidence.measured(preds)


def _stream_split(splits: _data.Splits | _data.DatasetSplits, fs: _data.ForgetSet) -> StreamData:
    """The forget / retain / val / test split as sources, from tensors or from a Dataset."""
    if isinstance(splits, _data.DatasetSplits):
        return _data.split_stream(splits, fs)  # type: ignore[no-any-return]
    return StreamData.from_tensors(_data.split(splits, fs))


def _forget_labels(splits: _data.Splits | _data.DatasetSplits, fs: _data.ForgetSet) -> torch.Tensor:
    """The labels the forget set was trained with (flipped ones for a mislabeled set); read
    from the split's labels, so no input is loaded."""
    if fs.labels is not None:
        return torch.from_numpy(fs.labels)
    return splits.y_train[torch.from_numpy(fs.indices)]


def _test_source(
    splits: _data.Splits | _data.DatasetSplits,
) -> Callable[[torch.Tensor, torch.Tensor], Any]:
    if isinstance(splits, _data.DatasetSplits):
        return lambda idx, y: splits.source(splits.test[idx.numpy()], y.numpy())
    from umr.unlearn.stream import TensorSource

    return lambda idx, y: TensorSource(splits.x_test[idx], y)


def _yaml(record: dict[str, Any]) -> str:
    from umr.spec import dump_yaml

    return dump_yaml(record)


__all__ = [
    "EXTENSION",
    "RESULTS",
    "ModelSpec",
    "Remediation",
    "RemediationError",
    "remediate",
    "train_original",
    "unlearned_record",
    "write_forget_set",
]
