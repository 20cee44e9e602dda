"""Latency of POST /api/v1/screen under a steady 200 requests/s, against a real server.

    .venv/bin/python benchmarks/bench_api.py [--rate 200] [--seconds 30]

A temporary home gets keys, an institution, a marketer and an API key; uvicorn serves the
application in a separate process (one worker, as `smsguard serve` runs it). The load is
open-loop: requests leave on a fixed schedule whether or not earlier ones have answered, so
a slow server shows up as latency instead of a politely lower rate. Latency is measured from
each request's scheduled start, which counts queueing on the client's side too.

Printed side by side, measured in the same run on the same texts:

* ``in-process screen()``: the library call alone, the floor the HTTP path adds to;
* ``HTTP /screen at R/s``: p50 / p99 / max latency, error count and achieved rate;
* ``HTTP /screen, closed loop``: eight clients back to back, the service's ceiling here.

The load generator and the server share this machine's two cores. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from smsguard.bootstrap import build_database, build_screener
from smsguard.governance.credentials import create_api_key
from smsguard.protect import generate_key_file
from smsguard.settings import Settings
from smsguard.store import tenant_session, upgrade
from smsguard.store.institutions import add_institution
from smsguard.store.models import User

TEXTS = [
    "【某银行】尊敬的客户，您的信用卡账单已出，本期应还1,280.00元，请于12月15日前还款。回复TD退订",
    "【某消费金融】秒批！不看征信，最高可借20万，日息0.02%，点击 http://dai.example.cn 申请",
    "【工商银行】您的账户已冻结，请点击 http://icbc-jiedong.cn 缴纳解冻费",
    "【某银行】您申请的个人消费贷款年化利率（单利）7.2%，额度5万元，详询95555。回复TD退订",
]


def prepare(home: Path) -> str:
    """Keys, schema, one institution, one marketer and their API key; returns the key."""
    (home / "keys").mkdir(parents=True)
    settings = Settings(home=home)
    generate_key_file(settings.effective_master_key_file)
    generate_key_file(settings.effective_index_key_file)
    database = build_database(settings)
    upgrade(database)
    tenant = add_institution(database, code="bench", name="Bench").id
    with tenant_session(database, tenant) as session:
        session.add_all([User(username=name, display_name=name, roles=[role]) for name, role in
                         (("mia", "marketer"), ("root", "admin"))])  # fmt: skip
        session.flush()
        admin = session.query(User).filter_by(username="root").one()
        token, _view = create_api_key(
            session, admin, username="mia", name="bench", scopes=["screen.use"]
        )
    database.dispose()
    return token


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start_server(home: Path, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "SMSGUARD_HOME": str(home)}
    command = [sys.executable, "-m", "uvicorn", "--factory",
               "smsguard.api.asgi:app_from_environment", "--port", str(port),
               "--log-level", "warning", "--no-access-log"]  # fmt: skip
    server = subprocess.Popen(command, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/api/v1/openapi.json", timeout=1)
            return server
        except httpx.HTTPError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("the server did not come up within 60 s")


async def open_loop(
    url: str, token: str, rate: float, seconds: float
) -> tuple[list[float], int, float]:
    """Latencies (s) from each request's scheduled start, error count, achieved rate."""
    headers = {"Authorization": f"Bearer {token}"}
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
    latencies: list[float] = []
    errors = 0
    async with httpx.AsyncClient(headers=headers, limits=limits, timeout=30) as client:

        async def one(index: int, scheduled: float) -> None:
            nonlocal errors
            await asyncio.sleep(max(0.0, scheduled - time.perf_counter()))
            answer = await client.post(url, json={"text": TEXTS[index % len(TEXTS)]})
            latencies.append(time.perf_counter() - scheduled)
            errors += answer.status_code != 200

        start = time.perf_counter() + 0.5
        count = int(rate * seconds)
        await asyncio.gather(*(one(i, start + i / rate) for i in range(count)))
        elapsed = time.perf_counter() - start
    return latencies, errors, count / elapsed


async def closed_loop(url: str, token: str, clients: int, seconds: float) -> float:
    headers = {"Authorization": f"Bearer {token}"}
    done = 0
    async with httpx.AsyncClient(headers=headers, timeout=30) as client:
        stop = time.perf_counter() + seconds

        async def worker(offset: int) -> None:
            nonlocal done
            while time.perf_counter() < stop:
                await client.post(url, json={"text": TEXTS[(done + offset) % len(TEXTS)]})
                done += 1

        await asyncio.gather(*(worker(i) for i in range(clients)))
    return done / seconds


def in_process(home: Path, count: int = 2000) -> list[float]:
    screener = build_screener(Settings(home=home))
    timings = []
    for i in range(count):
        began = time.perf_counter()
        screener.screen(TEXTS[i % len(TEXTS)])
        timings.append(time.perf_counter() - began)
    return timings


def describe(name: str, latencies: list[float], extra: str = "") -> None:
    ordered = sorted(latencies)
    p50 = statistics.median(ordered) * 1000
    p99 = ordered[int(len(ordered) * 0.99) - 1] * 1000
    worst = ordered[-1] * 1000
    print(f"{name:32} p50 {p50:8.2f} ms   p99 {p99:8.2f} ms   max {worst:8.2f} ms  {extra}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--seconds", type=float, default=30.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        home = Path(folder) / "home"
        token = prepare(home)
        describe("in-process screen()", in_process(home))
        port = free_port()
        server = start_server(home, port)
        url = f"http://127.0.0.1:{port}/api/v1/screen"
        try:
            asyncio.run(open_loop(url, token, args.rate, 3))  # warm-up
            latencies, errors, achieved = asyncio.run(
                open_loop(url, token, args.rate, args.seconds)
            )
            load = f"errors {errors}, achieved {achieved:.0f}/s over {args.seconds:.0f} s"
            describe(f"HTTP /screen at {args.rate:.0f}/s", latencies, load)
            ceiling = asyncio.run(closed_loop(url, token, 8, 10))
            print(f"{'HTTP /screen, closed loop':32} {ceiling:8.0f} requests/s (8 clients)")
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
