"""A token bucket per client, for the endpoints anyone may call and for quotas.

The public verify and fraud-report pages need no login, so they are the cheapest way to
make the service work hard; each client address gets ``per_minute`` requests with a burst of
the same size, refilled continuously. The screening quota uses the same buckets keyed by
API key (or login) and counts texts, with a shorter burst.

The state is in memory, one process's. Behind N processes (``api_processes``) each process
enforces ``ceil(per_minute / N)``: a client spread over all processes gets about the
configured figure, one held on a single keep-alive connection gets its share, never more
(docs/deployment.md, "What each process keeps").
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from smsguard.errors import RateLimited

_MAX_CLIENTS = 100_000


class RateLimiter:
    """``check(client)`` spends tokens or raises RateLimited with a Retry-After."""

    def __init__(
        self,
        per_minute: int,
        *,
        clock: Callable[[], float] = time.monotonic,
        what: str = "",
        burst_seconds: float = 60.0,
        processes: int = 1,
    ) -> None:
        share = math.ceil(per_minute / max(1, processes))
        self.refill_per_second = share / 60.0
        self.capacity = max(1.0, self.refill_per_second * burst_seconds)
        self.what = what or "this endpoint"
        self._clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def check(self, client: str, cost: float = 1.0) -> None:
        """Spend ``cost`` tokens of ``client``'s bucket (a cost above the bucket's size
        spends the whole bucket, so a large batch waits for a full bucket, not forever)."""
        cost = min(cost, self.capacity)
        now = self._clock()
        with self._lock:
            tokens, stamp = self._buckets.pop(client, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - stamp) * self.refill_per_second)
            if tokens < cost:
                self._buckets[client] = (tokens, now)
                wait = max(1, math.ceil((cost - tokens) / self.refill_per_second))
                raise RateLimited(
                    f"too many requests to {self.what}; try again in {wait} s", retry_after=wait
                )
            self._buckets[client] = (tokens - cost, now)
            while len(self._buckets) > _MAX_CLIENTS:
                self._buckets.popitem(last=False)
