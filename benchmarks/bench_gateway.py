"""End-to-end sending through the simulated provider: expansion, screening, consent, outbox,
hand-off and delivery reports.

    .venv/bin/python benchmarks/bench_gateway.py [--customers N] [--postgres]

One made-up bank with N consenting customers and one approved campaign whose template uses
``{name}``, so every rendered text is different and is screened (rules, model, fingerprints)
on its own. Three runs, each on a fresh database:

* ``one process``: expansion and one worker in one thread of one process, on SQLite (the
  embedded default): each chunk of 1,000 planned messages is handed over before the next
  chunk is planned. Target: >= 2,000 messages/s;
* ``one message per transaction``: the same with a worker batch of 1, the naive outbox that
  commits around every single message: the baseline that shows what batching buys;
* with ``--postgres``: expansion in this process and two ``smsguard worker`` processes on a
  throw-away PostgreSQL, at once and then phase by phase (expansion alone, then the two
  workers draining the queued outbox). Target: >= 5,000 messages/s.

Throughput is messages handed over per wall-clock second from the campaign start to the last
hand-off. Latency is each message's enqueue (``created_at``) to hand-off (``sent_at``), p50
and p99. Nothing is asserted; the figures are for reading.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

ROOT = Path(__file__).parents[1]
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "tests" / "unit" / "gateway")]

from gateway_helpers import approved_campaign, midday_zone, staff  # noqa: E402

from smsguard.bootstrap import build_customer_service, build_gateway, build_worker  # noqa: E402
from smsguard.gateway.worker import WorkerOptions  # noqa: E402
from smsguard.protect import generate_key_file  # noqa: E402
from smsguard.screening.engine import Screener  # noqa: E402
from smsguard.settings import Settings  # noqa: E402
from smsguard.store import Database, tenant_session, upgrade  # noqa: E402
from smsguard.store.gateway_models import Message  # noqa: E402
from smsguard.store.institutions import add_institution  # noqa: E402

SURNAMES = "王李张刘陈杨黄赵吴周孙马朱胡郭何高林罗郑"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂"


def _rows(count: int) -> list[tuple[int, dict[str, str]]]:
    rows = []
    for n in range(count):
        name = SURNAMES[n % 20] + GIVEN[(n // 20) % 22] + GIVEN[(n // 440) % 22]
        rows.append((n + 2, {
            "phone": f"13{n:09d}", "name": name, "birth_year": "1985", "is_student": "no",
            "consent_purpose": "loan_marketing", "consent_source": "app",
            "consent_evidence": f"form {n}", "consent_at": "2025-01-01T00:00:00+08:00",
        }))  # fmt: skip
    return rows


def _bank(home: Path, url: str, customers: int, screener: Screener) -> tuple[Settings, int]:
    (home / "keys").mkdir(parents=True)
    zone = midday_zone()
    (home / "settings.yaml").write_text(f"database_url: '{url}'\ntimezone: '{zone}'\n")
    settings = Settings(home=home, database_url=url, timezone=zone)
    generate_key_file(settings.effective_master_key_file)
    generate_key_file(settings.effective_index_key_file)
    database = Database.from_url(url)
    upgrade(database)
    bank = add_institution(database, code="bank-a", name="Bank A").id
    staff(database, bank)
    build_customer_service(settings, database, bank).import_customers(_rows(customers))
    database.dispose()
    return settings, bank


def _campaign(settings: Settings, bank: int, screener: Screener) -> tuple[Database, int]:
    database = Database.from_url(settings.effective_database_url)
    campaign, _ = approved_campaign(
        database, bank, screener, rate=600_000, starts_at=datetime.now(UTC)
    )
    return database, campaign


def _latencies(database: Database, bank: int) -> tuple[int, float, float, float]:
    with tenant_session(database, bank) as session:
        rows = session.execute(select(Message.created_at, Message.sent_at, Message.state)).all()
    sent = sorted((s - c).total_seconds() * 1000 for c, s, _ in rows if s is not None)
    last = max(s for _, s, _ in rows if s is not None)
    first = min(c for c, _, _ in rows)
    span = (last - first).total_seconds()
    return len(sent), span, sent[len(sent) // 2], sent[int(len(sent) * 0.99)]


def run_in_process(settings: Settings, bank: int, screener: Screener, batch: int) -> str:
    """Expansion and hand-off interleaved in one thread: each chunk of 1,000 planned messages
    is handed over before the next chunk is planned."""
    database, campaign = _campaign(settings, bank, screener)
    gateway = build_gateway(settings, database, bank, screener)
    worker, sending = build_worker(settings, database, bank, WorkerOptions(batch_size=batch))
    started = time.perf_counter()
    gateway.begin("mia", campaign)
    for _ in gateway.expansion(campaign):
        worker.run(threading.Event(), until_idle=True)
    wall = time.perf_counter() - started
    sent, _, p50, p99 = _latencies(database, bank)
    sending.provider.close()
    database.dispose()
    return (
        f"{sent:>7,} msgs {sent / wall:>9,.0f} msgs/s   p50 {p50:>8,.1f} ms   p99 {p99:>8,.1f} ms"
    )


def run_two_workers(settings: Settings, bank: int, screener: Screener) -> str:
    database, campaign = _campaign(settings, bank, screener)
    env = {**os.environ, "SMSGUARD_HOME": str(settings.home)}
    argv = [sys.executable, "-m", "smsguard", "worker", "--institution", "bank-a",
            "--batch-size", "500"]  # fmt: skip
    workers = [subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL) for _ in range(2)]
    started = time.perf_counter()
    summary = build_gateway(settings, database, bank, screener).start("mia", campaign)
    while _count_sent(database, bank) < summary.queued:
        time.sleep(0.05)
    wall = time.perf_counter() - started
    for process in workers:
        process.terminate()
        process.wait()
    sent, _, p50, p99 = _latencies(database, bank)
    database.dispose()
    return (
        f"{sent:>7,} msgs {sent / wall:>9,.0f} msgs/s   p50 {p50:>8,.1f} ms   p99 {p99:>8,.1f} ms"
    )


def run_phases(settings: Settings, bank: int, screener: Screener) -> str:
    """Expansion alone, then two worker processes draining the queued outbox."""
    database, campaign = _campaign(settings, bank, screener)
    started = time.perf_counter()
    summary = build_gateway(settings, database, bank, screener).start("mia", campaign)
    planned = time.perf_counter() - started
    env = {**os.environ, "SMSGUARD_HOME": str(settings.home)}
    argv = [sys.executable, "-m", "smsguard", "worker", "--institution", "bank-a",
            "--batch-size", "500"]  # fmt: skip
    workers = [subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL) for _ in range(2)]
    started = time.perf_counter()
    while _count_sent(database, bank) < summary.queued:
        time.sleep(0.02)
    drained = time.perf_counter() - started
    for process in workers:
        process.terminate()
        process.wait()
    database.dispose()
    n = summary.queued
    return (
        f"expansion {n / planned:,.0f} msgs/s, then two workers hand over {n / drained:,.0f} msgs/s"
    )


def _count_sent(database: Database, bank: int) -> int:
    from sqlalchemy import func

    with tenant_session(database, bank) as session:
        return int(
            session.scalar(select(func.count()).where(Message.state.in_(("sent", "delivered"))))
            or 0
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--naive", type=int, default=2_000, help="customers in the baseline")
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()
    from smsguard.bootstrap import build_screener

    screener = build_screener(Settings(home=Path(tempfile.mkdtemp())))
    print(f"end-to-end through the simulated provider ({args.customers:,} customers)")
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "one"
        settings, bank = _bank(home, f"sqlite:///{home}.db", args.customers, screener)
        figures = run_in_process(settings, bank, screener, 500)
        print(f"  one process, SQLite, batch 500        {figures}")
        home = Path(tmp) / "naive"
        settings, bank = _bank(home, f"sqlite:///{home}.db", args.naive, screener)
        figures = run_in_process(settings, bank, screener, 1)
        print(f"  baseline: one message per transaction {figures}")
        if args.postgres:
            from pg import start_postgres

            server = start_postgres()
            try:
                url = server.create_database("bench")
                home = Path(tmp) / "pg"
                settings, bank = _bank(home, url, args.customers, screener)
                figures = run_two_workers(settings, bank, screener)
                print(f"  PostgreSQL, two worker processes      {figures}")
                url = server.create_database("phases")
                home = Path(tmp) / "pg-phases"
                settings, bank = _bank(home, url, args.customers, screener)
                print(f"  PostgreSQL, phase by phase: {run_phases(settings, bank, screener)}")
            finally:
                server.stop()


if __name__ == "__main__":
    main()
