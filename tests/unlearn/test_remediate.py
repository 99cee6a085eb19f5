"""Remediation end to end through the CLI, with real training on CPU.

An advisory flags a dataset slice; `umr audit` fails for a model trained on it; the owner
unlearns the slice with DEL and publishes the result; the advisory names it as fixed; `audit`
passes for the new version and still fails for the old; the new record renders in every
format and its web page shows the unlearning results.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from support import need_module

DATASET = """\
umr: 1
name: mnist1d-labels
version: 1.0.0
kind: dataset
title: MNIST-1D with a mislabeled slice
summary: Generated MNIST-1D whose training labels are wrong on a 10% slice.
references: [{url: "https://github.com/greydanus/mnist1d"}]
"""

MODEL = """\
umr: 1
name: mnist1d-cnn
version: 1.0.0
kind: model
title: MNIST-1D CNN
summary: A small 1-D CNN trained on mnist1d-labels, mislabeled slice included.
publisher: Example Lab
license: {id: mit}
upstream:
  - {ref: mnist1d-labels@^1, relation: trained_on}
extensions:
  umr-unlearn:
    model: cnn1d
    data: {name: mnist1d, num_samples: 3000, seed: 0}
    train: {epochs: 40, lr: 0.05, seed: 0}
"""

ADVISORY = """\
id: UMR-2026-0001
summary: A 10% slice of mnist1d-labels carries wrong labels
details: The slice is listed in the forget-set file that accompanies this advisory.
severity: high
published: 2026-11-23
affected: [{name: mnist1d-labels, versions: "1.x"}]
references: [{url: "https://github.com/greydanus/mnist1d"}]
"""


def test_unlearning_publishes_a_fixed_version(tmp_path: Path) -> None:
    need_module("mnist1d", "unlearn")
    from umr.cli import app

    url = f"sqlite:///{tmp_path / 'registry.db'}"

    def umr(*args: str, code: int = 0) -> str:
        result = CliRunner().invoke(app, ["--workspace", str(tmp_path), "--registry", url, *args])
        assert result.exit_code == code, (args, result.output)
        return result.stdout

    (tmp_path / "data.yaml").write_text(DATASET)
    model = tmp_path / "model.yaml"
    model.write_text(MODEL)
    (tmp_path / "advisory.yaml").write_text(ADVISORY)
    forget, ckpt = tmp_path / "forget.json", tmp_path / "model.safetensors"

    out = umr(
        "unlearn",
        "forget-set",
        str(model),
        "--kind",
        "mislabeled",
        "--out",
        str(forget),
    )
    assert "216 examples" in out  # 10% of the 2,160 training examples (3,000 less test and val)
    out = umr("unlearn", "train", str(model), "--forget", str(forget), "--out", str(ckpt))
    sha = re.search(r"sha256 ([0-9a-f]{64})", out).group(1)  # type: ignore[union-attr]
    model.write_text(MODEL + f"artifacts:\n  - {{uri: 'file://{ckpt}', sha256: {sha}}}\n")
    umr("publish", str(tmp_path / "data.yaml"), str(model))
    umr("advisory", "add", str(tmp_path / "advisory.yaml"))
    assert "UMR-2026-0001 high" in umr("audit", "mnist1d-cnn", code=1)

    out = umr(
        "unlearn",
        "remediate",
        "mnist1d-cnn@1.0.0",
        "--checkpoint",
        str(ckpt),
        "--forget",
        str(forget),
        "--method",
        "del",
        "--epochs",
        "3",
        "--out",
        str(tmp_path / "fix"),
        "--publish",
        "--format",
        "json",
    )
    doc = json.loads(out)
    assert doc["published"] == ["mnist1d-cnn@2.0.0"]  # lineage and weights changed: major

    new = json.loads(umr("show", "mnist1d-cnn@2.0.0", "--format", "json"))
    assert new["inherits"] == "mnist1d-cnn@=1.0.0"
    assert new["upstream"][0]["ref"] == "mnist1d-cnn@=1.0.0"
    assert new["upstream"][0]["relation"] == "unlearned_from"
    results = new["extensions"]["unlearning"]
    assert results["method"] == "del"
    assert results["forget"]["size"] == 216
    assert (
        results["forget"]["sha256"] == __import__("hashlib").sha256(forget.read_bytes()).hexdigest()
    )
    assert results["source_checkpoint_sha256"] == sha
    assert 0 < results["fraction_changed"] < 1  # DEL changes a subset
    assert {"forget_acc", "retain_acc", "test_acc", "tow"} <= set(results["after"])
    assert "oracle" in results and "forget_acc" in results["oracle"]
    new_ckpt = tmp_path / "fix" / "model.safetensors"
    assert (
        new["artifacts"][0]["sha256"]
        == __import__("hashlib").sha256(new_ckpt.read_bytes()).hexdigest()
    )
    # The flipped labels were memorised before; after unlearning the model agrees with them less.
    assert results["after"]["forget_acc"] < results["before"]["forget_acc"]

    # Still flagged until the advisory names the fix; then cleared, with the reason.
    assert "UMR-2026-0001" in umr("audit", "mnist1d-cnn@2.0.0", code=1)
    umr("advisory", "fix", "UMR-2026-0001", "mnist1d-cnn@2.0.0")
    out = umr("audit", "mnist1d-cnn@2.0.0")
    assert "cleared: mnist1d-cnn@2.0.0 is named fixed by UMR-2026-0001" in out
    old = umr("audit", "mnist1d-cnn@1.0.0", code=1)
    assert "UMR-2026-0001 high" in old and "next: upgrade to mnist1d-cnn@2.0.0" in old

    # The new record renders in every format; its web page shows the results.
    from umr.formats import available

    for fmt in available():
        umr("render", "mnist1d-cnn@2.0.0", "--format", fmt, "-o", str(tmp_path / f"r.{fmt}"))
        assert (tmp_path / f"r.{fmt}").stat().st_size > 0
    html = (tmp_path / "r.html").read_text()
    assert 'id="unlearning"' in html and "Tug-of-War" in html

    need_module("fastapi", "server")
    from fastapi.testclient import TestClient

    from umr.web.app import create_app

    with TestClient(create_app(url)) as client:
        page = client.get("/records/mnist1d-cnn/2.0.0")
        assert page.status_code == 200
        assert 'id="unlearning"' in page.text
        assert "Unlearned" in page.text and "<svg" in page.text
        twin = client.get("/records/mnist1d-cnn/2.0.0.json").json()
        assert twin["record"]["extensions"]["unlearning"]["method"] == "del"


@pytest.mark.parametrize("missing", ["no extension", "wrong checkpoint"])
def test_remediation_refuses_what_it_cannot_do(remediate_dummy: Any, missing: str) -> None:
    need_module("mnist1d", "unlearn")
    from umr.errors import UmrError

    text = MODEL.replace("upstream:\n  - {ref: mnist1d-labels@^1, relation: trained_on}\n", "")
    if missing == "no extension":
        text = text[: text.index("extensions:")]
    else:
        text += "artifacts:\n  - {uri: 'file:///x', sha256: '" + "0" * 64 + "'}\n"
    expected = (
        "has no extensions.umr-unlearn.model" if missing == "no extension" else "matches none of"
    )
    with remediate_dummy(text) as run, pytest.raises(UmrError, match=expected):
        run("mnist1d-cnn@1.0.0")


def test_forget_set_reads_an_inherited_data_setup(tmp_path: Path) -> None:
    need_module("mnist1d", "unlearn")
    from umr.cli import app

    (tmp_path / "data.yaml").write_text(DATASET)
    (tmp_path / "model.yaml").write_text(MODEL)
    child = tmp_path / "child.yaml"  # inherits extensions.umr-unlearn from the model
    child.write_text(
        "umr: 1\nname: mnist1d-cnn-child\nversion: 1.0.0\nkind: model\ninherits: mnist1d-cnn@^1\n"
    )

    def forget(record: Path, out: Path) -> str:
        result = CliRunner().invoke(
            app,
            [
                "--workspace",
                str(tmp_path),
                "unlearn",
                "forget-set",
                str(record),
                "--out",
                str(out),
            ],
        )
        assert result.exit_code == 0, result.output
        return out.read_text()

    assert forget(child, tmp_path / "a.json") == forget(
        tmp_path / "model.yaml", tmp_path / "b.json"
    )


def test_forget_set_refuses_classes_that_are_not_numbers(tmp_path: Path) -> None:
    from umr.cli import app

    result = CliRunner().invoke(
        app,
        [
            "--workspace",
            str(tmp_path),
            "unlearn",
            "forget-set",
            "whatever.yaml",
            "--kind",
            "non_iid",
            "--class",
            "2",
            "--class",
            "five",
            "--out",
            str(tmp_path / "f.json"),
        ],
    )
    assert result.exit_code == 2, result.output
    assert "['2', 'five'] are not all class numbers" in result.output
    assert not (tmp_path / "f.json").exists()


def test_older_spellings_still_work_with_a_note(tmp_path: Path) -> None:
    need_module("torch", "unlearn")
    from umr.cli import app

    base = ["--workspace", str(tmp_path), "unlearn"]
    result = CliRunner().invoke(
        app,
        [*base, "forget-set", "--record", "x.yaml", "--classes", "2,five", "--out", "f.json"],
    )
    assert result.exit_code == 2
    assert "--class 2,five is deprecated and will go; use --class 2 --class five" in result.stderr
    assert "['2', 'five'] are not all class numbers" in result.output
    result = CliRunner().invoke(app, [*base, "forget-set", "--record", "x.yaml", "--out", "f"])
    assert result.exit_code == 2  # no such record, said after the note
    assert "--record REF is deprecated and will go; use REF as the first argument" in result.stderr
    assert "x.yaml" in result.stderr and not (tmp_path / "f").exists()
    result = CliRunner().invoke(app, [*base, "run", "--record", "m@1.0.0"])
    assert result.exit_code == 2
    assert "'umr unlearn run --record REF' is deprecated" in result.stderr
    assert "'umr unlearn remediate REF'" in result.stderr
    assert "--record needs --checkpoint FILE and --forget FILE" in result.stderr
