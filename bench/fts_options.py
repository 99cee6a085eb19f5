"""FTS5 table options compared on a registry's own search documents.

Copies the rows of ``names_fts`` from a registry built by ``bench/registry.py`` into a scratch
database, once per variant (no options, ``detail=column``, ``detail=none``, prefix indexes),
then times per query (best of 3): counting the matches, ranking them with bm25 (top 20), and
the search window's cutoff (the 5,001st match in rowid order). Also the build time and size.

    .venv/bin/python bench/fts_options.py --db /tmp/bench1m.db --scratch /tmp/fts-options.db
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import time

VARIANTS = {
    "plain": "",
    "detail_column": ", detail=column",
    "detail_none": ", detail=none",
    "prefix_1_2_3": ", prefix='1 2 3'",
    "prefix_2_3_4_5": ", prefix='2 3 4 5'",
}
QUERIES = ['"chat"*', '"chat"* "17"*', '"model"* "1234"*', '"vision"* "5"*']


def best(con: sqlite3.Connection, sql: str, q: str) -> float:
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        con.execute(sql, (q,)).fetchall()
        times.append(time.perf_counter() - t0)
    return min(times) * 1000


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", required=True)
    ap.add_argument("--scratch", required=True, help="a scratch SQLite file (replaced)")
    ap.add_argument("--variant", action="append", choices=list(VARIANTS), default=None)
    args = ap.parse_args()
    rows = (
        sqlite3.connect(args.db)
        .execute("SELECT rowid, name, title, summary, publisher FROM names_fts")
        .fetchall()
    )
    if os.path.exists(args.scratch):
        os.remove(args.scratch)
    con = sqlite3.connect(args.scratch)
    print(f"{len(rows):,} documents from {args.db}")
    for name in args.variant or list(VARIANTS):
        before = os.path.getsize(args.scratch)
        t0 = time.perf_counter()
        con.execute(
            f"CREATE VIRTUAL TABLE f_{name} USING fts5(name, title, summary, publisher, "
            f"tokenize='unicode61'{VARIANTS[name]})"
        )
        con.executemany(
            f"INSERT INTO f_{name}(rowid, name, title, summary, publisher) VALUES (?,?,?,?,?)",
            rows,
        )
        con.commit()
        grown = (os.path.getsize(args.scratch) - before) / 1e6
        print(f"{name}: built in {time.perf_counter() - t0:.1f} s, {grown:.0f} MB")
        for q in QUERIES:
            count = best(con, f"SELECT count(*) FROM f_{name} WHERE f_{name} MATCH ?", q)
            ranked = best(
                con,
                f"SELECT rowid FROM f_{name} WHERE f_{name} MATCH ? "
                f"ORDER BY bm25(f_{name}, 10.0, 4.0, 1.0, 2.0) LIMIT 20",
                q,
            )
            cut = best(
                con,
                f"SELECT rowid FROM f_{name} WHERE f_{name} MATCH ? "
                "ORDER BY rowid LIMIT 1 OFFSET 5000",
                q,
            )
            print(
                f"  {q:22} count {count:7.1f} ms  bm25 top {ranked:7.1f} ms  cutoff {cut:6.1f} ms"
            )


if __name__ == "__main__":
    main()
