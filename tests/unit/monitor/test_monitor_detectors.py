"""Each detector fires on its scenario with the numbers in its words, and is quiet otherwise."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from smsguard.monitor import Action, CampaignPlan, Event, EventKind, Monitor, MonitorConfig
from smsguard.monitor.alerts import Alert
from smsguard.monitor.detectors import BaselineConfig

K = EventKind
START = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # Monday 10:00 in Shanghai
BODY = "【好借银行】{name}您好，您的额度{amount}已可用。退订回T"


def campaign_minutes(
    monitor: Monitor,
    minutes: int,
    per_minute: int,
    opt_out: float,
    start: datetime = START,
    failed: float = 0.0,
    campaign: str = "c1",
) -> list[Alert]:
    """Send ``per_minute`` messages a minute, all delivered or failed, opt-outs at a fixed rate.

    Rates are produced by accumulators, not randomness, so the counts are exact.
    """
    alerts: list[Alert] = []
    owed_opt, owed_fail = 0.0, 0.0
    for second in range(minutes * 60):
        at = start + timedelta(seconds=second)
        batch = []
        for _ in range(per_minute // 60):
            batch.append(Event(K.SENT, at, "inst", campaign))
            owed_fail += failed
            if owed_fail >= 1:
                owed_fail -= 1
                batch.append(Event(K.FAILED, at, "inst", campaign))
                continue
            batch.append(Event(K.DELIVERED, at, "inst", campaign))
            owed_opt += opt_out
            if owed_opt >= 1:
                owed_opt -= 1
                batch.append(Event(K.OPT_OUT, at, "inst", campaign))
        alerts += monitor.observe_many(batch, at)
    return alerts


def test_simulated_opt_out_jump_pauses_within_sixty_seconds() -> None:
    monitor = Monitor()
    before = campaign_minutes(monitor, 10, 1200, 0.002)
    assert not [a for a in before if a.severity == "act"]
    jump = START + timedelta(minutes=10)
    after = campaign_minutes(monitor, 2, 1200, 0.05, start=jump)
    pause = next(a for a in after if a.action is Action.PAUSE_CAMPAIGN)
    assert pause.detector == "opt_out_rate"
    assert pause.at - jump <= timedelta(seconds=60)
    assert "above the pause threshold 2.5%" in pause.explanation
    assert f"of {pause.numbers['sample']:,} delivered" in pause.explanation


def test_opt_out_rate_explanation_carries_the_numbers() -> None:
    monitor = Monitor()
    events = [Event(K.DELIVERED, START, "inst", "c1", count=1000)]
    events.append(Event(K.OPT_OUT, START, "inst", "c1", count=31))
    alerts = [a for a in monitor.observe_many(events, START) if a.detector == "opt_out_rate"]
    assert alerts[-1].severity == "act"
    assert alerts[-1].explanation == (
        "opt-out rate 3.1% (31 of 1,000 delivered) in the last minute is above the pause "
        "threshold 2.5%"
    )
    assert alerts[-1].numbers["count"] == 31


def test_a_small_sample_never_pauses() -> None:
    monitor = Monitor()
    events = [
        Event(K.DELIVERED, START, "inst", "c1", count=3),
        Event(K.OPT_OUT, START, "inst", "c1"),
    ]
    assert monitor.observe_many(events, START) == []


def test_normal_traffic_raises_nothing() -> None:
    monitor = Monitor()
    monitor.set_plan("c1", CampaignPlan(1_000_000, 1500, BODY))
    assert campaign_minutes(monitor, 30, 1200, 0.002, failed=0.02) == []


def test_complaints_and_failures_fire_on_their_rates() -> None:
    monitor = Monitor()
    alerts = campaign_minutes(monitor, 2, 1200, 0.0, failed=0.3)
    assert any(a.detector == "delivery_failure_rate" and a.severity == "act" for a in alerts)
    events = [Event(K.DELIVERED, START, "inst", "c2", count=1000)]
    events.append(Event(K.COMPLAINT, START, "inst", "c2", count=4))
    found = [a for a in monitor.observe_many(events, START) if a.detector == "complaint_rate"]
    assert found[-1].action is Action.PAUSE_CAMPAIGN and "4 of 1,000" in found[-1].explanation


def test_baseline_flags_a_rise_against_the_campaign_own_history() -> None:
    config = MonitorConfig(baseline=BaselineConfig(mad_floor=0.001))
    monitor = Monitor(config)
    campaign_minutes(monitor, 20, 1200, 0.003)
    alerts = campaign_minutes(monitor, 1, 1200, 0.02, start=START + timedelta(minutes=20))
    baseline = [a for a in alerts if a.detector == "baseline_opt_out"]
    assert baseline and baseline[0].severity == "warn"
    assert "robust deviations above this campaign's median 0.33%" in baseline[0].explanation
    assert baseline[0].numbers["history_minutes"] == 20


def test_volume_over_the_approved_plan_pauses() -> None:
    monitor = Monitor()
    monitor.set_plan("c1", CampaignPlan(approved_messages=100))
    alerts = monitor.observe(Event(K.SENT, START, "inst", "c1", count=101), START)
    assert alerts[0].detector == "volume_over_plan" and alerts[0].severity == "act"
    assert "sent 101 messages, above its approved volume of 100" in alerts[0].explanation


def test_sending_faster_than_approved_warns() -> None:
    monitor = Monitor()
    monitor.set_plan("c1", CampaignPlan(10_000, max_per_minute=100))
    alerts = monitor.observe(Event(K.SENT, START, "inst", "c1", count=120), START)
    assert (
        alerts[0].severity == "warn" and "120 messages in the last minute" in alerts[0].explanation
    )


def test_a_send_in_quiet_hours_pauses() -> None:
    monitor = Monitor()
    night = datetime(2026, 3, 2, 15, 30, tzinfo=UTC)  # 23:30 in Shanghai
    assert monitor.observe(Event(K.SENT, START, "inst", "c1"), START) == []
    alerts = monitor.observe(Event(K.SENT, night, "inst", "c1"), night)
    assert alerts[0].detector == "send_in_quiet_hours"
    assert (
        "at 23:30 (Asia/Shanghai), outside the allowed window 08:00-20:00" in alerts[0].explanation
    )


def test_a_send_over_the_frequency_cap_pauses() -> None:
    monitor = Monitor()
    found = []
    for hour in range(4):
        at = START + timedelta(hours=hour)
        found += monitor.observe(Event(K.SENT, at, "inst", "c1", recipient="cust9"), at)
    assert [a.detector for a in found] == ["send_over_frequency_cap"]
    later = START + timedelta(days=2)
    assert monitor.observe(Event(K.SENT, later, "inst", "c1", recipient="cust9"), later) == []


def test_text_that_does_not_match_the_template_pauses_without_quoting_it() -> None:
    monitor = Monitor()
    monitor.set_plan("c1", CampaignPlan(1000, template_body=BODY))
    good = "【好借银行】王伟您好，您的额度5000元已可用。退订回T"
    bad = "【好借银行】王伟您好，您的额度5000元已可用，秒批！。退订回T"
    assert monitor.observe(Event(K.SENT, START, "inst", "c1", text=good), START) == []
    alerts = monitor.observe(Event(K.SENT, START, "inst", "c1", text=bad), START)
    assert alerts[0].detector == "text_not_approved" and "秒批" not in alerts[0].explanation


def test_a_burst_of_high_fraud_scores_requires_reapproval() -> None:
    monitor = Monitor()
    low = [Event(K.SCREENED, START, "inst", "c1", value=0.1) for _ in range(50)]
    assert monitor.observe_many(low, START) == []
    high = [Event(K.SCREENED, START, "inst", "c1", value=0.95) for _ in range(10)]
    alerts = monitor.observe_many(high, START)
    assert [a.severity for a in alerts] == ["warn", "act"]
    assert alerts[-1].action is Action.REQUIRE_REAPPROVAL
    assert "10 of 60 messages screened in the last minute" in alerts[-1].explanation
