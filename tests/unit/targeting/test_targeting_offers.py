"""Offers tailored per propensity segment reach each member inside the approved wording."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select, update

sys.path.insert(0, str(Path(__file__).parents[1] / "gateway"))
from gateway_helpers import Bank, make_bank
from targeting_world import TinyScorer

from smsguard.customers.keystore import load_ring, tenant_label
from smsguard.errors import InputError
from smsguard.governance import campaigns, templates
from smsguard.protect import FileKeyProvider
from smsguard.screening.engine import Screener
from smsguard.store import Database, tenant_session
from smsguard.store.gateway_models import Message
from smsguard.store.models import User
from smsguard.store.targeting_models import CampaignAudience, CustomerProfile

BODY = (
    "【某银行】{name}您好，您可申请最高{limit:amount}的消费贷款，"
    "年化利率{apr:integer}%起（单利）。回复TD退订"
)
OFFERS = {"high": {"limit": "50000元"}, "medium": {"limit": "20000元"}, "low": {"limit": "5000元"}}


@pytest.fixture
def offer_bank(tmp_path: Path, database: Database, screener: Screener) -> Iterator[Bank]:
    made = make_bank(tmp_path, database, screener)
    yield made
    made.provider.close()


def _draft(bank: Bank, screener: Screener, offers: object, apr: str = "9") -> int:
    with tenant_session(bank.database, bank.institution_id) as session:
        mia = session.scalars(select(User).where(User.username == "mia")).one()
        olga = session.scalars(select(User).where(User.username == "olga")).one()
        version = templates.create_draft(session, mia, "t-offer", BODY)
        templates.screen_version(session, mia, version.id, screener)
        templates.submit(session, mia, version.id)
        templates.approve(session, olga, version.id, justification="reviewed for tests")
        audience = {"rank": {"by": "propensity", "limit": 100}, "offers": offers}
        return campaigns.create(
            session, mia, name="offer", template_version_id=version.id, audience=audience,
            starts_at=bank.clock(), rate_limit_per_minute=600, variables={"apr": apr},
        ).id  # fmt: skip


def _texts(bank: Bank, campaign_id: int) -> dict[int, str]:
    keys = FileKeyProvider(bank.settings.effective_master_key_file)
    with tenant_session(bank.database, bank.institution_id) as session:
        ring = load_ring(session, keys, bank.institution_id)
        rows = session.scalars(select(Message).where(Message.campaign_id == campaign_id))
        return {
            m.customer_id: ring.decrypt_field(m.body_ciphertext or b"", field="body",
                                              tenant=tenant_label(bank.institution_id),
                                              record_id=m.message_key)
            for m in rows
        }  # fmt: skip


def test_each_member_gets_the_offer_of_their_segment(offer_bank: Bank, screener: Screener) -> None:
    bank = offer_bank
    campaign_id = _draft(bank, screener, OFFERS)
    with tenant_session(bank.database, bank.institution_id) as session:
        first = min(session.scalars(select(CustomerProfile.customer_id)))
        session.execute(update(CustomerProfile).values(debt_ratio=0.4))
        session.execute(update(CustomerProfile).where(CustomerProfile.customer_id == first)
                        .values(debt_ratio=0.05))  # fmt: skip
        olga = session.scalars(select(User).where(User.username == "olga")).one()
        campaigns.approve(session, olga, campaign_id, scorer=TinyScorer())
        rows = session.execute(
            select(CampaignAudience.customer_id, CampaignAudience.segment)
            .where(CampaignAudience.campaign_id == campaign_id)
        )  # fmt: skip
        segments = {row.customer_id: row.segment for row in rows}
    assert segments[first] == "high" and set(segments.values()) == {"high", "low"}
    bank.gateway.start("mia", campaign_id)
    texts = _texts(bank, campaign_id)
    assert set(texts) == set(segments)
    for customer, text in texts.items():
        limit = OFFERS[segments[customer]]["limit"]
        assert f"最高{limit}的消费贷款" in text and "年化利率9%起" in text


@pytest.mark.parametrize(
    ("offers", "apr", "problem"),
    [
        ({"high": {"limit": "50000元"}}, "9", "segments"),
        ({**OFFERS, "low": {"limit": "很多"}}, "9", "'low', variable 'limit'"),
        ({s: {"limit": "1元", "apr": "9"} for s in OFFERS}, "9", "both campaign-wide"),
        ({s: {"name": "x"} for s in OFFERS}, "9", "filled per customer"),
    ],
)
def test_an_offer_outside_the_template_is_refused_at_creation(
    offer_bank: Bank, screener: Screener, offers: object, apr: str, problem: str
) -> None:
    with pytest.raises(InputError, match=problem):
        _draft(offer_bank, screener, offers, apr)


def test_offers_without_ranking_are_refused(offer_bank: Bank, screener: Screener) -> None:
    from smsguard.targeting.language import parse_audience

    with pytest.raises(InputError, match="need a rank"):
        parse_audience({"all": True, "offers": OFFERS})
