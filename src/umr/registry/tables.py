"""The registry's SQL schema (SQLAlchemy Core), shared by SQLite and PostgreSQL.

Full-text search objects differ by dialect and are created in :mod:`umr.registry.schema`.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)

metadata = MetaData()

# One row per name: its kind and the highest non-yanked version (what search and listings show).
names = Table(
    "names",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(100), nullable=False, unique=True),
    Column("kind", String(16)),
    Column("latest_id", Integer),  # records.id of the highest non-yanked version, or NULL
    Column("publisher_key", Text),  # the latest version's publisher, str.casefold()ed
    # umr.spec.names.name_key: what a reader takes the name for; unique, so no two names read
    # alike (NULL only for look-alikes registered before the rule, see schema._v8)
    Column("skeleton", String(200)),
)
Index("ix_names_publisher_key", names.c.publisher_key)
Index("uq_names_skeleton", names.c.skeleton, unique=True)

# One row per published name@version; immutable except for the yank columns.
records = Table(
    "records",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(100), nullable=False),
    Column("version", String(256), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("title", Text),  # from the resolved record
    Column("summary", Text),
    Column("publisher", Text),
    Column("digest", String(64), nullable=False),  # sha256 of record_json
    Column("record_json", Text, nullable=False),  # canonical JSON of the record as written
    Column("key_order", Text, nullable=False),  # JSON list: top-level keys as written
    Column("resolved_json", Text, nullable=False),  # canonical JSON of the resolved record
    Column("chain", Text, nullable=False),  # JSON list: own id, then each locked base id
    Column("published_at", String(32), nullable=False),  # UTC ISO 8601
    Column("yanked", Boolean, nullable=False, default=False),
    Column("yank_reason", Text),
    UniqueConstraint("name", "version", name="uq_records_name_version"),
)
Index("ix_records_published", records.c.published_at)

# Locked edges: upstream refs and the inherits ref, each pinned to one published record.
edges = Table(
    "edges",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("src_id", Integer, ForeignKey("records.id"), nullable=False),
    Column("pos", Integer, nullable=False),  # -1 for inherits, else the upstream index
    Column("relation", String(32), nullable=False),  # a Relation, or "inherits"
    Column("ref", Text, nullable=False),  # the ref as written
    Column("dst_id", Integer, ForeignKey("records.id"), nullable=False),
    # the upstream entry's ``uncertain`` and ``note`` (migration 9): an uncertain edge carries
    # an advisory as "possible", shown with its note
    Column("uncertain", Boolean, nullable=False, default=False, server_default=false()),
    Column("note", Text),
)
# Covering the walk in either direction: lineage reads (next id, relation, uncertain) from the
# index alone.
Index("ix_edges_src_rel", edges.c.src_id, edges.c.dst_id, edges.c.relation, edges.c.uncertain)
Index("ix_edges_dst_rel", edges.c.dst_id, edges.c.src_id, edges.c.relation, edges.c.uncertain)

# The current state of each advisory; every change is also a row of advisory_revisions.
advisories = Table(
    "advisories",
    metadata,
    Column("id", String(100), primary_key=True),
    Column("severity", String(16), nullable=False),
    Column("published", String(32)),
    Column("summary", Text, nullable=False),
    Column("data_json", Text, nullable=False),  # canonical JSON of the advisory as authored
    Column("digest", String(64), nullable=False),
    Column("added_at", String(32), nullable=False),
    Column("modified", String(32)),  # UTC ISO 8601 of the last change after the first
    Column("withdrawn", String(32)),  # UTC ISO 8601 of the withdrawal, or NULL
    Column("withdrawn_reason", Text),
)

# Every change to an advisory, numbered from 1: who, when, what, and the advisory after it.
advisory_revisions = Table(
    "advisory_revisions",
    metadata,
    Column("advisory_id", String(100), nullable=False),
    Column("rev", Integer, nullable=False),
    Column("at", String(32), nullable=False),  # UTC ISO 8601
    Column("actor", Text, nullable=False),  # "token <id> (<label>)" or "local <user>"
    Column("action", String(16), nullable=False),  # create, modify, fix, withdraw
    Column("changed", Text, nullable=False),  # JSON list of the top-level fields it changed
    Column("reason", Text),  # a withdrawal's reason
    Column("data_json", Text, nullable=False),  # canonical JSON of the advisory after it
    UniqueConstraint("advisory_id", "rev", name="uq_advisory_revisions"),
)

affected = Table(
    "advisory_affected",
    metadata,
    Column("advisory_id", String(100), ForeignKey("advisories.id"), nullable=False),
    Column("name", String(100), nullable=False),
    Column("versions", Text, nullable=False),  # an npm range
)
Index("ix_affected_name", affected.c.name)

fixed = Table(
    "advisory_fixed",
    metadata,
    Column("advisory_id", String(100), ForeignKey("advisories.id"), nullable=False),
    Column("name", String(100), nullable=False),
    Column("version", String(256), nullable=False),
    UniqueConstraint("advisory_id", "name", "version", name="uq_fixed"),
)

# One row (id 1): a counter that every write that changes something bumps in the same
# transaction as the change (and every migration), so a reader that sees the same number
# twice saw the same registry (the web server's response cache, umr.web.cache, is keyed on it).
changes = Table(
    "umr_changes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("n", BigInteger, nullable=False),
)

# Bearer tokens for writes through the web API: only sha256 of the secret is kept.
tokens = Table(
    "umr_web_tokens",
    metadata,
    Column("id", String(16), primary_key=True),
    Column("digest", String(64), nullable=False),
    Column("scopes", Text, nullable=False),  # space-separated ACTION:GLOB
    Column("label", Text, nullable=False, default=""),
    Column("created", String(32), nullable=False),  # UTC ISO 8601
    Column("revoked", String(32)),
    Column("expires", String(32)),  # UTC ISO 8601, or NULL: never
    Column("last_used", String(32)),  # to the minute
)

# One row per write made with a token, committed in the write's own transaction.
write_log = Table(
    "umr_web_writes",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("at", String(32), nullable=False),
    Column("token", String(16), nullable=False),
    Column("label", Text, nullable=False),
    Column("action", String(32), nullable=False),
    Column("target", Text, nullable=False),
    Column("detail", Text, nullable=False, default=""),
)

schema_version = Table(
    "umr_schema",
    metadata,
    Column("version", Integer, nullable=False),
)
