"""Where a case stands against its deadlines, as of one instant."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from smsguard.complaints.desk import ComplaintView
from smsguard.complaints.progress import deadline_state

NOW = datetime(2026, 12, 10, 12, 0, tzinfo=UTC)


def _view(
    status: str, due: timedelta, promise: timedelta | None = None, ext: int = 0
) -> ComplaintView:
    return ComplaintView(
        1, "api", "harassment", status, None, None, None, None, None, None, None,
        NOW - timedelta(days=5), NOW + due, NOW + promise if promise is not None else None,
        ext, 1,
    )  # fmt: skip


def test_an_open_case_before_its_deadline() -> None:
    state = deadline_state(_view("assigned", timedelta(hours=30), timedelta(hours=2)), NOW)
    assert state.open and not state.overdue and state.hours_left == 30.0
    assert not state.promise_overdue


def test_an_open_case_past_its_deadline_and_promise() -> None:
    state = deadline_state(_view("received", -timedelta(hours=1), -timedelta(days=1)), NOW)
    assert state.overdue and state.promise_overdue and state.hours_left == -1.0


def test_an_extended_case_no_longer_owes_the_promise() -> None:
    state = deadline_state(_view("extended", timedelta(days=9), -timedelta(days=1), 1), NOW)
    assert not state.promise_overdue


def test_a_resolved_case_is_never_overdue() -> None:
    state = deadline_state(_view("resolved", -timedelta(days=3)), NOW)
    assert not state.open and not state.overdue
