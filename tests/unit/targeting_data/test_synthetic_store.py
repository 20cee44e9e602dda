"""Generation into the real store, on SQLite and PostgreSQL: fake numbers only, encrypted
and indexed like an import, one profile and consent history per customer, past outcomes,
deterministic by seed."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import func, select

from smsguard.bootstrap import build_blind_indexer, build_master_key_provider
from smsguard.cli._context import CliState
from smsguard.cli.audience_data import generate_command
from smsguard.customers import CustomerService
from smsguard.customers.keystore import load_ring
from smsguard.settings import Settings
from smsguard.store import Database, tenant_session
from smsguard.store.complaint_models import Complaint
from smsguard.store.institutions import add_institution
from smsguard.store.models import Consent, Customer
from smsguard.store.targeting_models import CampaignOutcome, CustomerProfile
from smsguard.store.workflow_models import Campaign
from smsguard.targeting.synthetic import generate, is_fake_phone

sys.path.insert(0, str(Path(__file__).parents[2]))
from pg import storage_bytes

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
COUNT = 3_000


def run(settings: Settings, database: Database, institution: int, seed: int = 5) -> None:
    generate(database, institution, build_master_key_provider(settings),
             build_blind_indexer(settings, institution), customers=COUNT, seed=seed,
             now=NOW)  # fmt: skip


def attributes(database: Database, institution: int) -> list[tuple[object, ...]]:
    with tenant_session(database, institution) as session:
        rows = session.execute(
            select(Customer.birth_year, Customer.is_student, CustomerProfile.credit_band,
                   CustomerProfile.debt_ratio, CustomerProfile.region)
            .join(CustomerProfile, CustomerProfile.customer_id == Customer.id)
            .order_by(Customer.id)
        )  # fmt: skip
        return [tuple(row) for row in rows]


def test_generated_customers_are_stored_like_imports_with_fake_numbers_only(
    settings: Settings, database: Database, bank: int, service: CustomerService
) -> None:
    run(settings, database, bank)
    indexer = build_blind_indexer(settings, bank)
    with tenant_session(database, bank) as session:
        ring = load_ring(session, build_master_key_provider(settings), bank)
        customers = list(session.scalars(select(Customer)))
        profiles = session.scalar(select(func.count(CustomerProfile.id)))
        statuses = dict(
            (status, n) for status, n in session.execute(
                select(Consent.status, func.count()).group_by(Consent.status))
        )  # fmt: skip
        outcomes = session.scalar(select(func.count(CampaignOutcome.id))) or 0
        completed = session.scalar(
            select(func.count(Campaign.id)).where(Campaign.state == "completed")
        )
        complaints = session.scalar(select(func.count(Complaint.id))) or 0
    assert len(customers) == COUNT and profiles == COUNT
    assert statuses["granted"] > 0.85 * COUNT and 0 < statuses["withdrawn"] < 0.08 * COUNT
    assert completed == 2 and outcomes > 0.03 * COUNT and complaints > 0
    numbers = []
    for customer in customers:
        phone = ring.decrypt_field(customer.phone_ciphertext, tenant=str(bank), field="phone",
                                   record_id=str(customer.id))  # fmt: skip
        assert is_fake_phone(phone)
        assert customer.phone_index == indexer.index_e164(phone).hex()
        numbers.append(phone)
    assert len(set(numbers)) == COUNT
    assert any(c.is_student for c in customers)
    assert any(c.birth_year is not None and c.birth_year >= NOW.year - 17 for c in customers)
    found = service.find_by_phone(numbers[0])  # the customer service finds them as any other
    assert found is not None and found.customer_id == customers[0].id
    dump = storage_bytes(database)
    for phone in numbers[:200]:
        assert phone.encode() not in dump and phone[3:].encode() not in dump


def test_the_same_seed_gives_the_same_people_and_a_second_run_adds_more(
    settings: Settings, database: Database, bank: int
) -> None:
    other = add_institution(database, code="bank-b", name="Bank B").id
    run(settings, database, bank)
    run(settings, database, other)
    assert attributes(database, bank) == attributes(database, other)
    run(settings, database, bank, seed=6)  # appends, with fresh numbers
    with tenant_session(database, bank) as session:
        assert session.scalar(select(func.count(Customer.id))) == 2 * COUNT
        campaigns = session.scalar(select(func.count(Campaign.id)))
    assert campaigns == 2  # outcomes of the second run join the same past campaigns
    assert attributes(database, bank)[COUNT:] != attributes(database, other)


def test_the_cli_generates_into_its_own_institution(settings: Settings, database: Database) -> None:
    state = CliState(home=settings.home)
    url = database.engine.url.render_as_string(hide_password=False)
    result = CliRunner().invoke(generate_command, ["--customers", "500", "--seed", "3"],
                                obj=state, env={"SMSGUARD_DATABASE_URL": url})  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.output.startswith("500 synthetic customers for synthetic-bank in ")
    assert "minors" in result.output and "students" in result.output
