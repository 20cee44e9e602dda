"""The load generator of benchmarks/load_api.py: open-loop HTTP/1.1 over asyncio streams.

httpx costs a few hundred microseconds of CPU per request; the generator shares two cores
with the service it measures, so the hot path writes requests and parses answers by hand
(keep-alive connections, Content-Length bodies; the service sends nothing else). Each request
leaves at its scheduled instant whether or not earlier ones have answered, and its latency is
counted from that instant, so queueing anywhere shows up as latency instead of a politely
lower rate.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from dataclasses import dataclass, field

TIMEOUT = 30.0


@dataclass
class Stream:
    """Requests of one kind: a path, a body and the API key that sends them."""

    name: str
    path: str
    body: dict[str, object]
    token: str
    rate: float  # requests per second

    def request(self, host: str) -> bytes:
        payload = json.dumps(self.body, ensure_ascii=False).encode()
        head = (
            f"POST {self.path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {self.token}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n\r\n"
        )
        return head.encode() + payload


@dataclass
class Tally:
    """What one stream saw in one phase."""

    latencies: list[float] = field(default_factory=list)  # seconds, answered with 200
    refused: list[float] = field(default_factory=list)  # seconds, answered with 429 or 503
    statuses: Counter[int] = field(default_factory=Counter)
    codes: Counter[str] = field(default_factory=Counter)  # error codes of refusals
    missing_retry_after: int = 0
    failures: int = 0  # connection errors and timeouts
    sent: int = 0

    def percentile(self, share: float, refusals: bool = False) -> float:
        """Latency in ms at ``share`` (0.5, 0.99, 1.0) of the 200s, or of the refusals."""
        ordered = sorted(self.refused if refusals else self.latencies)
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, int(len(ordered) * share))] * 1000


@dataclass
class Answer:
    status: int
    retry_after: str | None
    body: bytes


class Pool:
    """At most ``size`` keep-alive connections to one host:port, opened on demand; a request
    finding them all busy waits for one, as behind a reverse proxy's upstream pool (without
    a bound, a slow server makes the client open thousands of connections, and the service
    spends its time accepting them)."""

    def __init__(self, host: str, port: int, size: int = 256) -> None:
        self.host, self.port = host, port
        self._idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
        self._slots = asyncio.Semaphore(size)
        self.opened = 0

    async def send(self, raw: bytes) -> Answer:
        async with self._slots:
            return await self._send(raw)

    async def _send(self, raw: bytes) -> Answer:
        while self._idle:  # the server closes connections idle for 5 s: try the next
            reader, writer = self._idle.pop()
            try:
                return await self._exchange(reader, writer, raw)
            except (asyncio.IncompleteReadError, ConnectionError):
                continue
        reader, writer = await asyncio.open_connection(self.host, self.port)
        self.opened += 1
        return await self._exchange(reader, writer, raw)

    async def _exchange(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, raw: bytes
    ) -> Answer:
        try:
            writer.write(raw)
            answer, keep = await _read_answer(reader)
        except BaseException:
            writer.close()
            raise
        if keep:
            self._idle.append((reader, writer))
        else:
            writer.close()
        return answer

    async def close(self) -> None:
        for _reader, writer in self._idle:
            writer.close()
        self._idle.clear()


async def _read_answer(reader: asyncio.StreamReader) -> tuple[Answer, bool]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    body = await reader.readexactly(int(headers.get("content-length", "0")))
    keep = headers.get("connection", "").lower() != "close"
    return Answer(status, headers.get("retry-after"), body), keep


async def open_loop(
    pool: Pool, streams: list[Stream], seconds: float
) -> tuple[dict[str, Tally], float]:
    """Run every stream at its rate for ``seconds``: one Tally per stream name, and the
    seconds until the last answer (longer than ``seconds`` when answers lag behind)."""
    tallies = {stream.name: Tally() for stream in streams}
    start = time.perf_counter() + 0.2
    tasks = [
        asyncio.create_task(_run_stream(pool, stream, tallies[stream.name], start, seconds))
        for stream in streams
    ]
    await asyncio.gather(*tasks)
    return tallies, time.perf_counter() - start


async def _run_stream(
    pool: Pool, stream: Stream, tally: Tally, start: float, seconds: float
) -> None:
    raw = stream.request(f"{pool.host}:{pool.port}")
    count = int(stream.rate * seconds)
    pending: set[asyncio.Task[None]] = set()
    for index in range(count):
        scheduled = start + index / stream.rate
        delay = scheduled - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        task = asyncio.create_task(_one(pool, raw, tally, scheduled))
        pending.add(task)
        task.add_done_callback(pending.discard)
    if pending:
        await asyncio.gather(*pending)


async def _one(pool: Pool, raw: bytes, tally: Tally, scheduled: float) -> None:
    tally.sent += 1
    try:
        async with asyncio.timeout(TIMEOUT):  # no extra task, unlike wait_for
            answer = await pool.send(raw)
    except (OSError, asyncio.IncompleteReadError, TimeoutError, ValueError):
        tally.failures += 1
        return
    took = time.perf_counter() - scheduled
    tally.statuses[answer.status] += 1
    if answer.status == 200:
        tally.latencies.append(took)
    elif answer.status in (429, 503):
        tally.refused.append(took)
    if answer.status >= 400:
        try:
            tally.codes[json.loads(answer.body)["error"]["code"]] += 1
        except (ValueError, KeyError, TypeError):
            tally.codes["(not the error shape)"] += 1
        if answer.status in (429, 503) and not answer.retry_after:
            tally.missing_retry_after += 1


async def closed_loop(pool: Pool, streams: list[Stream], clients: int, seconds: float) -> float:
    """Requests per second that ``clients`` back-to-back callers get answered with 200."""
    raws = [stream.request(f"{pool.host}:{pool.port}") for stream in streams]
    done = 0
    stop = time.perf_counter() + seconds

    async def caller(offset: int) -> None:
        nonlocal done
        turn = offset
        while time.perf_counter() < stop:
            answer = await pool.send(raws[turn % len(raws)])
            done += answer.status == 200
            turn += 1

    await asyncio.gather(*(caller(i) for i in range(clients)))
    return done / seconds
