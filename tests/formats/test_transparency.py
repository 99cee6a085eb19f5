"""Question sets and scorecards: only a record's own answers with evidence count."""

from __future__ import annotations

import pytest

from formats._lineage import FIXTURES
from umr.demo import records_dir
from umr.errors import NotFoundError, RecordError
from umr.spec import Record, Version, Workspace, parse_record
from umr.spec.transparency import (
    available_question_sets,
    load_question_set,
    score,
    scorecards,
)

MINI = FIXTURES / "mini-qs.yaml"


def _record(answers: dict) -> Record:
    return parse_record(
        {
            "umr": 1,
            "name": "m",
            "version": "1.0.0",
            "kind": "model",
            "transparency": {"mini-qs": answers},
        }
    )


def test_evidence_is_required_for_a_point_and_breakdown_adds_up() -> None:
    qs = load_question_set(MINI)
    card = score(
        _record(
            {
                "data-size": {"answer": True, "evidence": "https://e.org/a"},
                "data-sources": {"answer": True},  # no evidence: shown, not counted
                "model-size": {"answer": True, "evidence": "https://e.org/b"},
                "usage-policy": {"answer": False, "evidence": "https://e.org/c"},
                "not-a-question": {"answer": True, "evidence": "https://e.org/d"},
            }
        ),
        qs,
    )
    assert (card.score, card.total, card.unsupported) == (2, 5, 1)
    assert card.unknown == ("not-a-question",)
    d = card.to_dict()
    assert d["domains"] == {
        "upstream": {"points": 1, "answered": 1, "total": 3},
        "model": {"points": 1, "answered": 1, "total": 1},
        "downstream": {"points": 0, "answered": 1, "total": 1},
    }
    assert d["subdomains"]["upstream"] == {
        "Data": {"points": 1, "answered": 1, "total": 2},
        "Data labor": {"points": 0, "answered": 0, "total": 1},
    }
    statuses = {i["id"]: i["status"] for i in d["indicators"]}
    assert statuses == {
        "data-size": "yes",
        "data-sources": "unsupported",
        "wages": "unanswered",
        "model-size": "yes",
        "usage-policy": "no",
    }


def test_fmti_2023_is_bundled_and_scores_llama_2_at_54() -> None:
    assert "fmti-2023" in available_question_sets()
    llama2 = Workspace(records_dir()).get("llama-2", Version.parse("1.0.0"))
    (card,) = scorecards(llama2)
    assert (card.score, card.total) == (54, 100)
    assert sum(t.total for t in card.domains.values()) == 100
    assert sum(t.points for subs in card.subdomains.values() for t in subs.values()) == 54


def test_unknown_question_set_is_an_error_naming_the_bundled_ones() -> None:
    with pytest.raises(NotFoundError, match=r"no question set 'nope'; bundled: .*fmti-2023"):
        load_question_set("nope")


def test_bad_question_set_file_says_where(tmp_path) -> None:
    bad = tmp_path / "bad.yaml"
    ok = "{id: a, name: A, domain: d, subdomain: s}"
    bad.write_text(f"id: x\nindicators:\n  - {{id: b, name: B, domain: d}}\n  - {ok}\n  - {ok}\n")
    with pytest.raises(RecordError) as err:
        load_question_set(bad)
    assert "indicators[0]: missing or bad key 'subdomain'" in str(err.value)
    assert "indicators[2].id: duplicate indicator id 'a'" in str(err.value)
