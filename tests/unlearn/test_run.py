from __future__ import annotations

import json

import pytest

from umr.errors import NotFoundError, RecordError
from umr.unlearn import DataConfig, ForgetConfig, MethodConfig, RunConfig, TrainConfig, run
from umr.unlearn.checkpoint import load_checkpoint, save_checkpoint
from umr.unlearn.data import load_forget_set
from umr.unlearn.run import load_config


def _cfg(tmp_path, **kw):
    return RunConfig(
        model="mlp",
        data=DataConfig(name="digits"),
        forget=ForgetConfig(kind="non_iid", classes=(2, 5), fraction=0.05),
        train=TrainConfig(epochs=2),
        method=MethodConfig(name="del", epochs=1),
        device="cpu",
        out=str(tmp_path / "out"),
        **kw,
    )


def test_run_returns_state_and_metrics_and_writes_files(tmp_path) -> None:
    res = run(_cfg(tmp_path))
    for key in (
        "forget_acc",
        "retain_acc",
        "test_acc",
        "mia_svc",
        "tow",
        "tow_mia",
        "wall_s",
        "fraction_changed",
    ):
        assert key in res.metrics
    assert res.oracle is not None and 0 < res.metrics["fraction_changed"] < 1
    doc = json.loads((tmp_path / "out" / "metrics.json").read_text())
    assert doc["forget_sha256"] == res.forget.sha256 == load_forget_set(res.files["forget"]).sha256
    state = load_checkpoint(res.files["model"], sha256=doc["model_sha256"])
    assert state.keys() == res.state_dict.keys()
    assert (tmp_path / "out" / "mask.safetensors").exists()


def test_run_from_a_checkpoint_without_oracle(tmp_path) -> None:
    first = run(_cfg(tmp_path, oracle=False, mia=False))
    ckpt = tmp_path / "orig.safetensors"
    save_checkpoint(first.state_dict, ckpt)
    res = run(_cfg(tmp_path, checkpoint=str(ckpt), oracle=False, mia=False))
    assert "tow" not in res.metrics and res.oracle is None


def test_load_config_reads_yaml(tmp_path) -> None:
    p = tmp_path / "c.yaml"
    p.write_text("model: mlp\ndata: {name: digits}\nmethod: {name: ssd, options: {alpha: 5}}\n")
    cfg = load_config(p)
    assert cfg.method.options == {"alpha": 5}
    with pytest.raises(NotFoundError, match="no such config file"):
        load_config(tmp_path / "none.yaml")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("model: " + "[" * 25_000, "nested deeper than 64 levels"),
        ("model: mlp\nmodel: cnn\n", "duplicate"),
        ("model: !!python/object:os.system x\n", "tag"),
    ],
)
def test_a_hostile_config_is_refused_with_its_location(tmp_path, text, message) -> None:
    p = tmp_path / "hostile.yaml"
    p.write_text(text)
    with pytest.raises(RecordError, match=message) as caught:
        load_config(p)
    assert str(p) in str(caught.value)
