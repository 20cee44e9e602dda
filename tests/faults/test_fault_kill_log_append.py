"""kill -9 of a worker while it appends to the transparency log (docs/faults.md).

The log is written in the claim's transaction, before any hand-over, so there is no window
"handed over but not logged"; the window that exists is "log append in progress, claim not
committed". With the log in a folder (the default) the append writes a ``.pending`` marker
first and removes it last; the test watches for the marker and kills the worker with SIGKILL
while it is there. The database rolls the claim back (nothing was sent), and the next worker
opens the log, which either truncates the unfinished append (checkpoint not yet written) or
keeps it (checkpoint written, marker not yet removed): then those entries stay in the log as
orphans, never pointed to by a message, and the messages are logged again when they are
really handed over. The test works out which case it hit from the marker and checks exactly
that, plus the usual: every message sent once, logged at its index, the log consistent with
the checkpoint from before the kill.
"""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path

import pytest
from fault_world import (
    CODE,
    all_sent,
    build_world,
    check_after_fault,
    checkpoint_now,
    journal,
    kill,
    start_worker,
    states,
    wait_until,
    worker_log,
)

from smsguard.screening.engine import Screener
from smsguard.store import Database
from smsguard.tlog.checkpoint import parse_checkpoint

CUSTOMERS = 400
TRIES = 8  # a kill that lands just after the append finished is tried again


def _kill_mid_append(marker: Path, worker: subprocess.Popen[bytes]) -> str | None:
    """SIGKILL as soon as the marker appears; the marker's text if it outlived the worker."""
    deadline = time.monotonic() + 20
    while not marker.exists():
        if worker.poll() is not None or time.monotonic() > deadline:
            return None
    worker.send_signal(signal.SIGKILL)
    worker.wait()
    try:
        return marker.read_text()
    except FileNotFoundError:
        return None


def test_kill_9_during_the_log_append(
    tmp_path: Path, sqlite_database: Database, screener: Screener
) -> None:
    world = build_world(tmp_path, sqlite_database, screener, customers=CUSTOMERS,
                        provider="journal: accepted.tsv\nlatency_ms: 4\n")  # fmt: skip
    marker = world.home / "tlog" / CODE / ".pending"
    workers: list[subprocess.Popen[bytes]] = []
    try:
        workers.append(start_worker(world, "--lease", "1"))
        wait_until("some handed over", lambda: len(journal(world)) >= CUSTOMERS // 4,
                   world, workers[-1])  # fmt: skip
        before = checkpoint_now(world)
        for _ in range(TRIES):
            pending = _kill_mid_append(marker, workers[-1])
            if pending is not None:
                break
            time.sleep(1.1)  # the lease of whatever the dead worker had claimed
            workers.append(start_worker(world, "--lease", "1"))
        else:
            pytest.fail(f"no kill landed inside a log append in {TRIES} tries")
        at_kill = parse_checkpoint(checkpoint_now(world).decode().split("\n\n")[0] + "\n")
        old, new = (int(part) for part in pending.split())
        assert at_kill.size in (old, new)
        assert states(world).get("sending", 0) == 0, "the claim committed before the log"
        finisher = start_worker(world, "--until-idle")
        workers.append(finisher)
        assert finisher.wait(timeout=60) == 0, worker_log(world)[-3000:]
    finally:
        for process in workers:
            kill(process)
    assert all_sent(world), states(world)
    assert not marker.exists(), "the next worker did not recover the log"
    orphans = range(old, new) if at_kill.size == new else range(0)
    check_after_fault(world, before, orphans)
    print(f"killed inside append {old}->{new}; checkpoint at kill {at_kill.size}; "
          f"{len(orphans)} orphan entries")  # fmt: skip
