"""Benchmark: import the installed timm and open_clip weight registries, then publish them.

For each zoo alone (``umr import timm`` / ``umr import open-clip`` as a library call, cold:
the in-process cache is cleared before each repeat), counts the records (models, families,
shipped datasets), upstream edges and tag parts not interpreted, and times the read. Then times
``load_demo(url, ["timm", "open-clip"])`` into a fresh SQLite registry: the demo plus both zoos,
each set of weights once, published in one batch per step.

    .venv/bin/python bench/zoo.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import platform
import tempfile
import time
from collections import Counter
from importlib.metadata import version
from pathlib import Path

from umr.formats.importers import read
from umr.formats.importers import timm as timm_importer
from umr.registry import Registry
from umr.registry.demo import load_demo


def import_once(kind: str) -> tuple[float, dict[str, int]]:
    timm_importer._CACHE.clear()  # time the read itself, not the in-process cache
    start = time.perf_counter()
    result = read(kind, None)
    seconds = time.perf_counter() - start
    kinds = Counter(r["kind"] for r in result.records)
    return seconds, {
        "records": len(result.records),
        "models": kinds["model"],
        "families": kinds["family"],
        "datasets": kinds["dataset"],
        "edges": sum(len(r.get("upstream") or ()) for r in result.records),
        "trained_on": sum(
            1
            for r in result.records
            for e in r.get("upstream") or ()
            if e["relation"] == "trained_on"
        ),
        "models_without_data": sum(
            1
            for r in result.records
            if r["kind"] == "model"
            and not any(e["relation"] == "trained_on" for e in r.get("upstream") or ())
        ),
        "uninterpreted_parts": sum(1 for x in result.lost if "is not interpreted" in x),
        "tags_with_uninterpreted_parts": sum(
            1
            for r in result.records
            if any(v.get("uninterpreted") for v in (r.get("extensions") or {}).values())
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    out: dict[str, object] = {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "versions": {"timm": version("timm"), "open_clip_torch": version("open_clip_torch")},
    }
    for kind in ("timm", "open-clip"):
        runs = [import_once(kind) for _ in range(args.repeat)]
        out[kind] = {**runs[0][1], "read_s": [round(s, 2) for s, _ in runs]}
    loads = []
    for _ in range(args.repeat):
        timm_importer._CACHE.clear()
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite:///{Path(tmp) / 'zoo.db'}"
            start = time.perf_counter()
            counts = load_demo(url, ["timm", "open-clip"])
            loads.append(round(time.perf_counter() - start, 2))
            with Registry(url) as reg:
                hits = reg.impact("laion-5b")
                stats = reg.stats()
    out["demo_with_zoos"] = {
        **counts,
        "load_s": loads,
        "registry_records": stats["records"],
        "registry_edges": stats["edges"],
        "impact_laion_5b": len(hits),
        "impact_laion_5b_zoo": sum(1 for h in hits if h.name.startswith(("timm-", "open-clip-"))),
    }
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
