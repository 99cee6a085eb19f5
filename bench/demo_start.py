"""Time from `make demo` on a fresh clone to the first answer of the served demo registry.

Clones each commit given into a temporary folder, runs `make demo` there (which creates the
virtual environment, installs, loads the bundled registry and serves it), and polls the home
page until it answers 200. Commits alternate over the rounds, so two commits are compared side
by side in one run:

    python bench/demo_start.py HEAD~1 HEAD --rounds 2

pip's own cache is left as it is (warm after the first round, as on a developer's machine); the
demo registry is not: each run loads it anew.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as r:
            return bool(r.status == 200)
    except OSError:
        return False


def first_answer(commit: str, port: int, limit: float) -> tuple[float, float]:
    """Seconds to the first 200 from the home page, and the size of the venv in MB."""
    if _answers(f"http://127.0.0.1:{port}/"):
        raise SystemExit(f"something already answers on port {port}: stop it or pass --port")
    folder = Path(tempfile.mkdtemp(prefix="umr-demo-start-"))
    try:
        subprocess.run(["git", "clone", "-q", str(ROOT), str(folder)], check=True)
        subprocess.run(["git", "-C", str(folder), "checkout", "-q", commit], check=True)
        start = time.perf_counter()
        # a registry file of its own, so the demo is loaded as on a fresh machine
        env = {**os.environ, "UMR_DEMO_REGISTRY": f"sqlite:///{folder / 'demo.db'}"}
        proc = subprocess.Popen(
            ["make", "demo", f"DEMO_PORT={port}"],
            cwd=folder,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        url = f"http://127.0.0.1:{port}/"
        try:
            while not _answers(url):
                if proc.poll() is not None:
                    raise SystemExit(f"{commit}: make demo exited with {proc.returncode}")
                if time.perf_counter() - start > limit:
                    raise SystemExit(f"{commit}: no answer within {limit:.0f} s")
                time.sleep(0.2)
            elapsed = time.perf_counter() - start
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait()
        du = subprocess.run(
            ["du", "-sm", str(folder / ".venv")], capture_output=True, text=True, check=False
        )
        return elapsed, float(du.stdout.split()[0])
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("commits", nargs="+", help="commits to compare, e.g. HEAD~1 HEAD")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--port", type=int, default=8000, help="the port make demo serves on")
    ap.add_argument("--limit", type=float, default=900.0, help="seconds before giving up")
    args = ap.parse_args()
    for r in range(args.rounds):
        for commit in args.commits:
            seconds, mb = first_answer(commit, args.port, args.limit)
            print(f"round {r + 1} {commit}: first answer after {seconds:.1f} s, venv {mb:.0f} MB")


if __name__ == "__main__":
    main()
