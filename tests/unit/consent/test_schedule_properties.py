"""Properties: nothing is sent inside a quiet window or over a cap, and nothing is dropped."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from smsguard.consent.policy import (
    LOAN_MARKETING,
    ConsentRecord,
    FrequencyCap,
    History,
    QuietHours,
    Recipient,
    Rules,
    schedule,
)

ZONES = ("Asia/Shanghai", "UTC", "America/New_York", "Europe/London")
RECIPIENT = Recipient("c1", "bank", is_student=False, birth_date=datetime(1985, 1, 1).date())


def _consent(at: datetime) -> ConsentRecord:
    return ConsentRecord(
        "c1",
        "bank",
        LOAN_MARKETING,
        "granted",
        "web form",
        "checkbox log 7",
        at - timedelta(days=400),
    )


@st.composite
def _quiet_hours(draw: st.DrawFn) -> QuietHours:
    start, end = draw(st.lists(st.integers(0, 24 * 60 - 1), min_size=2, max_size=2, unique=True))
    return QuietHours(
        time(start // 60, start % 60), time(end // 60, end % 60), draw(st.sampled_from(ZONES))
    )


@st.composite
def _case(draw: st.DrawFn) -> tuple[datetime, Rules, History]:
    quiet = draw(_quiet_hours())
    at = draw(
        st.datetimes(
            min_value=datetime(2024, 1, 1),
            max_value=datetime(2027, 12, 31),
            timezones=st.just(ZoneInfo(quiet.tz)),
            allow_imaginary=False,
        )
    )
    minutes = draw(st.integers(1, 7 * 24 * 60))
    cap = FrequencyCap(draw(st.integers(1, 4)), timedelta(minutes=minutes))
    ages = draw(st.lists(st.integers(0, 2 * minutes), max_size=8))
    sent = [at - timedelta(minutes=age) for age in ages]
    return at, Rules(LOAN_MARKETING, quiet, cap), History([_consent(at)], sent)


@given(_case())
def test_send_now_is_inside_the_window_and_under_the_cap(
    case: tuple[datetime, Rules, History],
) -> None:
    at, rules, history = case
    decision = schedule(at, RECIPIENT, history, rules)
    assert decision.action in ("send", "reschedule")  # consent and audience are fine: no drop
    if decision.action == "send":
        assert rules.quiet.allows(at)
        assert rules.cap.count(history.sent, at) < rules.cap.max_messages


@given(_case())
def test_reschedule_time_is_itself_allowed(case: tuple[datetime, Rules, History]) -> None:
    at, rules, history = case
    decision = schedule(at, RECIPIENT, history, rules)
    if decision.action == "reschedule":
        assert decision.send_at is not None and decision.send_at > at
        assert rules.quiet.allows(decision.send_at)
        assert rules.cap.count(history.sent, decision.send_at) < rules.cap.max_messages
        again = schedule(decision.send_at, RECIPIENT, history, rules)
        assert again.action == "send"
        assert again.send_at == decision.send_at


@given(_case())
def test_sending_at_every_decision_never_breaks_the_cap(
    case: tuple[datetime, Rules, History],
) -> None:
    """Keep scheduling and 'sending' a burst of messages; the log never exceeds the cap."""
    at, rules, history = case
    sent = list(history.sent)
    for _ in range(5):
        decision = schedule(at, RECIPIENT, History(history.consent, sent), rules)
        assert decision.send_at is not None
        at = decision.send_at
        assert rules.quiet.allows(at)
        assert rules.cap.count(sent, at) < rules.cap.max_messages
        sent.append(at)
