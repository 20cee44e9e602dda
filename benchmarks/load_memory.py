"""Resident memory of the load test's processes, sampled while it runs (psutil when
installed, else /proc): the API processes (children of ``smsguard serve``), the sending
workers, the supervising ``serve`` process, PostgreSQL's processes and the load generator."""

from __future__ import annotations

import asyncio
import os
import subprocess
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")
SAMPLE_SECONDS = 2.0


def rss_bytes(pid: int) -> int | None:
    try:
        import psutil  # type: ignore[import-untyped]

        return int(psutil.Process(pid).memory_info().rss)
    except ImportError:
        pass
    except Exception:
        return None
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def _children(parent: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == parent:
            found.append(int(entry.name))
    return found


def _cmdline(pid: int) -> str:
    try:
        return (Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")).decode()
    except OSError:
        return ""


def _postgres(data: Path | None) -> list[int]:
    """The postmaster of the server in ``data`` and its children (not other servers')."""
    try:
        postmaster = int((data / "postmaster.pid").read_text().split()[0]) if data else None
    except (OSError, ValueError, IndexError):
        return []
    return [] if postmaster is None else [postmaster, *_children(postmaster)]


class Memory:
    """First, largest and last RSS of each process, by a role name."""

    def __init__(
        self, processes: dict[str, subprocess.Popen[bytes]], postgres_data: Path | None = None
    ) -> None:
        self.processes = processes
        self.postgres_data = postgres_data
        self.samples: dict[str, list[int]] = {}

    def _named(self) -> dict[str, int]:
        named = {name: process.pid for name, process in self.processes.items()}
        api = [pid for pid in _children(named["serve"]) if "spawn_main" in _cmdline(pid)]
        named |= {f"api-{index}": pid for index, pid in enumerate(sorted(api))}
        named |= {
            f"postgres-{index}": pid
            for index, pid in enumerate(sorted(_postgres(self.postgres_data)))
        }
        named["load generator"] = os.getpid()
        return named

    def sample(self) -> None:
        for name, pid in self._named().items():
            found = rss_bytes(pid)
            if found is not None:
                self.samples.setdefault(name, []).append(found)

    async def during(self, work: Coroutine[Any, Any, T]) -> T:
        """Run ``work`` while sampling every couple of seconds."""
        task = asyncio.ensure_future(work)
        while not task.done():
            self.sample()
            await asyncio.wait({task}, timeout=SAMPLE_SECONDS)
        return task.result()

    def report(self) -> None:
        print(f"\n{'process':16} {'RSS first':>10} {'max':>8} {'last':>8}  (MB)")
        postgres = [name for name in self.samples if name.startswith("postgres")]
        for name, values in self.samples.items():
            if name in postgres:
                continue
            first, top, last = (v / 2**20 for v in (values[0], max(values), values[-1]))
            print(f"{name:16} {first:10.0f} {top:8.0f} {last:8.0f}")
        if postgres:
            top = max(max(self.samples[name]) for name in postgres) / 2**20
            print(f"{'postgres':16} {len(postgres)} processes, largest RSS {top:.0f} MB "
                  "(shared buffers counted in each)")  # fmt: skip
