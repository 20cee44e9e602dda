"""The gateway sends to the audience frozen at approval and to no one else."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select, update

sys.path.insert(0, str(Path(__file__).parents[1] / "gateway"))
from gateway_helpers import GOOD, Bank, approved_campaign, make_bank
from targeting_world import Person, add_people

from smsguard.errors import InputError
from smsguard.gateway.watch import campaign_plan
from smsguard.screening.engine import Screener
from smsguard.store import Database, tenant_session
from smsguard.store.gateway_models import Message
from smsguard.store.targeting_models import CampaignAudience, CustomerProfile
from smsguard.store.workflow_models import Campaign


@pytest.fixture
def frozen_bank(tmp_path: Path, database: Database, screener: Screener) -> Iterator[Bank]:
    made = make_bank(tmp_path, database, screener)
    yield made
    made.provider.close()


def _recipients(bank: Bank, campaign_id: int) -> set[int]:
    with tenant_session(bank.database, bank.institution_id) as session:
        rows = select(Message.customer_id).where(Message.campaign_id == campaign_id)
        return set(session.scalars(rows))


def _members(bank: Bank, campaign_id: int) -> set[int]:
    with tenant_session(bank.database, bank.institution_id) as session:
        rows = select(CampaignAudience.customer_id).where(
            CampaignAudience.campaign_id == campaign_id
        )
        return set(session.scalars(rows))


def test_customers_added_after_approval_get_nothing(frozen_bank: Bank) -> None:
    members = _members(frozen_bank, frozen_bank.campaign_id)
    late = add_people(frozen_bank.database, frozen_bank.institution_id, [Person(), Person()])
    frozen_bank.gateway.start("mia", frozen_bank.campaign_id)
    assert _recipients(frozen_bank, frozen_bank.campaign_id) == members
    assert not set(late) & members
    with tenant_session(frozen_bank.database, frozen_bank.institution_id) as session:
        assert campaign_plan(session, frozen_bank.campaign_id).approved_messages == len(members)


def test_a_customer_excluded_at_approval_is_never_queued_even_if_eligible_later(
    frozen_bank: Bank,
) -> None:
    database, institution = frozen_bank.database, frozen_bank.institution_id
    with tenant_session(database, institution) as session:
        everyone = set(session.scalars(select(CampaignAudience.customer_id)))
        arrears = min(everyone)
        session.execute(
            update(CustomerProfile).where(CustomerProfile.customer_id == arrears)
            .values(in_arrears=True)
        )  # fmt: skip
    second, _ = approved_campaign(database, institution, frozen_bank.screener, name="second")
    assert arrears not in _members(frozen_bank, second)
    with tenant_session(database, institution) as session:
        session.execute(
            update(CustomerProfile).where(CustomerProfile.customer_id == arrears)
            .values(in_arrears=False)
        )  # fmt: skip
    summary = frozen_bank.gateway.start("mia", second)
    assert arrears not in _recipients(frozen_bank, second)
    assert summary.queued == len(GOOD) - 1


def test_the_gateway_still_refuses_at_send_time_what_changed_after_approval(
    frozen_bank: Bank,
) -> None:
    summary = frozen_bank.gateway.start("mia", frozen_bank.campaign_id)
    assert summary.queued == len(GOOD)
    assert summary.reasons == {
        "recipient is a student": 1, "recipient is a minor": 1, "consent withdrawn": 1,
    }  # fmt: skip


def test_a_campaign_without_a_frozen_audience_sends_nothing(frozen_bank: Bank) -> None:
    with tenant_session(frozen_bank.database, frozen_bank.institution_id) as session:
        session.execute(
            update(Campaign).where(Campaign.id == frozen_bank.campaign_id)
            .values(audience_frozen_at=None)
        )  # fmt: skip
    with pytest.raises(InputError, match="no audience frozen"):
        frozen_bank.gateway.start("mia", frozen_bank.campaign_id)
