"""Side by side: the same registry queries under two or more code trees (or settings).

Each side is ``LABEL=SRC[,VAR=VALUE...]``: ``SRC`` goes first on PYTHONPATH (a git worktree's
``src`` for an older commit, ``src`` for this one) and the variables are set for that side
only (e.g. ``UMR_SQLITE_MMAP=0``). Sides alternate, round by round, in fresh processes, on the
same registry, so the machine's load falls on all of them alike. Each round prints, per side,
the best of ``--repeat`` impacts of ``--dataset`` and one timing of each search.

    git worktree add /tmp/old dd71c54
    .venv/bin/python bench/registry_ab.py --db /tmp/bench1m.db --dataset data-2 \\
        --side old=/tmp/old/src --side new=src --rounds 2

Give each side its own copy of the registry if the code trees are at different schema
versions (a newer tree migrates the file when it opens it): ``db=PATH`` among a side's
assignments replaces ``--db`` for that side. ``--closures N`` also times the upstream lineage
and the audit of N models (the same ones on every side: ``model-0``, ``model-K``, ...) and
prints each one's p50 in ms.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

_PROBE = r"""
import json, statistics, sys, time
from umr.registry import Registry
db, dataset, repeat, closures = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
queries = sys.argv[5:]
reg = Registry("sqlite:///" + db)
times = []
for _ in range(repeat):
    t = time.perf_counter(); n = len(reg.impact(dataset)); times.append(time.perf_counter() - t)
searches = {}
for q in queries:
    t = time.perf_counter(); reg.search(q, limit=20)
    searches[q] = round((time.perf_counter() - t) * 1000, 1)
out = {"impact": [n, round(min(times), 2)], "search_ms": searches}
if closures:
    total = reg.stats()["records"]
    names = [f"model-{i * (total // 2) // closures}" for i in range(closures)]
    for label, fn in (("lineage_ms_p50", reg.lineage), ("audit_ms_p50", reg.audit)):
        ms = []
        for name in names:
            t = time.perf_counter(); fn(name + "@1.0.0")
            ms.append((time.perf_counter() - t) * 1000)
        out[label] = round(statistics.median(ms), 2)
print(json.dumps(out))
"""


def parse_sides(specs: list[str], default_db: str | None) -> list[tuple[str, dict[str, str], str]]:
    """``LABEL=SRC[,VAR=VALUE...]`` -> (label, environment with SRC first on PYTHONPATH and the
    variables set, the side's registry: its ``db=`` or ``default_db``)."""
    sides = []
    for spec in specs:
        label, _, rest = spec.partition("=")
        src, *assignments = rest.split(",")
        env = dict(os.environ, PYTHONPATH=os.path.abspath(src))
        env.update(a.split("=", 1) for a in assignments)
        db = env.pop("db", default_db)
        if db is None:
            raise SystemExit(f"side {label!r} names no registry: add db=PATH")
        sides.append((label, env, db))
    return sides


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", required=True, help="a SQLite registry built by bench/registry.py")
    ap.add_argument("--dataset", default="data-2")
    ap.add_argument("--side", action="append", required=True, help="LABEL=SRC[,VAR=VALUE...]")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--closures", type=int, default=0, help="models to time lineage and audit on")
    ap.add_argument(
        "--query",
        action="append",
        default=None,
        help="a search to time (repeatable) [default: chat, lora, model 1234, chat 17, "
        "vision 5, gguf]",
    )
    args = ap.parse_args()
    queries = args.query or ["chat", "lora", "model 1234", "chat 17", "vision 5", "gguf"]
    sides = parse_sides(args.side, args.db)
    for rnd in range(args.rounds):
        for label, env, db in sides:
            cmd = [
                sys.executable,
                "-c",
                _PROBE,
                db,
                args.dataset,
                str(args.repeat),
                str(args.closures),
                *queries,
            ]
            r = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
            print(rnd, label, r.stdout.strip() or r.stderr.strip()[-500:], flush=True)


if __name__ == "__main__":
    main()
