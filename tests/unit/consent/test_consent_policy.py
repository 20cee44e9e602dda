"""Consent records, audience exclusions and validated timing rules."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from smsguard.consent.policy import (
    LOAN_MARKETING,
    ConsentRecord,
    FrequencyCap,
    History,
    QuietHours,
    Recipient,
    Rules,
    eligible,
    may_market,
    schedule,
)
from smsguard.errors import InputError

SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 3, 2, 10, 0, tzinfo=SH)
ADULT = Recipient("c1", "bank", is_student=False, birth_date=date(1990, 5, 1))


def _rec(status: str, at: datetime, evidence: str = "signed form #1", **kw: str) -> ConsentRecord:
    fields = {"customer_id": "c1", "institution_id": "bank", "purpose": LOAN_MARKETING} | kw
    return ConsentRecord(
        status=status,  # type: ignore[arg-type]
        source="app",
        evidence=evidence,
        recorded_at=at,
        **fields,
    )


def _may(records: list[ConsentRecord], at: datetime = T0) -> tuple[bool, str]:
    decision = may_market(records, "c1", "bank", LOAN_MARKETING, at)
    return decision.allowed, decision.reason


def test_no_record_means_no_marketing() -> None:
    assert _may([]) == (False, "no consent")


def test_records_of_other_institutions_purposes_or_the_future_do_not_count() -> None:
    records = [
        _rec("granted", T0 - timedelta(days=1), institution_id="other"),
        _rec("granted", T0 - timedelta(days=1), purpose="card_marketing"),
        _rec("granted", T0 + timedelta(seconds=1)),
    ]
    assert _may(records) == (False, "no consent")


def test_withdrawal_is_immediate_and_wins_a_tie() -> None:
    granted = _rec("granted", T0 - timedelta(days=3))
    assert _may([granted, _rec("withdrawn", T0, evidence="")]) == (False, "consent withdrawn")
    assert _may([_rec("granted", T0), _rec("withdrawn", T0)]) == (False, "consent withdrawn")


def test_only_an_explicit_new_grant_lifts_a_withdrawal() -> None:
    withdrawn = _rec("withdrawn", T0 - timedelta(days=2))
    vague = _rec("granted", T0 - timedelta(days=1), evidence="  ")
    assert _may([withdrawn, vague]) == (False, "consent lacks evidence")
    explicit = _rec("granted", T0 - timedelta(hours=1), evidence="recorded call 42")
    assert _may([withdrawn, vague, explicit]) == (True, "consent granted")


def test_bad_records_are_input_errors() -> None:
    with pytest.raises(InputError, match="status"):
        _rec("maybe", T0)
    with pytest.raises(InputError, match="recorded_at"):
        _rec("granted", datetime(2026, 1, 1))
    with pytest.raises(InputError, match="customer_id"):
        _rec("granted", T0, customer_id=" ")


@pytest.mark.parametrize(
    ("recipient", "reason"),
    [
        (
            Recipient("c", "b", is_student=True, birth_date=date(1990, 1, 1)),
            "recipient is a student",
        ),
        (
            Recipient("c", "b", is_student=False, birth_date=date(2008, 3, 3)),
            "recipient is a minor",
        ),
        (Recipient("c", "b", is_student=False), "age unknown"),
        (Recipient("c", "b", birth_date=date(1990, 1, 1)), "student status unknown"),
    ],
)
def test_loan_marketing_excludes_students_minors_and_unknowns(
    recipient: Recipient, reason: str
) -> None:
    decision = eligible(recipient, LOAN_MARKETING, date(2026, 3, 2))
    assert (decision.allowed, decision.reason) == (False, reason)


def test_eighteenth_birthday_is_the_first_eligible_day() -> None:
    teen = Recipient("c", "b", is_student=False, birth_date=date(2008, 3, 2))
    assert not eligible(teen, LOAN_MARKETING, date(2026, 3, 1)).allowed
    assert eligible(teen, LOAN_MARKETING, date(2026, 3, 2)).allowed
    assert eligible(
        Recipient("c", "b", is_student=True), "service_notice", date(2026, 3, 2)
    ).allowed


def test_quiet_hours_validation_names_the_field() -> None:
    with pytest.raises(InputError, match="start must differ"):
        QuietHours(time(8), time(8))
    with pytest.raises(InputError, match="tz"):
        QuietHours(tz="Mars/Olympus")
    with pytest.raises(InputError, match="max_messages"):
        FrequencyCap(0, timedelta(days=1))
    with pytest.raises(InputError, match="window"):
        FrequencyCap(1, timedelta(0))


def test_default_window_is_eight_to_twenty_shanghai() -> None:
    quiet = QuietHours()
    assert quiet.allows(datetime(2026, 3, 2, 8, 0, tzinfo=SH))
    assert not quiet.allows(datetime(2026, 3, 2, 20, 0, tzinfo=SH))
    late = datetime(2026, 3, 2, 12, 30, tzinfo=ZoneInfo("UTC"))  # 20:30 in Shanghai
    assert quiet.next_allowed(late) == datetime(2026, 3, 3, 8, 0, tzinfo=SH)


def test_window_that_wraps_midnight() -> None:
    night = QuietHours(time(22), time(6), "Asia/Shanghai")
    assert night.allows(datetime(2026, 3, 2, 23, 0, tzinfo=SH))
    assert night.allows(datetime(2026, 3, 2, 5, 59, tzinfo=SH))
    assert night.next_allowed(datetime(2026, 3, 2, 6, 0, tzinfo=SH)) == datetime(
        2026, 3, 2, 22, 0, tzinfo=SH
    )


def test_cap_slot_is_when_the_oldest_blocking_send_leaves_the_window() -> None:
    cap = FrequencyCap(2, timedelta(hours=24))
    sent = [T0 - timedelta(hours=20), T0 - timedelta(hours=2)]
    assert cap.next_slot(sent, T0) == T0 + timedelta(hours=4)
    assert cap.next_slot(sent[:1], T0) == T0


def _rules(cap: FrequencyCap | None = None) -> Rules:
    return Rules(LOAN_MARKETING, QuietHours(), cap or FrequencyCap(1, timedelta(days=1)))


def test_schedule_refuses_without_consent_or_eligibility() -> None:
    assert schedule(T0, ADULT, History(), _rules()).reason == "no consent"
    granted = History(consent=[_rec("granted", T0 - timedelta(days=1), customer_id="kid")])
    kid = Recipient("kid", "bank", is_student=True)
    decision = schedule(T0, kid, granted, _rules())
    assert (decision.action, decision.reason) == ("refuse", "recipient is a student")


def test_schedule_sends_now_or_moves_past_cap_and_quiet_hours() -> None:
    consent = [_rec("granted", T0 - timedelta(days=10))]
    assert schedule(T0, ADULT, History(consent), _rules()).action == "send"
    sent = [T0 - timedelta(hours=2)]  # 08:00; the 24h cap frees 08:00 tomorrow
    decision = schedule(T0, ADULT, History(consent, sent), _rules())
    assert decision.action == "reschedule"
    assert decision.send_at == T0 + timedelta(hours=22)
    assert decision.reason == "frequency cap"
    evening = datetime(2026, 3, 2, 21, 0, tzinfo=SH)
    moved = schedule(evening, ADULT, History(consent), _rules())
    assert (moved.action, moved.reason) == ("reschedule", "quiet hours")
    assert moved.send_at == datetime(2026, 3, 3, 8, 0, tzinfo=SH)
