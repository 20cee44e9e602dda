"""The pure deadline maths: policy validation, due dates, reminders and escalations."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smsguard.complaints.deadlines import DeadlinePolicy, Timeline, alerts
from smsguard.errors import InputError

CST = timezone(timedelta(hours=8))
# Monday 2026-03-02, 10:00 in Shanghai.
RECEIVED = datetime(2026, 3, 2, 10, 0, tzinfo=CST)
instants = st.datetimes(
    min_value=datetime(2020, 1, 1), max_value=datetime(2035, 1, 1), timezones=st.just(UTC)
)


def test_statutory_deadlines_are_15_then_30_then_60_calendar_days() -> None:
    policy = DeadlinePolicy()
    assert [policy.due_at(RECEIVED, n) - RECEIVED for n in (0, 1, 2)] == [
        timedelta(days=15),
        timedelta(days=30),
        timedelta(days=60),
    ]


def test_working_days_skip_weekends_and_holidays_and_count_make_up_days() -> None:
    policy = DeadlinePolicy(
        statutory_days=5,
        extended_days=10,
        day_basis="working",
        holidays=frozenset({date(2026, 3, 4)}),
        extra_workdays=frozenset({date(2026, 3, 7)}),  # a Saturday worked in lieu
    )
    # Tue 3, (Wed 4 holiday), Thu 5, Fri 6, Sat 7 (make-up), (Sun 8), Mon 9 → 5th day.
    assert policy.due_at(RECEIVED) == datetime(2026, 3, 9, 10, 0, tzinfo=CST)


def test_a_promise_in_hours_is_tracked_beside_the_statutory_deadline() -> None:
    policy = DeadlinePolicy(promise_hours=48)
    assert policy.promise_due(RECEIVED) == RECEIVED + timedelta(hours=48)
    owed = alerts(policy, Timeline(RECEIVED), RECEIVED + timedelta(hours=49))
    assert [(a.deadline, a.kind, a.percent) for a in owed] == [
        ("promise", "reminder", 50),
        ("promise", "reminder", 80),
        ("promise", "escalation", 100),
    ]


@pytest.mark.parametrize(
    ("settings_", "field"),
    [
        ({"statutory_days": 0}, "statutory_days"),
        ({"extended_days": 10}, "extended_days"),
        ({"promise_days": 15}, "promise_days"),
        ({"promise_hours": 360}, "promise_hours"),
        ({"promise_days": 2, "promise_hours": 5}, "not both"),
        ({"reminders": [80, 50]}, "increasing"),
        ({"reminders": [0]}, "percentages"),
        ({"zone": "Mars/Base"}, "time zone"),
        ({"day_basis": "lunar"}, "day_basis"),
        ({"holidays": ["someday"]}, "holidays"),
        ({"statutory_dayz": 15}, "unknown setting"),
    ],
)
def test_a_bad_policy_is_refused_naming_the_field(settings_: dict[str, object], field: str) -> None:
    with pytest.raises(InputError, match=field):
        DeadlinePolicy.from_mapping(settings_)


def test_a_policy_survives_its_stored_form() -> None:
    policy = DeadlinePolicy(
        promise_days=5, day_basis="working", holidays=frozenset({date(2026, 10, 1)})
    )
    assert DeadlinePolicy.from_mapping(policy.to_dict()) == policy


def test_a_naive_receipt_time_is_refused() -> None:
    with pytest.raises(InputError, match="time zone"):
        DeadlinePolicy().due_at(datetime(2026, 3, 2, 10, 0))


@settings(max_examples=60, deadline=None)
@given(instants, st.sampled_from(["calendar", "working"]), st.integers(0, 2))
def test_due_dates_never_precede_receipt_and_grow_with_extensions(
    received: datetime, basis: str, extensions: int
) -> None:
    policy = DeadlinePolicy.from_mapping({"day_basis": basis})
    due = policy.due_at(received, extensions)
    assert due > received
    if extensions < 2:
        assert policy.due_at(received, extensions + 1) > due


@settings(max_examples=60, deadline=None)
@given(instants, st.integers(0, 2), st.integers(0, 90 * 24))
def test_reminders_come_in_order_before_the_escalation_and_each_once(
    received: datetime, extensions: int, hours: int
) -> None:
    policy = DeadlinePolicy(promise_days=3)
    since = received + timedelta(days=10) if extensions else None
    owed = alerts(policy, Timeline(received, extensions, since), received + timedelta(hours=hours))
    assert [a.at for a in owed] == sorted(a.at for a in owed)
    assert len({a.key for a in owed}) == len(owed)
    for alert in owed:
        assert received <= alert.at <= alert.due_at
        assert (alert.kind == "escalation") == (alert.percent == 100)
        assert alert.level == extensions
    for deadline in ("promise", "statutory"):
        percents = [a.percent for a in owed if a.deadline == deadline]
        assert percents == sorted(percents)


def test_an_extension_does_not_replay_reminders_its_start_already_passed() -> None:
    policy = DeadlinePolicy()
    extended_at = RECEIVED + timedelta(days=14)
    timeline = Timeline(RECEIVED, 1, extended_at)
    owed = alerts(policy, timeline, RECEIVED + timedelta(days=29))
    # 30-day deadline: 50% at day 15 (after the extension), 80% at day 24; no promise.
    assert [(a.deadline, a.percent, a.at - RECEIVED) for a in owed] == [
        ("statutory", 50, timedelta(days=15)),
        ("statutory", 80, timedelta(days=24)),
    ]
