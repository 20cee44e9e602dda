"""De-duplication, escalation, cool-down, time rules, and a restart that loses nothing."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from smsguard.errors import ConfigError, InputError
from smsguard.monitor import Event, EventKind, Monitor, MonitorConfig, Scope, Window
from smsguard.monitor.detectors import BaselineConfig, FraudConfig, RateConfig
from smsguard.monitor.sending import SendRulesConfig, quiet_hours
from smsguard.monitor.staff import RecordVolumeConfig, WorkingHours

K = EventKind
START = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


def opt_outs(monitor: Monitor, at: datetime, delivered: int, opted: int) -> list[str]:
    events = [Event(K.DELIVERED, at, "inst", "c1", count=delivered)]
    events += [Event(K.OPT_OUT, at, "inst", "c1") for _ in range(opted)]
    return [a.severity for a in monitor.observe_many(events, at) if a.detector == "opt_out_rate"]


def test_alerts_are_not_repeated_but_escalate_and_return_after_cooldown() -> None:
    monitor = Monitor()
    assert opt_outs(monitor, START, 1000, 15) == ["warn"]  # 10..15 all above warn: one alert
    assert opt_outs(monitor, START, 0, 15) == ["act"]  # escalation is raised at once
    later = START + timedelta(minutes=5)
    assert opt_outs(monitor, later, 1000, 30) == []  # still act, within the cool-down
    after = START + timedelta(minutes=16)
    assert opt_outs(monitor, after, 1000, 30) == ["warn", "act"]  # raised afresh


def test_future_and_ancient_events_are_refused_and_the_batch_is_untouched() -> None:
    monitor = Monitor()
    ok = Event(K.SENT, START, "inst", "c1")
    with pytest.raises(InputError, match="clock skew"):
        monitor.observe_many([ok, Event(K.SENT, START + timedelta(seconds=10), "inst")], START)
    with pytest.raises(InputError, match="longest window"):
        monitor.observe_many([ok, Event(K.SENT, START - timedelta(days=2), "inst")], START)
    assert monitor.count(Scope.CAMPAIGN, "c1", K.SENT, Window.DAY, START) == 0
    monitor.observe(Event(K.SENT, START + timedelta(seconds=1), "inst", "c1"), START)
    assert monitor.count(Scope.CAMPAIGN, "c1", K.SENT, Window.MINUTE, START) == 1


def test_naive_times_are_refused() -> None:
    with pytest.raises(InputError, match="time zone"):
        Event(K.SENT, datetime(2026, 3, 2), "inst")
    with pytest.raises(InputError, match="time zone"):
        Monitor().observe(Event(K.SENT, START, "inst"), datetime(2026, 3, 2))


def test_a_restart_from_a_snapshot_loses_no_history() -> None:
    live = Monitor()
    for minute in range(30):
        at = START + timedelta(minutes=minute)
        live.observe_many(
            [
                Event(K.SENT, at, "inst", "c1", recipient="r1", user="u1"),
                Event(K.PII_DECRYPT, at, "inst", user="u1", count=5),
            ],
            at,
        )
    opt_outs(live, START + timedelta(minutes=30), 1000, 15)
    restarted = Monitor()
    restarted.restore(json.loads(json.dumps(live.snapshot())))
    assert restarted.snapshot() == json.loads(json.dumps(live.snapshot()))
    later = START + timedelta(minutes=35)
    for monitor in (live, restarted):
        assert opt_outs(monitor, later, 0, 1) == []  # the earlier warn is remembered
        for window in Window:
            assert monitor.count(Scope.CAMPAIGN, "c1", K.SENT, window, later) == (
                live.count(Scope.CAMPAIGN, "c1", K.SENT, window, later)
            )
    assert restarted.count(Scope.USER, "u1", K.PII_DECRYPT, Window.HOUR, later) == 150


def test_a_foreign_snapshot_is_refused() -> None:
    with pytest.raises(InputError):
        Monitor().restore({"format": "nope"})


@pytest.mark.parametrize(
    "build",
    [
        lambda: RateConfig(warn=0.03, act=0.02, min_sample=10),
        lambda: RateConfig(warn=0.01, act=0.02, min_sample=0),
        lambda: RateConfig(warn=0.01, act=0.02, min_sample=10, windows=()),
        lambda: BaselineConfig(history_minutes=90),
        lambda: BaselineConfig(warn_z=4, act_z=3),
        lambda: FraudConfig(high_score=1.5),
        lambda: FraudConfig(warn_count=5, act_count=2),
        lambda: SendRulesConfig(cap_messages=0),
        lambda: quiet_hours(tz="Mars/Olympus"),
        lambda: RecordVolumeConfig(min_history_days=40),
        lambda: WorkingHours(tz="Nowhere/City"),
        lambda: WorkingHours(days=frozenset({7})),
        lambda: MonitorConfig(cooldown=timedelta(seconds=-1)),
    ],
)
def test_bad_configs_are_refused_with_a_config_error(build: object) -> None:
    with pytest.raises(ConfigError):
        build()  # type: ignore[operator]


def test_disabled_detectors_do_not_run() -> None:
    off = RateConfig(warn=0.01, act=0.025, min_sample=200, enabled=False)
    monitor = Monitor(MonitorConfig(opt_out=off, baseline=BaselineConfig(enabled=False)))
    assert opt_outs(monitor, START, 1000, 50) == []
