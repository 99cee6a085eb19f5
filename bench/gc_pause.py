"""What pausing the cyclic GC is worth: the same work with the collector running and paused.

Two workloads, each alternating the two settings, best of ``--repeat``:
- spec: parse, validate and resolve ``--records`` generated records (bench/spec.py's batch);
- impact: the impact of ``data-0`` on a bench/registry.py graph of ``--graph`` records
  (published into ``--url`` unless it already holds them).

    .venv/bin/python bench/gc_pause.py --records 10000 --graph 100000 --url sqlite:////tmp/g.db
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from registry import graph
from spec import generate
from umr._gc import gc_paused
from umr.registry import Registry
from umr.spec import Record, parse_record
from umr.spec.inherit import Resolver
from umr.spec.source import MemorySource
from umr.spec.yamlio import load_yaml


@contextlib.contextmanager
def running() -> Iterator[None]:
    yield


def timed(
    work: Callable[[], int], setting: Callable[[], contextlib.AbstractContextManager[None]]
) -> float:
    gc.collect()
    t0 = time.perf_counter()
    with setting():
        n = work()
    elapsed = time.perf_counter() - t0  # the collection when a pause ends is counted
    assert n > 0
    return elapsed


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--records", type=int, default=10_000)
    ap.add_argument("--graph", type=int, default=100_000)
    ap.add_argument("--url", required=True)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    texts = generate(args.records)

    def spec_batch() -> int:
        loaded = [load_yaml(t, source=f"gen-{i}.yaml") for i, t in enumerate(texts)]
        records = [parse_record(data, marks=marks) for data, marks in loaded]
        return len(Resolver(MemorySource(records)).resolve_all(records))

    reg = Registry(args.url)
    if reg.stats()["records"] != args.graph:
        batch: list[Record] = []
        for data in graph(args.graph):
            batch.append(Record.from_dict(data))
            if len(batch) == 5000:
                reg.publish(batch)
                batch = []
        if batch:
            reg.publish(batch)

    def impact() -> int:
        return len(reg.impact("data-0"))

    result: dict[str, object] = {"records": args.records, "graph": args.graph}
    for name, work in (("spec", spec_batch), ("impact", impact)):
        times: dict[str, list[float]] = {"running": [], "paused": []}
        for _ in range(args.repeat):
            times["running"].append(timed(work, running))
            times["paused"].append(timed(work, gc_paused))
        best = {k: min(v) for k, v in times.items()}
        result[name] = {
            "running_s": round(best["running"], 3),
            "paused_s": round(best["paused"], 3),
            "paused_saves": f"{1 - best['paused'] / best['running']:.0%}",
        }
    reg.close()
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
