"""The oracle-free evidence of an unlearning: schema, validation on load, verdict.

Runs without torch: the spec layer validates evidence without importing umr.unlearn.
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from umr.errors import RecordError
from umr.spec import load_record_text

ROOT = Path(__file__).resolve().parents[2]

EVIDENCE: dict[str, Any] = {
    "spec": 1,
    "forget_vs_heldout": {
        "heldout": "test examples",
        "forget_size": 400,
        "heldout_size": 2000,
        "forget_acc": {"before": 0.99, "after": 0.91},
        "heldout_acc": {"before": 0.90, "after": 0.90},
    },
    "membership": {"attack": "loss_auc", "auc": {"before": 0.63, "after": 0.51}},
    "retain_acc": {"before": 0.99, "after": 0.97},
    "test_acc": {"before": 0.90, "after": 0.90},
    "parameters_changed": 0.3,
    "compute": {"examples": 36000, "epochs": 10.0, "wall_s": 12.5},
    "retrain_budget": {"examples": 108000, "epochs": 30.0},
    "oracle_run": False,
}


def record(evidence: Any) -> str:
    head = "umr: 1\nname: m\nversion: 2.0.0\nkind: model\n"
    return head + json.dumps({"extensions": {"unlearning": {"evidence": evidence}}})[1:-1]


def test_the_committed_schema_is_the_generated_one() -> None:
    from umr.spec.unlearning import json_schema

    committed = json.loads((ROOT / "schema" / "unlearning-evidence-1.json").read_text())
    assert committed == json_schema(), (
        "regenerate: python -c 'from umr.spec.unlearning import json_schema; "
        "from umr.spec.canonical import pretty_json; print(pretty_json(json_schema()))' "
        "> schema/unlearning-evidence-1.json"
    )


def test_the_schema_accepts_what_the_model_accepts() -> None:
    import jsonschema

    schema = json.loads((ROOT / "schema" / "unlearning-evidence-1.json").read_text())
    jsonschema.validate(EVIDENCE, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**EVIDENCE, "parameters_changed": 1.5}, schema)


def test_valid_evidence_loads_and_renders_a_verdict() -> None:
    from umr.spec.unlearning import evidence_of, verdict

    rec, _ = load_record_text(record(EVIDENCE))
    ev = evidence_of(rec.to_dict())
    assert ev is not None
    lines = verdict(ev)
    # 0.91 vs 0.90 with 400 and 2,000 examples: inside two standard errors
    assert lines[0].startswith("Forget-set accuracy 0.910 against 0.900")
    assert "they meet" in lines[0]
    assert "looks like held-out data" in lines[1]
    assert "retraining with the recipe: 108,000 (33%)" in lines[3]
    assert lines[-1].startswith("No oracle was run")


def test_a_gap_beyond_two_standard_errors_is_called_a_difference() -> None:
    from umr.spec.unlearning import Evidence, verdict

    ev = copy.deepcopy(EVIDENCE)
    ev["forget_vs_heldout"]["forget_acc"]["after"] = 0.97
    ev["membership"]["auc"]["after"] = 0.62
    lines = verdict(Evidence.from_dict(ev))
    assert "they still differ" in lines[0]
    assert "is still told apart from held-out data" in lines[1]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda e: e.update(oracle_run=True),
            "unlearning.evidence: oracle_run is true but oracle is absent",
        ),
        (
            lambda e: e.update(
                oracle={
                    "compute": {"examples": 1, "epochs": 1.0},
                    "forget_acc": 0.9,
                    "retain_acc": 1.0,
                    "test_acc": 0.9,
                    "tow": 0.95,
                }
            ),
            "oracle_run is false but oracle is present",
        ),
        (lambda e: e["compute"].update(examples=-1), "evidence.compute.examples: Input should be"),
        (lambda e: e["test_acc"].update(after=1.2), "evidence.test_acc.after"),
        (lambda e: e.update(tow=0.9), "evidence.tow: Extra inputs are not permitted"),
        (lambda e: e.pop("compute"), "evidence.compute: Field required"),
        (
            lambda e: e["forget_vs_heldout"].update(heldout="test examples\n- injected item"),
            "evidence.forget_vs_heldout.heldout: String should match pattern",
        ),
    ],
)
def test_bad_evidence_is_refused_with_its_path(change: Any, message: str) -> None:
    ev = copy.deepcopy(EVIDENCE)
    change(ev)
    with pytest.raises(RecordError) as err:
        load_record_text(record(ev), source="m.yaml")
    assert "extensions" in str(err.value) and message in str(err.value)


def test_older_free_form_sections_still_load() -> None:
    rec, _ = load_record_text(
        "umr: 1\nname: m\nversion: 2.0.0\nkind: model\n"
        "extensions: {unlearning: {method: 7, forget: {size: many}}}\n"
    )
    assert rec.extensions == {"unlearning": {"method": 7, "forget": {"size": "many"}}}


def test_validation_imports_neither_torch_nor_umr_unlearn() -> None:
    code = (
        "import sys, json\n"
        "from umr.spec import load_record_text\n"
        f"load_record_text({record(EVIDENCE)!r})\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] == 'torch' "
        "or m.startswith('umr.unlearn'))))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == []
