"""The demo system behind ``make serve``: one fictional bank with staff, customers and campaigns.

:func:`write_home_files` writes the demo's settings, provider options and sender profile
under home (each only when absent, so an operator's own files are never overwritten), and
:func:`seed` fills the database: keys, schema, the institution 示例银行 (``demo-bank``),
a user per role with a fixed demo password, ~200 synthetic customers with marketing
profiles (a few on a do-not-contact list), templates in every state, a running campaign
the service's worker sends, and a second one awaiting approval.

Every step first looks for what it would create and leaves existing things alone, so a
second run changes nothing and reports the same. See docs/serve.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from importlib import resources
from pathlib import Path

from sqlalchemy import func, select

from smsguard.demo import workflow
from smsguard.demo.people import DNC_LIST, demo_people
from smsguard.settings import Settings
from smsguard.store import Database, tenant_session
from smsguard.store.models import Customer, Institution, User

CODE = "demo-bank"
NAME = "示例银行"
SENDER_FILE = "demo-bank-sender.yaml"


@dataclass(frozen=True)
class DemoUser:
    """A demo login: username, roles, the fixed demo password, what they do."""

    username: str
    roles: tuple[str, ...]
    password: str
    does: str


USERS = (
    DemoUser("mia", ("marketer",), "demo-mia-2026", "writes templates, starts campaigns"),
    DemoUser("olga", ("compliance_officer",), "demo-olga-2026", "approves (certified)"),
    DemoUser("otto", ("compliance_officer",), "demo-otto-2026", "approves (certified)"),
    DemoUser("ada", ("auditor",), "demo-ada-2026", "reads the audit trail"),
    DemoUser("rex", ("regulator",), "demo-rex-2026", "reads reports"),
    DemoUser("root", ("admin",), "demo-root-2026", "users, API keys"),
)

SETTINGS_TEXT = """\
# Written by `smsguard demo` for the demo only (docs/serve.md); delete it for real use.
# The demo must send at any hour, so the allowed sending window covers the whole day
# (00:00 to 23:59:59; an exactly full window is refused as ambiguous). Real deployments
# keep the default 08:00-20:00 window (docs/configuration.md, quiet_hours_*).
quiet_hours_start: "00:00"
quiet_hours_end: "23:59:59"
# Visitors start campaigns of their own to the same demo customers the seeded campaign has
# already reached; the default cap (one marketing SMS per customer a day) would hold their
# messages until tomorrow. Real deployments keep the default (frequency_cap_*).
frequency_cap_messages: 20
# The demo bank's signature, hotline and domain, so its marketing screens `pass`.
sender_profile: "{sender}"
"""

PROVIDER_TEXT = """\
# Written by `smsguard demo`: the simulated provider (nothing leaves this machine). A few
# recipients reply 退订 (opt-out) or 投诉 (complaint) so the dashboard shows both; some
# messages are reported undelivered. Fixed seed: every demo behaves the same.
seed: 7
latency_ms: 20
undelivered: 0.03
opt_out_reply: 0.04
complaint_reply: 0.02
"""


@dataclass(frozen=True)
class DemoSummary:
    """What the demo database holds, for the command to print."""

    customers: int
    students: int
    minors: int
    withdrawn: int
    profiles: int
    in_arrears: int
    over_debt_limit: int
    do_not_contact: int
    templates: list[tuple[str, str]]
    campaigns: list[workflow.CampaignLine]
    log_storage: str


def write_home_files(home: Path) -> list[Path]:
    """Write the demo's settings, provider options and sender profile where none exist."""
    home.mkdir(parents=True, exist_ok=True)
    sender = home / SENDER_FILE
    profile = resources.files("smsguard.demo").joinpath("senders", "demo-bank.yaml")
    wanted = {
        sender: profile.read_text("utf-8"),
        home / "settings.yaml": SETTINGS_TEXT.format(sender=sender.resolve()),
        home / "provider.yaml": PROVIDER_TEXT,
    }
    written = []
    for path, text in wanted.items():
        if not path.exists():
            path.write_text(text, encoding="utf-8")
            written.append(path)
    return written


def seed(settings: Settings) -> DemoSummary:
    """Create whatever of the demo is missing (keys, schema, institution, people, work)."""
    from smsguard.bootstrap import build_database
    from smsguard.store import upgrade

    ensure_keys(settings)
    database = build_database(settings)
    try:
        upgrade(database)
        institution_id = _institution(database)
        _users(database, institution_id)
        _customers(settings, database, institution_id)
        _do_not_contact(settings, database, institution_id)
        _log(settings, database, institution_id)
        workflow.seed_work(settings, database, institution_id)
        return _summary(settings, database, institution_id)
    finally:
        database.dispose()


def ensure_keys(settings: Settings) -> None:
    """The master and index key files (mode 0600), created only when missing."""
    from smsguard.protect import generate_key_file

    for path in (settings.effective_master_key_file, settings.effective_index_key_file):
        if not path.exists():
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            generate_key_file(path)


def _institution(database: Database) -> int:
    from smsguard.store.institutions import add_institution

    with database.transaction() as session:
        found = session.scalar(select(Institution.id).where(Institution.code == CODE))
    return found if found is not None else add_institution(database, code=CODE, name=NAME).id


def _users(database: Database, institution_id: int) -> None:
    from smsguard.governance.credentials import set_password
    from smsguard.governance.users import add_user

    with tenant_session(database, institution_id) as session:
        existing = set(session.scalars(select(User.username)))
    certified = date.today() + timedelta(days=365)
    for user in USERS:
        if user.username in existing:
            continue
        officer = "compliance_officer" in user.roles
        add_user(database, institution=CODE, username=user.username, roles=user.roles,
                 certified_until=certified if officer else None)  # fmt: skip
        set_password(database, institution_id, user.username, user.password)


def _customers(settings: Settings, database: Database, institution_id: int) -> None:
    from smsguard.bootstrap import build_customer_service

    if _customer_count(database, institution_id):
        return
    people = demo_people()
    service = build_customer_service(settings, database, institution_id)
    service.import_customers(people.rows)
    for number in people.withdrawn:
        service.withdraw(number, source="demo-call-centre", evidence="demo call recording")


def _do_not_contact(settings: Settings, database: Database, institution_id: int) -> None:
    """The demo's do-not-contact list (by olga), unless it is there already."""
    from smsguard.bootstrap import build_blind_indexer
    from smsguard.governance.users import active_user
    from smsguard.targeting import dnc

    indexer = build_blind_indexer(settings, institution_id)
    numbers = list(enumerate(demo_people().do_not_contact, start=1))
    with tenant_session(database, institution_id) as session:
        if dnc.counts(session).get(DNC_LIST):
            return
        olga = active_user(session, "olga")
        indexes = dnc.index_numbers(indexer, numbers)
        dnc.add(
            session, olga, DNC_LIST, indexes, reason="demo: asked the call centre never to call"
        )


def _targeting_counts(settings: Settings, database: Database, institution_id: int) -> list[int]:
    """Profiles, in arrears, over the debt limit, on a do-not-contact list (from the database)."""
    from smsguard.store.targeting_models import CustomerProfile, DoNotContact
    from smsguard.targeting.policy import policy_for

    limit = policy_for(settings).max_debt_ratio
    with tenant_session(database, institution_id) as session:
        queries = (
            select(func.count(CustomerProfile.id)),
            select(func.count(CustomerProfile.id)).where(CustomerProfile.in_arrears.is_(True)),
            select(func.count(CustomerProfile.id)).where(CustomerProfile.debt_ratio > limit),
            select(func.count(DoNotContact.id)),
        )
        return [session.scalar(query) or 0 for query in queries]


def _customer_count(database: Database, institution_id: int) -> int:
    with tenant_session(database, institution_id) as session:
        return session.scalar(select(func.count(Customer.id))) or 0


def _log(settings: Settings, database: Database, institution_id: int) -> None:
    """The institution's transparency log and signing key (``smsguard log init``)."""
    from smsguard.tlog.log import create_local_log, local_paths

    if settings.log_storage == "database":
        from smsguard.trace.db_store import DatabaseTileStore, load_or_create_signer

        load_or_create_signer(settings.home, CODE, DatabaseTileStore(database, institution_id))
    elif not local_paths(settings.home, CODE)[1].exists():
        create_local_log(settings.home, CODE)


def _summary(settings: Settings, database: Database, institution_id: int) -> DemoSummary:
    people = demo_people()
    profiles, arrears, over_limit, listed = _targeting_counts(settings, database, institution_id)
    return DemoSummary(
        customers=_customer_count(database, institution_id),
        students=people.students,
        minors=people.minors,
        withdrawn=len(people.withdrawn),
        profiles=profiles,
        in_arrears=arrears,
        over_debt_limit=over_limit,
        do_not_contact=listed,
        templates=workflow.template_states(database, institution_id),
        campaigns=workflow.campaign_lines(database, institution_id),
        log_storage=settings.log_storage,
    )


def sending_allowed_now(settings: Settings) -> bool:
    """Whether the configured window allows marketing right now (the demo wants it to)."""
    from smsguard.bootstrap import build_send_rules

    return build_send_rules(settings).quiet.allows(datetime.now(UTC))
