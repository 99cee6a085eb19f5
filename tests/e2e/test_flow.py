"""From advisory to action in one script (tests/e2e/flow.sh): advisory add, audit before
publish, publish, impact, fix, audit clear, through the real CLI on a real SQLite registry; the
CI guide (docs/guide/ci.md) shows blocks of the same run, checked here."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_whole_flow_runs_and_the_guide_shows_its_output(tmp_path: Path) -> None:
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    env.pop("UMR_REGISTRY", None)
    proc = subprocess.run(
        ["bash", str(ROOT / "tests" / "e2e" / "flow.sh"), str(tmp_path / "flow")],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr
    out = proc.stdout
    # every step ran with the exit status the script expects of it, and says what to do
    assert out.count("(exit 1)") == 4 and "(exit 2)" in out
    assert "nothing published: 1 record(s) fail --fail-on high" in out
    assert "next: rebuild support-bot on web-scrape@2.0.0" in out
    assert "next: upgrade to support-bot@2.0.0, which UMR-EX-0001 does not reach" in out
    assert "cleared: support-bot@1.1.0 is named fixed by UMR-EX-0001" in out
    # the guide's console blocks are verbatim pieces of this run
    guide = (ROOT / "docs" / "guide" / "ci.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```console\n(.*?)```", guide, flags=re.S)
    assert len(blocks) == 4
    for block in blocks:
        for step in block.strip().split("\n\n"):
            assert step in out, f"docs/guide/ci.md shows output the flow does not print:\n{step}"
