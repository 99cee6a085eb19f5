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


# Rank and cut to ``limit`` on the small names table first, then join the (wide) records rows
# of the few survivors: joining every match before sorting cost 2-4x on a common word.
_SQLITE = """
SELECT r.name, r.version, r.kind, r.title, r.summary, r.publisher, top.score
FROM (SELECT n.latest_id AS id, n.name AS name,
             -bm25(names_fts, 10.0, 4.0, 1.0, 2.0) AS score
      FROM names_fts JOIN names n ON n.id = names_fts.rowid
      WHERE names_fts MATCH :q AND n.latest_id IS NOT NULL {filters}
      ORDER BY score DESC, n.name LIMIT :limit) AS top
JOIN records r ON r.id = top.id
ORDER BY top.score DESC, top.name
"""

_POSTGRES = """
SELECT r.name, r.version, r.kind, r.title, r.summary, r.publisher, top.score
FROM (SELECT n.latest_id AS id, n.name AS name, ts_rank(n.tsv, q, 1) AS score
      FROM names n CROSS JOIN to_tsquery('simple', :q) AS q
      WHERE n.tsv @@ q AND n.latest_id IS NOT NULL {filters}
      ORDER BY score DESC, n.name LIMIT :limit) AS top
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
) -> list[SearchHit]:
    """Hits for every word of ``query`` (as prefixes), best first, whose latest version has
    ``kind``, ``publisher`` (any case) and an upstream edge of type ``relation`` when given."""
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
    if not words:
        sql = _LIST
    elif conn.dialect.name == "sqlite":
        params["q"] = " ".join(f'"{w}"*' for w in words)
        sql = _SQLITE
    else:
        params["q"] = " & ".join(f"{w}:*" for w in words)
        sql = _POSTGRES
    rows = conn.execute(text(sql.format(filters=" ".join(filters))), params)
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
