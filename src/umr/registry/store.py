"""The :class:`Registry`: published records in SQL, with locks, lineage, advisories and audit.

A registry is a :class:`umr.spec.RecordSource`: refs resolve against its published, not yanked
versions. Writes run in one transaction each (see :mod:`umr.registry.db` for retries).
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import json
import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

from sqlalchemy import Connection, bindparam, func, select
from sqlalchemy.exc import DBAPIError

from umr.errors import NotFoundError, RefError, RegistryError
from umr.graph import AuditReport, Direction, Edge, LineageHit
from umr.registry import advisories as adv
from umr.registry import revisions
from umr.registry import tables as t
from umr.registry._sql import chunked, refresh_latest
from umr.registry.advisories import Advisory, load_advisory
from umr.registry.aliases import AliasRow, alias_rows
from umr.registry.audit import (
    Badge,
    Page,
    audit,
    audit_records,
    reaching,
)
from umr.registry.db import (
    display_url,
    make_engine,
    normalize_url,
    repeatable_read,
    transaction,
)
from umr.registry.lineage import (
    BY_LEVEL,
    WalkQuery,
    check_direction,
    edges_among,
    walk,
)
from umr.registry.publish import Item, PublishResult, load_items, publish_batch, record_from_row
from umr.registry.revisions import AdvisoryRevision
from umr.registry.schema import migrate
from umr.registry.search import RANK_WINDOW, SearchHit, search
from umr.registry.tokens import Token, authorize, log_writes
from umr.registry.versions import VersionInfo, version_infos
from umr.spec import FIELDS, Range, Record, Ref, Resolved, Version, check_name
from umr.suggest import did_you_mean, nearest


@dataclass(frozen=True, kw_only=True, slots=True)
class Lock:
    """One locked edge of a published record: the ref as written and what it pinned."""

    relation: str  # a Relation, or "inherits"
    ref: str
    name: str
    version: Version

    def to_dict(self) -> dict[str, str]:
        return {
            "relation": self.relation,
            "ref": self.ref,
            "name": self.name,
            "version": str(self.version),
        }


T = TypeVar("T")

_VERSIONS = select(t.records.c.id, t.records.c.version, t.records.c.yanked).where(
    t.records.c.name == bindparam("name")
)


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")


def _as_ref(ref: str | Ref) -> Ref:
    return ref if isinstance(ref, Ref) else Ref.parse(ref)


log = logging.getLogger("umr.registry")

# Publishing at least this many records at once refreshes PostgreSQL's planner statistics.
ANALYZE_AFTER = 1000

# The connection a Registry.snapshot() block reads through, with its registry.
_SNAPSHOT: contextvars.ContextVar[tuple[Registry, Connection] | None] = contextvars.ContextVar(
    "umr_registry_snapshot", default=None
)


class Registry:
    """A registry database (``sqlite:///PATH`` or ``postgresql://...``), migrated on open.

    ``lock_timeout``: seconds a write may wait for the database in all, retries included
    (default ``UMR_LOCK_TIMEOUT``, or 60; see :mod:`umr.registry.db`)."""

    def __init__(self, url: str, *, lock_timeout: float | None = None) -> None:
        self.url = normalize_url(url)
        self.engine = make_engine(self.url, timeout=lock_timeout)
        migrate(self.engine)
        # How messages name this registry; the web app sets a name without the URL, so that
        # no answer shows the server's files or hosts.
        self.label = f"registry {display_url(self.url)!r}"

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Registry:
        return self

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Registry({display_url(self.url)!r})"

    def registered_names(self, names: Iterable[str]) -> tuple[set[str], dict[str, str]]:
        """Which of ``names`` are registered, and the registered name each other one's key
        (:func:`umr.spec.names.name_key`) belongs to: what the publish name check compares
        new names against (``umr validate`` asks it too)."""
        from umr.registry.naming import registered

        return self._read(lambda c: registered(c, names))

    def describe(self) -> str:
        return self.label

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def _read(self, fn: Callable[[Connection], T], *, consistent: bool = False) -> T:
        pinned = _SNAPSHOT.get()
        if pinned is not None and pinned[0] is self:
            return fn(pinned[1])  # a snapshot is already consistent
        return transaction(self.engine, fn, write=False, consistent=consistent)

    @contextlib.contextmanager
    def snapshot(self) -> Iterator[Registry]:
        """Answer every read in the block from one connection and one read transaction: a web
        page's dozen lookups then pay for one connection checkout and one BEGIN, and all of
        them see the same registry state (SQLite's read transaction, PostgreSQL's REPEATABLE
        READ). Writes still run in their own transactions; a snapshot inside a snapshot reuses the
        outer one. Per thread and per task. Not retried: a busy database fails the block."""
        pinned = _SNAPSHOT.get()
        if pinned is not None and pinned[0] is self:
            yield self
            return
        try:
            with self.engine.connect() as conn:
                conn.execution_options(umr_write=False)
                repeatable_read(conn)  # one snapshot for the block, not per query
                with conn.begin():
                    token = _SNAPSHOT.set((self, conn))
                    try:
                        yield self
                    finally:
                        _SNAPSHOT.reset(token)
        except DBAPIError as exc:  # the same error as a read outside a snapshot gives
            raise RegistryError(
                f"{self.describe()}: {exc.orig}",
                hint="check that the database is reachable and readable",
            ) from exc

    def _write(
        self, fn: Callable[[Connection], T], changed: Callable[[T], object] | None = None
    ) -> T:
        """Run ``fn`` in a write transaction that also bumps the change counter, unless
        ``changed(result)`` says it changed nothing (same content published again)."""

        def run(conn: Connection) -> T:
            out = fn(conn)
            if changed is None or changed(out):
                # last, so the row lock is held only until the commit that follows
                conn.execute(
                    t.changes.update().where(t.changes.c.id == 1).values(n=t.changes.c.n + 1)
                )
            return out

        return transaction(self.engine, run, write=True)

    def changes(self) -> int:
        """The registry's change counter: equal numbers from two reads mean nothing was
        published, yanked, advised or migrated in between (a cache key; see also
        :func:`umr.web.changes.change_counter` for a cheaper repeated read)."""
        return int(self._read(lambda c: c.execute(select(t.changes.c.n)).scalar_one()))

    # RecordSource ---------------------------------------------------------------------------

    def versions(self, name: str, include_yanked: bool = False) -> list[Version]:
        """Published versions of ``name``, ascending (yanked ones only if asked)."""
        return [v for v, yanked in self.version_states(name) if include_yanked or not yanked]

    def version_states(self, name: str) -> list[tuple[Version, bool]]:
        """Every published version of ``name``, ascending, each with whether it is yanked."""
        query = select(t.records.c.version, t.records.c.yanked).where(t.records.c.name == name)
        rows = self._read(lambda c: c.execute(query).all())
        return sorted((Version.parse(v), bool(yanked)) for v, yanked in rows)

    def version_infos(self, name: str, *, lineage: bool = True) -> list[VersionInfo]:
        """Every version of ``name``, newest first, marked latest, yanked, affected (by which
        advisories), reached through its lineage (``lineage``), fixed and superseded; a
        NotFoundError with the nearest names when there is none."""

        def run(conn: Connection) -> list[VersionInfo]:
            found = version_infos(conn, name, lineage=lineage)
            if not found:
                raise self._unknown(conn, name)
            return found

        return self._read(run)

    def get(self, name: str, version: Version | str) -> Record:
        """One published record as written (yanked ones too: existing locks keep working)."""
        row = self._read(lambda c: self._row(c, name, version))
        return record_from_row(row.record_json, row.key_order)

    # Lookup ---------------------------------------------------------------------------------

    def _row(self, conn: Connection, name: str, version: Version | str) -> Any:
        row = conn.execute(
            select(t.records).where(t.records.c.name == name, t.records.c.version == str(version))
        ).first()
        if row is None:
            raise NotFoundError(
                f"{name}@{version} is not in {self.describe()}",
                hint=f"see the published versions with 'umr lineage {name}' or publish it",
            )
        return row

    def _find(self, conn: Connection, ref: Ref) -> Any:
        rid = self._find_id(conn, ref)
        return conn.execute(select(t.records).where(t.records.c.id == rid)).one()

    def _find_id(self, conn: Connection, ref: Ref) -> int:
        """The id of the highest published, not yanked version ``ref`` admits (an exact ref
        also reaches a yanked version)."""
        rows = conn.execute(_VERSIONS, {"name": ref.name}).all()
        live: dict[Version, int] = {Version.parse(v): rid for rid, v, yanked in rows if not yanked}
        best = ref.range.max_satisfying(live)
        if best is not None:
            return live[best]
        exact = ref.range.exact()
        pinned = [rid for rid, v, _ in rows if exact is not None and Version.parse(v) == exact]
        if pinned:  # an exact ref still reaches a yanked version, like pip's ==
            return int(pinned[0])
        if not rows:
            raise self._unknown(conn, ref.name)
        shown = ", ".join(str(v) for v in sorted(live)[-10:]) or "none; all are yanked"
        raise NotFoundError(
            f"{str(ref)!r} matches no published version (published: {shown})",
            hint=f"widen the range, e.g. '{ref.name}@*'",
        )

    def _unknown(self, conn: Connection, name: str) -> NotFoundError:
        near = did_you_mean(name, _candidates(conn, name))
        return NotFoundError(
            f"no record named {name!r} in {self.describe()}" + (f"; {near}" if near else ""),
            hint="check the spelling, or publish it with 'umr publish FILE'",
        )

    def similar_names(self, name: str) -> list[str]:
        """Published names nearest ``name`` (a typo's likely meaning), nearest first."""
        return self._read(lambda c: nearest(name, _candidates(c, name)))

    def get_ref(self, ref: str | Ref) -> Record:
        """The highest published, not yanked version that ``ref`` admits."""
        row = self._read(lambda c: self._find(c, _as_ref(ref)))
        return record_from_row(row.record_json, row.key_order)

    def entry(self, ref: str | Ref) -> dict[str, Any]:
        """Registry facts about one published record: digest, publish time, yank state."""
        row = self._read(lambda c: self._find(c, _as_ref(ref)))
        return {
            "name": row.name,
            "version": row.version,
            "kind": row.kind,
            "title": row.title,
            "summary": row.summary,
            "publisher": row.publisher,
            "digest": row.digest,
            "published_at": row.published_at,
            "yanked": bool(row.yanked),
            "yank_reason": row.yank_reason,
        }

    def resolve(self, ref: str | Ref) -> Resolved:
        """The resolved record, through the bases locked at publish time, with provenance."""

        def run(conn: Connection) -> Resolved:
            row = self._find(conn, _as_ref(ref))
            chain = tuple(json.loads(row.chain))
            layers = []
            for member in chain:
                name, _, version = member.partition("@")
                r = row if member == chain[0] else self._row(conn, name, version)
                layers.append(record_from_row(r.record_json, r.key_order).to_dict())
            own = record_from_row(row.record_json, row.key_order)
            return Resolved(
                data=_ordered(json.loads(row.resolved_json), layers[0]),
                own=own,
                chain=chain,
                layers=tuple(layers),
            )

        return self._read(run)

    def locks(self, name: str, version: Version | str) -> list[Lock]:
        """The locked edges of ``name@version``, ``inherits`` first, then upstream in order."""

        def run(conn: Connection) -> list[Lock]:
            src = self._row(conn, name, version).id
            dst = t.records.alias("dst")
            rows = conn.execute(
                select(t.edges.c.relation, t.edges.c.ref, dst.c.name, dst.c.version)
                .join(dst, dst.c.id == t.edges.c.dst_id)
                .where(t.edges.c.src_id == src)
                .order_by(t.edges.c.pos)
            )
            return [
                Lock(relation=r[0], ref=r[1], name=r[2], version=Version.parse(r[3])) for r in rows
            ]

        return self._read(run)

    # Writes ---------------------------------------------------------------------------------

    def publish(self, items: Iterable[Item], *, actor: Token | None = None) -> PublishResult:
        """Publish records, files, folders or YAML text in one transaction (all or nothing).

        ``actor`` (a verified token) must have ``publish:`` scope over every name; its write
        log entries commit with the records. None: the local user, not logged."""
        entries = load_items(items)
        who = actor or Token.local()
        authorize(who, "publish", (e.record.name for e in entries))

        def run(conn: Connection) -> PublishResult:
            result = publish_batch(conn, entries, self.describe())
            log_writes(conn, who, (("publish", rid, "") for rid in result.published))
            return result

        result = self._write(run, changed=lambda r: r.published)
        if len(result.published) >= ANALYZE_AFTER and self.dialect == "postgresql":
            self._analyze()
        return result

    def _analyze(self) -> None:
        """Refresh PostgreSQL's planner statistics after a large batch. Until autovacuum gets
        to it (a minute or more), a bulk-loaded registry is planned as if empty, and an upstream
        lineage is many times slower (bench/pg_analyze.py; docs/benchmarks.md, "Response
        cache", found on the way). A failure only costs speed, so it is logged, not raised."""
        try:
            transaction(self.engine, lambda c: c.exec_driver_sql("ANALYZE names, records, edges"))
        except RegistryError as exc:
            log.warning("ANALYZE after a large publish failed: %s", exc.message)

    def yank(self, ref: str | Ref, reason: str, *, actor: Token | None = None) -> str:
        """Hide ``name@version`` from new resolution; existing locks keep working. ``actor``
        needs ``publish:`` scope over the name."""
        r = _as_ref(ref)
        who = actor or Token.local()
        authorize(who, "publish", [r.name])
        exact = r.range.exact()
        if exact is None:
            raise RefError(
                f"yank needs an exact version, got {str(r)!r}", hint=f"write e.g. '{r.name}@1.0.0'"
            )

        def run(conn: Connection) -> str:
            row = self._row(conn, r.name, exact)
            conn.execute(
                t.records.update()
                .where(t.records.c.id == row.id)
                .values(yanked=True, yank_reason=reason)
            )
            refresh_latest(conn, [r.name])
            log_writes(conn, who, [("yank", f"{row.name}@{row.version}", reason)])
            return f"{row.name}@{row.version}"

        return self._write(run)

    # Lineage --------------------------------------------------------------------------------

    def lineage(
        self,
        ref: str | Ref,
        direction: Direction = "up",
        relations: Sequence[str] | None = None,
        depth: int | None = None,
    ) -> list[LineageHit]:
        """Upstream or downstream closure on locked edges, each hit linked to the one nearer
        the start on a shortest path; complete at any depth unless ``depth`` stops it."""
        check_direction(direction)
        rels = tuple(relations) if relations else None

        def run(conn: Connection) -> list[LineageHit]:
            start = self._find_id(conn, _as_ref(ref))
            return walk(
                conn, WalkQuery(starts=(start,), direction=direction, relations=rels, depth=depth)
            )

        return self._read(run)

    def impact(
        self, name: str, range: str | Range = "*", *, avoid: Iterable[str] = ()
    ) -> list[LineageHit]:
        """Every published record that a route reaches from the versions of ``name`` in
        ``range``: downstream over typed relations (``inherits`` is not a route), never
        through the records ``avoid`` names (``name@version``: an advisory's fixed versions)."""
        rng = range if isinstance(range, Range) else Range.parse(range)
        avoided = list(avoid)

        def run(conn: Connection) -> list[LineageHit]:
            rows = conn.execute(
                select(t.records.c.id, t.records.c.version).where(t.records.c.name == name)
            ).all()
            if not rows:
                raise self._unknown(conn, name)
            starts = tuple(rid for rid, v in rows if Version.parse(v) in rng)
            if not starts:
                return []
            query = WalkQuery(
                starts=starts, direction="down", typed=True, avoid=self._ids(conn, avoided)
            )
            return walk(conn, query, BY_LEVEL)

        # the walk is one query per depth: one consistent read (REPEATABLE READ on PostgreSQL)
        # keeps a publish that commits mid-walk out of the answer instead of half in it
        return self._read(run, consistent=True)

    def edges_among(self, ids: Iterable[str]) -> list[Edge]:
        """Every locked edge whose both ends are among the records ``ids`` (``name@version``),
        ``inherits`` included: what a lineage graph draws."""
        wanted = list(dict.fromkeys(ids))

        def run(conn: Connection) -> list[Edge]:
            known = self._id_map(conn, wanted)
            refs = {rid: ref for ref, rid in known.items()}
            return [
                Edge(src=refs[s], relation=rel, dst=refs[d], uncertain=unc, note=note)
                for s, d, rel, _, unc, note in edges_among(conn, sorted(refs))
            ]

        return self._read(run)

    def _id_map(self, conn: Connection, refs: Sequence[str]) -> dict[str, int]:
        """The registry ids of the published records ``refs`` (``name@version``) that exist."""
        names = sorted({r.partition("@")[0] for r in refs})
        wanted = set(refs)
        out: dict[str, int] = {}
        for part in chunked(names):
            rows = conn.execute(
                select(t.records.c.id, t.records.c.name, t.records.c.version).where(
                    t.records.c.name.in_(part)
                )
            )
            for rid, n, v in rows:
                ref = f"{n}@{Version.parse(v)}"
                if ref in wanted:
                    out[ref] = rid
        return out

    def _ids(self, conn: Connection, refs: Sequence[str]) -> frozenset[int]:
        return frozenset(self._id_map(conn, refs).values()) if refs else frozenset()

    # Advisories and audit -------------------------------------------------------------------

    def add_advisory(
        self,
        advisory: Advisory | dict[str, Any] | Path | str,
        *,
        actor: Token | None = None,
        force: bool = False,
    ) -> Advisory:
        """Create or change an advisory (object, plain data or YAML file); the same content
        again is a no-op. A change needs ``advisory:`` scope over its old and new affected
        names, and is kept as a revision (see :mod:`umr.registry.revisions`). An advisory whose
        affected names are not published would reach nothing (a typo such as ``laion5b``):
        refused with the nearest names, unless ``force`` (records published later)."""
        if isinstance(advisory, dict):
            advisory = adv.parse_advisory(advisory)
        elif not isinstance(advisory, Advisory):
            advisory = load_advisory(advisory)
        a, who = advisory, actor or Token.local()

        def run(conn: Connection) -> tuple[Advisory, bool]:
            if not force:
                _check_affected(conn, a)
            out = revisions.put(conn, a, who, _now())
            if out[1]:
                log_writes(conn, who, [("advisory add", a.id, "")])
            return out

        return self._write(run, changed=lambda r: r[1])[0]

    def advisories(self, name: str | None = None) -> list[Advisory]:
        """All advisories (withdrawn ones marked), newest first, or those with an
        ``affected`` entry for ``name``."""
        return self._read(lambda c: adv.listing(c, name))

    def advisory(self, advisory_id: str) -> Advisory:
        return self._read(lambda c: adv.get(c, advisory_id))

    def advisory_history(self, advisory_id: str) -> list[AdvisoryRevision]:
        """Every revision of an advisory, oldest first: who, when, what changed, and the
        advisory after each change."""
        return self._read(lambda c: revisions.history(c, advisory_id))

    def fix_advisory(
        self,
        advisory_id: str,
        name: str,
        version: Version | str,
        *,
        forced: str | None = None,
        actor: Token | None = None,
    ) -> Advisory:
        """Record that ``name@version`` carries the fix: audits through it are cleared. It must
        be a version of an affected name or of a record downstream of one; ``actor`` needs
        ``advisory:`` scope over the affected names, or ``publish:`` scope over ``name``.

        Refused (ForbiddenError) to an owner acting by ``publish:`` scope alone for a version
        the advisory's ranges cover, forced or not (the advisory's author may force one); and
        while the version's own lineage still reaches the affected data by a route through no
        ``unlearned_from`` edge (a version retrained on the same data is not a fix), unless
        ``forced`` gives a reason, which is kept with the fix (:func:`revisions.check_fixed`)."""
        name = check_name(name)
        v, who = Version.parse(str(version)), actor or Token.local()

        def run(conn: Connection) -> tuple[Advisory, bool]:
            out = revisions.fix(
                conn,
                advisory_id,
                name,
                v,
                who,
                _now(),
                reason=forced,
            )
            if out[1]:
                log_writes(conn, who, [("advisory fix", advisory_id, f"{name}@{v}")])
            return out

        return self._write(run, changed=lambda r: r[1])[0]

    def withdraw_advisory(
        self, advisory_id: str, reason: str, *, actor: Token | None = None
    ) -> Advisory:
        """Withdraw an advisory, with a reason: audits no longer report it; its page and the
        feeds show the withdrawal. ``actor`` needs ``advisory:`` scope over its affected
        names. Withdrawing again changes nothing."""
        who = actor or Token.local()

        def run(conn: Connection) -> tuple[Advisory, bool]:
            out = revisions.withdraw(conn, advisory_id, reason, who, _now())
            if out[1]:
                log_writes(conn, who, [("advisory withdraw", advisory_id, reason)])
            return out

        return self._write(run, changed=lambda r: r[1])[0]

    def export_osv(self, ids: Sequence[str] = ()) -> list[dict[str, Any]]:
        """Advisories (all of them, or ``ids``) in the OSV format (:mod:`umr.registry.osv`),
        each validated against the OSV schema."""
        from umr.registry import osv

        def run(conn: Connection) -> list[dict[str, Any]]:
            chosen = [adv.get(conn, i) for i in ids] if ids else adv.listing(conn)
            pairs = [(a, revisions.history(conn, a.id)[-1].at) for a in chosen if a is not None]
            return osv.export(pairs, lambda name: self._versions_of(conn, name))

        return self._read(run)

    def _versions_of(self, conn: Connection, name: str) -> list[Version]:
        rows = conn.execute(select(t.records.c.version).where(t.records.c.name == name))
        return sorted(Version.parse(v) for (v,) in rows)

    def import_osv(
        self, path: Path, *, force: bool = False, actor: Token | None = None
    ) -> list[Advisory]:
        """Add or change the advisories of an OSV file (validated against the OSV schema,
        then mapped as :mod:`umr.registry.osv` says); one withdrawn there is withdrawn here."""
        from umr.registry import osv

        entries = osv.read(path)
        parsed = [(e, osv.from_osv(e, f"{path}[{i}]")) for i, e in enumerate(entries)]
        out = []
        for entry, a in parsed:
            stored = self.add_advisory(a, force=force, actor=actor)
            if entry.get("withdrawn") and not stored.withdrawn:
                why = ((entry.get("database_specific") or {}).get("umr") or {}).get(
                    "withdrawn_reason"
                ) or f"withdrawn in the OSV entry {entry['id']} ({entry['withdrawn']})"
                stored = self.withdraw_advisory(a.id, why, actor=actor)
            out.append(stored)
        return out

    def audit(self, ref: str | Ref, *, offset: int = 0, limit: int | None = 1) -> AuditReport:
        """Advisories reaching ``ref`` through its locked upstream closure: each with its
        number of routes, routes ``offset`` to ``offset + limit`` of them (shortest first;
        ``limit`` None for all) and the next step that clears it."""
        page = Page(offset=offset, limit=limit)
        return self._read(lambda c: audit(c, self._find_id(c, _as_ref(ref)), page))

    def reaching(self, refs: Sequence[str]) -> dict[str, list[Badge]]:
        """For each published record ``refs`` names (``name@version``), the advisories that
        reach it, worst first: cheaper than an audit each, for marking lists of records."""

        def run(conn: Connection) -> dict[str, list[Badge]]:
            known = self._id_map(conn, list(refs))
            found = reaching(conn, sorted(set(known.values())))
            return {ref: found.get(rid, []) for ref, rid in known.items()}

        return self._read(run)

    def audit_records(
        self, items: Iterable[Item], *, offset: int = 0, limit: int | None = 1
    ) -> list[AuditReport]:
        """The audits of records not yet published (records, files, folders or YAML text),
        locked as publishing them together now would lock them; nothing is written."""
        records = [e.record for e in load_items(items)]
        page = Page(offset=offset, limit=limit)
        return self._read(lambda c: audit_records(c, records, self.describe(), page))

    # Browsing -------------------------------------------------------------------------------

    def search(
        self,
        text: str,
        kind: str | None = None,
        limit: int = 50,
        *,
        publisher: str | None = None,
        relation: str | None = None,
        window: int = RANK_WINDOW,
    ) -> list[SearchHit]:
        """Ranked full-text search; one hit per name (its latest version), filtered by kind,
        publisher (any case) and upstream relation in the same query. A query matching more
        than ``window`` names is ranked within the first ``window`` registered and the exact
        name (see ``umr.registry.search.RANK_WINDOW``)."""
        return self._read(
            lambda c: search(
                c, text, kind, limit, publisher=publisher, relation=relation, window=window
            )
        )

    def stats(self) -> dict[str, int]:
        def run(conn: Connection) -> dict[str, int]:
            def count(table: Any, *where: Any) -> int:
                return int(
                    conn.execute(select(func.count()).select_from(table).where(*where)).scalar()
                    or 0
                )

            return {
                "records": count(t.records),
                "names": count(t.names, t.names.c.latest_id.is_not(None)),
                "yanked": count(t.records, t.records.c.yanked.is_(True)),
                "advisories": count(t.advisories),
                "edges": count(t.edges),
            }

        return self._read(run)

    def recent(self, limit: int = 20) -> list[dict[str, Any]]:
        """The most recently published records, newest first."""
        cols = [
            t.records.c[k]
            for k in ("name", "version", "kind", "title", "summary", "published_at", "yanked")
        ]
        query = select(*cols).order_by(t.records.c.id.desc()).limit(limit)
        rows = self._read(lambda c: c.execute(query).all())
        return [dict(r._mapping) | {"yanked": bool(r.yanked)} for r in rows]

    def aliases(self) -> list[AliasRow]:
        """Every published version with ``aliases`` or ``hf://`` artifacts, and its alias keys
        (what ``umr scan`` maps identifiers in code with)."""
        return self._read(alias_rows)

    def names(self, kind: str | None = None) -> list[str]:
        """Names with at least one non-yanked version, sorted."""
        query = (
            select(t.names.c.name).where(t.names.c.latest_id.is_not(None)).order_by(t.names.c.name)
        )
        if kind is not None:
            query = query.where(t.names.c.kind == kind)
        return self._read(lambda c: list(c.execute(query).scalars()))


def _candidates(conn: Connection, name: str, cap: int = 1_000) -> list[str]:
    """Names that may be near ``name``, read through the name index: its neighbours in sort
    order on either side (a typo late in a name keeps the beginning), and the first names
    that share its first character; all within a quarter of its length, at most ``cap`` of
    each, so a suggestion costs milliseconds even on a miss in a large registry (a 404 is
    public). A typo in the first character of a long name may go unsuggested."""
    if not name:
        return []
    n = t.names.c.name
    sized = (
        t.names.c.latest_id.is_not(None),
        func.length(n).between(int(len(name) * 0.75), int(len(name) / 0.75) + 1),
    )
    lo, hi = name[0], chr(ord(name[0]) + 1)
    found: dict[str, None] = {}
    for query in (
        select(n).where(n >= name, n < hi, *sized).order_by(n).limit(cap // 2),
        select(n).where(n < name, n >= lo, *sized).order_by(n.desc()).limit(cap // 2),
        select(n).where(n >= lo, n < hi, *sized).order_by(n).limit(cap),
    ):
        found.update(dict.fromkeys(conn.execute(query).scalars()))
    return list(found)


def _check_affected(conn: Connection, a: Advisory) -> None:
    """Refuse an advisory whose affected names have no published version."""
    names = sorted({x.name for x in a.affected})
    known = set(conn.execute(select(t.records.c.name).where(t.records.c.name.in_(names))).scalars())
    missing = [n for n in names if n not in known]
    if missing:
        problems = []
        for n in missing:
            near = did_you_mean(n, _candidates(conn, n))
            problems.append(f"{n!r}" + (f" ({near})" if near else ""))
        raise NotFoundError(
            f"advisory {a.id}: no published record is named {', '.join(problems)}, so it would "
            "reach nothing",
            hint="fix the affected names, or add it with --force if those records will be "
            "published later",
        )


_FIELD_ORDER = {k: i for i, k in enumerate(FIELDS)}


def _ordered(data: dict[str, Any], own: dict[str, Any]) -> dict[str, Any]:
    """Identity fields first, then the record's own keys as written, then inherited ones."""
    order = [k for k in FIELDS[:4] if k in data]
    order += [k for k in own if k in data and k not in order]
    order += sorted((k for k in data if k not in order), key=lambda k: _FIELD_ORDER.get(k, 99))
    return {k: data[k] for k in order}
