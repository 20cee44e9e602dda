"""A month of one bank for the report tests: a campaign sent, refusals, a rejected template,
withdrawals, a complaint, a monitor pause, and a second bank whose rows must never show.

Governance code stamps decisions with the real clock, so the scenario happens now: the bank's
gateway clock is set to the real time, and the bank's time zone is one where it is about 13:00
(``midday_zone``), so sending is inside the window and the whole scenario falls in one month
of that zone, the report's period.
"""

from __future__ import annotations

import sys
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).parents[1] / "gateway"))
from gateway_helpers import (
    GOOD,
    Bank,
    approved_campaign,
    indexer,
    make_bank,
    midday_zone,
    widen_audience,
)

from smsguard.bootstrap import build_send_rules
from smsguard.gateway.enqueue import Enqueuer
from smsguard.gateway.service import Gateway
from smsguard.governance import templates
from smsguard.protect import FileKeyProvider
from smsguard.screening.engine import Screener
from smsguard.store import Database, tenant_session
from smsguard.store.institutions import add_institution
from smsguard.store.models import AuditEvent, User

REJECTION = "缺少年化利率 no annual rate shown"
PAUSE_REASON = "campaign 1: complaint rate 33.3% over the last hour (1 of 3)"


@dataclass
class Scenario:
    bank: Bank
    period: str
    campaign_id: int
    other_institution: int


def build(tmp_path: Path, database: Database, screener: Screener) -> Scenario:
    """Run the month: see the module docstring."""
    bank = make_bank(tmp_path, database, screener)  # withdraws one customer by call-centre
    start = datetime.now(UTC)
    bank.settings = bank.settings.model_copy(update={"timezone": midday_zone()})
    bank.clock.now = start
    bank.gateway = _gateway(bank, screener)
    period = f"{start.astimezone(ZoneInfo(bank.settings.timezone)):%Y-%m}"
    campaign_id, _ = approved_campaign(
        database, bank.institution_id, screener, name="月度账单 monthly", starts_at=start
    )
    widen_audience(bank, campaign_id)  # the gateway's own refusals are part of the report
    bank.gateway.start("mia", campaign_id)
    bank.worker().run(threading.Event(), until_idle=True)
    _reject_a_template(database, bank.institution_id, screener)
    phone = next(iter(GOOD))
    bank.customers.handle_reply(phone, "再发就投诉你们，退订", received_at=datetime.now(UTC))
    _monitor_pause(database, bank.institution_id, campaign_id)
    other = _other_bank(database)
    return Scenario(bank, period, campaign_id, other)


def _gateway(bank: Bank, screener: Screener) -> Gateway:
    """The bank's gateway with its sending window in the bank's (midday) zone."""
    settings, institution_id = bank.settings, bank.institution_id
    enqueuer = Enqueuer(
        bank.database, institution_id, FileKeyProvider(settings.effective_master_key_file),
        lambda texts: screener.screen_many(texts), build_send_rules(settings),
    )  # fmt: skip
    return Gateway(
        bank.database, institution_id, enqueuer, indexer(settings, institution_id), bank.clock
    )


def _reject_a_template(database: Database, institution_id: int, screener: Screener) -> None:
    with tenant_session(database, institution_id) as session:
        mia = session.scalars(select(User).where(User.username == "mia")).one()
        olga = session.scalars(select(User).where(User.username == "olga")).one()
        version = templates.create_draft(
            session, mia, "t-rejected", "【某银行】{name}您好，回复TD退订"
        )
        templates.screen_version(session, mia, version.id, screener)
        templates.submit(session, mia, version.id)
        templates.reject(session, olga, version.id, REJECTION)


def _monitor_pause(database: Database, institution_id: int, campaign_id: int) -> None:
    alert = {"detector": "complaint_rate", "severity": "act", "action": "pause_campaign"}
    with tenant_session(database, institution_id) as session:
        session.add(
            AuditEvent(
                actor="monitor",
                action="campaign.pause",
                target_type="campaign",
                target_id=str(campaign_id),
                detail={"from": "running", "to": "paused", "reason": PAUSE_REASON, "alert": alert},
            )
        )


def _other_bank(database: Database) -> int:
    """A second institution with a complaint and a monitor action of its own."""
    other = add_institution(database, code="bank-b", name="Bank B").id
    long_ago = datetime.now(UTC) - timedelta(days=400)
    with tenant_session(database, other) as session:
        session.add(_event("inbound-reply", "complaint_received", {"kind": "complaint"}))
        session.add(_event("monitor", "campaign.pause", {"reason": "not ours"}))
        session.add(_event("monitor", "campaign.pause", {"reason": "old"}, at=long_ago))
    return other


def _event(actor: str, action: str, detail: dict[str, str], **at: datetime) -> AuditEvent:
    return AuditEvent(
        actor=actor, action=action, target_type="campaign", target_id="9", detail=detail, **at
    )
