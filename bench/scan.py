"""Benchmark: ``umr scan``'s extraction over a large tree (files per second).

Walks a folder (default: this environment's site-packages, tens of thousands of Python files,
notebooks and configs of real libraries) and reads every file as ``umr scan`` does: Python by
its syntax tree, notebooks, YAML/JSON/TOML configs, ``[tool.umr]``. Reports files, bytes,
references, unresolved calls and skipped files, and the best of ``--repeat`` runs. With
``--registry``, also times the whole scan (resolution and audit) once. With ``--compare``,
also times one run that parses every Python file (without the text filter that skips files
naming no model API), in the same process, for the ratio.

    .venv/bin/python bench/scan.py [PATH] [--repeat 3] [--registry sqlite:///demo.db] [--compare]
"""

from __future__ import annotations

import argparse
import json
import platform
import sysconfig
import time
from pathlib import Path

from umr.scan import extract, scan


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("path", nargs="?", default=sysconfig.get_paths()["purelib"])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--registry", default=None)
    parser.add_argument("--compare", action="store_true")
    args = parser.parse_args()
    root = Path(args.path)
    times = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        report = extract([root])
        times.append(time.perf_counter() - start)
    best = min(times)
    size = sum(
        p.stat().st_size
        for p in root.rglob("*")
        if p.suffix in (".py", ".ipynb", ".yaml", ".yml", ".json", ".toml") and p.is_file()
    )
    out: dict[str, object] = {
        "python": platform.python_version(),
        "path": str(root),
        "files": report.files,
        "megabytes": round(size / 1e6, 1),
        "references": len(report.unknown),
        "unresolved": len(report.unresolved),
        "skipped": len(report.skipped),
        "seconds": [round(t, 2) for t in times],
        "files_per_second": round(report.files / best),
    }
    if args.compare:
        import umr.scan.files as files

        kept = files.may_reference
        files.may_reference = lambda source: True  # parse every file
        try:
            start = time.perf_counter()
            unfiltered = extract([root])
            seconds = time.perf_counter() - start
        finally:
            files.may_reference = kept
        out["unfiltered_seconds"] = round(seconds, 2)
        out["unfiltered_files_per_second"] = round(unfiltered.files / seconds)
        out["unfiltered_same_result"] = (
            unfiltered.unknown == report.unknown and unfiltered.unresolved == report.unresolved
        )
        out["unfiltered_skipped"] = len(unfiltered.skipped)
    if args.registry:
        from umr.registry import Registry

        with Registry(args.registry) as reg:
            start = time.perf_counter()
            full = scan([root], reg)
            out["scan_with_registry_s"] = round(time.perf_counter() - start, 2)
            out["resolved"] = len(full.uses)
            out["findings"] = len(full.findings())
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
