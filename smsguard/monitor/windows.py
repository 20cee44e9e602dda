"""Sliding-window counters for 1 minute, 1 hour and 24 hours, O(1) per update and per query.

Each counter keeps three ring buffers of buckets, one per window:

=======  ============  =======  =====================================================
window   bucket width  buckets  why this resolution
=======  ============  =======  =====================================================
``1m``   1 s           60       detection within 60 s needs second-level precision
``1h``   1 min         60       the per-minute series is also the robust baseline
``24h``  15 min        96       staff volume and daily totals; 15 min keeps a day at
                                96 slots while "24 h" is still off by at most 15 min
=======  ============  =======  =====================================================

Semantics (exactly what the reference in the tests computes): a window of ``size`` buckets
of ``width`` seconds, asked at instant ``now``, counts the events whose bucket
``floor(t / width)`` lies in ``(floor(now / width) - size, floor(now / width)]``. So "the
last hour" covers between 59 and 60 minutes of wall time; the edge moves a bucket at a time.

Every ring keeps a running total, so a query is one subtraction-free read once the ring has
been advanced to ``now``; advancing clears at most ``size`` buckets however far time jumped,
so a gap of a week costs the same as a gap of one bucket. Events arriving late are counted
into every ring whose span still covers them (a delivery report 10 minutes late counts in
the hour and day windows but not the minute one); the monitor refuses events older than the
day window and clamps the few seconds of clock skew (see :mod:`smsguard.monitor.engine`).

``snapshot()`` gives plain JSON-ready data and ``restore()`` takes it back, so a restart
loses no history: rings resume from their stored head and expire what aged in between.
"""

from __future__ import annotations

from collections.abc import Iterator
from enum import StrEnum
from typing import Any

from smsguard.errors import InputError

FORMAT = "smsguard.monitor.windows/1"
CounterKey = tuple[str, str, str]  # (scope, id, event kind)


class Window(StrEnum):
    """The three windows every counter answers for."""

    MINUTE = "1m"
    HOUR = "1h"
    DAY = "24h"


# window -> (bucket width in seconds, number of buckets)
RESOLUTION: dict[Window, tuple[int, int]] = {
    Window.MINUTE: (1, 60),
    Window.HOUR: (60, 60),
    Window.DAY: (900, 96),
}
_HOUR_WIDTH = RESOLUTION[Window.HOUR][0]
_DAY_WIDTH = RESOLUTION[Window.DAY][0]
assert RESOLUTION[Window.MINUTE][0] == 1, "Counter.add relies on 1-second minute buckets"
LONGEST_SECONDS = max(width * size for width, size in RESOLUTION.values())


class Ring:
    """``size`` buckets ending at bucket ``head``, with their running total."""

    __slots__ = ("buf", "head", "size", "total")

    def __init__(self, size: int) -> None:
        self.size = size
        self.buf = [0] * size
        self.head = -size  # far enough back that the first add starts clean
        self.total = 0

    def add(self, bucket: int, n: int) -> None:
        """Count ``n`` into ``bucket``; a bucket already older than the span is ignored."""
        if bucket > self.head:
            self.advance(bucket)
        elif bucket <= self.head - self.size:
            return
        self.buf[bucket % self.size] += n
        self.total += n

    def advance(self, bucket: int) -> None:
        """Move the head forward to ``bucket``, clearing the buckets that fall out of span."""
        size = self.size
        if bucket - self.head >= size:
            self.buf = [0] * size
            self.total = 0
        else:
            buf = self.buf
            for index in range(self.head + 1, bucket + 1):
                slot = index % size
                self.total -= buf[slot]
                buf[slot] = 0
        self.head = bucket

    def sum_at(self, bucket: int) -> int:
        """Events in buckets ``(bucket - size, bucket]`` (exact for buckets still held)."""
        if bucket >= self.head:
            if bucket > self.head:
                self.advance(bucket)
            return self.total
        low = max(bucket, self.head) - self.size + 1
        return sum(self.buf[index % self.size] for index in range(low, bucket + 1))

    def series(self, bucket: int, n: int) -> list[int]:
        """The ``n`` complete buckets before ``bucket``, oldest first (0 where expired)."""
        if not 0 < n < self.size:
            raise InputError(f"a series needs 1 to {self.size - 1} buckets, got {n}")
        if bucket > self.head:
            self.advance(bucket)
        oldest_held = self.head - self.size + 1
        return [
            self.buf[index % self.size] if oldest_held <= index <= self.head else 0
            for index in range(bucket - n, bucket)
        ]

    def to_data(self) -> dict[str, Any]:
        """Head and the non-empty buckets as ``[absolute index, count]`` pairs."""
        pairs = []
        for slot, value in enumerate(self.buf):
            if value:
                pairs.append([self.head - (self.head - slot) % self.size, value])
        return {"head": self.head, "buckets": sorted(pairs)}

    @classmethod
    def from_data(cls, size: int, data: Any) -> Ring:
        """Rebuild a ring from :meth:`to_data` output, refusing anything inconsistent."""
        ring = cls(size)
        try:
            ring.head = _as_int(data["head"])
            for index, value in data["buckets"]:
                index, value = _as_int(index), _as_int(value)
                if not ring.head - size < index <= ring.head or value < 0:
                    raise InputError(f"bucket {index} outside the ring ending at {ring.head}")
                ring.buf[index % size] += value
                ring.total += value
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(f"window snapshot ring is malformed: {exc!r}") from exc
        return ring


def _as_int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InputError(f"expected an integer in the window snapshot, got {value!r}")
    return value


class Counter:
    """One quantity counted in all three windows; ``add`` is three ring updates."""

    __slots__ = ("_day", "_hour", "_minute", "rings")

    def __init__(self, rings: dict[Window, Ring] | None = None) -> None:
        self.rings = rings or {window: Ring(size) for window, (_, size) in RESOLUTION.items()}
        # Direct references: the per-event path must not loop or look up the dict.
        self._minute = self.rings[Window.MINUTE]
        self._hour = self.rings[Window.HOUR]
        self._day = self.rings[Window.DAY]

    def add(self, second: int, n: int) -> None:
        """Count ``n`` at the (integer, epoch) ``second``."""
        self._minute.add(second, n)
        self._hour.add(second // _HOUR_WIDTH, n)
        self._day.add(second // _DAY_WIDTH, n)

    def count(self, window: Window, second: int) -> int:
        """The window's total as seen at ``second``."""
        return self.rings[window].sum_at(second // RESOLUTION[window][0])

    def series(self, window: Window, second: int, n: int) -> list[int]:
        """The ``n`` complete buckets of ``window`` before the one holding ``second``."""
        return self.rings[window].series(second // RESOLUTION[window][0], n)


class Windows:
    """Counters by ``(scope, id, kind)``, created on first use, dropped once a day is quiet."""

    __slots__ = ("counters",)

    def __init__(self) -> None:
        self.counters: dict[CounterKey, Counter] = {}

    def add(self, key: CounterKey, second: int, n: int = 1) -> None:
        """Count ``n`` under ``key`` at ``second``."""
        counter = self.counters.get(key)
        if counter is None:
            counter = self.counters[key] = Counter()
        counter.add(second, n)

    def count(self, key: CounterKey, window: Window, second: int) -> int:
        """How many under ``key`` in ``window`` as of ``second`` (0 for an unknown key)."""
        counter = self.counters.get(key)
        return 0 if counter is None else counter.count(window, second)

    def series(self, key: CounterKey, window: Window, second: int, n: int) -> list[int]:
        """Per-bucket counts before ``second``'s bucket, oldest first."""
        counter = self.counters.get(key)
        return [0] * n if counter is None else counter.series(window, second, n)

    def prune(self, second: int) -> int:
        """Forget counters with nothing in the last day (bounded memory); returns how many."""
        quiet = [k for k, c in self.counters.items() if c.count(Window.DAY, second) == 0]
        for key in quiet:
            del self.counters[key]
        return len(quiet)

    def __iter__(self) -> Iterator[CounterKey]:
        return iter(self.counters)

    def snapshot(self) -> dict[str, Any]:
        """Every counter as plain data (lists, dicts, ints, strings) for any JSON store."""
        return {
            "format": FORMAT,
            "resolution": {w.value: list(spec) for w, spec in RESOLUTION.items()},
            "counters": [
                {"key": list(key), **{w.value: c.rings[w].to_data() for w in Window}}
                for key, c in self.counters.items()
            ],
        }

    @classmethod
    def restore(cls, data: Any) -> Windows:
        """Rebuild from :meth:`snapshot`; a different format or resolution is refused."""
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise InputError(f"not a window snapshot of format {FORMAT}")
        expected = {w.value: list(spec) for w, spec in RESOLUTION.items()}
        if data.get("resolution") != expected:
            raise InputError(
                f"window snapshot resolution {data.get('resolution')} differs from {expected}; "
                "it was written by another version and cannot be resumed exactly"
            )
        windows = cls()
        for item in data.get("counters", []):
            key = item.get("key") if isinstance(item, dict) else None
            if (
                not isinstance(key, list)
                or len(key) != 3
                or not all(isinstance(p, str) for p in key)
            ):
                raise InputError(f"window snapshot counter key is malformed: {key!r}")
            rings = {w: Ring.from_data(RESOLUTION[w][1], item.get(w.value)) for w in Window}
            windows.counters[(key[0], key[1], key[2])] = Counter(rings)
        return windows
