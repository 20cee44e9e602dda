"""A bank for the complaints tests: the gateway tests' bank plus an impartial handler, an
admin, an approved acknowledgement template and a complaints desk on the same clock."""

from __future__ import annotations

import sys
import threading
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).parents[1] / "gateway"))
from gateway_helpers import MORNING, Bank, indexer

from smsguard.bootstrap import build_send_rules
from smsguard.complaints.deadlines import DeadlinePolicy
from smsguard.complaints.notify import GatewayNotifier
from smsguard.complaints.service import ComplaintService
from smsguard.gateway.enqueue import Enqueuer
from smsguard.governance import templates
from smsguard.protect import FileKeyProvider
from smsguard.store import tenant_session
from smsguard.store.models import User

ACK_BODY = "【某银行】您的投诉（编号{case:integer}）已收到，我们将在15日内答复。"


def add_staff(bank: Bank) -> None:
    """chen handles complaints (took no part in the campaign); ada is an admin."""
    expires = MORNING + timedelta(days=365)
    with tenant_session(bank.database, bank.institution_id) as session:
        session.add(
            User(
                username="chen",
                display_name="chen",
                roles=["compliance_officer"],
                certification_expires_at=expires,
            )
        )
        session.add(User(username="ada", display_name="ada", roles=["admin"]))


def approve_template(bank: Bank, name: str, body: str) -> None:
    with tenant_session(bank.database, bank.institution_id) as session:
        mia = session.scalars(select(User).where(User.username == "mia")).one()
        olga = session.scalars(select(User).where(User.username == "olga")).one()
        version = templates.create_draft(session, mia, name, body)
        screened = templates.screen_version(session, mia, version.id, bank.screener)
        templates.submit(session, mia, version.id)
        note = "service notice" if screened.verdict == "review" else None
        templates.approve(session, olga, version.id, justification=note)


def desk(bank: Bank, policy: DeadlinePolicy | None = None) -> ComplaintService:
    keys = FileKeyProvider(bank.settings.effective_master_key_file)
    enqueuer = Enqueuer(
        bank.database,
        bank.institution_id,
        keys,
        lambda texts: bank.screener.screen_many(texts),
        build_send_rules(bank.settings),
    )
    notifier = GatewayNotifier(bank.database, bank.institution_id, enqueuer, bank.clock)
    return ComplaintService(
        bank.database,
        bank.institution_id,
        keys,
        bank.clock,
        indexer=indexer(bank.settings, bank.institution_id),
        notifier=notifier,
        policy=policy,
    )


def send_campaign(bank: Bank) -> None:
    bank.gateway.start("mia", bank.campaign_id)
    bank.worker().run(threading.Event(), until_idle=True)
