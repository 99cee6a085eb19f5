"""The two closure walks side by side: the recursive statement (``lineage``, ``audit``) and the
level-by-level walk (``impact``), on one large downstream closure, alternating in one process.

    .venv/bin/python bench/impact_walks.py --url sqlite:////tmp/bench1m.db --dataset data-2
    .venv/bin/python bench/impact_walks.py --postgres 100000 --dataset data-0

``--postgres N`` loads ``graph(N)`` of bench/registry.py into a throwaway server
(tests/support/postgres.py) first. Each round times both walks, hits included, after a
collection; the first round also checks that both give the same records, depths and paths.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import sys
import time
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from umr.registry import Registry
from umr.registry.lineage import BY_LEVEL, STATEMENT, WalkQuery, walk
from web import postgres_registry


@contextlib.contextmanager
def registry_url(args: argparse.Namespace) -> Iterator[str]:
    if args.postgres:
        with postgres_registry(args.postgres, 0) as (url, how):
            print(how, flush=True)
            yield url
    else:
        yield args.url


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    where = ap.add_mutually_exclusive_group(required=True)
    where.add_argument("--url", help="a registry built by bench/registry.py")
    where.add_argument(
        "--postgres", type=int, metavar="N", help="load graph(N) into a throwaway server"
    )
    ap.add_argument("--dataset", default="data-0")
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    with registry_url(args) as url:
        reg = Registry(url)
        with reg.engine.connect() as conn:
            (start,) = conn.exec_driver_sql(
                "SELECT id FROM records WHERE name = %s"
                if reg.dialect == "postgresql"
                else "SELECT id FROM records WHERE name = ?",
                (args.dataset,),
            ).one()
            query = WalkQuery(starts=(start,), direction="down", typed=True)
            a = walk(conn, query, STATEMENT)
            b = walk(conn, query, BY_LEVEL)
            same = [(h.id, h.depth, h.path) for h in a] == [(h.id, h.depth, h.path) for h in b]
            print(
                f"{reg.dialect}, impact of {args.dataset}: {len(a)} descendants; "
                f"same records, depths and paths: {same}",
                flush=True,
            )
            del a, b
            times: dict[bool, list[float]] = {False: [], True: []}
            for _ in range(args.rounds):
                for by_level in (False, True):
                    gc.collect()
                    t0 = time.perf_counter()
                    walk(conn, query, BY_LEVEL if by_level else STATEMENT)
                    times[by_level].append(time.perf_counter() - t0)
        for by_level, label in ((False, "statement"), (True, "by level")):
            print(
                f"{label:10s} "
                + " ".join(f"{t:.2f}" for t in times[by_level])
                + f" s (best {min(times[by_level]):.2f})"
            )


if __name__ == "__main__":
    main()
