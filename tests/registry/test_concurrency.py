"""Many processes publishing into one registry; a SIGKILL mid-batch changes nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from sqlalchemy import select, text

from registry._helpers import rec
from umr.registry import Registry
from umr.registry import tables as t

PROCS = str(Path(__file__).with_name("_procs.py"))


def spawn(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, PROCS, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def test_eight_processes_publish_4000_records(url: str) -> None:
    with Registry(url) as reg:
        reg.publish([rec("shared-data@1.0.0", "dataset")])
    procs = [spawn("publish", url, str(w), "500", "50") for w in range(8)]
    for p in procs:
        _out, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
    with Registry(url) as reg:
        stats = reg.stats()
        assert stats["records"] == 4001 and stats["edges"] == 4000
        assert len(reg.names()) == 4001
        assert len(reg.impact("shared-data")) == 4000
        assert [h.name for h in reg.search("worker 7 record 499")][:1] == ["w7-r499"]


def test_two_processes_race_for_one_version(url: str, tmp_path: Path) -> None:
    Registry(url).close()  # create the schema first, as a real registry would have it
    start = tmp_path / "go"
    procs = [spawn("race", url, title, str(start)) for title in ("First", "Second")]
    time.sleep(1.0)
    start.write_text("go")
    answers = [p.communicate(timeout=60) for p in procs]
    results = [(p.returncode, out) for p, (out, _err) in zip(procs, answers, strict=True)]
    assert sorted(code for code, _ in results) == [0, 3], [err for _out, err in answers]
    loser = next(out for code, out in results if code == 3)
    assert "race@1.0.0 is already published with different content" in loser
    assert "title:" in loser
    with Registry(url) as reg:
        assert reg.versions("race") and reg.stats()["records"] == 1
        winner = ["First", "Second"][[code for code, _ in results].index(0)]
        assert reg.get("race", "1.0.0").title == winner


def snapshot(url: str) -> dict[str, Any]:
    with Registry(url) as reg, reg.engine.connect() as conn:
        out: dict[str, Any] = {
            table.name: sorted(map(tuple, conn.execute(select(table)).all()), key=repr)
            for table in t.metadata.sorted_tables
        }
        if reg.dialect == "sqlite":
            out["fts"] = sorted(conn.execute(text("SELECT rowid, * FROM names_fts")).all())
        else:
            out["tsv"] = sorted(conn.execute(text("SELECT id, tsv::text FROM names")).all())
        return out


def test_sigkill_mid_batch_leaves_the_registry_as_before(url: str, tmp_path: Path) -> None:
    with Registry(url) as reg:
        reg.publish(
            [
                rec("shared-data@1.0.0", "dataset"),
                rec("before@1.0.0", upstream=[("shared-data@1", "trained_on")]),
            ]
        )
    before = snapshot(url)
    marker = tmp_path / "inserted"
    proc = spawn("crash", url, "1000", str(marker))
    deadline = time.monotonic() + 120
    while not marker.exists():
        assert proc.poll() is None, proc.communicate()[1]
        assert time.monotonic() < deadline
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    time.sleep(0.2)  # PostgreSQL notices the dropped connection and rolls back
    assert snapshot(url) == before
    with Registry(url) as reg:  # and it still takes writes
        assert reg.publish([rec("crash-0@1.0.0")]).published == ["crash-0@1.0.0"]


def test_concurrent_changes_to_one_advisory_run_one_after_another(url: str) -> None:
    """Eight writers changing one advisory at once (and fixing it): every change is kept as
    its own revision, none fails (PostgreSQL once gave a raw foreign-key error here)."""
    import threading

    from registry._helpers import advisory

    with Registry(url) as reg:
        reg.publish(
            [rec("conc-data@1.0.0", "dataset")]
            + [rec(f"conc-m{i}@1.0.0", upstream=[("conc-data@1", "trained_on")]) for i in range(8)]
        )
    errors: list[BaseException] = []
    start = threading.Barrier(8)

    def work(i: int) -> None:
        with Registry(url) as reg:
            start.wait()
            try:
                for j in range(4):
                    reg.add_advisory(advisory("CONC-7", "conc-data", summary=f"s{i}-{j}"))
                reg.fix_advisory("CONC-7", f"conc-m{i}", "1.0.0", forced=f"writer {i}")
            except BaseException as exc:
                errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=240)
    assert not any(t.is_alive() for t in threads), "a writer hung"
    assert errors == []
    with Registry(url) as reg:
        revs = reg.advisory_history("CONC-7")
        assert [r.rev for r in revs] == list(range(1, len(revs) + 1))
        actions = [r.action for r in revs]
        # 32 distinct summaries: one create, 31 modifications, none lost; then 8 fixes
        assert (actions.count("create"), actions.count("modify"), actions.count("fix")) == (
            1,
            31,
            8,
        )
        assert len(revs) == 40
        now = reg.advisory("CONC-7")
        assert now.summary == revs[-1].advisory.summary
        assert now.fixed_ids() == {f"conc-m{i}@1.0.0" for i in range(8)}
