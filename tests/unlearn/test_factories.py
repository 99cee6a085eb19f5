"""A record names its model and data by registered name only; nothing is imported from it.

Third-party factories come from an installed package's entry points. The test package below
is written to a temporary folder with its own ``*.dist-info`` (``entry_points.txt``) and put on
``sys.path``: nothing is installed into the environment.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

PACKAGE = '''\
"""A user's own model and data, registered with umr through entry points."""
import weakref

import numpy as np
import torch
from torch import nn


class Net(nn.Module):
    def __init__(self, in_features, num_classes):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(in_features, 32), nn.ReLU())
        self.classifier = nn.Linear(32, num_classes)

    def forward(self, x):
        return self.classifier(self.body(x))


def net(in_features, num_classes, seed):
    return Net(in_features, num_classes)


class Scans(torch.utils.data.Dataset):
    """8x8 digit images built on access; counts how many are alive at once."""

    held = most = 0

    def __init__(self):
        from sklearn.datasets import load_digits

        d = load_digits()
        self.images = torch.tensor(d.images / 16, dtype=torch.float32)
        self.targets = torch.tensor(d.target)

    def __len__(self):
        return len(self.targets)

    def __getitem__(self, i):
        x = self.images[i].clone().unsqueeze(0)  # (1, 8, 8)
        Scans.held += 1
        Scans.most = max(Scans.most, Scans.held)
        weakref.finalize(x, Scans.release)
        return x, int(self.targets[i])

    @staticmethod
    def release():
        Scans.held -= 1


def scans(cfg):
    return Scans()


class ImageNet(nn.Module):
    def __init__(self, num_classes):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.Flatten()
        )
        self.head = nn.Linear(8 * 8 * 8, num_classes)

    def forward(self, x):
        return self.head(self.features(x))


def image_net(in_features, num_classes, seed):
    return ImageNet(num_classes)


def blobs(cfg):
    rng = np.random.default_rng(cfg.seed)
    centers = rng.normal(0, 2.0, size=(4, 12))
    y = rng.integers(0, 4, size=900)
    x = centers[y] + rng.normal(0, 1.6, size=(900, 12))
    return x.astype(np.float32), y
'''

ENTRY_POINTS = """\
[umr.unlearn.models]
{prefix}-net = {module}:net
{prefix}-cnn = {module}:image_net

[umr.unlearn.datasets]
{prefix}-blobs = {module}:blobs
{prefix}-scans = {module}:scans
"""


@pytest.fixture
def user_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A package declaring ``<prefix>-net`` and ``<prefix>-blobs``; yields the prefix."""
    prefix, module = "acme", "acme_probe_models"
    site = tmp_path / "site"
    (site / module).mkdir(parents=True)
    (site / module / "__init__.py").write_text(PACKAGE)
    info = site / f"{module}-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {module}\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(ENTRY_POINTS.format(prefix=prefix, module=module))
    monkeypatch.syspath_prepend(str(site))
    yield prefix
    sys.modules.pop(module, None)


class _ImportLog:
    """Records every import attempt (finders, importlib.import_module, entry-point loads)."""

    def __init__(self) -> None:
        self.names: list[str] = []

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> None:
        self.names.append(name)
        return None


@pytest.fixture
def import_log(monkeypatch: pytest.MonkeyPatch) -> Iterator[_ImportLog]:
    log = _ImportLog()
    real = importlib.import_module

    def import_module(name: str, package: str | None = None) -> Any:
        log.names.append(name)
        return real(name, package)

    def load(self: importlib.metadata.EntryPoint) -> Any:
        log.names.append(f"entry point {self.value}")
        raise AssertionError("no entry point may be loaded here")

    monkeypatch.setattr(importlib, "import_module", import_module)
    monkeypatch.setattr(importlib.metadata.EntryPoint, "load", load)
    monkeypatch.setattr(sys, "meta_path", [log, *sys.meta_path])
    yield log


@pytest.mark.parametrize(
    "name",
    [
        "os:system",
        "subprocess:run",
        "umr_never_imported.evil:boom",
        "../x",
        "Mlp",
        "mlp\n",
        "m" * 5000,
    ],
)
def test_a_module_path_is_refused_before_anything_is_imported(
    name: str, import_log: _ImportLog
) -> None:
    from umr.unlearn import models
    from umr.unlearn.config import DataConfig
    from umr.unlearn.data import load
    from umr.unlearn.factories import FactoryError

    before = set(sys.modules)
    import_log.names.clear()  # the imports above are umr's own
    with pytest.raises(FactoryError, match="registered name") as err:
        models.build(name, 8, 3, 0)
    assert "umr.unlearn.models" in str(err.value.hint) and "pyproject.toml" in str(err.value.hint)
    assert len(str(err.value)) < 400  # the record-name rule quotes a long value cut short
    with pytest.raises(FactoryError, match="registered name"):
        load(DataConfig(name=name))
    assert import_log.names == []
    assert set(sys.modules) == before


def test_a_record_naming_a_module_is_refused_before_import(
    remediate_dummy: Any, import_log: _ImportLog
) -> None:
    from umr.unlearn.factories import FactoryError

    text = (
        "umr: 1\nname: evil\nversion: 1.0.0\nkind: model\n"
        "extensions:\n  umr-unlearn:\n    model: 'os:system'\n    data: {name: digits}\n"
    )
    with remediate_dummy(text) as run:
        before = set(sys.modules)
        import_log.names.clear()
        with pytest.raises(
            FactoryError,
            match=r"evil@1.0.0 extensions.umr-unlearn.model: is a module path, not a registered"
            r" name: name 'os:",
        ):
            run("evil@1.0.0")
        assert import_log.names == [] and set(sys.modules) == before


def test_an_unknown_name_says_how_to_register_one(import_log: _ImportLog) -> None:
    from umr.unlearn import models
    from umr.unlearn.factories import FactoryError

    import_log.names.clear()
    with pytest.raises(FactoryError, match=r"'acme-resnet' is not registered \(known: .*mlp") as e:
        models.build("acme-resnet", 8, 3, 0)
    hint = str(e.value.hint)
    assert '[project.entry-points."umr.unlearn.models"] acme-resnet = "' in hint
    assert import_log.names == []  # looking a name up reads metadata only


def test_an_entry_point_registers_a_model_and_a_dataset(user_package: str) -> None:
    from umr.unlearn import models
    from umr.unlearn.config import DataConfig
    from umr.unlearn.data import load
    from umr.unlearn.factories import MODEL_GROUP, registered

    assert f"{user_package}-net" in registered(MODEL_GROUP, models.MODELS)
    from umr.unlearn.run import describe

    listed = describe()  # what `umr unlearn methods` prints
    assert f"{user_package}-net" in listed["models"] and "mlp" in listed["models"]
    assert listed["datasets"] == ["acme-blobs", "acme-scans", "digits", "mnist1d"]
    net = models.build(f"{user_package}-net", 12, 4, seed=3)
    again = models.build(f"{user_package}-net", 12, 4, seed=3)
    assert type(net).__name__ == "Net"
    for a, b in zip(net.parameters(), again.parameters(), strict=True):
        assert bool((a == b).all())  # umr seeds the factory's initialisation
    splits = load(DataConfig(name=f"{user_package}-blobs", seed=1))
    assert splits.num_classes == 4 and splits.x_train.shape[1] == 12
    assert len(splits.y_train) + len(splits.y_val) + len(splits.y_test) == 900


def test_a_broken_entry_point_names_the_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from umr.unlearn import models
    from umr.unlearn.factories import FactoryError

    info = tmp_path / "broken_pkg-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: broken_pkg\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[umr.unlearn.models]\nbroken = no_such_mod_x:f\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(FactoryError, match="'no_such_mod_x:f', which fails to load"):
        models.build("broken", 8, 3, 0)


RECORD = """\
umr: 1
name: acme-classifier
version: 1.0.0
kind: model
title: Acme classifier
summary: A user's own model on a user's own data, both from an installed package.
extensions:
  umr-unlearn:
    model: {prefix}-net
    data: {{name: {prefix}-blobs, seed: 0}}
    train: {{epochs: 8, lr: 0.05, batch_size: 64, seed: 0}}
"""


def _cli(tmp_path: Path, url: str) -> Callable[..., str]:
    """``umr`` on a registry in ``tmp_path``: its output, after checking it succeeded."""
    from umr.cli import app

    def umr(*args: str) -> str:
        result = CliRunner().invoke(app, ["--workspace", str(tmp_path), "--registry", url, *args])
        assert result.exit_code == 0, (args, result.output)
        return result.stdout

    return umr


def _train_and_publish(
    umr: Callable[..., str], model: Path, text: str, forget: Path, ckpt: Path
) -> None:
    """Train the record's model, then publish the record with the checkpoint as artifact."""
    out = umr("unlearn", "train", str(model), "--forget", str(forget), "--out", str(ckpt))
    sha = out.split("sha256 ")[1].split()[0]
    model.write_text(text + f"artifacts:\n  - {{uri: 'file://{ckpt}', sha256: {sha}}}\n")
    umr("publish", str(model))


@pytest.mark.parametrize("oracle", [False, True])
def test_remediation_of_a_users_own_model_publishes_evidence(
    tmp_path: Path, user_package: str, oracle: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`umr unlearn remediate` on entry-point factories publishes the oracle-free evidence,
    and the record page and model card show its verdict."""

    url = f"sqlite:///{tmp_path / 'registry.db'}"

    umr = _cli(tmp_path, url)

    text = RECORD.format(prefix=user_package)
    model, forget, ckpt = tmp_path / "m.yaml", tmp_path / "f.json", tmp_path / "m.safetensors"
    model.write_text(text)
    umr("unlearn", "forget-set", str(model), "--kind", "iid", "--out", str(forget))
    _train_and_publish(umr, model, text, forget, ckpt)
    evaluate = importlib.import_module("umr.unlearn.evaluate")  # the module, not its function
    predicted: list[int] = []  # the length of every set streamed through a model
    real_predict = evaluate.predict

    def predict(model: Any, source: Any, **kw: Any) -> Any:
        predicted.append(len(source))
        return real_predict(model, source, **kw)

    monkeypatch.setattr(evaluate, "predict", predict)
    out = umr(
        "unlearn", "remediate", "acme-classifier@1.0.0", "--checkpoint", str(ckpt),
        "--forget", str(forget), "--method", "finetune", "--epochs", "2",
        "--oracle" if oracle else "--no-oracle", "--out", str(tmp_path / "fix"), "--publish",
    )  # fmt: skip
    assert "published acme-classifier@2.0.0" in out and "evidence without an oracle" in out
    new = json.loads(umr("show", "acme-classifier@2.0.0", "--format", "json"))
    ev = new["extensions"]["unlearning"]["evidence"]
    fvh = ev["forget_vs_heldout"]
    assert fvh["forget_size"] == 65 and fvh["heldout"] == "test examples"  # 10% of 648; 180
    assert fvh["heldout_size"] == 180
    assert ev["membership"]["attack"] == "loss_auc"
    assert ev["retain_acc"]["before"] > 0.5 and 0 < ev["parameters_changed"] <= 1
    # finetune: 2 epochs over the 583 retain examples, counted by the forward hook
    assert ev["compute"]["examples"] == 2 * 583 and ev["compute"]["epochs"] == 2.0
    assert ev["retrain_budget"] == {"examples": 8 * 583, "epochs": 8.0}
    assert ev["oracle_run"] is oracle and ("oracle" in ev) is oracle
    # Metrics and evidence share one pass per set: forget, retain, val and test (for an IID
    # forget set the held-out data is the test split, not read again), before and after, and
    # the oracle's four sets when it runs: never a set twice.
    sets = [65, 583, 72, 180]  # val: 72
    assert sorted(predicted) == sorted(sets * 2 + (sets if oracle else []))
    assert ("tow" in new["extensions"]["unlearning"]["after"]) is oracle
    if oracle:
        assert ev["oracle"]["compute"]["examples"] == 8 * 583
    umr("render", "acme-classifier@2.0.0", "--format", "html", "-o", str(tmp_path / "r.html"))
    umr("render", "acme-classifier@2.0.0", "--format", "markdown", "-o", str(tmp_path / "r.md"))
    html, card = (tmp_path / "r.html").read_text(), (tmp_path / "r.md").read_text()
    for page in (html, card):
        assert "Forget-set accuracy" in page and "on held-out data of the same kind" in page
        assert f"{fvh['forget_acc']['after']:.3f}" in page
        assert ("Tug-of-War" in page) is oracle
        assert ("No oracle was run" in page) is not oracle
    assert "## Unlearning" in card


def test_remediation_streams_a_dataset_an_entry_point_returns(
    tmp_path: Path, user_package: str
) -> None:
    """A dataset factory may return a map-style Dataset: forget set, training, unlearning and
    evidence read it a batch at a time (the Dataset counts the items alive at once)."""

    url = f"sqlite:///{tmp_path / 'registry.db'}"

    umr = _cli(tmp_path, url)

    text = (
        RECORD.format(prefix=user_package)
        .replace(f"{user_package}-net", f"{user_package}-cnn")
        .replace(f"{user_package}-blobs", f"{user_package}-scans")
    )
    model, forget, ckpt = tmp_path / "m.yaml", tmp_path / "f.json", tmp_path / "m.safetensors"
    model.write_text(text)
    out = umr("unlearn", "forget-set", str(model), "--kind", "mislabeled",
              "--out", str(forget))  # fmt: skip
    assert "129 examples" in out  # 10% of the 1,294 training images (1,797 less test and val)
    _train_and_publish(umr, model, text, forget, ckpt)
    out = umr(
        "unlearn", "remediate", "acme-classifier@1.0.0", "--checkpoint", str(ckpt),
        "--forget", str(forget), "--method", "del", "--epochs", "2", "--no-oracle",
        "--out", str(tmp_path / "fix"), "--publish",
    )  # fmt: skip
    assert "published acme-classifier@2.0.0" in out
    ev = json.loads(umr("show", "acme-classifier@2.0.0", "--format", "json"))["extensions"][
        "unlearning"
    ]["evidence"]
    fvh = ev["forget_vs_heldout"]
    assert fvh["heldout"] == "test examples with wrong labels drawn as the forget set's"
    assert (fvh["forget_size"], fvh["heldout_size"]) == (129, 359)
    # The original learned some of the wrong labels; held-out images agree with them by chance.
    assert fvh["forget_acc"]["before"] > fvh["heldout_acc"]["before"]
    assert ev["compute"]["examples"] > 0 and ev["oracle_run"] is False
    scans = sys.modules["acme_probe_models"].Scans
    assert 0 < scans.most <= 256 < 1797  # never more than one batch of images alive
