"""How a read transaction is made REPEATABLE READ on PostgreSQL, side by side in one process:
the connection's isolation level (psycopg begins with ``BEGIN ISOLATION LEVEL ...``), a
``SET TRANSACTION`` statement after ``BEGIN``, and a plain READ COMMITTED transaction, each
around one ``SELECT 1`` on a throwaway server (tests/support/postgres.py).

    .venv/bin/python bench/pg_isolation.py [--calls 1000] [--rounds 5]

Prints microseconds a transaction, best and every round, the three ways interleaved.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from sqlalchemy import Engine, create_engine

from support.postgres import postgres_server


def ways(engine: Engine) -> dict[str, Callable[[], object]]:
    def level() -> object:
        with engine.connect() as conn:
            conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                return conn.exec_driver_sql("SELECT 1").scalar()

    def statement() -> object:
        with engine.connect() as conn, conn.begin():
            conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            return conn.exec_driver_sql("SELECT 1").scalar()

    def plain() -> object:
        with engine.connect() as conn, conn.begin():
            return conn.exec_driver_sql("SELECT 1").scalar()

    return {"connection level": level, "SET TRANSACTION": statement, "READ COMMITTED": plain}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--calls", type=int, default=1000)
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    with postgres_server() as server:
        url = server.create_database().replace("postgresql://", "postgresql+psycopg://")
        engine = create_engine(url)
        timed = ways(engine)
        runs: dict[str, list[float]] = {name: [] for name in timed}
        for fn in timed.values():
            fn()  # connect and warm up
        for _ in range(args.rounds):
            for name, fn in timed.items():
                t0 = time.perf_counter()
                for _ in range(args.calls):
                    fn()
                runs[name].append((time.perf_counter() - t0) / args.calls * 1e6)
        engine.dispose()
    for name, us in runs.items():
        print(
            f"{name}: best {min(us):.0f} us a transaction; rounds "
            + ", ".join(f"{u:.0f}" for u in us)
        )


if __name__ == "__main__":
    main()
