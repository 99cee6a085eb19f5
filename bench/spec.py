"""Benchmark: validate + resolve throughput of generated records in inheritance chains.

Generates N records (default 10,000) in chains of depth 1 to 20 (each record inherits the one
before it in its chain), as YAML text, then times three stages separately and together:
parse (bounded YAML), validate (record model) and resolve (inheritance with provenance), each
as ``umr validate`` runs it: in one pause of the cyclic GC (``validate_paths``), resolving
through ``Resolver.resolve_all``.
Memory per record is the tracemalloc peak of holding every resolved record, divided by N.

    .venv/bin/python bench/spec.py [--records 10000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import gc
import json
import platform
import time
import tracemalloc

from umr._gc import gc_paused
from umr.spec import dump_yaml, load_yaml, parse_record
from umr.spec.inherit import Resolver
from umr.spec.source import MemorySource


def generate(n: int) -> list[str]:
    texts: list[str] = []
    chain, depth, pos = 0, 1, 0
    for i in range(n):
        name = f"chain{chain}-m{pos}"
        data: dict[str, object] = {
            "umr": 1,
            "name": name,
            "version": f"1.{i % 7}.0",
            "kind": "model",
            "title": f"Model {i}",
            "summary": f"Generated model {i} at depth {pos} of chain {chain}.",
            "publisher": f"Lab {chain % 50}",
            "license": {"id": "apache-2.0", "url": "https://www.apache.org/licenses/LICENSE-2.0"},
            "released": "2024-05-01",
            "upstream": [{"ref": f"corpus-{chain % 100}@^1", "relation": "trained_on"}],
            "evaluations": [
                {"benchmark": "mmlu", "metric": "accuracy", "value": 0.4 + i % 50 / 100}
            ],
            "tags": ["generated", f"depth-{pos}"],
            "extensions": {"lab": {"step": i, "cfg": {"lr": 1e-4, "layers": 32 + pos}}},
        }
        if pos > 0:
            data["inherits"] = f"chain{chain}-m{pos - 1}@^1"
            del data["publisher"], data["license"]
        texts.append(dump_yaml(data))
        pos += 1
        if pos == depth:
            chain, pos, depth = chain + 1, 0, depth % 20 + 1
    return texts


def run(texts: list[str]) -> dict[str, float]:
    gc.collect()
    # The whole batch in one pause of the cyclic GC, as the umr command line runs a command
    # (umr.cli); the collection when the pause ends counts to resolve.
    t0 = time.perf_counter()
    with gc_paused():
        loaded = [load_yaml(t, source=f"gen-{i}.yaml") for i, t in enumerate(texts)]
        t1 = time.perf_counter()
        records = [parse_record(data, marks=marks) for data, marks in loaded]
        t2 = time.perf_counter()
        resolver = Resolver(MemorySource(records))
        resolved = resolver.resolve_all(records)  # resolved records validated, provenance built
    t3 = time.perf_counter()
    assert len(resolved) == len(texts)
    n = len(texts)
    return {
        "parse_per_s": n / (t1 - t0),
        "validate_per_s": n / (t2 - t1),
        "resolve_per_s": n / (t3 - t2),
        "validate_resolve_per_s": n / (t3 - t1),
        "total_per_s": n / (t3 - t0),
    }


def memory_per_record(texts: list[str]) -> float:
    gc.collect()
    tracemalloc.start()
    records = [parse_record(load_yaml(t)[0]) for t in texts]
    resolver = Resolver(MemorySource(records))
    resolved = [resolver.resolve(r) for r in records]
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del resolved
    return peak / len(texts)


def tracked_objects(texts: list[str]) -> dict[str, int]:
    """Objects the cyclic GC tracks that each stage leaves alive (what the collection at the
    end of a paused batch has to scan), with the collector off while counting."""
    gc.collect()
    gc.disable()
    try:
        base = len(gc.get_objects())
        loaded = [load_yaml(t) for t in texts]
        parsed = len(gc.get_objects())
        records = [parse_record(d, marks=m) for d, m in loaded]
        validated = len(gc.get_objects())
        resolved = Resolver(MemorySource(records)).resolve_all(records)
        done = len(gc.get_objects())
        assert len(resolved) == len(texts)
    finally:
        gc.enable()
    return {"parse": parsed - base, "validate": validated - parsed, "resolve": done - validated}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--objects",
        action="store_true",
        help="also count the GC-tracked objects each stage leaves alive",
    )
    args = parser.parse_args()
    texts = generate(args.records)
    runs = [run(texts) for _ in range(args.repeat)]
    best = {k: max(r[k] for r in runs) for k in runs[0]}
    result = {
        "records": args.records,
        "python": platform.python_version(),
        "machine": platform.machine(),
        **{k: round(v) for k, v in best.items()},
        "memory_bytes_per_record": round(memory_per_record(texts)),
        **({"tracked_objects": tracked_objects(texts)} if args.objects else {}),
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
