"""Real traffic for the API tests: bank-a's customers, an approved campaign, sent messages.

Reuses the gateway tests' bank pieces (customers, approved template and campaign, a clock in
the sending window); the provider here reports nothing by itself, so the tests settle the
messages through the inbound endpoints as a real provider would.
"""

from __future__ import annotations

import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

sys.path.append(str(Path(__file__).parents[1] / "unit" / "gateway"))
from gateway_helpers import GOOD, VALUES, Clock, approved_campaign, import_rows

from smsguard.bootstrap import build_customer_service, build_gateway
from smsguard.gateway.providers.base import OutboundSms, Submission
from smsguard.gateway.providers.simulated import SimulatedProvider
from smsguard.gateway.worker import Worker
from smsguard.protect import FileKeyProvider
from smsguard.store import tenant_session
from smsguard.store.gateway_models import Message
from smsguard.trace.recorder import LocalMessageLog
from smsguard.trace.stamp import Tracer

PHONE = next(iter(GOOD))
TEXT = (
    f"【某银行】{GOOD[PHONE]}您好，您的账单{VALUES['amount']}已出，"
    f"请于{VALUES['due']}前还款。回复TD退订"
)


class QuietProvider:
    """Takes messages like the simulator but never reports back on its own."""

    name = "aliyun"
    idempotent = True

    def __init__(self) -> None:
        self._inner = SimulatedProvider()

    def submit(self, sms: OutboundSms) -> Submission:
        return self._inner.submit(sms)

    def close(self) -> None:
        self._inner.close()


@dataclass(frozen=True)
class Sent:
    campaign_id: int
    version_id: int
    keys: list[str]


def customers_of(api: Any, code: str = "bank-a") -> None:
    service = build_customer_service(api.settings, api.database, api.institution_ids[code])
    service.import_customers(import_rows())


def send_campaign(api: Any, code: str = "bank-a") -> Sent:
    """Import customers, approve and run a campaign; the message keys handed over."""
    tenant, screener = api.institution_ids[code], api.app.state.services.screener
    customers_of(api, code)
    campaign_id, version_id = approved_campaign(api.database, tenant, screener)
    clock = Clock()
    gateway = build_gateway(api.settings, api.database, tenant, screener)
    gateway._clock = clock  # type: ignore[attr-defined]  # the sending window, not wall time
    gateway.start("mia", campaign_id)
    events = api.app.state.services.events(tenant, "aliyun")
    worker = Worker(
        api.database, tenant, QuietProvider(),
        FileKeyProvider(api.settings.effective_master_key_file), events,
        clock=clock, tracer=Tracer(code, LocalMessageLog(api.settings.home, code)),
    )  # fmt: skip
    worker.run(threading.Event(), until_idle=True)
    return Sent(campaign_id, version_id, message_keys(api, code))


def message_keys(api: Any, code: str = "bank-a") -> list[str]:
    with tenant_session(api.database, api.institution_ids[code]) as session:
        return list(session.scalars(select(Message.message_key).order_by(Message.id)))


def message_states(api: Any, code: str = "bank-a") -> dict[str, str]:
    with tenant_session(api.database, api.institution_ids[code]) as session:
        rows = session.execute(select(Message.message_key, Message.state))
        return {key: state for key, state in rows}
