"""In-process latency of single web requests (no concurrency), and the one-snapshot effect.

Two apps over the same registry, requests interleaved: one as served (every read-only route in
one ``Registry.snapshot()``), one with ``snapshot`` replaced by a no-op (a transaction per
lookup). Medians over the same random models, so the ratio is side by side.

    .venv/bin/python bench/web_inprocess.py --db /tmp/umr-bench-web-100000-seed0.db
"""

from __future__ import annotations

import argparse
import contextlib
import random
import statistics
import time

from fastapi.testclient import TestClient
from sqlalchemy import event, text

from umr.web.app import create_app

PATHS = {
    "record": "/records/{}/1.0.0",
    "lineage": "/api/records/{}/1.0.0/lineage?direction=up",
    "audit": "/api/records/{}/1.0.0/audit",
    "search": "/api/search?q=chat",
}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", required=True, help="a SQLite registry built by bench/registry.py")
    ap.add_argument("--samples", type=int, default=150)
    args = ap.parse_args()
    url = f"sqlite:///{args.db}"
    served = TestClient(create_app(url, cache_bytes=0))  # what building an answer costs
    plain_app = create_app(url, cache_bytes=0)
    reg = plain_app.state.registry
    reg.snapshot = lambda: contextlib.nullcontext(reg)  # a transaction per lookup
    plain = TestClient(plain_app)
    with reg.engine.connect() as conn:
        names = list(conn.execute(text("SELECT name FROM records WHERE kind = 'model'")).scalars())
    sample = random.Random(1).sample(names, args.samples)
    statements = [0]

    def count(*_: object) -> None:
        statements[0] += 1

    event.listen(served.app.state.registry.engine, "before_cursor_execute", count)
    for label, pattern in PATHS.items():
        times: dict[str, list[float]] = {"snapshot": [], "per-lookup": []}
        statements[0] = 0
        for name in sample:
            for key, client in (("snapshot", served), ("per-lookup", plain)):
                t0 = time.perf_counter()
                assert client.get(pattern.format(name)).status_code == 200
                times[key].append((time.perf_counter() - t0) * 1000)
        a, b = (statistics.median(times[k]) for k in ("snapshot", "per-lookup"))
        print(
            f"{label}: p50 {a:.1f} ms in one snapshot, {b:.1f} ms per lookup ({b / a:.2f}x); "
            f"{statements[0] / len(sample):.1f} statements a request"
        )


if __name__ == "__main__":
    main()
