"""Load test: /screen and campaign sending at once, then overload and recovery, on PostgreSQL.

    .venv/bin/python benchmarks/load_api.py [--duration 180] [--rate 200] [--api-processes 2]
        [--workers 1] [--customers 10000] [--send-rate 200] [--overload 2]

A throw-away PostgreSQL (tests/pg.py: unix socket, fsync off) holds one bank with
``--customers`` consenting customers, API keys and approved campaigns over all of them whose
texts differ per customer ({name}), as many as keep ``--send-rate`` busy until the end
(customers are imported through the ORM, a few hundred a second, so more campaigns rather
than more customers); the campaigns are expanded (every text rendered and screened) before
the clock starts. Then ``smsguard serve --workers N --no-worker`` serves the API and
``--workers`` ``smsguard worker`` processes send through the simulated provider at the
campaigns' rate limits (``--send-rate`` messages/s together), while this script
(load_client.py, open loop) runs the phases:

1. **steady** for ``--duration`` s: one API key screens at ``--rate`` requests/s;
2. **capacity**: back-to-back callers find what the processes answer per second now;
3. **overload** (30 s): ``--overload`` (2) x that capacity over nine keys, none above its
   quota: 503 ``overloaded`` for what the processes cannot take;
4. **recovery** (20 s): the steady rate again;
5. **greedy client** (30 s): the steady rate, plus one key sending batches of 50 texts at
   twice its quota (``screen_texts_per_minute``, set to twice ``--rate``): 429 for it once
   its ten seconds of burst are spent, the steady client unaffected.

Printed: a row per phase and stream (rate offered and achieved, p50/p99/max latency, status
counts, refusals without Retry-After, connection failures), the RSS of every process
(psutil when installed, else /proc) and the messages handed over per second. The machine's
load average is printed first and last: the figures mean little on a busy machine.
Nothing is asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).parents[1]
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "tests" / "unit" / "gateway"), str(ROOT)]

import httpx  # noqa: E402
from bench_gateway import _rows  # noqa: E402
from gateway_helpers import approved_campaign, midday_zone, staff  # noqa: E402
from load_client import Pool, Stream, Tally, closed_loop, open_loop  # noqa: E402
from load_memory import Memory  # noqa: E402
from sqlalchemy import func, select, text  # noqa: E402

from smsguard.bootstrap import build_customer_service, build_gateway, build_screener  # noqa: E402
from smsguard.governance.credentials import create_api_key  # noqa: E402
from smsguard.protect import generate_key_file  # noqa: E402
from smsguard.settings import Settings, load_settings  # noqa: E402
from smsguard.store import Database, tenant_session, upgrade  # noqa: E402
from smsguard.store.gateway_models import Message  # noqa: E402
from smsguard.store.institutions import add_institution  # noqa: E402
from smsguard.store.models import User  # noqa: E402

TEXTS = [
    "【某银行】尊敬的客户，您的信用卡账单已出，本期应还1,280.00元，请于12月15日前还款。回复TD退订",
    "【某消费金融】秒批！不看征信，最高可借20万，日息0.02%，点击 http://dai.example.cn 申请",
    "【工商银行】您的账户已冻结，请点击 http://icbc-jiedong.cn 缴纳解冻费",
    "【某银行】您申请的个人消费贷款年化利率（单利）7.2%，额度5万元，详询95555。回复TD退订",
]
FLOOD_KEYS = 8
GREEDY_BATCH = 50
HANDED_OVER = ("sent", "delivered", "undelivered", "uncertain")
WAL_BYTES = "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')"
TABLE_BYTES = "SELECT pg_total_relation_size('messages')"
# name, nominal seconds, what each stream saw, seconds until the last answer
Phase = tuple[str, float, dict[str, Tally], float]


def seed(home: Path, url: str, args: argparse.Namespace) -> tuple[Settings, int, dict[str, str]]:
    """Keys, schema, the bank, its customers and API keys; returns settings, bank, tokens."""
    (home / "keys").mkdir(parents=True)
    quota = int(args.rate * 2 * 60)  # per key: twice the steady rate
    (home / "settings.yaml").write_text(
        f"database_url: '{url}'\ntimezone: '{midday_zone()}'\n"
        f"screen_texts_per_minute: {quota}\nfrequency_cap_messages: {campaigns(args) + 1}\n"
    )
    settings = load_settings(
        config_file=home / "settings.yaml", environ={}, overrides={"home": home}
    )
    generate_key_file(settings.effective_master_key_file)
    generate_key_file(settings.effective_index_key_file)
    database = Database.from_url(url)
    upgrade(database)
    bank = add_institution(database, code="bank-a", name="Bank A").id
    staff(database, bank)
    began = time.perf_counter()
    build_customer_service(settings, database, bank).import_customers(_rows(args.customers))
    took = time.perf_counter() - began
    print(f"seeded {args.customers:,} customers in {took:.0f} s ({args.customers / took:,.0f}/s)")
    tokens = _keys(database, bank)
    database.dispose()
    return settings, bank, tokens


def _keys(database: Database, bank: int) -> dict[str, str]:
    names = ["main", "greedy", *(f"flood-{i}" for i in range(FLOOD_KEYS))]
    with tenant_session(database, bank) as session:
        admin = User(username="root", display_name="root", roles=["admin"])
        session.add(admin)
        session.flush()
        return {
            name: create_api_key(session, admin, username="mia", name=name, scopes=["screen.use"])[
                0
            ]
            for name in names
        }


def campaigns(args: argparse.Namespace) -> int:
    """Campaigns over the same customers, enough to keep sending until the test ends (the
    import goes through the ORM row by row, so customers are the slow part to seed)."""
    messages = args.send_rate * (args.duration + 90)
    return max(1, math.ceil(messages / args.customers))


def expand(settings: Settings, bank: int, args: argparse.Namespace) -> int:
    """Approve and start the campaigns, each at its share of ``--send-rate``: every text
    rendered, screened and queued."""
    screener = build_screener(settings)
    database = Database.from_url(settings.effective_database_url)
    count = campaigns(args)
    rate = max(1, int(args.send_rate * 60 / count))
    began = time.perf_counter()
    queued = 0
    for index in range(count):
        campaign, _version = approved_campaign(
            database, bank, screener, name=f"load-{index}", rate=rate, starts_at=datetime.now(UTC)
        )
        queued += build_gateway(settings, database, bank, screener).start("mia", campaign).queued
    took = time.perf_counter() - began
    print(f"{count} campaign(s) over every customer, {rate:,}/min each: {queued:,} messages "
          f"queued in {took:.0f} s ({queued / took:,.0f} texts/s rendered, screened)")  # fmt: skip
    database.dispose()
    return queued


def handed_over(database: Database, bank: int) -> int:
    with tenant_session(database, bank) as session:
        query = select(func.count()).where(Message.state.in_(HANDED_OVER))
        return int(session.scalar(query) or 0)


def environment(home: Path) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SMSGUARD_")}
    return {**clean, "SMSGUARD_HOME": str(home)}


def start_workers(home: Path, count: int, processes: dict[str, subprocess.Popen[bytes]]) -> None:
    """The sending workers, added to ``processes``: the campaign starts sending now."""
    argv = [sys.executable, "-m", "smsguard", "worker", "--institution", "bank-a",
            "--batch-size", "500"]  # fmt: skip
    for index in range(count):
        processes[f"worker-{index}"] = subprocess.Popen(
            argv, env=environment(home), stdout=subprocess.DEVNULL
        )


def start_api(
    home: Path, args: argparse.Namespace, port: int
) -> dict[str, subprocess.Popen[bytes]]:
    """``smsguard serve --workers N --no-worker``, once it answers /readyz."""
    serve = [sys.executable, "-m", "smsguard", "serve", "--no-worker", "--port", str(port),
             "--workers", str(args.api_processes)]  # fmt: skip
    processes = {"serve": subprocess.Popen(serve, env=environment(home), stdout=subprocess.DEVNULL)}
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                return processes
        except httpx.HTTPError:
            time.sleep(0.5)
    stop_processes(processes)
    raise SystemExit("the API did not come up within 120 s")


def stop_processes(processes: dict[str, subprocess.Popen[bytes]]) -> None:
    for process in processes.values():
        process.terminate()
    for process in processes.values():
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()


def screen_stream(name: str, token: str, rate: float, text: int = 3) -> Stream:
    return Stream(name, "/api/v1/screen", {"text": TEXTS[text % len(TEXTS)]}, token, rate)


async def phases(port: int, tokens: dict[str, str], args: argparse.Namespace,
                 progress: Progress, start_sending: Callable[[], None],
                 ) -> list[Phase]:  # fmt: skip
    """Every phase's tallies, with the phase's name and length."""
    pool = Pool("127.0.0.1", port)
    main = screen_stream("screen", tokens["main"], args.rate)
    results = []
    await open_loop(pool, [main], 5)  # warm-up
    start_sending()
    progress.mark("steady")
    results.append(("steady", args.duration, *await open_loop(pool, [main], args.duration)))
    progress.mark("capacity")
    keys = [token for name, token in tokens.items() if name != "greedy"]
    everyone = [screen_stream("screen", token, 1, index) for index, token in enumerate(keys)]
    capacity = await closed_loop(pool, everyone, clients=32, seconds=8)
    print(f"capacity now (32 back-to-back callers over {len(everyone)} keys): {capacity:,.0f}/s")
    per_key = args.overload * capacity / len(everyone)
    flood = [screen_stream("screen", s.token, per_key, i) for i, s in enumerate(everyone)]
    progress.mark("overload")
    name = f"overload {args.overload:g}x"
    results.append((name, 30, *await open_loop(pool, flood, 30)))
    progress.mark("recovery")
    results.append(("recovery", 20, *await open_loop(pool, [main], 20)))
    greedy = Stream("greedy batch", "/api/v1/screen/batch",
                    {"texts": [TEXTS[0]] * GREEDY_BATCH}, tokens["greedy"],
                    2 * args.rate * 2 / GREEDY_BATCH)  # twice its quota  # fmt: skip
    progress.mark("quota")
    results.append(("greedy client", 30, *await open_loop(pool, [main, greedy], 30)))
    progress.mark("end")
    await pool.close()
    return results


class Progress:
    """Phase boundaries with the messages handed over and the WAL position at each."""

    def __init__(self, database: Database, bank: int) -> None:
        self.database, self.bank = database, bank
        self.marks: list[tuple[str, float, int, int]] = []

    def mark(self, name: str) -> None:
        with self.database.engine.connect() as connection:
            wal = int(connection.scalar(text(WAL_BYTES)) or 0)
        handed = handed_over(self.database, self.bank)
        self.marks.append((name, time.perf_counter(), handed, wal))

    def report(self) -> None:
        """Messages/s and WAL written per phase, then what the database holds per message."""
        for (name, t1, n1, w1), (_next, t2, n2, w2) in zip(
            self.marks, self.marks[1:], strict=False
        ):
            per = f", {(w2 - w1) / (n2 - n1) / 1024:.1f} KiB WAL/message" if n2 > n1 else ""
            print(f"  {name:10} {(n2 - n1) / (t2 - t1):8,.0f} messages/s handed over "
                  f"({n2 - n1:,}); WAL {(w2 - w1) / 2**20 / (t2 - t1):.1f} MiB/s{per}")  # fmt: skip
        with self.database.engine.connect() as connection:
            rows = connection.scalar(text("SELECT count(*) FROM messages")) or 1
            size = connection.scalar(text(TABLE_BYTES)) or 0
            total = connection.scalar(text("SELECT pg_database_size(current_database())")) or 0
        print(f"  messages table with its indexes: {size / rows:,.0f} bytes per message "
              f"({rows:,} rows); whole database {total / 2**20:,.0f} MiB")  # fmt: skip


def report(results: list[Phase]) -> None:
    print(f"\n{'':33}{'answered 200: ms':>26}  {'refused: ms':>14}")
    print(f"{'phase':14} {'stream':12} {'sent/s':>6} {'ok/s':>5} {'took':>4} {'p50':>7} {'p99':>7} "
          f"{'max':>7}  {'p50':>6} {'p99':>7} {'200':>7} {'429':>6} {'503':>6} {'5xx':>4} "
          f"{'other':>5} {'noRA':>4} {'fail':>4}")  # fmt: skip
    for phase, seconds, tallies, took in results:
        for stream, tally in tallies.items():
            codes = tally.statuses
            fivexx = sum(n for status, n in codes.items() if status >= 500 and status != 503)
            other = sum(
                n for status, n in codes.items() if status not in (200, 429) and status < 500
            )
            rates = f"{tally.sent / seconds:6,.0f} {codes[200] / took:5,.0f} {took:4.0f}"
            print(f"{phase:14} {stream:12} {rates} "
                  f"{tally.percentile(0.5):7.1f} {tally.percentile(0.99):7.1f} "
                  f"{tally.percentile(1.0):7.1f}  {tally.percentile(0.5, True):6.1f} "
                  f"{tally.percentile(0.99, True):7.1f} {codes[200]:7,} {codes[429]:6,} "
                  f"{codes[503]:6,} {fivexx:4} {other:5} {tally.missing_retry_after:4} "
                  f"{tally.failures:4}")  # fmt: skip
            if tally.codes:
                print(f"{'':28}error codes: {dict(tally.codes)}")
    print("sent/s: offered (open loop); ok/s: 200s per second until the last answer (took, s);")
    print("noRA: 429/503 without Retry-After; fail: connection errors and timeouts (30 s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=180.0, help="steady phase, seconds")
    parser.add_argument("--rate", type=float, default=200.0, help="/screen requests/s")
    parser.add_argument("--api-processes", type=int, default=2)
    parser.add_argument("--workers", type=int, default=1, help="sending worker processes")
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--send-rate", type=float, default=200.0, help="campaign messages/s")
    parser.add_argument("--overload", type=float, default=2.0, help="x measured capacity")
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.2f} (2 cores shared)")
    from pg import start_postgres

    server = start_postgres()
    try:
        with tempfile.TemporaryDirectory() as folder:
            url = server.create_database("load")
            run(Path(folder) / "home", url, args, server.root / "data")
    finally:
        server.stop()
    print(f"load average after: {os.getloadavg()[0]:.2f}")


def run(home: Path, url: str, args: argparse.Namespace, postgres_data: Path) -> None:
    settings, bank, tokens = seed(home, url, args)
    expand(settings, bank, args)
    port = free_port()
    processes = start_api(home, args, port)
    database = Database.from_url(url)
    memory = Memory(processes, postgres_data)
    try:
        progress = Progress(database, bank)
        sending = lambda: start_workers(home, args.workers, processes)  # noqa: E731
        results = asyncio.run(memory.during(phases(port, tokens, args, progress, sending)))
    finally:
        stop_processes(processes)
    report(results)
    print("\nsending (simulated provider, campaign limit "
          f"{args.send_rate:,.0f}/s, {args.workers} worker process(es)):")  # fmt: skip
    progress.report()
    memory.report()
    database.dispose()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


if __name__ == "__main__":
    main()
