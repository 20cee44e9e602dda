"""Admission control: refuse work the process cannot do in time, quickly, instead of doing it
late or falling over (docs/deployment.md, "Overload").

Two signals decide, both per process:

* **in-flight requests.** At most ``max_in_flight`` requests are worked on at once; the next
  ones wait in line (as many again at most) for a slot, each for at most ``queue_seconds``;
* **event-loop lag.** ``/screen`` runs on the event loop, so a saturated process does not
  show a queue of waiting requests but a loop that runs late: requests sit in its ready
  queue, unseen. A probe measures how late the loop runs; a request that arrives while the
  loop is more than ``queue_seconds`` behind would be answered that late, so it is refused.

A refused request gets 503 with ``Retry-After`` and the one error shape (code
``overloaded``), which costs a fraction of the work it would have cost. The health routes
are never refused: a load balancer must be able to tell a busy process from a dead one.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections import deque
from dataclasses import dataclass

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from smsguard.api.errors import JSON_PATHS, ErrorDetail, error_response
from smsguard.errors import Overloaded

EXEMPT_PATHS = frozenset({"/healthz", "/readyz"})
RETRY_AFTER = 2  # seconds; long enough for a backlog of queue_seconds to clear
PROBE_SECONDS = 0.02


class LoopLag:
    """How far behind the event loop runs, from a task that sleeps ``interval`` and notes
    how late it wakes; while it is overdue, the time it is overdue counts at once."""

    def __init__(self, interval: float = PROBE_SECONDS) -> None:
        self.interval = interval
        self._last = 0.0
        self._due: float | None = None
        self._task: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def seconds(self) -> float:
        """The lag now, (re)starting the probe on the running loop when it runs elsewhere
        (a test client runs each request on a loop of its own)."""
        loop = asyncio.get_running_loop()
        if loop is not self._loop or self._task is None or self._task.done():
            self._loop, self._due, self._last = loop, None, 0.0
            self._task = loop.create_task(self._probe(loop))
        overdue = loop.time() - self._due if self._due is not None else 0.0
        return max(self._last, overdue)

    def last_seconds(self) -> float:
        """The lag measured last (outside the event loop)."""
        return self._last

    async def _probe(self, loop: asyncio.AbstractEventLoop) -> None:
        while True:
            self._due = loop.time() + self.interval
            await asyncio.sleep(self.interval)
            self._last = max(0.0, loop.time() - self._due)


@dataclass(frozen=True)
class Snapshot:
    """The gate's figures, for /healthz and monitoring."""

    in_flight: int
    waiting: int
    admitted: int
    shed: int
    loop_lag_ms: float


class Gate:
    """Slots for requests, a bounded line of waiters, and the lag probe (one per process;
    asyncio objects, used from the event loop only)."""

    def __init__(self, max_in_flight: int, queue_seconds: float) -> None:
        self.max_in_flight = max_in_flight
        self.max_waiting = max_in_flight
        self.queue_seconds = queue_seconds
        self.lag = LoopLag()
        self.in_flight = 0
        self.admitted = 0
        self.shed = 0
        self._waiters: deque[asyncio.Future[None]] = deque()

    async def admit(self) -> str | None:
        """Take a slot (None), or say why the request is refused."""
        behind = self.lag.seconds()
        if behind > self.queue_seconds:
            return self._refuse(f"the service is {behind * 1000:.0f} ms behind")
        if self.in_flight < self.max_in_flight:
            self.in_flight += 1
            self.admitted += 1
            return None
        if len(self._waiters) >= self.max_waiting:
            return self._refuse(f"{self.in_flight} requests in progress and as many waiting")
        return await self._wait(self.queue_seconds - behind)

    async def _wait(self, budget: float) -> str | None:
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            async with asyncio.timeout(budget):
                await waiter
        except TimeoutError:
            if waiter.done() and not waiter.cancelled():
                self.release()  # a slot arrived as time ran out: pass it on
            return self._refuse(f"no free slot within {self.queue_seconds:g} s")
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self.release()
            raise
        finally:
            with contextlib.suppress(ValueError):
                self._waiters.remove(waiter)
        self.admitted += 1
        return None

    def release(self) -> None:
        """Give the slot to the first live waiter, or free it."""
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return
        self.in_flight -= 1

    def snapshot(self) -> Snapshot:
        try:
            lag = self.lag.seconds()
        except RuntimeError:  # no running loop: called from a thread
            lag = self.lag.last_seconds()
        return Snapshot(self.in_flight, len(self._waiters), self.admitted, self.shed, lag * 1000)

    def _refuse(self, why: str) -> str:
        self.shed += 1
        return why


class Admission:
    """ASGI middleware putting every HTTP request but the health routes through a Gate."""

    def __init__(self, app: ASGIApp, gate: Gate) -> None:
        self.app = app
        self.gate = gate

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path") in EXEMPT_PATHS:
            await self.app(scope, receive, send)
            return
        refused = await self.gate.admit()
        if refused is not None:
            await _overloaded(scope, receive, send, refused)
            return
        try:
            await self.app(scope, receive, send)
        finally:
            self.gate.release()


async def _overloaded(scope: Scope, receive: Receive, send: Send, why: str) -> None:
    """The 503, built by hand for the JSON paths: a refusal must cost far less than the
    request would have (no request object, no model validation)."""
    error = Overloaded(f"overloaded: {why}; try again shortly", retry_after=RETRY_AFTER)
    retry_after = str(error.retry_after)
    if not str(scope.get("path", "")).startswith(JSON_PATHS):  # a page: the error page
        detail = ErrorDetail(code=error.code, message=error.message, hint=error.hint)
        response = error_response(Request(scope), 503, detail, {"Retry-After": retry_after})
        await response(scope, receive, send)
        return
    body = json.dumps({"error": {**error.to_dict(), "hint": error.hint}}).encode()
    headers = [(b"content-type", b"application/json"), (b"retry-after", retry_after.encode()),
               (b"content-length", str(len(body)).encode())]  # fmt: skip
    await send({"type": "http.response.start", "status": 503, "headers": headers})
    await send({"type": "http.response.body", "body": body})
