"""The figures of a month match what the scenario did, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from report_helpers import PAUSE_REASON, REJECTION, Scenario

from smsguard.reports.data import gather
from smsguard.reports.model import MonthlyReport, ReportError, Tally
from smsguard.reports.period import parse_period
from smsguard.reports.service import build_report
from smsguard.store import tenant_session
from smsguard.store.complaint_models import Complaint


def _report(scenario: Scenario, institution_id: int | None = None) -> MonthlyReport:
    bank = scenario.bank
    period = parse_period(scenario.period, bank.settings.timezone)
    return gather(bank.database, institution_id or bank.institution_id, period)


def test_message_volumes_and_refusal_reasons(scenario: Scenario) -> None:
    volumes = _report(scenario).volumes
    assert (volumes.total, volumes.handed_over, volumes.delivered) == (6, 3, 3)
    assert (volumes.refused, volumes.failed, volumes.pending) == (3, 0, 0)
    assert volumes.segments_handed_over == 3
    assert dict((t.label, t.count) for t in volumes.by_state if t.count) == {
        "delivered": 3,
        "refused": 3,
    }
    assert sorted(volumes.refusal_reasons, key=lambda t: t.label) == [
        Tally("consent withdrawn", 1),
        Tally("recipient is a minor", 1),
        Tally("recipient is a student", 1),
    ]
    (campaign,) = volumes.campaigns
    assert campaign.campaign_id == scenario.campaign_id and campaign.name == "月度账单 monthly"
    assert (campaign.total, campaign.delivered, campaign.refused) == (6, 3, 3)


def test_approvals_withdrawals_complaints_and_monitor_actions(scenario: Scenario) -> None:
    report = _report(scenario)
    approvals = report.approvals
    # make_bank's campaign and the scenario's: two templates approved, one rejected.
    assert (approvals.templates_submitted, approvals.templates_approved) == (3, 2)
    assert approvals.templates_rejected == 1 and approvals.campaigns_approved == 2
    assert approvals.rejection_reasons == (Tally(REJECTION, 1),)
    withdrawals = report.withdrawals
    assert withdrawals.total == 2
    assert set(withdrawals.by_source) == {Tally("call-centre", 1), Tally("inbound-reply", 1)}
    assert withdrawals.by_purpose == (Tally("loan_marketing", 2),)
    assert report.complaints.received == 1 and report.complaints.by_kind == (Tally("both", 1),)
    monitoring = report.monitoring
    assert monitoring.total == 1 and monitoring.by_detector == (Tally("complaint_rate", 1),)
    (action,) = monitoring.actions
    assert (action.action, action.target) == ("campaign.pause", f"campaign {scenario.campaign_id}")
    assert action.reason == PAUSE_REASON and action.severity == "act"
    labels = {t.label for t in report.data_access}
    assert "customer.phones_revealed / delivery / batch" in labels


def test_another_institution_sees_only_its_own_rows(scenario: Scenario) -> None:
    other = _report(scenario, scenario.other_institution)
    assert other.institution == "bank-b"
    assert other.volumes.total == 0 and other.approvals.templates_approved == 0
    assert other.complaints.received == 1
    assert other.monitoring.total == 1  # the pause from 400 days ago is another month
    assert other.monitoring.actions[0].reason == "not ours"


def test_a_month_without_activity_is_all_zero(scenario: Scenario) -> None:
    bank = scenario.bank
    empty = gather(bank.database, bank.institution_id, parse_period("2020-02", "UTC"))
    assert empty.volumes.total == 0 and empty.volumes.campaigns == ()
    assert empty.withdrawals.total == 0 and empty.complaints.received == 0
    assert empty.approvals.rejection_reasons == ()


def test_a_period_that_has_not_started_is_refused(scenario: Scenario) -> None:
    bank = scenario.bank
    with pytest.raises(ReportError, match="has not started"):
        gather(bank.database, bank.institution_id, parse_period("2999-01", "UTC"))


def test_the_report_quotes_the_logs_latest_checkpoint(scenario: Scenario) -> None:
    bank = scenario.bank
    made = build_report(bank.settings, bank.database, "bank-a", scenario.period)
    assert made.checkpoint is not None
    assert made.checkpoint.size == 3 and made.checkpoint.origin == "smsguard.example/bank-a"
    assert made.checkpoint.note.startswith("smsguard.example/bank-a\n3\n")
    assert datetime.fromisoformat(made.generated_at) <= datetime.now(UTC)


def _case(base: datetime, *, received: int, due: int, resolved: int | None) -> Complaint:
    """A case received, due and resolved at offsets (seconds) from ``base``."""
    at = [None if s is None else base + timedelta(seconds=s) for s in (received, due, resolved)]
    return Complaint(
        channel="sms", category="sms_marketing" if resolved else "harassment",
        status="resolved" if resolved else "received", received_at=at[0],
        clock_started_at=at[0], due_at=at[1], resolved_at=at[2],
    )  # fmt: skip


def test_complaint_cases_and_handling_times(scenario: Scenario) -> None:
    bank = scenario.bank
    base = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=5)  # same local day
    with tenant_session(bank.database, scenario.other_institution) as session:
        session.add_all([
            _case(base, received=0, due=86400, resolved=3600),
            _case(base, received=1, due=86400, resolved=7201),
            _case(base, received=0, due=3600, resolved=10801),  # resolved late
            _case(base, received=0, due=60, resolved=None),  # open past its deadline
        ])  # fmt: skip
    cases = _report(scenario, scenario.other_institution).complaints.cases
    assert cases is not None
    assert (cases.received, cases.resolved, cases.resolved_within_deadline) == (4, 3, 2)
    assert (cases.median_handling_seconds, cases.max_handling_seconds) == (7200, 10801)
    assert cases.overdue_at_end == 1
    assert cases.by_category == (Tally("harassment", 1), Tally("sms_marketing", 3))
    assert cases.by_status == (Tally("received", 1), Tally("resolved", 3))
