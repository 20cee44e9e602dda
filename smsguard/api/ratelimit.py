"""A token bucket per client address, for the endpoints anyone may call.

The public verify and fraud-report pages need no login, so they are the cheapest way to
make the service work hard; each client address gets ``per_minute`` requests with a burst of
the same size, refilled continuously. The state is in memory (one process); behind several
processes each enforces its own share, which only makes the limit looser by that factor.
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
    """``check(client)`` spends one token or raises RateLimited with a Retry-After."""

    def __init__(
        self, per_minute: int, *, clock: Callable[[], float] = time.monotonic, what: str = ""
    ) -> None:
        self.capacity = float(per_minute)
        self.refill_per_second = per_minute / 60.0
        self.what = what or "this endpoint"
        self._clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def check(self, client: str) -> None:
        """Spend a token of ``client``'s bucket."""
        now = self._clock()
        with self._lock:
            tokens, stamp = self._buckets.pop(client, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - stamp) * self.refill_per_second)
            if tokens < 1.0:
                self._buckets[client] = (tokens, now)
                wait = math.ceil((1.0 - tokens) / self.refill_per_second)
                raise RateLimited(
                    f"too many requests to {self.what}; try again in {wait} s", retry_after=wait
                )
            self._buckets[client] = (tokens - 1.0, now)
            while len(self._buckets) > _MAX_CLIENTS:
                self._buckets.popitem(last=False)
