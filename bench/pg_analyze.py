"""What PostgreSQL's planner statistics are worth to the lineage walk, before and after one
``ANALYZE``, in one run: the synthetic registry of bench/registry.py is published in batches
smaller than ``ANALYZE_AFTER`` (so publishing does not analyze), on a throwaway server with
autovacuum off (so nothing analyzes behind the bench's back), then the same upstream lineage
of the same random models is timed with no statistics and again after ``ANALYZE``.

    .venv/bin/python bench/pg_analyze.py [--records 100000] [--samples 20]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent / "tests")]

from registry import graph  # noqa: E402  (bench/registry.py: the generator)
from support.postgres import postgres_server  # noqa: E402
from umr.registry import Registry  # noqa: E402
from umr.registry.store import ANALYZE_AFTER  # noqa: E402
from umr.spec import Record  # noqa: E402


def timed(reg: Registry, names: list[str]) -> list[float]:
    out = []
    for name in names:
        t0 = time.perf_counter()
        reg.lineage(name, "up")
        out.append((time.perf_counter() - t0) * 1000)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--records", type=int, default=100_000)
    ap.add_argument("--samples", type=int, default=20)
    args = ap.parse_args()
    data = list(graph(args.records, 0))
    models = [d["name"] for d in data if d["kind"] == "model"]
    names = random.Random(1).sample(models, args.samples)
    with postgres_server() as server:
        url = server.create_database()
        with Registry(url) as reg:
            with reg.engine.connect() as conn:
                for table in ("names", "records", "edges"):
                    conn.exec_driver_sql(f"ALTER TABLE {table} SET (autovacuum_enabled = off)")
                conn.commit()
            batch = ANALYZE_AFTER - 1
            t0 = time.perf_counter()
            for i in range(0, len(data), batch):
                reg.publish([Record.from_dict(d) for d in data[i : i + batch]])
            print(f"loaded {args.records:,} records in {time.perf_counter() - t0:.0f} s")
            before = timed(reg, names)
            reg._analyze()
            after = timed(reg, names)
    for label, ms in (("no statistics", before), ("after ANALYZE", after)):
        print(
            f"{label}: lineage up, p50 {statistics.median(ms):.1f} ms, "
            f"min {min(ms):.1f}, max {max(ms):.1f} ({len(ms)} models)"
        )


if __name__ == "__main__":
    main()
