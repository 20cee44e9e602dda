"""Overload protection: the service sheds with 503 + Retry-After (or 429 for a caller over
its quota) in the one error shape, never 500, and answers normally afterwards; the health
routes are never shed (smsguard/api/admission.py, docs/deployment.md "Overload")."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import httpx
from api_harness import Api, build_api

from smsguard.api.admission import Gate
from smsguard.screening import Screener

ADM_TEXT = "【某银行】您申请的个人消费贷款年化利率（单利）7.2%，额度5万元，详询95555。回复TD退订"


def _adm_assert_overloaded(answer: httpx.Response) -> None:
    assert answer.status_code == 503, answer.text
    assert int(answer.headers["Retry-After"]) >= 1
    body = answer.json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == "overloaded"
    assert body["error"]["message"]
    assert answer.headers["X-Content-Type-Options"] == "nosniff"


async def _adm_flood(api: Api, requests: int, batch: int) -> list[httpx.Response]:
    """``requests`` batch screenings at once (each in the thread pool, so they overlap)."""
    token = api.tokens[("bank-a", "mia")]
    transport = httpx.ASGITransport(app=api.app, raise_app_exceptions=False)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://test", timeout=60,
        headers={"Authorization": f"Bearer {token}"},
    ) as client:  # fmt: skip
        body = {"texts": [ADM_TEXT] * batch}
        return await asyncio.gather(
            *(client.post("/api/v1/screen/batch", json=body) for _ in range(requests))
        )


def test_a_flood_above_the_bound_is_shed_with_503_and_the_service_recovers(
    tmp_path: Path, screener: Screener
) -> None:
    api = build_api(tmp_path, screener, api_max_in_flight=3, api_queue_seconds=0.2)
    answers = asyncio.run(_adm_flood(api, requests=40, batch=150))
    counts = Counter(answer.status_code for answer in answers)
    assert set(counts) <= {200, 503}, counts
    assert counts[503] > 0 and counts[200] >= 3, counts
    for answer in answers:
        if answer.status_code == 200:
            assert len(answer.json()["results"]) == 150
        else:
            _adm_assert_overloaded(answer)
    gate: Gate = api.app.state.admission
    assert gate.in_flight == 0 and gate.snapshot().waiting == 0
    assert gate.shed == counts[503]
    after = api.client("mia").post("/api/v1/screen", json={"text": ADM_TEXT})
    assert after.status_code == 200 and after.json()["verdict"] == "pass"
    api.database.dispose()


def test_a_full_gate_refuses_everything_but_the_health_routes(api: Api) -> None:
    gate: Gate = api.app.state.admission
    gate.max_in_flight = gate.max_waiting = 0
    client = api.client("mia")
    refused = client.post("/api/v1/screen", json={"text": ADM_TEXT})
    _adm_assert_overloaded(refused)
    page = api.anonymous().get("/login")
    assert page.status_code == 503 and page.headers["Retry-After"]
    live = client.get("/healthz")
    assert live.status_code == 200
    assert live.json()["status"] == "ok" and live.json()["shed"] == 2
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json() == {"status": "ready", "database": "sqlite"}


def test_readiness_says_503_when_the_database_is_gone(api: Api) -> None:
    database_file = Path(str(api.database.engine.url.database))
    api.database.dispose()
    database_file.unlink()
    database_file.mkdir()  # a folder where the file was: SQLite cannot open it
    answer = api.anonymous().get("/readyz")
    assert answer.status_code == 503
    assert answer.json()["error"]["code"] == "storage-error"
    assert answer.headers["Retry-After"] == "30"
    assert api.anonymous().get("/healthz").status_code == 200


def test_a_caller_over_its_screening_quota_gets_429_with_retry_after(
    tmp_path: Path, screener: Screener
) -> None:
    # 60 texts a minute with ten seconds of burst: 10 pass, the 11th waits about a second.
    api = build_api(tmp_path, screener, screen_texts_per_minute=60)
    mia, olga = api.client("mia"), api.client("olga")
    statuses = [mia.post("/api/v1/screen", json={"text": ADM_TEXT}).status_code for _ in range(10)]
    assert statuses == [200] * 10
    over = mia.post("/api/v1/screen", json={"text": ADM_TEXT})
    assert over.status_code == 429
    assert over.json()["error"]["code"] == "rate-limited"
    assert int(over.headers["Retry-After"]) >= 1
    batch = mia.post("/api/v1/screen/batch", json={"texts": [ADM_TEXT] * 5})
    assert batch.status_code == 429
    # Another key has its own bucket.
    assert olga.post("/api/v1/screen", json={"text": ADM_TEXT}).status_code == 200
    api.database.dispose()


def test_the_quota_is_shared_out_among_the_api_processes(
    tmp_path: Path, screener: Screener
) -> None:
    api = build_api(tmp_path, screener, screen_texts_per_minute=120, api_processes=4)
    mia = api.client("mia")
    statuses = [mia.post("/api/v1/screen", json={"text": ADM_TEXT}).status_code for _ in range(6)]
    assert statuses == [200] * 5 + [429]  # 120/4 = 30 a minute here: a burst of 5
    api.database.dispose()


def _adm_run(scenario: Callable[[], Coroutine[Any, Any, None]]) -> None:
    asyncio.run(scenario())


def test_a_waiting_request_gets_the_freed_slot_or_is_refused_in_time() -> None:
    async def scenario() -> None:
        gate = Gate(max_in_flight=1, queue_seconds=0.2)
        assert await gate.admit() is None
        began = time.monotonic()
        assert "no free slot" in (await gate.admit() or "")
        assert 0.15 < time.monotonic() - began < 1.0
        second = asyncio.create_task(gate.admit())
        await asyncio.sleep(0.05)
        gate.release()  # handed straight to the waiter
        assert await second is None
        assert gate.in_flight == 1
        gate.release()
        assert gate.in_flight == 0 and (gate.admitted, gate.shed) == (2, 1)

    _adm_run(scenario)


def test_a_loop_that_runs_late_sheds_new_requests() -> None:
    async def scenario() -> None:
        gate = Gate(max_in_flight=100, queue_seconds=0.25)
        gate.lag.seconds()  # starts the probe
        await asyncio.sleep(0.05)
        time.sleep(0.6)  # the loop is blocked, as by a backlog of screening
        refused = await gate.admit()
        assert refused is not None and "behind" in refused
        await asyncio.sleep(0.2)  # the backlog is gone: the probe catches up
        assert await gate.admit() is None

    _adm_run(scenario)
