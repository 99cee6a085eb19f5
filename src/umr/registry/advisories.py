"""Advisories: OSV-like statements that some versions of some records carry a risk.

An advisory file is YAML with ``id``, ``summary``, ``details``, ``severity``, ``published``,
``affected: [{name, versions: RANGE}]``, ``fixed: [{name, version}]`` and ``references``. It is
loaded with the bounded YAML loader, so every error carries ``file:line``.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated, Any, Literal, overload

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    ValidationError,
)
from sqlalchemy import Connection, select

from umr.errors import NotFoundError, Problem, RecordError
from umr.registry import tables as t
from umr.registry._sql import chunked
from umr.spec import Range, Version, canonical_json, digest
from umr.spec.limits import check_tree, field_path
from umr.spec.load import read_text
from umr.spec.record import SEVERITIES, Name, Severity, Text, Url, VersionField, require_text
from umr.spec.yamlio import Marks, format_path, load_yaml

RangeField = Annotated[
    Range,
    PlainValidator(
        lambda v: v if isinstance(v, Range) else Range.parse(require_text(v, "a range"))
    ),
    PlainSerializer(str, return_type=str),
]
ADVISORY_FIELDS = (
    "id",
    "summary",
    "details",
    "severity",
    "published",
    "affected",
    "fixed",
    "references",
    "aliases",
)
# Set by the registry, never by an author: when the advisory last changed after its first
# revision, and whether (when, why) it was withdrawn (see umr.registry.revisions).
REGISTRY_FIELDS = ("modified", "withdrawn", "withdrawn_reason")
RANK = {s: i for i, s in enumerate(SEVERITIES)}


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Affected(_Model):
    name: Name
    versions: RangeField

    def matches(self, name: str, version: Version) -> bool:
        return name == self.name and version in self.versions


class Fixed(_Model):
    name: Name
    version: VersionField
    # kept when the fix was forced although its lineage still reaches the affected data
    reason: Text | None = None


REFERENCE_TYPES = (
    "ADVISORY",
    "ARTICLE",
    "DETECTION",
    "DISCUSSION",
    "REPORT",
    "FIX",
    "INTRODUCED",
    "GIT",
    "PACKAGE",
    "EVIDENCE",
    "WEB",
)


class AdvisoryReference(_Model):
    """A link: ``{url, title}``, OSV's ``{type, url}``, or a plain URL string."""

    url: Url
    title: Text | None = None
    type: Literal[REFERENCE_TYPES] | None = None  # type: ignore[valid-type]

    def to_dict(self) -> dict[str, Any]:
        """``{url, title}``, and ``type`` when one is set (so digests of advisories written
        before references had a type do not change)."""
        out = self.model_dump(mode="json")
        if out["type"] is None:
            del out["type"]
        return out


def _references(value: Any) -> Any:
    """A plain URL in ``references`` is a reference with no title (OSV writes them as
    ``{type, url}``, which the model takes as it is)."""
    if isinstance(value, list | tuple):
        return [{"url": v} if isinstance(v, str) else v for v in value]
    return value


class Advisory(_Model):
    """One advisory; ``fixed`` names versions that carry the fix (audit stops there)."""

    id: Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9._:-]{0,99}$")]
    summary: Text
    details: Text | None = None
    severity: Severity
    published: dt.date | None = None
    affected: Annotated[tuple[Affected, ...], Field(min_length=1)]
    fixed: tuple[Fixed, ...] = ()
    references: Annotated[tuple[AdvisoryReference, ...], BeforeValidator(_references)] = ()
    aliases: tuple[Annotated[str, Field(min_length=1, max_length=200)], ...] = ()
    modified: str | None = None  # UTC ISO 8601, set by the registry
    withdrawn: str | None = None  # UTC ISO 8601, set by the registry
    withdrawn_reason: str | None = None

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Advisory:
        return cls.model_validate(data)

    def to_dict(self) -> dict[str, Any]:
        return (
            {
                "id": self.id,
                "summary": self.summary,
                "details": self.details,
                "severity": self.severity,
                "published": self.published.isoformat() if self.published else None,
                "affected": [{"name": a.name, "versions": str(a.versions)} for a in self.affected],
                "fixed": [_fixed_dict(f) for f in self.fixed],
                "references": [r.to_dict() for r in self.references],
            }
            | ({"aliases": list(self.aliases)} if self.aliases else {})
            | {k: getattr(self, k) for k in REGISTRY_FIELDS if getattr(self, k) is not None}
        )

    def content(self) -> Advisory:
        """The advisory as its author wrote it, without the registry's fields."""
        return self.model_copy(update=dict.fromkeys(REGISTRY_FIELDS))

    def names(self) -> set[str]:
        """The affected names."""
        return {a.name for a in self.affected}

    def affects(self, name: str, version: Version) -> bool:
        return any(a.matches(name, version) for a in self.affected)

    def fixed_ids(self) -> set[str]:
        return {f"{f.name}@{f.version}" for f in self.fixed}

    def text(self) -> str:
        lines = [f"{self.id} [{self.severity}] {self.summary}"]
        if self.withdrawn:
            lines.append(f"WITHDRAWN {self.withdrawn}: {self.withdrawn_reason}")
        if self.published:
            lines.append(f"published: {self.published.isoformat()}")
        if self.modified:
            lines.append(f"modified: {self.modified} (see 'umr advisory history {self.id}')")
        lines += [f"affected: {a.name}@{a.versions}" for a in self.affected]
        lines += [
            f"fixed: {f.name}@{f.version}" + (f" (forced: {f.reason})" if f.reason else "")
            for f in self.fixed
        ]
        if self.details:
            lines += ["", self.details.rstrip()]
        lines += [f"see: {r.url}" + (f" ({r.title})" if r.title else "") for r in self.references]
        return "\n".join(lines)


def _fixed_dict(f: Fixed) -> dict[str, str]:
    out = {"name": f.name, "version": str(f.version)}
    if f.reason:
        out["reason"] = f.reason
    return out


def parse_advisory(
    data: Any, *, marks: Marks | None = None, source: str = "<advisory>"
) -> Advisory:
    """Validate plain data as an advisory; RecordError with every problem located."""
    if not isinstance(data, dict):
        raise RecordError(
            [Problem(source=source, line=1, message="an advisory is a mapping with 'id:'")]
        )
    if marks is None:  # a YAML file was held to the input limits as it was read
        check_tree(data, source=source)
    kept = [k for k in REGISTRY_FIELDS if k in data]
    if kept:
        msg = f"field {kept[0]!r} is set by the registry; leave it out"
        raise RecordError(
            [
                marks.locate((kept[0],), msg)
                if marks
                else Problem(source=source, path=kept[0], message=msg)
            ],
            hint="withdraw with 'umr advisory withdraw ID --reason TEXT'; see changes with "
            "'umr advisory history ID'",
        )
    try:
        return Advisory.from_dict(data)
    except ValidationError as exc:
        problems = []
        errors = exc.errors(include_url=False)
        for err in errors:
            if err["type"] == "too_short" and any(
                e is not err and e["loc"][: len(err["loc"])] == err["loc"] for e in errors
            ):
                continue  # a list whose items all failed: the items' errors say it
            loc = field_path(tuple(err["loc"]), data)
            if err["type"] == "extra_forbidden":
                msg = (
                    f"unknown field {loc[-1]!r}; advisory fields are: {', '.join(ADVISORY_FIELDS)}"
                )
            elif err["type"] == "missing":
                msg = f"required field {loc[-1]!r} is missing"
            else:
                msg = err["msg"].removeprefix("Value error, ")
                if "input" in err and not isinstance(err["input"], dict | list):
                    msg += f" (got {err['input']!r})" if repr(err["input"]) not in msg else ""
            problems.append(
                marks.locate(loc, msg)
                if marks
                else Problem(source=source, path=format_path(loc), message=msg)
            )
        raise RecordError(
            problems, hint=f"fix the advisory; severities are {', '.join(SEVERITIES)}"
        ) from None


def load_advisory(path: str | Path) -> Advisory:
    """Load and validate one advisory YAML file."""
    p = Path(path)
    data, marks = load_yaml(read_text(p), source=str(p))
    return parse_advisory(data, marks=marks, source=str(p))


def lock(conn: Connection, advisory_id: str) -> None:
    """Hold the advisory's row until the transaction ends, so that changes to one advisory
    run one after another: each reads the state the previous one committed (PostgreSQL runs
    writes in READ COMMITTED; a SQLite write transaction holds the whole file already). An id
    not stored yet has no row: two creations race on the primary key, and the loser's retry
    finds the row (:data:`umr.registry.db.RACE_CONSTRAINTS`)."""
    if conn.dialect.name == "postgresql":
        conn.execute(
            select(t.advisories.c.id).where(t.advisories.c.id == advisory_id).with_for_update()
        ).all()


def store(conn: Connection, advisory: Advisory, added_at: str) -> None:
    """Write ``advisory`` (its authored content) as the current state of its id, replacing
    the previous one; the caller locks it first (:func:`lock`) and keeps the revision
    (:mod:`umr.registry.revisions`). The advisory's row is updated in place, never deleted:
    so the lock on it holds, and its affected and fixed rows are never left pointing at no
    advisory."""
    data = advisory.content().to_dict()
    conn.execute(t.affected.delete().where(t.affected.c.advisory_id == advisory.id))
    conn.execute(t.fixed.delete().where(t.fixed.c.advisory_id == advisory.id))
    values = {
        "severity": advisory.severity,
        "published": data["published"],
        "summary": advisory.summary,
        "data_json": canonical_json(data),
        "digest": digest(data),
        "added_at": added_at,
        "modified": advisory.modified,
        "withdrawn": advisory.withdrawn,
        "withdrawn_reason": advisory.withdrawn_reason,
    }
    updated = conn.execute(
        t.advisories.update().where(t.advisories.c.id == advisory.id).values(**values)
    )
    if not updated.rowcount:
        conn.execute(t.advisories.insert().values(id=advisory.id, **values))
    conn.execute(
        t.affected.insert(),
        [
            {"advisory_id": advisory.id, "name": a.name, "versions": str(a.versions)}
            for a in advisory.affected
        ],
    )
    if advisory.fixed:
        conn.execute(
            t.fixed.insert(),
            [
                {"advisory_id": advisory.id, "name": f.name, "version": str(f.version)}
                for f in advisory.fixed
            ],
        )


_COLUMNS = (
    t.advisories.c.data_json,
    t.advisories.c.modified,
    t.advisories.c.withdrawn,
    t.advisories.c.withdrawn_reason,
)


def _from_row(row: Any) -> Advisory:
    data = json.loads(row.data_json)
    return Advisory.from_dict(data).model_copy(
        update={
            "modified": row.modified,
            "withdrawn": row.withdrawn,
            "withdrawn_reason": row.withdrawn_reason,
        }
    )


@overload
def get(conn: Connection, advisory_id: str, *, missing_ok: Literal[False] = False) -> Advisory: ...
@overload
def get(conn: Connection, advisory_id: str, *, missing_ok: bool) -> Advisory | None: ...
def get(conn: Connection, advisory_id: str, *, missing_ok: bool = False) -> Advisory | None:
    """The advisory ``advisory_id``; a NotFoundError when there is none, unless ``missing_ok``
    (then None)."""
    row = conn.execute(select(*_COLUMNS).where(t.advisories.c.id == advisory_id)).first()
    if row is None:
        if missing_ok:
            return None
        raise NotFoundError(
            f"no advisory {advisory_id!r} in this registry",
            hint="list them with 'umr advisory list'",
        )
    return _from_row(row)


def listing(conn: Connection, name: str | None = None) -> list[Advisory]:
    """Every advisory (withdrawn ones too, marked), newest first."""
    query = select(*_COLUMNS).order_by(t.advisories.c.published.desc(), t.advisories.c.id)
    if name is not None:
        query = query.where(
            t.advisories.c.id.in_(select(t.affected.c.advisory_id).where(t.affected.c.name == name))
        )
    return [_from_row(r) for r in conn.execute(query)]


def for_names(conn: Connection, names: list[str]) -> list[Advisory]:
    """Advisories in force (not withdrawn) with an ``affected`` entry for any of ``names``:
    what an audit reports."""
    found: dict[str, Advisory] = {}
    for part in chunked(names):
        hit = select(t.affected.c.advisory_id).where(t.affected.c.name.in_(part))
        rows = conn.execute(
            select(t.advisories.c.id, *_COLUMNS).where(
                t.advisories.c.id.in_(hit), t.advisories.c.withdrawn.is_(None)
            )
        )
        for row in rows:
            if row.id not in found:
                found[row.id] = _from_row(row)
    return [found[i] for i in sorted(found)]
