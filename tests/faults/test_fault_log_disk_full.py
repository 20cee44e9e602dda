"""The transparency log's disk fills up in the middle of a campaign (docs/faults.md).

The log folder (``<home>/tlog``) is a 4 MiB tmpfs. Once a third of the campaign is out, the
test fills it with a filler file. Every hand-over is logged in the claim's transaction
*before* the message goes to the provider, so from then on no claim can commit and nothing
may be sent: the provider's journal must stop growing. The worker holds (it neither exits
nor pauses the campaign), says why in the audit trail and as an alert, and carries on by
itself once the filler is deleted. Afterwards every message was sent once and logged once,
and the log extends the checkpoint it had when the disk filled.
"""

from __future__ import annotations

import errno
import time
from pathlib import Path

from fault_world import (
    alerts,
    all_sent,
    audit,
    build_world,
    campaign_state,
    check_after_fault,
    checkpoint_now,
    journal,
    kill,
    start_worker,
    stop_worker,
    wait_until,
    worker_log,
)

from smsguard.screening.engine import Screener
from smsguard.store import Database

CUSTOMERS = 600
HELD = 3.0  # seconds the disk stays full


def _fill(folder: Path) -> Path:
    """Write zeros until the file system refuses (ENOSPC); return the filler."""
    filler = folder / "filler"
    chunk = b"\0" * 65536
    with filler.open("wb") as stream:
        try:
            while True:
                stream.write(chunk)
                stream.flush()
        except OSError as exc:
            assert exc.errno == errno.ENOSPC, exc
    return filler


def test_log_disk_full_holds_sending_until_space_is_freed(
    tmp_path: Path, small_tmpfs: Path, sqlite_database: Database, screener: Screener
) -> None:
    world = build_world(
        tmp_path, sqlite_database, screener, customers=CUSTOMERS,
        provider="journal: accepted.tsv\nlatency_ms: 6\n",
    )  # fmt: skip
    worker = start_worker(world)
    try:
        wait_until("a third handed over", lambda: len(journal(world)) >= CUSTOMERS // 3,
                   world, worker)  # fmt: skip
        filler = _fill(small_tmpfs)
        before = checkpoint_now(world)
        wait_until("the hold recorded", lambda: bool(audit(world, "gateway.held")), world, worker)
        time.sleep(0.5)  # the batch claimed before the disk filled is out by now
        sent_when_full = len(journal(world))
        time.sleep(HELD)
        assert len(journal(world)) == sent_when_full, "messages went out that were not logged"
        assert sent_when_full < CUSTOMERS, "the campaign ended before the disk filled"
        assert campaign_state(world) == "running"  # held, not paused: nobody has to resume
        filler.unlink()
        waited = wait_until("the campaign finished after space was freed", lambda: all_sent(world),
                            world, worker, timeout=45)  # fmt: skip
        stop_worker(world, worker)
    finally:
        kill(worker)
    check_after_fault(world, before)
    held = audit(world, "gateway.held")
    assert len(held) == 1, held  # one row per hold, not one per retry
    assert "No space left on device" in held[0]["reason"], held
    assert "transparency log" in held[0]["reason"], held
    assert audit(world, "gateway.resumed")
    assert any("No space left on device" in text for text in alerts(world, "gateway_held"))
    assert "sending held" in worker_log(world)
    print(f"finished {waited:.1f} s after the filler was deleted")
