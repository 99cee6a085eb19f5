"""Where a slow search or impact spends its time, on a SQLite registry of bench/registry.py.

- search: the FTS5 match alone, the match ranked by bm25 (top 20), and the full search query;
- impact: the closure statement against building the hits in Python; the closure statement
  with a covering index on records used through INDEXED BY, and joined to a narrow copy of the
  records' head columns (both made in a transaction that is rolled back, so the registry is
  left as it was); and the breadth-first walk from Python that ``Registry.impact`` uses (one
  query per level, then the records' heads).

    .venv/bin/python bench/registry_probe.py --db /tmp/bench1m.db --word chat --dataset data-2
"""

from __future__ import annotations

import argparse
import sqlite3
import time
from collections.abc import Callable
from typing import Any

from umr.registry import Registry
from umr.registry.lineage import BY_LEVEL, STATEMENT, WalkQuery, _statement, hits


def best(fn: Callable[[], Any], repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", required=True)
    ap.add_argument("--word", default="chat")
    ap.add_argument("--dataset", default="data-2")
    args = ap.parse_args()
    con = sqlite3.connect(args.db, isolation_level=None)
    q = f'"{args.word}"*'
    (n,) = con.execute("SELECT count(*) FROM names_fts WHERE names_fts MATCH ?", (q,)).fetchone()
    ranked = (
        "SELECT rowid, -bm25(names_fts, 10.0, 4.0, 1.0, 2.0) AS s FROM names_fts "
        "WHERE names_fts MATCH ? ORDER BY s DESC LIMIT 20"
    )
    count = "SELECT count(*) FROM names_fts WHERE names_fts MATCH ?"
    reg = Registry(f"sqlite:///{args.db}")
    print(f"search {args.word!r}: {n} matches")
    print(f"  match only        {best(lambda: con.execute(count, (q,)).fetchall()) * 1000:8.1f} ms")
    print(
        f"  match + bm25 top  {best(lambda: con.execute(ranked, (q,)).fetchall()) * 1000:8.1f} ms"
    )
    print(f"  Registry.search   {best(lambda: reg.search(args.word, limit=20)) * 1000:8.1f} ms")

    (rid,) = con.execute("SELECT id FROM records WHERE name = ?", (args.dataset,)).fetchone()
    query = WalkQuery(starts=(rid,), direction="down", typed=True)
    with reg.engine.connect() as conn:
        rows = STATEMENT(conn, query)
        walk = best(lambda: STATEMENT(conn, query))
    build = best(lambda: hits(rows, "down"))
    total = best(lambda: reg.impact(args.dataset))
    print(f"impact {args.dataset}: {len(rows) - 1} descendants")
    print(f"  closure statement {walk:8.2f} s (lineage.STATEMENT: lineage's and audit's walk)")
    print(f"  hits in Python    {build:8.2f} s")
    print(f"  Registry.impact   {total:8.2f} s (level by level, hits included)")

    sql = _statement("down", False, False, True, False).text
    sql = sql.replace("IN (__[POSTCOMPILE_starts])", f"IN ({rid})").replace(":starts", f"({rid})")
    plain = best(lambda: con.execute(sql).fetchall())
    con.execute("BEGIN")
    con.execute("CREATE INDEX probe_head ON records (id, name, version, kind, title)")
    covered = sql.replace(
        "JOIN records r ON r.id = w.id", "JOIN records AS r INDEXED BY probe_head ON r.id = w.id"
    )
    with_index = best(lambda: con.execute(covered).fetchall())
    con.execute("CREATE TABLE probe_heads (id INTEGER PRIMARY KEY, name, version, kind, title)")
    con.execute("INSERT INTO probe_heads SELECT id, name, version, kind, title FROM records")
    narrow = sql.replace("JOIN records r ON r.id = w.id", "JOIN probe_heads r ON r.id = w.id")
    assert covered != sql and narrow != sql, (
        "the statement's records join changed: update the probe"
    )
    with_heads = best(lambda: con.execute(narrow).fetchall())
    con.execute("ROLLBACK")
    print(
        f"  statement alone   {plain:8.2f} s; with a covering index {with_index:.2f} s; "
        f"joined to a narrow heads table {with_heads:.2f} s"
    )
    with reg.engine.connect() as conn:
        walked = best(lambda: BY_LEVEL(conn, query))
        n = len(BY_LEVEL(conn, query)) - 1
    print(f"  level by level    {walked:8.2f} s ({n} descendants; lineage.BY_LEVEL, impact's walk)")


if __name__ == "__main__":
    main()
