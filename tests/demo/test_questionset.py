"""The FMTI 2023 question set and the demo's transparency answers."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import yaml

import umr.spec
from umr.demo import records_dir
from umr.spec import Version, Workspace

QS = Path(umr.spec.__file__).parent / "questionsets" / "fmti-2023.yaml"


def load() -> dict:
    return yaml.safe_load(QS.read_text())


def test_header_and_100_indicators() -> None:
    qs = load()
    assert (qs["id"], qs["version"]) == ("fmti-2023", "1.0.0")
    assert qs["source"].startswith("https://")
    ids = [i["id"] for i in qs["indicators"]]
    assert len(ids) == len(set(ids)) == 100
    assert Counter(i["domain"] for i in qs["indicators"]) == {
        "upstream": 32,
        "model": 33,
        "downstream": 35,
    }
    for ind in qs["indicators"]:
        assert ind["name"] and ind["subdomain"] and ind["definition"].endswith(("?", "?."))


def test_published_scores_match_the_index_totals() -> None:
    """Meta (Llama 2) 54, Hugging Face (BLOOMZ) 53, Stability AI (Stable Diffusion 2) 47."""
    ws = Workspace(records_dir())
    ids = {i["id"] for i in load()["indicators"]}
    for name, total in [("llama-2", 54), ("bloomz", 53), ("stable-diffusion-2", 47)]:
        answers = (ws.get(name, Version.parse("1.0.0")).transparency or {})["fmti-2023"]
        assert set(answers) == ids
        assert all(a.evidence for a in answers.values())
        assert sum(a.answer for a in answers.values()) == total, name
