"""The provider stops answering for a while, then comes back (docs/faults.md).

A real ``smsguard worker`` sends through the simulated provider. Once a third of the campaign
is out, the test starts an outage (``outage`` file present): every hand-over hangs for the
timeout and fails as *outcome unknown*, and each of those requests did reach the provider
(``outage_accept: 1``) — the answer is what got lost, the case that must never become a
second SMS. The provider deduplicates by message key, so those messages are retried under the
same key; meanwhile the worker's breaker stops handing over new messages and probes at
growing intervals instead of spending a timeout on every message in the queue. When the file
is deleted the campaign finishes, and every message was accepted exactly once.
"""

from __future__ import annotations

import time
from pathlib import Path

from fault_world import (
    all_sent,
    attempts,
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

CUSTOMERS = 400
OUTAGE = 6.0  # seconds the provider does not answer
TIMEOUT = 0.4  # seconds each hung hand-over waits
PROVIDER = (
    "journal: accepted.tsv\nlatency_ms: 6\noutage: outage\n"
    f"outage_timeout_ms: {TIMEOUT * 1000:g}\noutage_accept: 1.0\n"
)


def test_provider_timeouts_are_retried_under_the_same_key_without_hammering(
    tmp_path: Path, sqlite_database: Database, screener: Screener
) -> None:
    world = build_world(tmp_path, sqlite_database, screener, customers=CUSTOMERS,
                        provider=PROVIDER)  # fmt: skip
    outage = world.home / "outage"
    worker = start_worker(world)
    try:
        wait_until("a third handed over", lambda: len(journal(world)) >= CUSTOMERS // 3,
                   world, worker)  # fmt: skip
        before = checkpoint_now(world)
        outage.touch()
        time.sleep(OUTAGE)
        taken_in_outage = len(journal(world))
        outage.unlink()
        assert taken_in_outage < CUSTOMERS, "the campaign ended before the outage"
        wait_until("the campaign finished after the provider came back", lambda: all_sent(world),
                   world, worker, timeout=45)  # fmt: skip
        stop_worker(world, worker)
    finally:
        kill(worker)
    check_after_fault(world, before)  # the lost answers were retried, accepted once each
    tries = attempts(world)
    retried = sum(1 for n in tries if n > 1)
    failed_tries = sum(tries) - len(tries)  # every try beyond a message's first one failed
    assert retried >= 1, "no hand-over timed out: the outage missed the campaign"
    # Without the breaker every queued message would cost a timeout: OUTAGE / TIMEOUT = 15
    # tries. With it: 3 failures open it, then one probe per pause of 1, 2, 4 … s.
    assert failed_tries <= 8, f"{failed_tries} hand-overs into a dead provider in {OUTAGE} s"
    assert "no hand-off for" in worker_log(world)
    assert campaign_state(world) == "running"
    print(f"{retried} message(s) retried, {failed_tries} failed tries during the outage")
