"""A throwaway PostgreSQL cluster from Debian's binaries, for tests and benchmarks.

``AUTHJS_TEST_POSTGRES_URL`` (a superuser URL) names a server to use instead. Otherwise
``initdb`` makes a cluster in a temporary directory (owned by ``postgres`` when we run as
root, since PostgreSQL refuses to run as root), listening on a unix socket in that
directory only, and ``stop()`` removes it again.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

URL_VARIABLE = "AUTHJS_TEST_POSTGRES_URL"


def find_binaries() -> Path | None:
    """The newest ``/usr/lib/postgresql/<version>/bin`` that has ``initdb``."""
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda path: int(path.split("/")[4]) if path.split("/")[4].isdigit() else 0,
    )
    return Path(candidates[-1]).parent if candidates else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Cluster:
    """``Cluster(durable=False).start()``; ``url("dbname")``; ``stop()``/``start()``."""

    def __init__(self, binaries: Path, *, durable: bool = False) -> None:
        self.binaries = binaries
        self.durable = durable
        self.directory = Path(tempfile.mkdtemp(prefix="authjs-pg-"))
        self.data = self.directory / "data"
        self.port = _free_port()
        self.as_root = os.geteuid() == 0
        if self.as_root:
            shutil.chown(self.directory, "postgres", "postgres")
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8")

    def _run(self, tool: str, *arguments: str) -> None:
        command = [str(self.binaries / tool), *arguments]
        if self.as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=120)

    def start(self) -> Cluster:
        options = (
            f"-k {self.directory} -p {self.port} -c listen_addresses='' -c max_connections=200"
        )
        if not self.durable:
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        log = str(self.directory / "server.log")
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", log, "-w", "start")
        return self

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def remove(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):  # not running
            self.stop("immediate")
        shutil.rmtree(self.directory, ignore_errors=True)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@/{database}?host={self.directory}&port={self.port}"

    @property
    def node_config(self) -> dict[str, object]:
        """What node-postgres's ``Pool`` needs to reach the same server."""
        return {"host": str(self.directory), "port": self.port, "user": "postgres"}


def create_database(server_url: str, name: str) -> str:
    """Create database ``name`` (dropping an old one) on the server; return its URL."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    engine = create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)
