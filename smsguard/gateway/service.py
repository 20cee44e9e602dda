"""The gateway's operations for people: start, pause, resume, status, send one message.

Each operation names the acting user, whose roles are checked by the governance core, and
writes its audit row in the same transaction as the state change. Starting a campaign moves
it to ``running`` first and then expands it into the outbox; if expansion is interrupted it
can be run again (``expand``) and continues where it stopped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from smsguard.errors import InputError
from smsguard.gateway import outbox
from smsguard.gateway.enqueue import Enqueuer, ExpansionSummary
from smsguard.gateway.plan import SERVICE, Plan
from smsguard.gateway.series import MinuteCounts, campaign_series
from smsguard.governance import audit, campaigns
from smsguard.governance.roles import require
from smsguard.governance.users import active_user
from smsguard.protect import BlindIndexer
from smsguard.store import Database, tenant_session
from smsguard.store.models import Customer
from smsguard.store.workflow_models import Template, TemplateVersion


@dataclass(frozen=True)
class CampaignStatus:
    """A campaign's state and its messages counted by state."""

    campaign_id: int
    name: str
    state: str
    messages: Mapping[str, int]


class Gateway:
    """Sending operations of one institution."""

    def __init__(
        self,
        database: Database,
        institution_id: int,
        enqueuer: Enqueuer,
        indexer: BlindIndexer,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._database = database
        self._institution_id = institution_id
        self._enqueuer = enqueuer
        self._indexer = indexer
        self._clock = clock

    def start(self, username: str, campaign_id: int) -> ExpansionSummary:
        """Start an approved campaign and queue its messages."""
        self.begin(username, campaign_id)
        return self.expand(campaign_id)

    def begin(self, username: str, campaign_id: int) -> None:
        """Move an approved campaign to running without queueing anything yet."""
        self._transition(username, campaign_id, "start")

    def expand(self, campaign_id: int) -> ExpansionSummary:
        """Queue the messages of a running campaign that are not queued yet."""
        return self._enqueuer.expand_campaign(campaign_id, self._clock())

    def expansion(self, campaign_id: int) -> Iterator[list[Plan]]:
        """Queue a running campaign's messages chunk by chunk, each committed when yielded."""
        return self._enqueuer.expansion(campaign_id, self._clock())

    def pause(self, username: str, campaign_id: int) -> None:
        """Stop handing the campaign's messages over; workers see it at their next claim."""
        self._transition(username, campaign_id, "pause")

    def resume(self, username: str, campaign_id: int) -> None:
        """Continue a paused campaign where it stopped."""
        self._transition(username, campaign_id, "resume")

    def complete(self, username: str, campaign_id: int) -> None:
        """End a campaign; its unsent messages stay queued but are never claimed."""
        self._transition(username, campaign_id, "complete")

    def status(self, campaign_id: int) -> CampaignStatus:
        """The campaign's state and message counts."""
        with tenant_session(self._database, self._institution_id) as session:
            campaign = campaigns.get(session, campaign_id)
            counts = outbox.counts(session, campaign_id)
            return CampaignStatus(campaign.id, campaign.name, campaign.state, counts)

    def series(self, campaign_id: int, minutes: int = 60) -> list[MinuteCounts]:
        """The campaign's last ``minutes`` minutes, per minute, up to this gateway's now."""
        with tenant_session(self._database, self._institution_id) as session:
            campaigns.get(session, campaign_id)  # NotFound outside this institution
            return campaign_series(session, campaign_id, now=self._clock(), minutes=minutes)

    def send(self, username: str, template: str, phone: str, values: Mapping[str, str]) -> Plan:
        """Queue one service message from the latest approved version of ``template``."""
        index = self._indexer.index(phone).hex()
        with tenant_session(self._database, self._institution_id) as session:
            actor = active_user(session, username)
            require(actor, "message.send")
            version_id = _latest_approved(session, template)
            customer_id = session.scalar(select(Customer.id).where(Customer.phone_index == index))
            if customer_id is None:
                raise InputError("no customer with that phone number in this institution")
            audit.record(session, actor, "message.send_requested", ("template_version", version_id),
                         customer=customer_id)  # fmt: skip
        return self._enqueuer.enqueue_one(version_id, customer_id, values, SERVICE, self._clock())

    def _transition(self, username: str, campaign_id: int, action: str) -> None:
        with tenant_session(self._database, self._institution_id) as session:
            campaigns.transition(session, active_user(session, username), campaign_id, action)


def _latest_approved(session: Session, name: str) -> int:
    version_id = session.scalar(
        select(TemplateVersion.id)
        .join(Template, Template.id == TemplateVersion.template_id)
        .where(Template.name == name, TemplateVersion.state == "approved")
        .order_by(TemplateVersion.version.desc())
        .limit(1)
    )
    if version_id is None:
        raise InputError(f"template {name!r} has no approved version in this institution")
    return version_id
