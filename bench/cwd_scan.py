"""Benchmark: what running umr from a large, foreign folder costs (``umr show REF``).

Publishes one record into a registry in a temporary folder, then times ``umr show REF`` run
as a fresh process from ``--cwd`` (default ``/usr``) and from an empty folder, best of
``--repeat``. With ``--src DIR`` the umr package is imported from ``DIR`` (another checkout's
``src``), so two versions can be compared in one run.

    .venv/bin/python bench/cwd_scan.py [--cwd /usr] [--repeat 5] [--src OTHER/src]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _umr(args: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, int]:
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "umr", *args], cwd=cwd, env=env, capture_output=True, check=False
    )
    return time.perf_counter() - start, proc.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cwd", default="/usr")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--src", default=None, help="import umr from this src folder")
    args = parser.parse_args()
    env = dict(os.environ)
    if args.src:
        env["PYTHONPATH"] = args.src
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "x.yaml").write_text("umr: 1\nname: probe\nversion: 1.0.0\nkind: model\n")
        env["UMR_REGISTRY"] = f"sqlite:///{root / 'registry.db'}"
        _, code = _umr(["publish", str(root / "x.yaml")], root, env)
        assert code == 0, "publish failed"
        empty = root / "empty"
        empty.mkdir()
        result: dict[str, object] = {
            "python": platform.python_version(),
            "machine": platform.machine(),
            "src": args.src or "this checkout",
        }
        for label, where in (("empty folder", empty), (args.cwd, Path(args.cwd))):
            runs = [_umr(["show", "probe"], where, env) for _ in range(args.repeat)]
            assert all(code == 0 for _, code in runs), f"umr show failed from {where}"
            result[f"best_s from {label}"] = round(min(t for t, _ in runs), 3)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
