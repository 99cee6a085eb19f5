"""Transparency question sets (versioned data files) and a record's scorecard against one.

A question set is a YAML file: ``id``, ``title``, ``version``, ``domains`` and ``indicators``
(``id``, ``name``, ``domain``, ``subdomain``, ``definition``). Bundled sets live in
``umr/spec/questionsets/<id>.yaml``. A record scores one point per indicator that it answers
``true`` itself, with evidence: answers without evidence are shown but never counted, and
answers are never inherited (they belong to whoever gave them).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from umr.errors import NotFoundError, Problem, RecordError
from umr.spec.record import Answer, Record

QUESTIONSETS_DIR = Path(__file__).parent / "questionsets"


@dataclass(frozen=True, kw_only=True)
class Indicator:
    id: str
    name: str
    domain: str
    subdomain: str
    definition: str = ""


@dataclass(frozen=True, kw_only=True)
class QuestionSet:
    id: str
    title: str
    version: str
    source: str | None
    domains: tuple[str, ...]
    indicators: tuple[Indicator, ...]

    @classmethod
    def from_dict(cls, data: Any, *, source: str = "<question set>") -> QuestionSet:
        if not isinstance(data, dict) or not isinstance(data.get("indicators"), list):
            raise RecordError(
                [
                    Problem(
                        source=source,
                        message="a question set is a mapping "
                        "with 'id', 'version' and a list of 'indicators'",
                    )
                ]
            )
        problems: list[Problem] = []
        indicators: list[Indicator] = []
        seen: set[str] = set()
        for i, item in enumerate(data["indicators"]):
            try:
                ind = Indicator(
                    **{k: str(item[k]) for k in ("id", "name", "domain", "subdomain")},
                    definition=str(item.get("definition", "")),
                )
            except (KeyError, TypeError) as exc:
                problems.append(
                    Problem(
                        source=source,
                        path=f"indicators[{i}]",
                        message=f"missing or bad key {exc}: each indicator has "
                        "id, name, domain and subdomain",
                    )
                )
                continue
            if ind.id in seen:
                problems.append(
                    Problem(
                        source=source,
                        path=f"indicators[{i}].id",
                        message=f"duplicate indicator id {ind.id!r}",
                    )
                )
            seen.add(ind.id)
            indicators.append(ind)
        if problems:
            raise RecordError(problems, hint="fix the question set file")
        domains = tuple(data.get("domains") or dict.fromkeys(i.domain for i in indicators))
        return cls(
            id=str(data["id"]),
            title=str(data.get("title", data["id"])),
            version=str(data.get("version", "")),
            source=data.get("source"),
            domains=domains,
            indicators=tuple(indicators),
        )

    @functools.cached_property
    def by_id(self) -> dict[str, Indicator]:
        return {i.id: i for i in self.indicators}


def available_question_sets() -> list[str]:
    """Ids of the bundled question sets."""
    return sorted(p.stem for p in QUESTIONSETS_DIR.glob("*.yaml"))


@functools.lru_cache(maxsize=32)
def load_question_set(id_or_path: str | Path) -> QuestionSet:
    """A bundled question set by id (``fmti-2023``), or one read from a YAML file path."""
    from umr.spec.load import read_text
    from umr.spec.yamlio import load_yaml

    path = Path(id_or_path)
    if not path.suffix:
        path = QUESTIONSETS_DIR / f"{id_or_path}.yaml"
        if not path.is_file():
            raise NotFoundError(
                f"no question set {str(id_or_path)!r}; bundled: "
                f"{', '.join(available_question_sets())}",
                hint="use one of the bundled ids as the key under 'transparency:'",
            )
    data, _ = load_yaml(read_text(path), source=str(path))
    return QuestionSet.from_dict(data, source=str(path))


@dataclass(kw_only=True)
class Tally:
    points: int = 0  # answered true, with evidence
    answered: int = 0  # answered (either way), with evidence
    total: int = 0  # indicators

    def to_dict(self) -> dict[str, int]:
        return {"points": self.points, "answered": self.answered, "total": self.total}


@dataclass(frozen=True, kw_only=True)
class Item:
    indicator: Indicator
    answer: Answer | None

    @property
    def counted(self) -> bool:
        return self.answer is not None and self.answer.evidence is not None

    @property
    def point(self) -> bool:
        return self.counted and bool(self.answer and self.answer.answer)

    @property
    def status(self) -> str:
        """``yes``, ``no``, ``unsupported`` (answer without evidence) or ``unanswered``."""
        if self.answer is None:
            return "unanswered"
        if not self.counted:
            return "unsupported"
        return "yes" if self.answer.answer else "no"


@dataclass(frozen=True, kw_only=True)
class Scorecard:
    """A record's score on one question set, with its domain and subdomain breakdown."""

    questionset: QuestionSet
    record: str  # name@version
    items: tuple[Item, ...]
    unknown: tuple[str, ...] = ()  # answer keys the set does not define
    domains: dict[str, Tally] = field(default_factory=dict)
    subdomains: dict[str, dict[str, Tally]] = field(default_factory=dict)

    @property
    def score(self) -> int:
        return sum(i.point for i in self.items)

    @property
    def total(self) -> int:
        return len(self.items)

    @property
    def unsupported(self) -> int:
        return sum(i.status == "unsupported" for i in self.items)

    def to_dict(self) -> dict[str, Any]:
        qs = self.questionset
        return {
            "questionset": {"id": qs.id, "version": qs.version, "title": qs.title},
            "record": self.record,
            "score": self.score,
            "total": self.total,
            "unsupported": self.unsupported,
            "domains": {d: t.to_dict() for d, t in self.domains.items()},
            "subdomains": {
                d: {s: t.to_dict() for s, t in subs.items()} for d, subs in self.subdomains.items()
            },
            "indicators": [
                {
                    "id": i.indicator.id,
                    "domain": i.indicator.domain,
                    "subdomain": i.indicator.subdomain,
                    "status": i.status,
                }
                for i in self.items
            ],
            "unknown": list(self.unknown),
        }


def score(record: Record, questionset: QuestionSet) -> Scorecard:
    """Score ``record``'s own answers for ``questionset`` (evidence required for a point)."""
    answers = (record.transparency or {}).get(questionset.id, {})
    items = tuple(Item(indicator=i, answer=answers.get(i.id)) for i in questionset.indicators)
    domains: dict[str, Tally] = {d: Tally() for d in questionset.domains}
    subdomains: dict[str, dict[str, Tally]] = {d: {} for d in questionset.domains}
    for item in items:
        ind = item.indicator
        for tally in (
            domains.setdefault(ind.domain, Tally()),
            subdomains.setdefault(ind.domain, {}).setdefault(ind.subdomain, Tally()),
        ):
            tally.total += 1
            tally.answered += item.counted
            tally.points += item.point
    unknown = tuple(sorted(set(answers) - set(questionset.by_id)))
    return Scorecard(
        questionset=questionset,
        record=record.id,
        items=items,
        unknown=unknown,
        domains=domains,
        subdomains=subdomains,
    )


def scorecards(record: Record) -> list[Scorecard]:
    """One scorecard per bundled question set the record answers (others are skipped)."""
    known = set(available_question_sets())
    return [score(record, load_question_set(k)) for k in (record.transparency or {}) if k in known]
