"""Changes to advisories: who may make them, and the revision each one leaves.

An advisory is never overwritten in place. Creating, changing, marking a version fixed and
withdrawing each append one :class:`AdvisoryRevision` (who, when, what changed, and the
advisory as it stood after), in the same transaction as the change itself.

Who may change what:

- **create or change**: ``advisory:`` scope over every affected name of the old advisory and
  of the new one (narrowing an advisory to names one owns cannot silence the others);
- **fixed**: an entry names a published version of an affected name, or of a record some
  version of which is downstream of an affected version; it is added by someone with
  ``advisory:`` scope over the advisory's affected names, or by the owner of the fixed record
  (``publish:`` scope over its name): a model owner may declare their own remediated version
  fixed, nobody else's, and never a version the advisory's ranges cover (forced or not: only
  the advisory's author may force that, or narrow the ranges). A version whose own lineage
  still reaches the affected data by a route through no ``unlearned_from`` edge is not a fix
  either, unless the entry is forced: it carries a ``reason``, kept and shown with every audit
  it clears. The same checks (:func:`check_fixed`) hold however an entry arrives: ``advisory
  fix``, an advisory file or API body, an OSV import;
- **withdraw**: ``advisory:`` scope over the affected names, with a reason. A withdrawn
  advisory no longer reaches audits, and stays listed (marked, with its reason) on its page and
  in the feeds; it cannot be changed after.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import Connection, func, select

from umr.errors import ConflictError, ForbiddenError, NotFoundError, RecordError
from umr.graph import path_text
from umr.registry import advisories as adv
from umr.registry import tables as t
from umr.registry.advisories import ADVISORY_FIELDS, Advisory, Fixed
from umr.registry.audit import unremediated_route
from umr.registry.lineage import WalkQuery, statement_rows
from umr.registry.tokens import Token, authorize
from umr.spec import Version, canonical_json

Action = Literal["create", "modify", "fix", "withdraw"]


@dataclass(frozen=True, kw_only=True, slots=True)
class AdvisoryRevision:
    """One change to an advisory, numbered from 1 per advisory."""

    advisory_id: str
    rev: int
    at: str  # UTC ISO 8601
    actor: str  # "token <id> (<label>)" or "local <user>"
    action: Action
    changed: tuple[str, ...]  # the top-level advisory fields it changed (or set, on create)
    reason: str | None  # a withdrawal's reason
    advisory: Advisory  # the advisory as it stood after this change

    def to_dict(self) -> dict[str, Any]:
        return {
            "advisory_id": self.advisory_id,
            "rev": self.rev,
            "at": self.at,
            "actor": self.actor,
            "action": self.action,
            "changed": list(self.changed),
            "reason": self.reason,
            "advisory": self.advisory.to_dict(),
        }

    def text(self) -> str:
        what = f"{self.action} {', '.join(self.changed)}".rstrip()
        line = f"rev {self.rev}  {self.at}  {self.actor}  {what}"
        return line + (f"  reason: {self.reason}" if self.reason else "")


def history(conn: Connection, advisory_id: str) -> list[AdvisoryRevision]:
    """Every revision of ``advisory_id``, oldest first; NotFoundError if it has none."""
    r = t.advisory_revisions
    rows = conn.execute(select(r).where(r.c.advisory_id == advisory_id).order_by(r.c.rev)).all()
    if not rows:
        raise NotFoundError(
            f"no advisory {advisory_id!r} in this registry",
            hint="list them with 'umr advisory list'",
        )
    out = []
    for row in rows:
        data = json.loads(row.data_json)
        state = {k: data.pop(k, None) for k in adv.REGISTRY_FIELDS}
        out.append(
            AdvisoryRevision(
                advisory_id=row.advisory_id,
                rev=row.rev,
                at=row.at,
                actor=row.actor,
                action=row.action,
                changed=tuple(json.loads(row.changed)),
                reason=row.reason,
                advisory=Advisory.from_dict(data).model_copy(update=state),
            )
        )
    return out


def put(conn: Connection, new: Advisory, actor: Token, now: str) -> tuple[Advisory, bool]:
    """Create ``new`` or change the advisory of its id; ``fixed`` entries accumulate (adding
    the same file again keeps the fixes recorded since). Returns (stored, changed)."""
    new = new.content()
    adv.lock(conn, new.id)
    old = adv.get(conn, new.id, missing_ok=True)
    if old is None:
        authorize(actor, "advisory", new.names())
        check_fixed(conn, new, new.fixed)
        set_fields = tuple(k for k, v in new.to_dict().items() if v not in (None, [], ""))
        _commit(conn, new, actor, "create", set_fields, None, now)
        return new, True
    _refuse_withdrawn(old)
    authorize(
        actor,
        "advisory",
        old.names() | new.names(),
        " (changing an advisory needs scope over its old and its new affected names)",
    )
    fixed = (*new.fixed, *(f for f in old.fixed if f not in new.fixed))
    merged = new.model_copy(update={"fixed": fixed})
    if merged.to_dict() == old.content().to_dict():
        return old, False
    check_fixed(conn, merged, [f for f in fixed if f not in old.fixed])
    before, after = old.content().to_dict(), merged.to_dict()
    changed = tuple(k for k in ADVISORY_FIELDS if before.get(k) != after.get(k))
    stored = merged.model_copy(update={"modified": now})
    _commit(conn, stored, actor, "modify", changed, None, now)
    return stored, True


def fix(
    conn: Connection,
    advisory_id: str,
    name: str,
    version: Version,
    actor: Token,
    now: str,
    *,
    reason: str | None = None,
) -> tuple[Advisory, bool]:
    """Record ``name@version`` as fixed for the advisory (see the module docstring for who
    may and what is a fix), with the ``reason`` a forced fix keeps. Returns (stored, changed)."""
    adv.lock(conn, advisory_id)
    a = adv.get(conn, advisory_id)
    assert a is not None
    _refuse_withdrawn(a)
    entry = Fixed(name=name, version=version, reason=reason)
    names = a.names()
    author = all(actor.allows("advisory", n) for n in names)
    if not author and not actor.allows("publish", name):
        raise ForbiddenError(
            f"token {actor.id} ({' '.join(actor.scopes)}) may not mark {name}@{version} fixed "
            f"for {advisory_id}: that needs scope 'advisory:' over {', '.join(sorted(names))}, "
            f"or 'publish:{name}' (the owner of the fixed record)",
            hint=f"ask the advisory's author, or the owner of {name}",
        )
    if any(f.name == name and f.version == version for f in a.fixed):
        return a, False
    check_fixed(conn, a, [entry], owner=None if author else actor)
    stored = a.model_copy(update={"fixed": (*a.fixed, entry), "modified": now})
    _commit(conn, stored, actor, "fix", ("fixed",), None, now)
    return stored, True


def withdraw(
    conn: Connection, advisory_id: str, reason: str, actor: Token, now: str
) -> tuple[Advisory, bool]:
    """Withdraw the advisory with ``reason``; withdrawing again changes nothing."""
    adv.lock(conn, advisory_id)
    a = adv.get(conn, advisory_id)
    assert a is not None
    authorize(actor, "advisory", a.names(), " (withdrawing needs scope over its affected names)")
    if a.withdrawn:
        return a, False
    reason = " ".join(reason.split())
    if not reason:
        raise RecordError(
            f"withdrawing {advisory_id} needs a reason",
            hint=f"umr advisory withdraw {advisory_id} --reason 'why it no longer holds'",
        )
    stored = a.model_copy(update={"withdrawn": now, "withdrawn_reason": reason, "modified": now})
    _commit(conn, stored, actor, "withdraw", ("withdrawn",), reason, now)
    return stored, True


def _refuse_withdrawn(a: Advisory) -> None:
    if a.withdrawn:
        raise ConflictError(
            f"advisory {a.id} was withdrawn at {a.withdrawn} ({a.withdrawn_reason}); "
            "a withdrawn advisory is not changed",
            hint="publish a new advisory with its own id",
        )


def check_fixed(
    conn: Connection, a: Advisory, entries: Iterable[Fixed], *, owner: Token | None = None
) -> None:
    """The one rule for fixed entries, however they arrive (``advisory fix``, an advisory file
    or body, an OSV import): each names a published version of an affected name or of a record
    downstream of one, whose lineage reaches the affected data only through ``unlearned_from``
    edges or versions ``a`` names fixed, unless the entry carries a ``reason`` (forced). An
    ``owner`` (a token adding the entry by its ``publish:`` scope alone, not as the advisory's
    author) may not name a version the advisory's ranges cover, forced or not. Who may add
    the entry at all is checked by the caller."""
    for f in entries:
        where = f"{f.name}@{f.version}"
        row = conn.execute(
            select(t.records.c.id).where(
                t.records.c.name == f.name, t.records.c.version == str(f.version)
            )
        ).first()
        if row is None:
            raise NotFoundError(
                f"{a.id}: fixed {where} is not published, so nothing shows it is a fix",
                hint=f"publish {where} first, then 'umr advisory fix {a.id} {where}' (or submit "
                "the advisory file or body again)",
            )
        if owner is not None and a.affects(f.name, f.version):
            raise ForbiddenError(
                f"token {owner.id} ({' '.join(owner.scopes)}) may not mark {where} fixed for "
                f"{a.id}: {a.id}'s ranges cover it, and the owner of a record may declare "
                "only a remediated version fixed, never an affected one (forced or not)",
                hint=f"publish a remediated version of {f.name} outside the affected ranges "
                "and mark that one fixed, or ask the advisory's author",
            )
        if f.name not in a.names():
            ids = list(
                conn.execute(select(t.records.c.id).where(t.records.c.name == f.name)).scalars()
            )
            rows = statement_rows(conn, WalkQuery(starts=tuple(ids)))
            if not any(a.affects(r[2], Version.parse(r[3])) for r in rows):
                raise RecordError(
                    f"{a.id}: fixed {where} is neither a version of an affected name "
                    f"({', '.join(sorted(a.names()))}) nor of a record downstream of one",
                    hint="a fixed entry names the remediated version of something the advisory "
                    "reaches; see 'umr impact NAME' for what it reaches",
                )
        if f.reason:
            continue
        route = unremediated_route(conn, row.id, a)
        if route is not None:
            how = f"by {path_text(route)}" if route else "itself: its version is affected"
            raise ConflictError(
                f"{where} is not a fix for {a.id}: it still reaches the affected data {how}, "
                "through no unlearned_from edge",
                hint=(
                    "name a version retrained without the affected data or unlearned from it, "
                    "or keep this one with --force --reason TEXT (in an advisory file or body: "
                    "a 'reason' on the entry); the reason is shown with every audit it clears"
                ),
            )


def _commit(
    conn: Connection,
    stored: Advisory,
    actor: Token,
    action: Action,
    changed: tuple[str, ...],
    reason: str | None,
    now: str,
) -> None:
    r = t.advisory_revisions
    last = conn.execute(
        select(func.max(r.c.rev), func.min(r.c.at)).where(r.c.advisory_id == stored.id)
    ).one()
    adv.store(conn, stored, added_at=last[1] or now)
    conn.execute(
        r.insert().values(
            advisory_id=stored.id,
            rev=(last[0] or 0) + 1,
            at=now,
            actor=actor.describe(),
            action=action,
            changed=json.dumps(list(changed)),
            reason=reason,
            data_json=canonical_json(stored.to_dict()),
        )
    )
