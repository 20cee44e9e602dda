"""Staff detectors: record volume against one's own history, off-hours approvals, maker-checker."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from smsguard.monitor import Action, Event, EventKind, Monitor, MonitorConfig
from smsguard.monitor.staff import RecordVolumeConfig, WorkingHours

K = EventKind
MONDAY = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai


def days_of_decrypts(monitor: Monitor, user: str, per_day: list[int]) -> list[str]:
    found: list[str] = []
    for day, count in enumerate(per_day):
        at = MONDAY + timedelta(days=day)
        alerts = monitor.observe(Event(K.PII_DECRYPT, at, "inst", user=user, count=count), at)
        found += [a.severity for a in alerts if a.detector == "staff_record_volume"]
    return found


def test_a_user_far_above_their_usual_day_loses_decrypt() -> None:
    monitor = Monitor()
    assert days_of_decrypts(monitor, "clerk", [300, 320, 280, 310, 290, 305, 295]) == []
    at = MONDAY + timedelta(days=7)
    alerts = monitor.observe(Event(K.EXPORT, at, "inst", user="clerk", count=5000), at)
    assert alerts[0].action is Action.SUSPEND_DECRYPT
    assert "5,000 customer records in the last 24 hours" in alerts[0].explanation
    assert "median 300" in alerts[0].explanation


def test_a_busy_user_at_their_usual_level_is_quiet() -> None:
    monitor = Monitor(MonitorConfig(records=RecordVolumeConfig(ceiling_without_history=3000)))
    assert days_of_decrypts(monitor, "agent", [2000, 2100, 1900, 2050, 1980, 2020, 2010]) == []


def test_a_new_user_is_held_to_a_fixed_ceiling() -> None:
    monitor = Monitor()
    alerts = monitor.observe(Event(K.PII_DECRYPT, MONDAY, "inst", user="new", count=1500), MONDAY)
    assert (
        alerts[0].action is Action.SUSPEND_DECRYPT and "fewer than 5 days" in alerts[0].explanation
    )


def test_small_volumes_never_alert() -> None:
    monitor = Monitor()
    assert days_of_decrypts(monitor, "quiet", [2, 1, 3, 2, 2, 1, 150]) == []


def test_an_approval_at_night_warns_by_default() -> None:
    night = MONDAY + timedelta(hours=14)  # 00:00 Tuesday in Shanghai
    alerts = Monitor().observe(Event(K.APPROVAL, night, "inst", "c2", user="carol"), night)
    assert (alerts[0].severity, alerts[0].action) == ("warn", Action.NONE)


def test_an_approval_at_night_requires_reapproval_when_configured() -> None:
    monitor = Monitor(MonitorConfig(working_hours=WorkingHours(severity="act")))
    day = Event(K.APPROVAL, MONDAY, "inst", "c1", user="carol", author="alice")
    assert monitor.observe(day, MONDAY) == []
    night = MONDAY + timedelta(hours=14)  # 00:00 Tuesday in Shanghai
    alerts = monitor.observe(
        Event(K.APPROVAL, night, "inst", "c2", user="carol", author="alice"), night
    )
    assert alerts[0].action is Action.REQUIRE_REAPPROVAL
    assert "approved campaign c2 at 00:00 on Tue (Asia/Shanghai)" in alerts[0].explanation
    assert "Mon-Fri 09:00-18:00" in alerts[0].explanation


def test_the_same_person_as_maker_and_checker_requires_reapproval() -> None:
    monitor = Monitor()
    event = Event(K.APPROVAL, MONDAY, "inst", template="t7", user="alice", author="alice")
    alerts = monitor.observe(event, MONDAY)
    assert [a.detector for a in alerts] == ["maker_checker_same_person"]
    assert alerts[0].subject.kind == "template"
    assert "both sides of a maker-checker step" in alerts[0].explanation
