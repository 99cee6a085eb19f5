"""Time every output format per record on the demo registry.

    python bench/render.py [--records N] [--repeat R]

Loads the bundled demo registry into a temporary SQLite file, builds each record's render
context once (resolve, lineage both ways, audit: timed separately), then times each format
R times per record and reports the median and the 95th percentile per record, against the
targets (html, json, cyclonedx, spdx < 20 ms; pdf < 200 ms).
"""

from __future__ import annotations

import argparse
import platform
import statistics
import tempfile
import time
from pathlib import Path

from umr.formats import available, render
from umr.formats.context import build_context
from umr.registry import Registry
from umr.registry.demo import load_demo

TARGETS_MS = {"html": 20, "json": 20, "cyclonedx": 20, "spdx": 20, "pdf": 200}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=60, help="records to render (0: all)")
    parser.add_argument("--repeat", type=int, default=3, help="timed renders per record")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'demo.db'}"
        load_demo(url)
        reg = Registry(url)
        refs = [f"{r['name']}@{r['version']}" for r in _records(reg)]
        if args.records:
            refs = refs[: args.records]
        t0 = time.perf_counter()
        contexts = [build_context(ref, reg) for ref in refs]
        ctx_ms = (time.perf_counter() - t0) * 1000 / len(contexts)
        nodes = [len(c.graph().nodes) for c in contexts]
        for c in contexts[:2]:  # warm caches (templates, Typst fonts) outside the timing
            for name in available():
                render(name, c)
        print(
            f"# {len(contexts)} demo records; lineage nodes per record: median "
            f"{statistics.median(nodes)}, max {max(nodes)}"
        )
        print(
            f"# {platform.processor() or platform.machine()}, Python "
            f"{platform.python_version()}, {time.strftime('%Y-%m-%d')}"
        )
        print(f"context (resolve + lineage + audit): {ctx_ms:.1f} ms/record")
        print(f"{'format':10} {'median ms':>10} {'p95 ms':>8} {'target':>8}  ok")
        for name in available():
            times = []
            for c in contexts:
                best = []
                for _ in range(args.repeat):
                    t = time.perf_counter()
                    render(name, c)
                    best.append((time.perf_counter() - t) * 1000)
                times.append(min(best))
            times.sort()
            med, p95 = statistics.median(times), times[int(0.95 * (len(times) - 1))]
            target = TARGETS_MS.get(name)
            ok = "" if target is None else ("yes" if p95 < target else "NO")
            print(f"{name:10} {med:10.2f} {p95:8.2f} {target or '-':>8}  {ok}")


def _records(reg: Registry) -> list[dict[str, str]]:
    from sqlalchemy import select

    from umr.registry import tables as t

    with reg.engine.connect() as conn:
        rows = conn.execute(
            select(t.records.c.name, t.records.c.version).order_by(t.records.c.name)
        ).all()
    return [{"name": n, "version": v} for n, v in rows]


if __name__ == "__main__":
    main()
