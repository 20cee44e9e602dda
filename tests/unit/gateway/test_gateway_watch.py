"""Monitoring while sending: a campaign whose opt-out rate jumps, or whose rendered texts
score as fraud at expansion, is paused automatically."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import timedelta

from gateway_helpers import Bank, indexer, widen_audience
from sqlalchemy import select

from smsguard.bootstrap import build_send_rules
from smsguard.gateway.enqueue import Enqueuer
from smsguard.gateway.providers.simulated import SimulatedProvider, SimulationRates
from smsguard.gateway.service import Gateway
from smsguard.gateway.watch import GatewayWatch, _first_state
from smsguard.gateway.worker import Worker
from smsguard.monitor.alerts import Alert
from smsguard.monitor.events import EventKind, Scope
from smsguard.monitor.windows import Window
from smsguard.protect import FileKeyProvider
from smsguard.screening.engine import with_risk
from smsguard.screening.verdict import RiskAssessment, Verdict
from smsguard.store import tenant_session
from smsguard.store.models import AuditEvent
from smsguard.store.monitor_models import MonitorState

EXTRA = 700
NOTIFIED: list[Alert] = []


def _more_customers(bank: Bank) -> None:
    rows = [
        (n + 2, {
            "phone": f"1370000{n:04d}", "name": "周敏", "birth_year": "1980", "is_student": "no",
            "consent_purpose": "loan_marketing", "consent_source": "app",
            "consent_evidence": f"form {n}", "consent_at": "2025-01-01T00:00:00+08:00",
        })
        for n in range(EXTRA)
    ]  # fmt: skip
    bank.customers.import_customers(rows)
    widen_audience(bank)  # the audience was frozen at approval; let them in for volume


def _wire(bank: Bank, provider: SimulatedProvider) -> tuple[GatewayWatch, Worker]:
    watch = GatewayWatch(bank.database, bank.institution_id, clock=bank.clock,
                         notify=NOTIFIED.append)  # fmt: skip
    worker = bank.worker(provider, batch_size=50)
    worker._watch = watch
    worker._events._watch = watch  # type: ignore[attr-defined]
    return watch, worker


def test_an_opt_out_jump_pauses_the_campaign_within_a_minute(bank: Bank) -> None:
    _more_customers(bank)
    provider = SimulatedProvider(SimulationRates(opt_out_reply=0.002), seed=3)
    watch, worker = _wire(bank, provider)
    bank.gateway.start("mia", bank.campaign_id)
    for _ in range(8):  # 400 messages at the normal rate: nothing happens
        assert worker.run_once() == 50
        bank.clock.advance(seconds=1)
    assert bank.gateway.status(bank.campaign_id).state == "running"
    jump = bank.clock()
    provider.rates = SimulationRates(opt_out_reply=0.3)
    while bank.gateway.status(bank.campaign_id).state == "running":
        assert bank.clock() - jump <= timedelta(seconds=60), "too slow"
        if worker.run_once() == 0:
            break
        bank.clock.advance(seconds=1)
    status = bank.gateway.status(bank.campaign_id)
    assert status.state == "paused"
    assert status.messages.get("queued", 0) > 0, "paused before the campaign ran out"
    pause = next(a for a in watch.alerts if a.severity == "act")
    assert "opt-out rate" in pause.explanation and "2.5%" in pause.explanation
    assert pause in NOTIFIED, "every alert goes to the webhooks too"
    with tenant_session(bank.database, bank.institution_id) as session:
        audit = session.scalars(select(AuditEvent).where(AuditEvent.actor == "monitor")).one()
    assert audit.action == "campaign.pause" and audit.detail["reason"] == pause.explanation
    assert worker.run_once() == 0
    bank.gateway.resume("mia", bank.campaign_id)  # a person reverses the pause
    assert worker.run_once() > 0


def test_normal_traffic_raises_no_action(bank: Bank) -> None:
    _more_customers(bank)
    provider = SimulatedProvider(SimulationRates(opt_out_reply=0.002, undelivered=0.02), seed=5)
    watch, worker = _wire(bank, provider)
    bank.gateway.start("mia", bank.campaign_id)
    while worker.run_once():
        bank.clock.advance(seconds=1)
    assert bank.gateway.status(bank.campaign_id).state == "running"
    assert not [a for a in watch.alerts if a.severity == "act"]


def test_the_monitors_history_survives_a_restart(bank: Bank) -> None:
    _more_customers(bank)
    watch, worker = _wire(bank, SimulatedProvider(SimulationRates(opt_out_reply=0.01), seed=2))
    bank.gateway.start("mia", bank.campaign_id)
    worker.run(threading.Event(), until_idle=True)  # saves when it stops
    restarted = GatewayWatch(bank.database, bank.institution_id, clock=bank.clock)
    restarted.load()
    assert restarted.monitor.snapshot() == watch.monitor.snapshot()
    assert restarted.monitor.snapshot()["windows"], "something was counted"


def test_a_handed_over_text_the_template_cannot_produce_pauses_the_campaign(bank: Bank) -> None:
    from smsguard.bootstrap import build_monitor

    bank.gateway.start("mia", bank.campaign_id)
    watch = GatewayWatch(bank.database, bank.institution_id, build_monitor(bank.settings),
                         clock=bank.clock)  # fmt: skip
    approved = "【某银行】王芳您好，您的账单1000元已出，请于2026-12-15前还款。回复TD退订"
    watch.handed_over([(bank.campaign_id, 1, approved, "k1")])
    assert bank.gateway.status(bank.campaign_id).state == "running", "an approved rendering"
    watch.handed_over([(bank.campaign_id, 2, "【某银行】点击 http://x.cn 领取额度", "k2")])
    assert bank.gateway.status(bank.campaign_id).state == "paused"
    assert any(a.detector == "text_not_approved" for a in watch.alerts)


def test_a_second_send_to_one_customer_within_the_cap_pauses_the_campaign(bank: Bank) -> None:
    from smsguard.bootstrap import build_monitor

    bank.gateway.start("mia", bank.campaign_id)
    watch = GatewayWatch(bank.database, bank.institution_id, build_monitor(bank.settings),
                         clock=bank.clock)  # fmt: skip
    text = "【某银行】王芳您好，您的账单1000元已出，请于2026-12-15前还款。回复TD退订"
    watch.handed_over([(bank.campaign_id, 1, text, "k1")])
    watch.handed_over([(bank.campaign_id, 1, text, "k2")])
    assert bank.gateway.status(bank.campaign_id).state == "paused"
    assert any(a.detector == "send_over_frequency_cap" for a in watch.alerts)


def _fraud_scoring(bank: Bank) -> Gateway:
    """The bank's gateway, but its model scores every rendered text as fraud (0.93): what a
    variable smuggling a scam into approved wording looks like to screening."""

    def screen_many(texts: Sequence[str]) -> list[Verdict]:
        scored = RiskAssessment("fraud", {"ham": 0.02, "spam": 0.05, "fraud": 0.93}, (), (), "t")
        return [with_risk(v, scored, len(t), False)
                for v, t in zip(bank.screener.screen_many(texts), texts, strict=True)]  # fmt: skip

    keys = FileKeyProvider(bank.settings.effective_master_key_file)
    enqueuer = Enqueuer(bank.database, bank.institution_id, keys, screen_many,
                        build_send_rules(bank.settings))  # fmt: skip
    return Gateway(bank.database, bank.institution_id, enqueuer,
                   indexer(bank.settings, bank.institution_id), bank.clock)  # fmt: skip


def test_a_fraud_burst_at_expansion_pauses_the_campaign_for_reapproval(bank: Bank) -> None:
    from smsguard.bootstrap import build_monitor

    _more_customers(bank)
    summary = _fraud_scoring(bank).start("mia", bank.campaign_id)  # the `campaigns start` side
    assert summary.queued == 0 and summary.refused == EXTRA + 6
    watch, worker = _wire(bank, SimulatedProvider())
    watch.monitor = build_monitor(bank.settings)
    assert worker.run_once() == 0, "paused before anything was claimed"
    assert bank.gateway.status(bank.campaign_id).state == "paused"
    burst = next(a for a in watch.alerts if a.detector == "fraud_burst")
    assert burst.severity == "act" and burst.subject.id == str(bank.campaign_id)
    assert "fraud probability of at least 0.80" in burst.explanation
    now, campaign = bank.clock(), str(bank.campaign_id)
    rendered = EXTRA + 6  # every customer has a name, so every text rendered
    assert watch.monitor.count(Scope.CAMPAIGN, campaign, EventKind.SCREENED, Window.HOUR,
                               now) == rendered  # fmt: skip
    assert watch.monitor.count(Scope.CAMPAIGN, campaign, EventKind.SCREENING_BLOCK,
                               Window.HOUR, now) == rendered  # fmt: skip
    with tenant_session(bank.database, bank.institution_id) as session:
        actions = set(session.scalars(select(AuditEvent.action).where(
            AuditEvent.actor == "monitor")))  # fmt: skip
    assert actions == {"approval.reapproval_required", "campaign.pause"}


def test_ordinary_screening_reaches_the_worker_once_and_alerts_nothing(bank: Bank) -> None:
    _more_customers(bank)
    bank.gateway.start("mia", bank.campaign_id)
    watch, worker = _wire(bank, SimulatedProvider())
    worker.run_once()
    now, campaign = bank.clock(), str(bank.campaign_id)
    counted = watch.monitor.count(Scope.CAMPAIGN, campaign, EventKind.SCREENED, Window.HOUR, now)
    assert counted == EXTRA + 6
    assert not [a for a in watch.alerts if a.detector == "fraud_burst"]
    watch.save()
    restarted = GatewayWatch(bank.database, bank.institution_id, clock=bank.clock)
    restarted.load()
    restarted.poll_screening()  # the cursor was saved: nothing is counted twice
    again = restarted.monitor.count(Scope.CAMPAIGN, campaign, EventKind.SCREENED, Window.HOUR,
                                    now)  # fmt: skip
    assert again == counted


def test_screening_summaries_older_than_the_windows_are_passed_over(bank: Bank) -> None:
    bank.gateway.start("mia", bank.campaign_id)
    bank.clock.advance(hours=25)
    watch = GatewayWatch(bank.database, bank.institution_id, clock=bank.clock)
    watch.poll_screening()  # must not raise the monitor's "older than 24 h" refusal
    assert watch.monitor.count(Scope.INSTITUTION, str(bank.institution_id), EventKind.SCREENED,
                               Window.DAY, bank.clock()) == 0  # fmt: skip


def test_a_worker_losing_the_race_to_the_first_snapshot_updates_the_winners_row(
    bank: Bank,
) -> None:
    GatewayWatch(bank.database, bank.institution_id, clock=bank.clock).save()  # the winner
    with tenant_session(bank.database, bank.institution_id) as session:
        # the loser looked before the winner committed, so it tries to insert too
        row = _first_state(session, {"windows": {}})
        assert row.id == session.scalars(select(MonitorState.id)).one()
