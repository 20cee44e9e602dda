"""Windows agree with a naive list of events, survive a snapshot, and expire across jumps."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smsguard.errors import InputError
from smsguard.monitor.windows import RESOLUTION, Window, Windows

KEY = ("campaign", "c1", "sent")
T0 = 1_780_000_000


def naive(events: list[tuple[int, int]], window: Window, now: int) -> int:
    """The documented semantics, computed from the raw list."""
    width, size = RESOLUTION[window]
    head = now // width
    return sum(n for t, n in events if head - size < t // width <= head)


# A stream of (gap before the event, lateness of the event, count, query after it?)
steps = st.lists(
    st.tuples(
        st.integers(0, 4000),
        st.integers(0, 3 * 3600),
        st.integers(1, 5),
        st.booleans(),
    ),
    min_size=1,
    max_size=120,
)


def _run(stream: list[tuple[int, int, int, bool]], windows: Windows, start: int = T0) -> None:
    """Feed the stream; after each flagged step compare every window with the reference."""
    now, seen = start, []
    for gap, late, n, query in stream:
        now += gap
        at = now - late
        windows.add(KEY, at, n)
        seen.append((at, n))
        if query:
            for window in Window:
                assert windows.count(KEY, window, now) == naive(seen, window, now), window


@settings(max_examples=150, deadline=None)
@given(steps)
def test_windows_match_the_naive_reference(stream: list[tuple[int, int, int, bool]]) -> None:
    _run(stream, Windows())


@settings(max_examples=60, deadline=None)
@given(steps, steps)
def test_snapshot_restore_mid_stream_gives_identical_answers(
    first: list[tuple[int, int, int, bool]], second: list[tuple[int, int, int, bool]]
) -> None:
    live = Windows()
    _run(first, live)
    end = T0 + sum(gap for gap, *_ in first)
    restored = Windows.restore(json.loads(json.dumps(live.snapshot())))
    for windows in (live, restored):
        now = end
        for gap, late, n, _ in second:
            now += gap
            windows.add(KEY, now - late, n)
    for window in Window:
        for probe in (now, now + 30, now + 4000, now + 90_000):
            assert live.count(KEY, window, probe) == restored.count(KEY, window, probe)


def test_a_jump_forward_expires_everything_it_should() -> None:
    windows = Windows()
    for second in range(T0, T0 + 120):
        windows.add(KEY, second)
    assert windows.count(KEY, Window.MINUTE, T0 + 119) == 60
    assert windows.count(KEY, Window.HOUR, T0 + 119) == 120
    assert windows.count(KEY, Window.MINUTE, T0 + 7 * 86_400) == 0
    assert windows.count(KEY, Window.DAY, T0 + 7 * 86_400) == 0


def test_late_events_count_only_where_the_window_still_covers_them() -> None:
    windows = Windows()
    windows.add(KEY, T0 + 600)
    windows.add(KEY, T0)  # ten minutes late
    assert windows.count(KEY, Window.MINUTE, T0 + 600) == 1
    assert windows.count(KEY, Window.HOUR, T0 + 600) == 2


def test_series_gives_complete_minutes_oldest_first() -> None:
    windows = Windows()
    start = T0 - T0 % 60
    for minute, n in enumerate((1, 2, 3)):
        windows.add(KEY, start + 60 * minute + 5, n)
    assert windows.series(KEY, Window.HOUR, start + 180, 4) == [0, 1, 2, 3]


def test_prune_forgets_quiet_counters() -> None:
    windows = Windows()
    windows.add(KEY, T0)
    assert windows.prune(T0 + 10) == 0
    assert windows.prune(T0 + 2 * 86_400) == 1
    assert list(windows) == []


@pytest.mark.parametrize(
    "data",
    [
        None,
        {"format": "other"},
        {"format": "smsguard.monitor.windows/1", "resolution": {"1m": [2, 30]}},
    ],
)
def test_a_foreign_snapshot_is_refused(data: object) -> None:
    with pytest.raises(InputError):
        Windows.restore(data)


def test_a_corrupt_bucket_is_refused() -> None:
    windows = Windows()
    windows.add(KEY, T0)
    data = windows.snapshot()
    data["counters"][0]["1m"]["buckets"] = [[T0 + 999, 1]]
    with pytest.raises(InputError, match="outside the ring"):
        Windows.restore(data)
