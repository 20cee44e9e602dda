"""A PostgreSQL server a fault test owns, so stopping and starting it disturbs nobody else."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1]))
from pg import PostgresServer


@dataclass
class OwnPostgres:
    """A throw-away server only this test uses, so stopping it disturbs nobody else."""

    server: PostgresServer

    def _pg_ctl(self, *argv: str) -> None:
        command = ["pg_ctl", "-D", str(self.server.root / "data"), *argv]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "nobody", "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        assert result.returncode == 0, f"{' '.join(argv)}: {result.stdout}{result.stderr}"

    def stop(self) -> None:
        """``pg_ctl stop -m fast``: sessions are cut, as in a restart or a fail-over."""
        self._pg_ctl("-m", "fast", "-w", "stop")

    def start(self) -> None:
        """Start again with the options tests/pg.py started it with."""
        server = self.server
        options = (
            f"-k {server.socket_dir} -p {server.port} -c listen_addresses='' "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        self._pg_ctl("-l", str(server.root / "server.log"), "-o", options, "-w", "start")
