"""Web benchmark: many concurrent clients on loopback against the record page, the lineage API
and search, on the synthetic registry of ``bench/registry.py``, on SQLite and PostgreSQL.

    .venv/bin/python bench/web.py                      # 100,000 records, both backends
    .venv/bin/python bench/web.py --records 10000 --backend sqlite --duration 10

The server is uvicorn (``--workers`` processes) on 127.0.0.1; the load comes from ``wrk``, a C
load generator (Debian: ``apt-get install -y wrk``), ``--connections`` clients with keep-alive,
each sending its next request when the last answer arrives (``--think-ms`` adds a pause
between requests, like people reading pages). Each scenario runs ``--duration`` seconds after a
short warm-up and stops by itself; ``mixed`` rotates over the three kinds of request.
``--ceiling`` first loads a bare ASGI app (five bytes, no framework) under the same uvicorn
settings: the most any app could serve on the machine.

The SQLite registry is built once and cached under ``/tmp`` keyed by record count and seed;
PostgreSQL runs on a throwaway server (``tests/support/postgres.py``) loaded from the same
graph. Prints one JSON object per backend, then a Markdown table.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent / "tests")]

from registry import WORDS, graph  # noqa: E402  (bench/registry.py: the generator)

SCENARIOS = ("record", "lineage", "search", "mixed")
ADVISORIES = 5  # on data-0 .. data-4, as in bench/registry.py

# wrk runs this: rotate over the URL file (each thread from its own offset), optionally wait
# between requests, and print the latency distribution, errors and the number of answers not
# served from the response cache (no "X-UMR-Cache: hit") as JSON at the end.
_LUA = r"""
local paths, n = {}, 0
for line in io.lines(os.getenv("UMR_BENCH_URLS")) do n = n + 1; paths[n] = line end
local think = tonumber(os.getenv("UMR_BENCH_THINK_MS") or "0")
local counter, threads = 0, {}
function setup(thread)
  counter = counter + 1; thread:set("offset", counter * 7919); table.insert(threads, thread)
end
function init(args) i = offset % n; misses = 0 end
function delay()
  if think > 0 then return math.random(math.floor(think / 2), math.floor(think * 3 / 2)) end
  return 0
end
function request() i = i % n + 1; return wrk.format("GET", paths[i]) end
function response(status, headers, body)
  if headers["x-umr-cache"] ~= "hit" then misses = misses + 1 end
end
function done(summary, latency, requests)
  local e = summary.errors
  local p = {}
  for _, q in ipairs({50, 90, 99, 99.9}) do p[tostring(q)] = latency:percentile(q) / 1000 end
  local m = 0
  for _, t in ipairs(threads) do m = m + t:get("misses") end
  io.write(string.format(
    'UMR_BENCH {"requests": %d, "duration_s": %.3f, "bytes": %d, "connect": %d, "read": %d, ' ..
    '"write": %d, "status": %d, "timeout": %d, "mean_ms": %.3f, "max_ms": %.3f, ' ..
    '"p50_ms": %.3f, "p90_ms": %.3f, "p99_ms": %.3f, "p999_ms": %.3f, "uncached": %d}\n',
    summary.requests, summary.duration / 1e6, summary.bytes, e.connect, e.read, e.write,
    e.status, e.timeout, latency.mean / 1000, latency.max / 1000,
    p["50"], p["90"], p["99"], p["99.9"], m))
end
"""


def app_from_env() -> Any:
    """The uvicorn factory: ``create_app`` over ``$UMR_BENCH_REGISTRY``, with a response cache
    of ``$UMR_BENCH_CACHE_MB`` (0: none; unset: the app's default)."""
    from umr.web.app import create_app

    mb = os.environ.get("UMR_BENCH_CACHE_MB")
    if mb is None:
        return create_app(os.environ["UMR_BENCH_REGISTRY"])
    return create_app(os.environ["UMR_BENCH_REGISTRY"], cache_bytes=int(mb) * 1024 * 1024)


async def _hello(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """The least an app can do: answer every request with five bytes."""
    if scope["type"] != "http":
        return
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"text/plain")],
        }
    )
    await send({"type": "http.response.body", "body": b"hello"})


def hello_factory() -> Any:
    """The uvicorn factory for ``--ceiling``: a bare ASGI app, no framework, no registry."""
    return _hello


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def load(url: str, records: int, seed: int, batch: int = 5000) -> float:
    """Publish ``graph(records, seed)`` and the bench advisories into ``url``; seconds taken."""
    from umr.registry import Registry
    from umr.spec import Record

    t0 = time.perf_counter()
    with Registry(url) as reg:
        pending: list[Record] = []
        for data in graph(records, seed):
            pending.append(Record.from_dict(data))
            if len(pending) == batch:
                reg.publish(pending)
                pending = []
        if pending:
            reg.publish(pending)
        for i in range(ADVISORIES):
            reg.add_advisory(
                {
                    "id": f"BENCH-{i}",
                    "summary": "synthetic",
                    "severity": "high",
                    "affected": [{"name": f"data-{i}", "versions": "*"}],
                }
            )
    return time.perf_counter() - t0


def sqlite_registry(records: int, seed: int) -> tuple[str, str]:
    """The cached SQLite registry (built on first use); its URL and how it was obtained."""
    path = Path(tempfile.gettempdir()) / f"umr-bench-web-{records}-seed{seed}.db"
    if path.exists():
        return f"sqlite:///{path}", f"cached {path}"
    part = path.with_suffix(".partial")
    for p in (part, Path(f"{part}-wal"), Path(f"{part}-shm")):
        p.unlink(missing_ok=True)
    took = load(f"sqlite:///{part}", records, seed)
    part.rename(path)  # the registry closed cleanly: WAL checkpointed, no -wal file left
    return f"sqlite:///{path}", f"built {path} in {took:.0f} s"


@contextlib.contextmanager
def postgres_registry(records: int, seed: int) -> Iterator[tuple[str, str]]:
    """A throwaway PostgreSQL server loaded with the same graph."""
    from support.postgres import postgres_server

    with postgres_server() as server:
        url = server.create_database()
        took = load(url, records, seed)
        yield url, f"loaded a throwaway server (tests/support/postgres.py) in {took:.0f} s"


def paths(records: int, seed: int, count: int = 2000) -> dict[str, list[str]]:
    """Request paths per scenario: uniformly drawn records, and search queries in the shape of
    bench/registry.py (half 'word N', half one common word)."""
    rng = random.Random(seed + 1)
    names = [d["name"] for d in graph(records, seed)]
    picks = [rng.choice(names) for _ in range(count)]
    queries = [
        f"{rng.choice(WORDS)}+{rng.randrange(1000)}" if i % 2 else rng.choice(WORDS)
        for i in range(count)
    ]
    out = {
        "record": [f"/records/{n}/1.0.0" for n in picks],
        "lineage": [f"/api/records/{n}/1.0.0/lineage?direction=up" for n in picks],
        "search": [f"/api/search?q={q}" for q in queries],
    }
    out["mixed"] = [out[k][i] for i in range(count) for k in ("record", "lineage", "search")]
    return out


@contextlib.contextmanager
def server(
    url: str,
    workers: int,
    http: str = "auto",
    loop: str = "auto",
    factory: str = "app_from_env",
    cache_mb: int | None = None,
) -> Iterator[str]:
    """uvicorn serving ``create_app(url)`` (or another ``factory`` of this module) on a free
    loopback port until the block ends."""
    port = _free_port()
    env = {**os.environ, "UMR_BENCH_REGISTRY": url}
    if cache_mb is not None:
        env["UMR_BENCH_CACHE_MB"] = str(cache_mb)
    cmd = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        "--app-dir",
        str(HERE),
        f"web:{factory}",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--no-access-log",
        "--log-level",
        "warning",
        "--http",
        http,
        "--loop",
        loop,
    ]
    proc = subprocess.Popen(cmd, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"{base}/api/stats", timeout=5) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"uvicorn did not start (exit {proc.poll()})") from None
                time.sleep(0.5)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def wrk(base: str, urls: list[str], args: argparse.Namespace, duration: float) -> dict[str, Any]:
    """One wrk run; its latency percentiles (ms), throughput and error counts."""
    with tempfile.TemporaryDirectory(prefix="umr-bench-web-") as tmp:
        script, listing = Path(tmp, "rotate.lua"), Path(tmp, "urls.txt")
        script.write_text(_LUA)
        listing.write_text("\n".join(urls) + "\n")
        env = {
            **os.environ,
            "UMR_BENCH_URLS": str(listing),
            "UMR_BENCH_THINK_MS": str(args.think_ms),
        }
        cmd = [
            "wrk",
            "-t",
            str(args.threads),
            "-c",
            str(args.connections),
            "-d",
            f"{duration:g}s",
            "--timeout",
            "10s",
            "-s",
            str(script),
            base,
        ]
        out = subprocess.run(
            cmd, env=env, capture_output=True, text=True, timeout=duration + 60, check=True
        ).stdout
    line = next(x for x in out.splitlines() if x.startswith("UMR_BENCH "))
    result: dict[str, Any] = json.loads(line.removeprefix("UMR_BENCH "))
    result["errors"] = sum(result.pop(k) for k in ("connect", "read", "write", "status", "timeout"))
    result["rps"] = round(result["requests"] / result["duration_s"], 1)
    return result


def prime(base: str, urls: list[str], args: argparse.Namespace) -> dict[str, Any]:
    """Load the URLs in rounds of ``--prime-round`` seconds until a round is answered wholly
    from the response cache (every worker process holds its own), at most ``--prime-rounds``
    rounds; what it took."""
    started = time.monotonic()
    rounds: list[int] = []
    while len(rounds) < args.prime_rounds:
        rounds.append(wrk(base, urls, args, args.prime_round)["uncached"])
        if rounds[-1] == 0:
            break
    return {"rounds_uncached": rounds, "seconds": round(time.monotonic() - started, 1)}


def run_backend(backend: str, url: str, how: str, args: argparse.Namespace) -> dict[str, Any]:
    urls = paths(args.records, args.seed)
    out: dict[str, Any] = {"backend": backend, "registry": how, "scenarios": {}}
    with server(url, args.workers, args.http, args.loop, cache_mb=args.cache_mb) as base:
        for name in args.scenarios:
            primed = prime(base, urls[name], args) if args.prime else None
            wrk(base, urls[name], args, args.warmup)  # warm caches, connections, templates
            res = wrk(base, urls[name], args, args.duration)
            if primed is not None:
                res["primed"] = primed
            res["meets_targets"] = res["p50_ms"] < 20 and res["p99_ms"] < 200 and res["errors"] == 0
            out["scenarios"][name] = res
            print(f"{backend} {name}: {json.dumps(res)}", file=sys.stderr, flush=True)
    return out


def table(results: list[dict[str, Any]]) -> str:
    rows = [
        "| Backend | Scenario | requests/s | p50 ms | p90 ms | p99 ms | max ms | errors "
        "| not from cache |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for res in results:
        for name, r in res["scenarios"].items():
            rows.append(
                f"| {res['backend']} | {name} | {r['rps']:.0f} | {r['p50_ms']:.1f} | "
                f"{r['p90_ms']:.1f} | {r['p99_ms']:.1f} | {r['max_ms']:.0f} | "
                f"{r['errors']} | {r['uncached'] if res['registry'] != 'none' else 'n/a'} |"
            )
    return "\n".join(rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--records", type=int, default=100_000, help="registry size (100000)")
    ap.add_argument("--seed", type=int, default=0, help="graph seed (0)")
    ap.add_argument(
        "--backend",
        choices=("sqlite", "postgresql", "both", "none"),
        default="both",
        help="none: only --ceiling",
    )
    ap.add_argument(
        "--scenarios",
        default=",".join(SCENARIOS),
        help=f"comma-separated, of {', '.join(SCENARIOS)}",
    )
    ap.add_argument("--connections", type=int, default=200, help="concurrent clients (200)")
    ap.add_argument("--duration", type=float, default=30.0, help="seconds per scenario (30)")
    ap.add_argument("--warmup", type=float, default=3.0, help="unmeasured seconds before each")
    ap.add_argument(
        "--think-ms",
        type=int,
        default=0,
        help="mean pause between a client's requests, ms (0: none)",
    )
    ap.add_argument("--workers", type=int, default=2, help="uvicorn processes (2)")
    ap.add_argument("--threads", type=int, default=1, help="wrk threads (1)")
    ap.add_argument(
        "--http",
        choices=("auto", "h11", "httptools"),
        default="auto",
        help="uvicorn's HTTP parser (auto: httptools when installed)",
    )
    ap.add_argument(
        "--loop",
        choices=("auto", "asyncio", "uvloop"),
        default="auto",
        help="uvicorn's event loop (auto: uvloop when installed)",
    )
    ap.add_argument(
        "--cache-mb",
        type=int,
        default=None,
        help="the app's response cache per worker, MiB (0: none; default: the app's default)",
    )
    ap.add_argument(
        "--prime",
        action="store_true",
        help="before each scenario, load its URLs until the cache answers them all",
    )
    ap.add_argument("--prime-round", type=float, default=5.0, help="seconds a priming round (5)")
    ap.add_argument("--prime-rounds", type=int, default=30, help="most priming rounds (30)")
    ap.add_argument(
        "--ceiling",
        action="store_true",
        help="first load a bare ASGI app the same way: the most any app could serve",
    )
    args = ap.parse_args()
    args.scenarios = [s for s in args.scenarios.split(",") if s]
    if unknown := set(args.scenarios) - set(SCENARIOS):
        ap.error(f"unknown scenario(s) {sorted(unknown)}; choose from {', '.join(SCENARIOS)}")
    if shutil.which("wrk") is None:
        raise SystemExit(
            "wrk is not on PATH: apt-get install -y wrk (Debian/Ubuntu), brew install wrk (macOS)"
        )
    results = []
    if args.ceiling:
        with server("", args.workers, args.http, args.loop, "hello_factory") as base:
            wrk(base, ["/"], args, args.warmup)
            hello = wrk(base, ["/"], args, args.duration)
        hello["meets_targets"] = hello["p50_ms"] < 20 and hello["p99_ms"] < 200
        print(f"ceiling hello: {json.dumps(hello)}", file=sys.stderr, flush=True)
        results.append(
            {"backend": "none (bare ASGI app)", "registry": "none", "scenarios": {"hello": hello}}
        )
    if args.backend in ("sqlite", "both"):
        url, how = sqlite_registry(args.records, args.seed)
        results.append(run_backend("sqlite", url, how, args))
    if args.backend in ("postgresql", "both"):
        with postgres_registry(args.records, args.seed) as (url, how):
            results.append(run_backend("postgresql", url, how, args))
    for res in results:
        print(
            json.dumps(
                {
                    **res,
                    "records": args.records,
                    "connections": args.connections,
                    "workers": args.workers,
                    "think_ms": args.think_ms,
                    "http": args.http,
                    "loop": args.loop,
                    "cache_mb": args.cache_mb,
                    "prime": args.prime,
                },
                indent=2,
            )
        )
    print(table(results))


if __name__ == "__main__":
    main()
