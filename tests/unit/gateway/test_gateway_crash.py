"""kill -9 of a worker mid-batch: every message ends handed over exactly once.

The worker runs as a real ``smsguard worker`` process with the simulated provider writing
each accepted message key to a journal before answering (a provider with idempotency keys,
as seen from the outside). The test kills the process with SIGKILL while it is handing a
batch over, restarts it, and then checks the journal against the outbox: no key twice, no
queued message missing, every row settled with the provider's id. On PostgreSQL two workers
drain the same outbox at once (``FOR UPDATE SKIP LOCKED``) and one of them is killed.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from gateway_helpers import approved_campaign, midday_zone, staff
from sqlalchemy import select

from smsguard.bootstrap import build_customer_service, build_gateway
from smsguard.protect import generate_key_file
from smsguard.screening.engine import Screener
from smsguard.settings import Settings
from smsguard.store import Database, tenant_session
from smsguard.store.gateway_models import Message
from smsguard.store.institutions import add_institution

CUSTOMERS = 300
SURNAMES = "王李张刘陈杨黄赵吴周"
GIVEN = "伟芳娜敏静丽强磊军洋"


def _rows() -> list[tuple[int, dict[str, str]]]:
    rows = []
    for n in range(CUSTOMERS):
        name = SURNAMES[n % 10] + GIVEN[(n // 10) % 10]
        rows.append(
            (n + 2, {
                "phone": f"1390000{n:04d}", "name": name, "birth_year": "1985",
                "is_student": "no", "consent_purpose": "loan_marketing",
                "consent_source": "app", "consent_evidence": f"form {n}",
                "consent_at": "2025-01-01T00:00:00+08:00",
            })
        )  # fmt: skip
    return rows


def _world(tmp_path: Path, database: Database, screener: Screener) -> Path:
    home = tmp_path / "home"
    (home / "keys").mkdir(parents=True)
    url = database.engine.url.render_as_string(hide_password=False)
    zone = midday_zone()
    (home / "settings.yaml").write_text(f"database_url: '{url}'\ntimezone: '{zone}'\n")
    (home / "provider.yaml").write_text("journal: accepted.tsv\nlatency_ms: 4\n")
    settings = Settings(home=home, database_url=url, timezone=zone)
    generate_key_file(settings.effective_master_key_file)
    generate_key_file(settings.effective_index_key_file)
    bank = add_institution(database, code="bank-a", name="Bank A").id
    staff(database, bank)
    build_customer_service(settings, database, bank).import_customers(_rows())
    campaign, _ = approved_campaign(
        database, bank, screener, rate=600_000, starts_at=datetime.now(UTC)
    )
    summary = build_gateway(settings, database, bank, screener).start("mia", campaign)
    assert summary.queued == CUSTOMERS
    return home


def _worker(home: Path, *extra: str) -> subprocess.Popen[str]:
    env = {**os.environ, "SMSGUARD_HOME": str(home)}
    argv = [sys.executable, "-m", "smsguard", "worker", "--institution", "bank-a",
            "--batch-size", "25", "--lease", "1.5", *extra]  # fmt: skip
    return subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True)  # fmt: skip


def _journal(home: Path) -> list[tuple[str, str]]:
    path = home / "accepted.tsv"
    lines = path.read_text().splitlines() if path.exists() else []
    return [tuple(line.split("\t")) for line in lines if "\t" in line]  # type: ignore[misc]


def _wait_for_journal(home: Path, lines: int, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60
    while len(_journal(home)) < lines:
        if process.poll() is not None:
            pytest.fail(f"worker exited early: {process.stderr.read() if process.stderr else ''}")
        if time.monotonic() > deadline:
            pytest.fail("the worker handed nothing over within 60 s")
        time.sleep(0.02)


def test_kill_9_mid_batch_loses_nothing_and_sends_nothing_twice(
    tmp_path: Path, database: Database, screener: Screener
) -> None:
    home = _world(tmp_path, database, screener)
    workers = [_worker(home)]
    try:
        if database.backend == "postgresql":
            workers.append(_worker(home))
        _kill_mid_batch_and_finish(home, database, workers)
    finally:
        for process in workers:  # nothing outlives the test, whatever failed
            if process.poll() is None:
                process.kill()
                process.communicate()
    _check_exactly_once(home, database)


def _kill_mid_batch_and_finish(
    home: Path, database: Database, workers: list[subprocess.Popen[str]]
) -> None:
    _wait_for_journal(home, CUSTOMERS // 3 + 10, workers[0])  # not a batch boundary
    workers[0].send_signal(signal.SIGKILL)
    workers[0].communicate()
    stuck = _states(database)
    assert stuck.get("sending", 0) > 0, f"the kill did not land mid-batch: {stuck}"
    time.sleep(1.6)  # let the dead worker's lease run out
    for process in workers[1:]:
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=30)
        assert process.returncode == 0, err
    finisher = _worker(home, "--until-idle")
    workers.append(finisher)
    _, err = finisher.communicate(timeout=120)
    assert finisher.returncode == 0, err


def _states(database: Database) -> dict[str, int]:
    with tenant_session(database, 1) as session:
        states = session.scalars(select(Message.state)).all()
    return {state: states.count(state) for state in set(states)}


def _check_exactly_once(home: Path, database: Database) -> None:
    journal = _journal(home)
    keys = [key for key, _ in journal]
    assert len(keys) == len(set(keys)), "a message was accepted twice"
    with tenant_session(database, 1) as session:
        rows = session.execute(select(Message.message_key, Message.state, Message.provider_id))
        outbox = {key: (state, provider_id) for key, state, provider_id in rows}
    assert set(keys) == set(outbox), "the journal and the outbox disagree"
    assert {state for state, _ in outbox.values()} <= {"sent", "delivered"}
    assert all(outbox[key][1] == provider_id for key, provider_id in journal)
