"""Fixtures the fault tests own: a PostgreSQL server of their own (it gets restarted) and a
small tmpfs for the transparency log (it gets filled). Both are torn down whatever fails."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parents[1]))
sys.path.insert(0, str(Path(__file__).parents[1] / "unit" / "gateway"))
from fault_pg import OwnPostgres
from needs import need
from pg import PostgresUnavailable, start_postgres

from smsguard.store import Database, upgrade


@pytest.fixture
def own_postgres() -> Iterator[OwnPostgres]:
    try:
        server = start_postgres()
    except PostgresUnavailable as exc:
        pytest.fail(f"cannot run the PostgreSQL fault test: {exc}", pytrace=False)
    try:
        yield OwnPostgres(server)
    finally:
        server.stop()


@pytest.fixture
def own_database(own_postgres: OwnPostgres) -> Iterator[Database]:
    database = Database.from_url(own_postgres.server.create_database("faults"))
    upgrade(database)
    yield database
    database.dispose()


@pytest.fixture
def sqlite_database(tmp_path: Path) -> Iterator[Database]:
    database = Database.from_url(f"sqlite:///{tmp_path / 'store.db'}")
    upgrade(database)
    yield database
    database.dispose()


@pytest.fixture
def small_tmpfs(tmp_path: Path) -> Iterator[Path]:
    """A 4 MiB tmpfs at ``<tmp>/home/tlog`` (the log folder's parent); always unmounted."""
    need("root (mounting a tmpfs for the disk-full test)", os.geteuid() == 0,
         "sudo, or run `make test` as root as CI does")  # fmt: skip
    folder = tmp_path / "home" / "tlog"
    folder.mkdir(parents=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4m,mode=0755", "tmpfs", str(folder)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if mounted.returncode != 0:
        pytest.fail(f"cannot mount a tmpfs at {folder}: {mounted.stderr.strip()}", pytrace=False)
    try:
        yield folder
    finally:
        for attempt in range(50):  # a killed worker may still hold a file open for a moment
            if subprocess.run(["umount", str(folder)], capture_output=True).returncode == 0:
                break
            time.sleep(0.1 * (attempt + 1) / 5)
        else:
            subprocess.run(["umount", "-l", str(folder)], check=False)
