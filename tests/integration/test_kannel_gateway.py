"""The whole gateway through a real Kannel: an approved campaign reaches the test carrier, a
delivery report settles each message, and a recipient's "TD" becomes an opt-out.

Storage is SQLite in a temp folder; the bank (staff, customers with consent, an approved
campaign) is the one the gateway unit tests use.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from kannel.carrier import wait_until
from kannel.harness import KannelStack

sys.path.insert(0, str(Path(__file__).parents[1] / "unit" / "gateway"))
from gateway_helpers import GOOD, VALUES, Bank, make_bank

from smsguard.gateway.providers.kannel import KannelProvider
from smsguard.screening.engine import Screener
from smsguard.store import Database, upgrade


@pytest.fixture
def bank(tmp_path: Path, screener: Screener) -> Iterator[Bank]:
    database = Database.from_url(f"sqlite:///{tmp_path / 'gateway.db'}")
    upgrade(database)
    try:
        yield make_bank(tmp_path, database, screener)
    finally:
        database.dispose()


def _expected_texts() -> dict[str, str]:
    return {
        f"+86{phone}": f"【某银行】{name}您好，您的账单{VALUES['amount']}已出，请于"
        f"{VALUES['due']}前还款。回复TD退订"
        for phone, name in GOOD.items()
    }


def test_a_campaign_reaches_the_carrier_and_a_td_reply_opts_out(
    kannel: KannelStack, bank: Bank
) -> None:
    kannel.events.forward_to = bank.events("kannel")
    provider = KannelProvider(kannel.provider_settings())
    bank.gateway.start("mia", bank.campaign_id)
    handed = bank.worker(provider).run(threading.Event(), until_idle=True)
    assert handed == len(GOOD)

    received = kannel.carrier.wait_for_messages(len(GOOD))
    assert {m.to: m.text for m in received} == _expected_texts()
    assert len(received) == len(GOOD), "each message reached the carrier once"

    for message in received:
        kannel.inject_dlr(message.carrier_id, 1)
    wait_until(
        lambda: bank.gateway.status(bank.campaign_id).messages.get("delivered") == len(GOOD),
        10,
        "delivery reports to settle every message",
    )

    phone = next(iter(GOOD))
    assert bank.customers.may_market(phone, "loan_marketing", bank.clock()).allowed
    kannel.inject_mo(f"+86{phone}", "TD")
    wait_until(
        lambda: (
            not bank.customers.may_market(phone, "loan_marketing", bank.clock()).allowed or None
        ),
        10,
        "the TD reply to withdraw consent",
    )
