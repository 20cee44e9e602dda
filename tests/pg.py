"""A throw-away PostgreSQL server for tests: initdb into a temp dir, start, hand out databases.

PostgreSQL refuses to run as root, so under root the server runs as ``nobody`` and the temp
dir is handed to that user. The server listens only on a unix socket inside the temp dir
(no TCP), with durability switched off because the data is deleted afterwards.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import URL, create_engine, text

SUPERUSER = "smsguard"
_UNPRIVILEGED = "nobody"


class PostgresUnavailable(RuntimeError):
    """The PostgreSQL server binaries are missing or the server did not start."""


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _as_server_user(argv: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return argv
    return ["runuser", "-u", _UNPRIVILEGED, "--", *argv]


def _run(argv: list[str]) -> None:
    result = subprocess.run(_as_server_user(argv), capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise PostgresUnavailable(f"{' '.join(argv)} failed:\n{result.stdout}\n{result.stderr}")


@dataclass
class PostgresServer:
    """A running server; ``url(name)`` addresses one database on it."""

    root: Path
    port: int

    @property
    def socket_dir(self) -> Path:
        return self.root / "sock"

    def url(self, database: str = "postgres") -> URL:
        query = {"host": str(self.socket_dir), "port": str(self.port)}
        return URL.create("postgresql+psycopg", SUPERUSER, database=database, query=query)

    def create_database(self, name: str, template: str | None = None) -> str:
        """Create database ``name`` (optionally copied from ``template``); return its URL."""
        clause = f' TEMPLATE "{template}"' if template else ""
        engine = create_engine(self.url(), isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{name}"{clause}'))
        finally:
            engine.dispose()
        return self.url(name).render_as_string(hide_password=False)

    def stop(self) -> None:
        try:
            _run(["pg_ctl", "-D", str(self.root / "data"), "-m", "immediate", "-w", "stop"])
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


def start_postgres() -> PostgresServer:
    """Start a fresh server or raise PostgresUnavailable saying what is missing."""
    missing = [name for name in ("initdb", "pg_ctl") if shutil.which(name) is None]
    if missing:
        raise PostgresUnavailable(
            f"PostgreSQL server binaries not on PATH: {', '.join(missing)}. "
            "Install PostgreSQL (e.g. apt-get install postgresql) to run the storage tests."
        )
    root = Path(tempfile.mkdtemp(prefix="smsguard-pg-"))
    (root / "sock").mkdir()
    if os.geteuid() == 0:
        entry = pwd.getpwnam(_UNPRIVILEGED)
        for path in (root, root / "sock"):
            os.chown(path, entry.pw_uid, entry.pw_gid)
    server = PostgresServer(root=root, port=_free_port())
    try:
        _initdb_and_start(server)
    except BaseException:
        shutil.rmtree(root, ignore_errors=True)
        raise
    return server


def _initdb_and_start(server: PostgresServer) -> None:
    data = server.root / "data"
    _run(
        [
            "initdb",
            "-D",
            str(data),
            "-U",
            SUPERUSER,
            "--auth=trust",
            "--no-sync",
            "-E",
            "UTF8",
            "--no-locale",
        ]
    )
    options = (
        f"-k {server.socket_dir} -p {server.port} -c listen_addresses='' "
        "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    )
    log = server.root / "server.log"
    _run(["pg_ctl", "-D", str(data), "-l", str(log), "-o", options, "-w", "start"])


def storage_bytes(database: Any) -> bytes:
    """Everything a test database holds: the SQLite file and its WAL, or a ``pg_dump``.

    The leak checks search these bytes for phone numbers and names in any spelling.
    """
    if database.backend == "sqlite":
        path = Path(str(database.engine.url.database))
        files = [path, path.with_name(path.name + "-wal")]
        data = b"".join(f.read_bytes() for f in files if f.exists())
    else:
        data = _pg_dump(database.engine.url)
    assert b"customers" in data and b"consents" in data, "the storage snapshot looks empty"
    return data


def _pg_dump(url: URL) -> bytes:
    """A plain-text dump made with the pg_dump that belongs to the test server's initdb."""
    initdb = shutil.which("initdb")
    if initdb is None:
        raise PostgresUnavailable("initdb is not on PATH, so the matching pg_dump cannot be found")
    pg_dump = Path(initdb).resolve().parent / "pg_dump"
    if not pg_dump.is_file():
        raise PostgresUnavailable(f"pg_dump not found next to initdb ({pg_dump})")
    argv = [str(pg_dump), "-h", str(url.query["host"]), "-p", str(url.query["port"])]
    argv += ["-U", str(url.username), "--no-owner", str(url.database)]
    if os.geteuid() == 0:
        argv = ["runuser", "-u", _UNPRIVILEGED, "--", *argv]
    result = subprocess.run(argv, capture_output=True, check=False)
    assert result.returncode == 0, result.stderr.decode(errors="replace")
    return result.stdout
