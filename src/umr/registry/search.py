"""Full-text search over names, titles, summaries and publishers (latest version per name).

SQLite uses an FTS5 table ranked by bm25; PostgreSQL a weighted ``tsvector`` column with a GIN
index ranked by ``ts_rank``. Both index words only (see ``_sql.fts_text``) and match every
query word as a prefix, so ``llama 7`` finds ``llama-2-7b``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, text

from umr.registry._sql import fts_text, publisher_key


@dataclass(frozen=True, kw_only=True, slots=True)
class SearchHit:
    name: str
    version: str
    kind: str
    title: str | None
    summary: str | None
    publisher: str | None
    score: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "version": self.version,
            "kind": self.kind,
            "title": self.title,
            "summary": self.summary,
            "publisher": self.publisher,
            "score": self.score,
        }

    def text(self) -> str:
        title = f"  {self.title}" if self.title else ""
        return f"{self.name}@{self.version} [{self.kind}]{title}"


# Ranking every match costs a constant per row in either database, which is most of a search
# for a common word in a large registry (docs/benchmarks.md, "Queries at commit 3c8366a:
# search window, lighter impact"). So a query that matches more than RANK_WINDOW names (after
# filters) is ranked within the RANK_WINDOW names registered first, plus the name spelled
# exactly as the query if there is one. Registration order is meaningful here: a record's
# upstream must be published before it, so base models and datasets precede everything derived
# from them. Scores do not depend on the window (they use the statistics of the whole index),
# so a hit scores the same either way.
RANK_WINDOW = 5_000
_NO_CUTOFF = 2**62

# The (window + 1)-th match in registration order, when there is one: FTS5 and the names
# primary key both yield rowid order, so this reads RANK_WINDOW matches, not all of them.
_SQLITE_CUTOFF = """
SELECT names_fts.rowid FROM names_fts JOIN names n ON n.id = names_fts.rowid
WHERE names_fts MATCH :q AND n.latest_id IS NOT NULL {filters}
ORDER BY names_fts.rowid LIMIT 1 OFFSET :window
"""
# Rank and cut to ``limit`` on the small names table first, then join the (wide) records rows
# of the few survivors: joining every match before sorting cost several times more on a common
# word (the same section of docs/benchmarks.md). The
# rowid bound goes to FTS5 as a range on its doclists; when the exact name lies beyond the
# window, a second arm adds it (an OR would hide the bound from FTS5).
_SQLITE_ARM = """
SELECT n.latest_id AS id, n.name AS name, -bm25(names_fts, 10.0, 4.0, 1.0, 2.0) AS score
FROM names_fts JOIN names n ON n.id = names_fts.rowid
WHERE names_fts MATCH :q AND {bound} AND n.latest_id IS NOT NULL {filters}
"""
_SQLITE_TOP = """
SELECT r.name, r.version, r.kind, r.title, r.summary, r.publisher, top.score
FROM (SELECT id, name, score FROM ({arms})
      ORDER BY score DESC, name LIMIT :limit) AS top
JOIN records r ON r.id = top.id
ORDER BY top.score DESC, top.name
"""
_SQLITE = _SQLITE_TOP.replace("{arms}", _SQLITE_ARM.replace("{bound}", "names_fts.rowid < :cutoff"))
# Only when the exact name lies beyond the window: each arm decodes the word's doclist again.
_SQLITE_EXACT = _SQLITE_TOP.replace(
    "{arms}",
    _SQLITE_ARM.replace("{bound}", "names_fts.rowid < :cutoff")
    + " UNION "
    + _SQLITE_ARM.replace("{bound}", "names_fts.rowid = :exact_id"),
)

# PostgreSQL's GIN index yields matches in no useful order, so a separate cutoff query would
# read every match twice; instead one statement numbers the matches by id, carrying what the
# ranking needs (joining names again made the planner scan it twice), then ranks only the
# window and the exact name.
_POSTGRES = """
SELECT r.name, r.version, r.kind, r.title, r.summary, r.publisher, top.score
FROM (SELECT m.id, m.name, ts_rank(m.tsv, q, 1) AS score
      FROM (SELECT n.latest_id AS id, n.name, n.tsv, row_number() OVER (ORDER BY n.id) AS pos
            FROM names n CROSS JOIN to_tsquery('simple', :q) AS q
            WHERE n.tsv @@ q AND n.latest_id IS NOT NULL {filters}) AS m
      CROSS JOIN to_tsquery('simple', :q) AS q
      WHERE m.pos <= :window OR m.name = :exact
      ORDER BY score DESC, m.name LIMIT :limit) AS top
JOIN records r ON r.id = top.id
ORDER BY top.score DESC, top.name
"""

# Filters only, no words: every name that passes them, in name order.
_LIST = """
SELECT r.name, r.version, r.kind, r.title, r.summary, r.publisher, 0.0 AS score
FROM (SELECT n.latest_id AS id, n.name AS name FROM names n
      WHERE n.latest_id IS NOT NULL {filters} ORDER BY n.name LIMIT :limit) AS top
JOIN records r ON r.id = top.id
ORDER BY top.name
"""

# The latest version's publisher (case-folded, see _sql.publisher_key) and its typed
# upstream relations.
_PUBLISHER = "AND n.publisher_key = :publisher"
_RELATION = (
    "AND EXISTS (SELECT 1 FROM edges e WHERE e.src_id = n.latest_id AND e.relation = :relation)"
)


def search(
    conn: Connection,
    query: str,
    kind: str | None = None,
    limit: int = 50,
    *,
    publisher: str | None = None,
    relation: str | None = None,
    window: int = RANK_WINDOW,
) -> list[SearchHit]:
    """Hits for every word of ``query`` (as prefixes), best first, whose latest version has
    ``kind``, ``publisher`` (any case) and an upstream edge of type ``relation`` when given.

    When more than ``window`` names match, only the first ``window`` of them in registration
    order, and the name equal to ``query`` if any, are ranked (see RANK_WINDOW)."""
    words = fts_text(query).lower().split()
    if limit <= 0 or not (words or publisher or relation):
        return []
    params: dict[str, Any] = {"limit": limit}
    filters = []
    if kind is not None:
        params["kind"] = kind
        filters.append("AND n.kind = :kind")
    if publisher:
        params["publisher"] = publisher_key(publisher)
        filters.append(_PUBLISHER)
    if relation:
        params["relation"] = relation
        filters.append(_RELATION)
    where = " ".join(filters)
    if not words:
        sql = _LIST
    elif conn.dialect.name == "sqlite":
        params["q"] = " ".join(f'"{w}"*' for w in words)
        cutoff = conn.execute(
            text(_SQLITE_CUTOFF.format(filters=where)), params | {"window": window}
        ).scalar()
        params["cutoff"] = _NO_CUTOFF if cutoff is None else cutoff
        sql = _SQLITE
        if cutoff is not None:  # a window: add the exact name if it lies beyond it
            exact = conn.execute(
                text("SELECT id FROM names WHERE name = :name"), {"name": query.strip().lower()}
            ).scalar()
            if exact is not None and exact >= cutoff:
                params["exact_id"] = exact
                sql = _SQLITE_EXACT
    else:
        params["q"] = " & ".join(f"{w}:*" for w in words)
        params["window"] = window
        params["exact"] = query.strip().lower()
        sql = _POSTGRES
    rows = conn.execute(text(sql.format(filters=where)), params)
    return [
        SearchHit(
            name=r.name,
            version=r.version,
            kind=r.kind,
            title=r.title,
            summary=r.summary,
            publisher=r.publisher,
            score=round(float(r.score), 6),
        )
        for r in rows
    ]
