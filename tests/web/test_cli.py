"""umr serve, umr token create, umr site: real registry, real server process."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from umr.cli import app as cli


def test_token_create_prints_the_token_once(registry_url: str) -> None:
    r = CliRunner().invoke(
        cli,
        [
            "--registry",
            registry_url,
            "token",
            "create",
            "--scope",
            "publish:acme-*",
            "--label",
            "ci",
        ],
    )
    assert r.exit_code == 0, r.output
    token = r.stdout.strip()
    assert token.startswith("umr_") and len(token) > 40
    assert "shown only once" in r.stderr
    from umr.registry import Registry
    from umr.registry.tokens import TokenStore

    with Registry(registry_url) as reg:
        tok = TokenStore.for_registry(reg).verify(token)
    assert tok.scopes == ("publish:acme-*",) and tok.label == "ci"


def test_token_list_expires_and_revoke(tmp_path: Any) -> None:
    url = f"sqlite:///{tmp_path / 'r.db'}"
    run = CliRunner()
    made = run.invoke(
        cli, ["--registry", url, "token", "create", "--scope", "advisory:x-*", "--expires", "90d"]
    )
    assert made.exit_code == 0, made.output
    tid = made.stdout.strip().split("_")[1]
    assert "it expires" in made.stderr
    listed = run.invoke(cli, ["--registry", url, "token", "list", "--format", "json"])
    (info,) = json.loads(listed.stdout)
    assert info["id"] == tid and info["state"] == "active" and info["expires"]
    assert info["last_used"] is None and "secret" not in listed.stdout
    gone = run.invoke(cli, ["--registry", url, "token", "revoke", tid])
    assert gone.exit_code == 0 and f"token {tid} revoked" in gone.stdout
    text = run.invoke(cli, ["--registry", url, "token", "list"]).stdout
    assert tid in text and "revoked" in text
    unknown = run.invoke(cli, ["--registry", url, "token", "revoke", "0" * 16])
    assert unknown.exit_code != 0 and "umr token list" in unknown.stderr
    for when in ("soon", "", "  "):  # an empty value is refused too, not read as 'never'
        bad = run.invoke(
            cli, ["--registry", url, "token", "create", "--scope", "publish:x", "--expires", when]
        )
        assert bad.exit_code != 0 and "90d" in bad.stderr, when
    assert (
        len(
            json.loads(
                run.invoke(cli, ["--registry", url, "token", "list", "--format", "json"]).stdout
            )
        )
        == 1
    )


def test_token_create_refuses_a_bad_scope(registry_url: str) -> None:
    r = CliRunner().invoke(
        cli, ["--registry", registry_url, "token", "create", "--scope", "delete:*"]
    )
    assert r.exit_code == 2
    assert "ACTION:GLOB" in r.stderr and "hint:" in r.stderr


def test_site(registry_url: str, tmp_path: Path) -> None:
    r = CliRunner().invoke(
        cli, ["--registry", registry_url, "site", str(tmp_path / "out"), "--format", "json"]
    )
    assert r.exit_code == 0, r.output
    assert r.stdout.startswith("wrote ") and "pages" in r.stdout
    assert (tmp_path / "out" / "records" / "acme-chat" / "1.1.0.html").is_file()


def test_serve_prints_the_url_and_serves(registry_url: str) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "UMR_REGISTRY": registry_url, "PYTHONUNBUFFERED": "1"}
    with subprocess.Popen(
        [sys.executable, "-c", "from umr.cli import main; main()", "serve", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    ) as proc:
        _check_serving(proc, port)


def _check_serving(proc: subprocess.Popen[str], port: int) -> None:
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert f"http://127.0.0.1:{port}/" in line
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/stats") as resp:
                    assert b'"records":8' in resp.read()
                break
            except OSError:
                assert time.monotonic() < deadline
                time.sleep(0.1)
    finally:
        proc.terminate()
        proc.wait(10)
