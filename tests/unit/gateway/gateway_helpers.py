"""A small bank for the gateway tests: staff, customers with consent, an approved campaign.

Everything runs on both storage backends (the ``database`` fixture of tests/unit/conftest.py)
with a clock the tests move by hand, so quiet hours, caps, leases and backoff are exact.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).parents[1] / "customers"))
sys.path.insert(0, str(Path(__file__).parents[1] / "targeting"))
from customer_rows import numbered, row
from targeting_world import give_profiles

from smsguard.bootstrap import build_customer_service, build_send_rules
from smsguard.customers import CustomerService
from smsguard.gateway.enqueue import Enqueuer
from smsguard.gateway.events import GatewayEvents
from smsguard.gateway.providers.base import Provider
from smsguard.gateway.providers.simulated import SimulatedProvider
from smsguard.gateway.service import Gateway
from smsguard.gateway.worker import Worker, WorkerOptions
from smsguard.governance import campaigns, templates
from smsguard.protect import BlindIndexer, FileKeyProvider, generate_key_file
from smsguard.protect.keys import read_key_file
from smsguard.screening.engine import Screener
from smsguard.settings import Settings
from smsguard.store import Database, tenant_session
from smsguard.store.institutions import add_institution
from smsguard.store.models import Customer, User
from smsguard.store.targeting_models import CampaignAudience
from smsguard.store.workflow_models import Campaign
from smsguard.trace.recorder import LocalMessageLog
from smsguard.trace.stamp import Tracer

# 10:00 in Shanghai on a weekday: inside the default 08:00-20:00 sending window.
MORNING = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
BODY = "【某银行】{name}您好，您的账单{amount}已出，请于{due:date}前还款。回复TD退订"
VALUES = {"amount": "1000元", "due": "2026-12-15"}
# Adults with consent, then the ones the planner must refuse.
GOOD = {"13800000001": "王芳", "13800000002": "李雷", "13800000003": "韩梅梅"}
STUDENT, MINOR, WITHDRAWN = "13800000004", "13800000005", "13800000006"


@dataclass
class Clock:
    """A clock that only moves when a test moves it."""

    now: datetime = MORNING

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class Bank:
    database: Database
    settings: Settings
    institution_id: int
    screener: Screener
    clock: Clock
    customers: CustomerService
    gateway: Gateway
    campaign_id: int
    version_id: int
    provider: SimulatedProvider = field(default_factory=SimulatedProvider)

    def worker(self, provider: Provider | None = None, **options: object) -> Worker:
        provider = provider or self.provider
        return Worker(
            self.database,
            self.institution_id,
            provider,
            FileKeyProvider(self.settings.effective_master_key_file),
            self.events(provider.name),
            WorkerOptions(**options),  # type: ignore[arg-type]
            clock=self.clock,
            tracer=Tracer("bank-a", LocalMessageLog(self.settings.home, "bank-a")),
        )

    def events(self, provider_name: str = "simulated") -> GatewayEvents:
        return GatewayEvents(
            self.database,
            self.institution_id,
            provider_name=provider_name,
            customers=self.customers,
            keys=FileKeyProvider(self.settings.effective_master_key_file),
            indexer=indexer(self.settings, self.institution_id),
            clock=self.clock,
        )


def midday_zone() -> str:
    """A fixed-offset zone where it is now about 13:00, so the real clock is never in quiet
    hours for tests and benchmarks that run worker processes on wall-clock time."""
    offset = (13 - datetime.now(UTC).hour + 12) % 24 - 12
    # Etc/GMT signs are inverted: Etc/GMT-8 is UTC+8.
    return "UTC" if offset == 0 else f"Etc/GMT{'-' if offset > 0 else '+'}{abs(offset)}"


def indexer(settings: Settings, institution_id: int) -> BlindIndexer:
    keys, active = read_key_file(settings.effective_index_key_file)
    return BlindIndexer.for_tenant(keys[active], str(institution_id))


def import_rows(*, at_approval: bool = False) -> list[tuple[int, dict[str, str]]]:
    """The bank's customers; ``at_approval`` gives them as they were when the campaign was
    approved (all eligible adults), before one became a student and one's birth year was
    corrected to a minor's: the gateway must still refuse them (defence in depth)."""
    rows = [row(phone, name=name) for phone, name in GOOD.items()]
    rows += [
        row(STUDENT, name="赵同学", is_student="no" if at_approval else "yes"),
        row(MINOR, name="钱小小", birth_year="1990" if at_approval else "2012"),
        row(WITHDRAWN, name="孙不要"),
    ]
    return numbered(*rows)  # type: ignore[return-value]


def staff(database: Database, institution_id: int) -> None:
    expires = MORNING + timedelta(days=365)
    with tenant_session(database, institution_id) as session:
        session.add(User(username="mia", display_name="mia", roles=["marketer"]))
        session.add(User(username="olga", display_name="olga", roles=["compliance_officer"],
                         certification_expires_at=expires))  # fmt: skip


def approved_campaign(
    database: Database, institution_id: int, screener: Screener, *, name: str = "december",
    body: str = BODY, rate: int = 600, audience: dict[str, object] | None = None,
    starts_at: datetime = MORNING,
) -> tuple[int, int]:  # fmt: skip
    """(campaign id, version id) of an approved campaign using an approved template.

    Customers without a targeting profile get a benign one first: approval freezes the
    audience, and a customer without a profile is excluded (docs/targeting.md)."""
    give_profiles(database, institution_id)
    with tenant_session(database, institution_id) as session:
        mia = session.scalars(select(User).where(User.username == "mia")).one()
        olga = session.scalars(select(User).where(User.username == "olga")).one()
        version = templates.create_draft(session, mia, f"t-{name}", body)
        templates.screen_version(session, mia, version.id, screener)
        templates.submit(session, mia, version.id)
        templates.approve(session, olga, version.id)
        campaign = campaigns.create(
            session, mia, name=name, template_version_id=version.id,
            audience=audience or {"all": True}, starts_at=starts_at,
            rate_limit_per_minute=rate, variables=VALUES,
        )  # fmt: skip
        campaigns.approve(session, olga, campaign.id)
        return campaign.id, version.id


def make_bank(tmp_path: Path, database: Database, screener: Screener) -> Bank:
    home = tmp_path / "home"
    (home / "keys").mkdir(parents=True)
    settings = Settings(home=home, database_url=database.engine.url.render_as_string(False))
    generate_key_file(settings.effective_master_key_file)
    generate_key_file(settings.effective_index_key_file)
    institution_id = add_institution(database, code="bank-a", name="Bank A").id
    staff(database, institution_id)
    clock = Clock()
    customers = build_customer_service(settings, database, institution_id)
    customers.import_customers(import_rows(at_approval=True))
    enqueuer = Enqueuer(
        database, institution_id, FileKeyProvider(settings.effective_master_key_file),
        lambda texts: screener.screen_many(texts), build_send_rules(settings),
    )  # fmt: skip
    gateway = Gateway(database, institution_id, enqueuer, indexer(settings, institution_id), clock)
    campaign_id, version_id = approved_campaign(database, institution_id, screener)
    customers.import_customers(import_rows())  # what changed after the approval
    customers.withdraw(WITHDRAWN, source="call-centre", evidence="call 7781")
    bank = Bank(database, settings, institution_id, screener, clock, customers, gateway,
                campaign_id, version_id)  # fmt: skip
    return bank


def widen_audience(bank: Bank, campaign_id: int | None = None) -> None:
    """Add every customer not in the campaign's frozen audience to it, as if they had been
    eligible when it was approved (for tests that need volume, or the gateway's own send-time
    refusals; an approved audience never grows in real use). Default: the bank's campaign."""
    campaign_id = campaign_id or bank.campaign_id
    with tenant_session(bank.database, bank.institution_id) as session:
        members = select(CampaignAudience.customer_id).where(
            CampaignAudience.campaign_id == campaign_id
        )
        new = list(session.scalars(select(Customer.id).where(Customer.id.not_in(members))))
        session.add_all(CampaignAudience(campaign_id=campaign_id, customer_id=c) for c in new)
        campaign = session.get(Campaign, campaign_id)
        assert campaign is not None
        campaign.audience_size = (campaign.audience_size or 0) + len(new)
