"""Side by side: single in-process web requests under two code trees, each on its own registry.

Each side is ``LABEL=SRC,db=PATH``: ``SRC`` goes first on PYTHONPATH (a worktree's ``src`` for
an older commit, ``src`` for this one) and ``PATH`` is a SQLite registry built by
``bench/registry.py`` with that side's code (trees at different schema versions need their own
file). Sides alternate, round by round, in fresh processes; each prints the median latency of
the record page, the audit and lineage API answers (60 random models, the same on every side),
and the search page, with the response cache off (what building an answer costs).

    .venv/bin/python bench/web_ab.py --side old=/tmp/old/src,db=/tmp/old100k.db \\
        --side new=src,db=/tmp/new100k.db --rounds 4
"""

from __future__ import annotations

import argparse
import subprocess
import sys

from registry_ab import parse_sides  # bench/ is on the path when run as a script

_PROBE = r"""
import json, random, statistics, sys, time
from fastapi.testclient import TestClient
from umr.web.app import create_app
client = TestClient(create_app("sqlite:///" + sys.argv[1], cache_bytes=0))
rng = random.Random(0)
names = [f"model-{rng.randrange(50000)}" for _ in range(60)]
out = {}
for label, pattern in (
    ("record page", "/records/{}/1.0.0"),
    ("audit API", "/api/records/{}/1.0.0/audit"),
    ("lineage API", "/api/records/{}/1.0.0/lineage"),
    ("search page", "/search?q=chat"),
):
    ms = []
    for name in names:
        t = time.perf_counter()
        answer = client.get(pattern.format(name))
        ms.append((time.perf_counter() - t) * 1000)
        assert answer.status_code == 200, (pattern, name, answer.status_code)
    out[label] = round(statistics.median(ms), 1)
print(json.dumps(out))
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--side", action="append", required=True, help="LABEL=SRC,db=PATH")
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    sides = parse_sides(args.side, None)
    for rnd in range(args.rounds):
        for label, env, db in sides:
            cmd = [sys.executable, "-c", _PROBE, db]
            r = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
            print(rnd, label, r.stdout.strip() or r.stderr.strip()[-800:], flush=True)


if __name__ == "__main__":
    main()
