"""PostgreSQL goes away for a few seconds in the middle of a campaign (docs/faults.md).

Two real ``smsguard worker`` processes send a campaign through the simulated provider, with
the outbox and the transparency log (``log_storage: database``) in a PostgreSQL server this
test owns. The test stops the server with ``pg_ctl stop -m fast`` (every session is cut),
waits, and starts it again. The workers must not exit: each holds, reconnects with backoff,
writes the outcomes of the hand-over the outage interrupted instead of handing those
messages over again, finishes the campaign, and records the hold in the audit trail and as
an alert; the alert webhooks hear of the hold at once, while the database is still down.
Delivery reports are held back for a minute (``report_delay_ms``), as a slow carrier's are,
so only the worker's own record can settle the messages handed over during the outage.
"""

from __future__ import annotations

import time
from pathlib import Path

from fault_pg import OwnPostgres
from fault_world import (
    Hook,
    alerts,
    all_sent,
    attempts,
    audit,
    build_world,
    campaign_state,
    check_after_fault,
    checkpoint_now,
    journal,
    kill,
    start_worker,
    states,
    stop_worker,
    wait_until,
    worker_log,
)

from smsguard.screening.engine import Screener
from smsguard.store import Database

CUSTOMERS = 450
OUTAGE = 3.0  # seconds the server is down


def test_postgres_restart_mid_campaign(
    tmp_path: Path, own_postgres: OwnPostgres, own_database: Database, screener: Screener
) -> None:
    hook = Hook()
    world = build_world(
        tmp_path, own_database, screener, customers=CUSTOMERS, log_storage="database",
        provider="journal: accepted.tsv\nlatency_ms: 20\nreport_delay_ms: 60000\n",
        settings=f"alert_webhooks: ['{hook.url}']\n",
    )  # fmt: skip
    workers = [start_worker(world, "--lease", "20") for _ in range(2)]  # SKIP LOCKED claims
    worker = workers[0]
    try:
        wait_until("a third handed over", lambda: len(journal(world)) >= CUSTOMERS // 3,
                   world, worker)  # fmt: skip
        before = checkpoint_now(world)
        # Stop while a batch is being handed over (25 x 20 ms), so that its outcomes cannot
        # be written when the hand-over ends.
        wait_until("a batch in flight", lambda: states(world).get("sending", 0) > 0, world, worker)
        own_database.dispose()
        own_postgres.stop()
        time.sleep(OUTAGE)
        told_while_down = [alert for _, alert in hook.received]
        for process in workers:
            assert process.poll() is None, f"a worker died with the database:\n{worker_log(world)}"
        during = len(journal(world))
        own_postgres.start()
        assert during < CUSTOMERS, "the campaign ended before the outage; slow the provider"
        wait_until("the whole campaign sent", lambda: all_sent(world), world, worker, timeout=45)
        for process in workers:
            stop_worker(world, process)
    finally:
        for process in workers:
            kill(process)
        hook.close()
    check_after_fault(world, before)
    held = audit(world, "gateway.held")
    assert held, "the hold is not in the audit trail"
    assert any("database" in row["reason"] for row in held), held
    assert audit(world, "gateway.resumed"), "the end of the hold is not in the audit trail"
    assert alerts(world, "gateway_held"), "no alert names the hold"
    assert campaign_state(world) == "running"  # resumed by itself; nobody had to act
    assert "sending held" in worker_log(world)
    # The webhooks need no database: the operator heard of the hold while it was down.
    assert any(alert["detector"] == "gateway_held" for alert in told_while_down), hook.received
    # Claimed once each: outcomes the outage kept from being written were written afterwards
    # from memory, not left for the lease to expire and the message to be handed over again.
    assert set(attempts(world)) == {1}, sorted(attempts(world))
    assert "not written yet" in worker_log(world), "the outage missed the hand-over"
