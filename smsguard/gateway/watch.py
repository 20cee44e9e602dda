"""The gateway's link to the monitor: what happens while sending becomes monitor events, and
an alert that calls for it pauses the campaign at once.

The monitor itself (:mod:`smsguard.monitor`) is pure; this module is the edge that feeds it
and acts on its answers. A pause is the same state change a person makes, written with its
audit row in one transaction, by the system actor ``monitor`` and with the alert's
explanation as the reason; a marketer resumes the campaign to reverse it (docs/gateway.md,
"Monitoring"). Every new alert is logged, kept in ``alerts`` and passed to ``notify`` (the
signed webhooks, :mod:`smsguard.gateway.webhooks`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from smsguard.gateway import monitor_inbox, outbox, screening_watch, staff_watch
from smsguard.gateway.monitor_lease import AlwaysLead, Lease
from smsguard.monitor.alerts import Action, Alert
from smsguard.monitor.base import CampaignPlan
from smsguard.monitor.engine import Monitor
from smsguard.monitor.events import Event, EventKind
from smsguard.monitor_alerts import save_alerts
from smsguard.store import Database, tenant_session
from smsguard.store.models import AuditEvent
from smsguard.store.monitor_models import MonitorState
from smsguard.store.workflow_models import Campaign, TemplateVersion

log = logging.getLogger(__name__)
MONITOR_ACTOR = "monitor"
_RECENT_KEYS = 200_000  # message key → campaign of recent hand-offs (~20 MB at most)


class GatewayWatch:
    """Feeds one institution's sending events to a monitor and applies its pauses."""

    def __init__(
        self,
        database: Database,
        institution_id: int,
        monitor: Monitor | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        notify: Callable[[Alert], None] | None = None,
        lease: Lease | None = None,
    ) -> None:
        self._database = database
        self._lease: Lease = lease or AlwaysLead()
        self._leading = False
        self._plans: dict[int, CampaignPlan] = {}
        self._institution_id = institution_id
        self._institution = str(institution_id)
        self.monitor = monitor or Monitor()
        self._clock = clock
        self.alerts: list[Alert] = []
        self._notify = notify
        self._audit_cursor: int | None = None
        self._screening_cursor: int | None = None
        self._saved_at: datetime | None = None
        self._recent: dict[str, int | None] = {}

    def counted(self, kind: EventKind, campaigns: Iterable[int | None]) -> None:
        """Count one event of ``kind`` per entry of ``campaigns`` (None: no campaign)."""
        totals: dict[int | None, int] = {}
        for campaign in campaigns:
            totals[campaign] = totals.get(campaign, 0) + 1
        now = self._clock()
        events = [
            Event(kind, now, self._institution,
                  campaign=None if campaign is None else str(campaign), count=count)
            for campaign, count in totals.items()
        ]  # fmt: skip
        self.observe(events)

    def handed_over(self, sent: Sequence[tuple[int, int, str, str]]) -> None:
        """Count campaign messages just handed over, one event each: (campaign, customer,
        text, message key). The recipient and text let the monitor re-check caps, quiet hours
        and the approved wording (defence in depth); the text is matched, never kept."""
        now = self._clock()
        self._remember(sent)
        self._ensure_plans({c for c, _, _, _ in sent})
        self.observe(
            [Event(EventKind.SENT, now, self._institution, campaign=str(campaign),
                   recipient=str(customer), text=text)
             for campaign, customer, text, _ in sent]
        )  # fmt: skip

    def _remember(self, sent: Sequence[tuple[int, int, str, str]]) -> None:
        """Keep the campaign of recent hand-offs, so their delivery reports need no query."""
        if len(self._recent) > _RECENT_KEYS:
            self._recent.clear()
        self._recent.update((key, campaign) for campaign, _, _, key in sent)

    def campaigns_of(self, session: Session, keys: Sequence[str]) -> dict[str, int | None]:
        """The campaign of each message key: from recent hand-offs, else the database."""
        found: dict[str, int | None] = {k: self._recent[k] for k in keys if k in self._recent}
        missing = [k for k in keys if k not in found]
        return found | (outbox.campaigns_of(session, missing) if missing else {})

    def _ensure_plans(self, campaigns: Iterable[int]) -> None:
        """Read each campaign's approved plan once (not on every batch)."""
        unplanned = set(campaigns) - set(self._plans)
        if not unplanned:
            return
        with tenant_session(self._database, self._institution_id) as session:
            for campaign in unplanned:
                self._plans[campaign] = campaign_plan(session, campaign)
                self.monitor.set_plan(str(campaign), self._plans[campaign])

    def leads(self) -> bool:
        """Whether this process runs the institution's detectors now; on taking over it
        resumes from the last snapshot the previous holder saved."""
        held = self._lease.held()
        if held and not self._leading:
            self.load()
            for campaign, plan in self._plans.items():
                self.monitor.set_plan(str(campaign), plan)
        self._leading = held
        return held

    def observe(self, events: Sequence[Event]) -> None:
        """Run the detectors on ``events`` and act on what they find, or forward them to the
        process that runs the detectors."""
        if not events:
            return
        if not self.leads():
            self._forward(events)
            return
        self._ensure_plans(
            int(e.campaign) for e in events if e.kind is EventKind.SENT and e.campaign
        )
        for alert in self.monitor.observe_many(events, self._clock()):
            self.alerts.append(alert)
            log.warning("monitor %s: %s", alert.severity, alert.explanation)
            if self._notify is not None:
                self._notify(alert)
            if alert.severity == "act" and alert.action is not Action.NONE:
                self._act(alert)
            # After _act, so the stored alert links to the audit row of its action.
            save_alerts(self._database, self._institution_id, [alert])

    def _forward(self, events: Sequence[Event]) -> None:
        self._ensure_plans(int(e.campaign) for e in events if e.text is not None and e.campaign)
        patterns = {str(c): plan.pattern for c, plan in self._plans.items()}
        redacted = [monitor_inbox.redact_text(e, patterns.get(e.campaign or "")) for e in events]
        with tenant_session(self._database, self._institution_id) as session:
            monitor_inbox.forward(session, redacted)

    def poll_inbox(self) -> None:
        """Feed the detectors with the events other processes forwarded (lease holder only)."""
        if not self.leads():
            return
        with tenant_session(self._database, self._institution_id) as session:
            ids, events = monitor_inbox.take(session)
        self.observe(events)
        with tenant_session(self._database, self._institution_id) as session:
            monitor_inbox.settle(session, ids)

    def close(self) -> None:
        """Save the snapshot (if this process leads) and give the lease up."""
        try:
            if self._leading:
                self.save()
        finally:
            self._lease.release()
            self._leading = False

    def load(self) -> None:
        """Resume from the saved snapshot, if any (a restart then loses no history)."""
        with tenant_session(self._database, self._institution_id) as session:
            saved = session.scalar(select(MonitorState))
            if saved is not None:
                self.monitor.restore(saved.snapshot)
                self._audit_cursor = saved.audit_cursor
                self._screening_cursor = saved.screening_cursor

    def save(self) -> None:
        """Write the current snapshot (pruned of counters silent for a day)."""
        now = self._clock()
        self.monitor.prune(now)
        snapshot = self.monitor.snapshot()
        with tenant_session(self._database, self._institution_id) as session:
            saved = session.scalar(select(MonitorState)) or _first_state(session, snapshot)
            saved.snapshot = snapshot
            saved.audit_cursor = self._audit_cursor or 0
            saved.screening_cursor = self._screening_cursor or 0
            saved.saved_at = now
        self._saved_at = now

    def save_now_and_then(self, every: float = 30.0) -> None:
        """Save when the last save is older than ``every`` seconds (lease holder only)."""
        if not self._leading:
            return
        if self._saved_at is None or (self._clock() - self._saved_at).total_seconds() >= every:
            self.save()

    def poll_audit(self) -> None:
        """Feed the staff detectors with the audit rows written since the last poll."""
        if not self.leads():
            return
        with tenant_session(self._database, self._institution_id) as session:
            if self._audit_cursor is None:
                self._audit_cursor = staff_watch.start_cursor(session, self._clock())
            events, self._audit_cursor = staff_watch.staff_events(
                session, self._audit_cursor, self._institution, self._clock()
            )
        self.observe(events)

    def poll_screening(self) -> None:
        """Feed the fraud detector with the screening summaries expansion wrote (in whatever
        process started the campaign) since the last poll."""
        if not self.leads():
            return
        with tenant_session(self._database, self._institution_id) as session:
            now = self._clock()
            if self._screening_cursor is None:
                self._screening_cursor = screening_watch.start_cursor(session, now)
            events, self._screening_cursor = screening_watch.screening_events(
                session, self._screening_cursor, self._institution, now
            )
        self.observe(events)

    def _act(self, alert: Alert) -> None:
        """Apply an alert's action in one transaction with its audit rows."""
        with tenant_session(self._database, self._institution_id) as session:
            if alert.action is Action.PAUSE_CAMPAIGN:
                to_pause = [int(alert.subject.id)]
            else:
                to_pause = staff_watch.act_on(session, alert, self._institution_id)
            for campaign_id in to_pause:
                self._pause(session, campaign_id, alert)
        log.warning("monitor acted (%s) on %s: %s", alert.action.value, alert.subject.label(),
                    alert.explanation)  # fmt: skip

    def _pause(self, session: Session, campaign_id: int, alert: Alert) -> None:
        """Pause a running campaign, with the alert as the audited reason."""
        campaign = session.get(Campaign, campaign_id)
        if campaign is None or campaign.state != "running":
            return
        campaign.state = "paused"
        detail = {"from": "running", "to": "paused", "reason": alert.explanation,
                  "alert": alert.to_dict()}  # fmt: skip
        session.add(
            AuditEvent(institution_id=self._institution_id, actor=MONITOR_ACTOR,
                       action="campaign.pause", target_type="campaign",
                       target_id=str(campaign_id), detail=detail)
        )  # fmt: skip


def campaign_plan(session: Session, campaign_id: int) -> CampaignPlan:
    """What was approved for a campaign: its audience size, rate and template wording."""
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        return CampaignPlan(approved_messages=0)
    version = session.get(TemplateVersion, campaign.template_version_id)
    return CampaignPlan(
        approved_messages=campaign.audience_size or 0,
        max_per_minute=campaign.rate_limit_per_minute,
        template_body=version.body if version is not None else None,
    )


def _first_state(session: Session, snapshot: dict[str, Any]) -> MonitorState:
    """The institution's state row, inserted now unless another worker won the race to it."""
    try:
        with session.begin_nested():
            saved = MonitorState(snapshot=snapshot, audit_cursor=0)
            session.add(saved)
        return saved
    except IntegrityError:
        return session.scalars(select(MonitorState)).one()
