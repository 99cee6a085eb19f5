"""A throwaway PostgreSQL server for tests, started from Debian's package.

``initdb`` refuses to run as root, so under root the server runs as the ``postgres`` user in a
temporary folder that user owns. It listens on a free loopback port with trust auth and is
stopped (``pg_ctl stop -m immediate``) and deleted at the end. Missing binaries skip the tests
locally and fail them under CI=true (see :func:`support.need`).
"""

from __future__ import annotations

import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from support import need, need_module

BIN = Path(os.environ.get("UMR_PG_BIN", "/usr/lib/postgresql/15/bin"))
_counter = itertools.count()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PostgresServer:
    def __init__(self, root: Path, port: int, as_user: list[str]) -> None:
        self.root = root
        self.port = port
        self.as_user = as_user

    @property
    def data(self) -> Path:
        return self.root / "data"

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self) -> str:
        """A fresh, empty database on this server; returns its URL."""
        import psycopg

        name = f"umr_test_{os.getpid()}_{next(_counter)}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}" STRATEGY = FILE_COPY')
        return self.url(name)

    def run(self, *args: str) -> None:
        subprocess.run([*self.as_user, *args], check=True, capture_output=True, timeout=120)

    def stop(self) -> None:
        self.run(str(BIN / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")


@contextmanager
def postgres_server() -> Iterator[PostgresServer]:
    """Start a server for the duration of the ``with`` block."""
    need(
        (BIN / "initdb").exists(), f"PostgreSQL binaries not in {BIN} (apt-get install postgresql)"
    )
    need_module("psycopg", "postgres")
    as_user: list[str] = []
    root = Path(tempfile.mkdtemp(prefix="umr-pg-"))
    if os.geteuid() == 0:
        import pwd

        try:
            user = pwd.getpwnam("postgres")
        except KeyError:
            need(False, "no 'postgres' user to run initdb as (apt-get install postgresql)")
            raise
        os.chown(root, user.pw_uid, user.pw_gid)
        as_user = ["runuser", "-u", "postgres", "--"]
    server = PostgresServer(root, _free_port(), as_user)
    try:
        server.run(
            str(BIN / "initdb"),
            "-D",
            str(server.data),
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-sync",
            "--no-instructions",
        )
        options = (
            f"-p {server.port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        server.run(
            str(BIN / "pg_ctl"),
            "-D",
            str(server.data),
            "-o",
            options,
            "-l",
            str(root / "server.log"),
            "-w",
            "-t",
            "60",
            "start",
        )
        yield server
    finally:
        with suppress(subprocess.CalledProcessError, subprocess.TimeoutExpired):
            server.stop()
        shutil.rmtree(root, ignore_errors=True)
