"""Synthetic customers for tests, demos and the benchmark: never real people, stored for real.

:func:`generate` writes N customers into an institution: attributes drawn by
:mod:`smsguard.targeting.synthetic_people`, phone numbers from a range no subscriber can
hold (:func:`fake_phone`), encrypted with the institution's data key and indexed with its
blind indexer exactly as an import does (``DataKeyRing.encrypt_field``,
``BlindIndexer.index_e164``), consent rows with their evidence, a profile each, a few
complaints, a few numbers on the ``synthetic`` do-not-contact list (keyed index only) and the
outcomes of two past completed campaigns. Rows go in by bulk
(:mod:`smsguard.targeting.synthetic_store`), one transaction per block of 50,000 customers,
so five million take minutes. An interrupted run leaves whole blocks behind, never a
customer without its consent and profile.

**Fake numbers.** Every number is ``+86 154 xxxx xxxx``: the 154 segment of the mobile
numbering plan is not allocated to any operator (China Mobile, Unicom, Telecom, Broadnet or a
virtual operator), so none of these numbers reaches a subscriber. The eight digits are a
scrambled counter, unique within an institution across runs.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

import numpy as np
from sqlalchemy import func, select

from smsguard.customers.keystore import load_ring, tenant_label
from smsguard.errors import InputError
from smsguard.protect import BlindIndexer, DataKeyRing, MasterKeyProvider
from smsguard.protect.envelope import DEK_ID_BYTES
from smsguard.store import Database, tenant_session
from smsguard.store.complaint_models import Complaint
from smsguard.store.models import Consent, Customer
from smsguard.store.targeting_models import (
    CREDIT_BANDS,
    INCOME_BANDS,
    CampaignOutcome,
    CustomerProfile,
    DoNotContact,
)
from smsguard.targeting.synthetic_past import CAMPAIGN_NAMES, past_campaigns
from smsguard.targeting.synthetic_people import (
    BLOCK,
    INTERESTS,
    REGION_CODES,
    People,
    draw_block,
)
from smsguard.targeting.synthetic_store import BulkWriter, Row, writer_for

log = logging.getLogger(__name__)

FAKE_PREFIX = "+86154"
MAX_CUSTOMERS = 50_000_000
_SPREAD, _SHIFT, _SPACE = 48_271_237, 13_579_024, 10**8  # odd, not 5k: a bijection mod 10^8
SOURCE = "synthetic-generator"
PURPOSE = "loan_marketing"
_CUSTOMER_COLUMNS = ("id", "institution_id", "phone_index", "phone_ciphertext", "key_id",
                     "birth_year", "is_student", "created_at")  # fmt: skip
_CONSENT_COLUMNS = ("institution_id", "customer_id", "purpose", "status", "source", "evidence",
                    "recorded_at")  # fmt: skip
_PROFILE_COLUMNS = ("institution_id", "customer_id", "credit_band", "debt_ratio", "income_band",
                    "product_interest", "region", "last_active_at", "in_arrears", "declined_at",
                    "updated_at")  # fmt: skip
_COMPLAINT_COLUMNS = ("institution_id", "customer_id", "channel", "category", "status", "policy",
                      "round", "extensions", "received_at", "clock_started_at", "due_at",
                      "resolved_at", "closed_at", "created_at")  # fmt: skip
_DNC_COLUMNS = ("institution_id", "list_name", "phone_index", "reason", "added_by", "added_at")
DNC_LIST = "synthetic"
_OUTCOME_COLUMNS = ("institution_id", "campaign_id", "customer_id", "responded", "repaid",
                    "recorded_at")  # fmt: skip


def fake_phone(number: int) -> str:
    """The ``number``-th fake mobile number, E.164: ``+86154`` and eight scrambled digits."""
    return f"{FAKE_PREFIX}{(number * _SPREAD + _SHIFT) % _SPACE:08d}"


def is_fake_phone(e164: str) -> bool:
    """Whether an E.164 number lies in the generator's unallocated 154 range."""
    return e164.startswith(FAKE_PREFIX) and len(e164) == len(FAKE_PREFIX) + 8


@dataclass(frozen=True)
class GenerationSummary:
    """What one run wrote (counts), and how long it took."""

    customers: int
    minors: int
    students: int
    no_consent: int
    withdrawn: int
    in_arrears: int
    complaints: int
    do_not_contact: int
    outcomes: int
    campaigns: tuple[str, ...]
    seconds: float


@dataclass
class _Context:
    institution_id: int
    tenant: str
    ring: DataKeyRing
    key_id: str
    indexer: BlindIndexer
    first_number: int
    campaign_ids: tuple[int, ...]
    now: datetime
    days: list[datetime]  # now minus d days, by d


def generate(
    database: Database,
    institution_id: int,
    provider: MasterKeyProvider,
    indexer: BlindIndexer,
    *,
    customers: int,
    seed: int = 0,
    now: datetime | None = None,
    progress: Callable[[int], None] | None = None,
) -> GenerationSummary:
    """Write ``customers`` synthetic customers (see the module docs); deterministic by seed
    for everything but the ciphertexts' random nonces."""
    if not 1 <= customers <= MAX_CUSTOMERS:
        raise InputError(f"--customers must lie between 1 and {MAX_CUSTOMERS:,}")
    started = time.perf_counter()
    context = _prepare(database, institution_id, provider, indexer, now or datetime.now(UTC))
    writer = writer_for(database)
    with database.engine.begin() as connection:
        first_id = writer.reserve_ids(connection, customers)
    totals: dict[str, int] = {}
    # One thread draws and encrypts the next block while this one writes the current block:
    # the database works (and releases the GIL) while Python prepares rows.
    with ThreadPoolExecutor(max_workers=1) as pool:
        blocks = list(_blocks(customers))
        build = partial(_block, context, seed, first_id)
        pending = pool.submit(build, *blocks[0])
        for position, (block, size) in enumerate(blocks):
            people, tables = pending.result()
            if position + 1 < len(blocks):
                pending = pool.submit(build, *blocks[position + 1])
            _write(database, writer, tables, totals)
            _count(totals, people)
            if progress is not None:
                progress(block * BLOCK + size)
    with database.engine.begin() as connection:
        writer.finish(connection)
    seconds = time.perf_counter() - started
    log.info("institution %s: %d synthetic customers in %.1f s", context.tenant, customers, seconds)
    return _summary(totals, customers, seconds)


_Tables = list[tuple[Any, tuple[str, ...], list[Row]]]


def _block(
    context: _Context, seed: int, first_id: int, block: int, size: int
) -> tuple[People, _Tables]:
    """Block ``block``'s people and its rows for every table."""
    people = draw_block(seed, block, size, context.now.year)
    start = block * BLOCK
    ids = range(first_id + start, first_id + start + size)
    return people, list(_tables(context, people, ids, context.first_number + start))


def _write(database: Database, writer: BulkWriter, tables: _Tables, totals: dict[str, int]) -> None:
    """One block's rows, in one transaction."""
    with database.engine.begin() as connection:
        for table, columns, rows in tables:
            writer.write(connection, table, columns, rows)
            totals[table.name] = totals.get(table.name, 0) + len(rows)


def _blocks(customers: int) -> Iterator[tuple[int, int]]:
    for block in range(0, (customers + BLOCK - 1) // BLOCK):
        yield block, min(BLOCK, customers - block * BLOCK)


def _prepare(
    database: Database,
    institution_id: int,
    provider: MasterKeyProvider,
    indexer: BlindIndexer,
    now: datetime,
) -> _Context:
    tenant = tenant_label(institution_id)
    with tenant_session(database, institution_id) as session:
        ring = load_ring(session, provider, institution_id)  # creates the data key if needed
        first = session.scalar(select(func.count(Customer.id))) or 0
        campaign_ids = past_campaigns(session, now)
    probe = ring.encrypt_field("-", tenant=tenant, field="phone", record_id="0")
    key_id = probe[1 : 1 + DEK_ID_BYTES].hex()
    days = [now - timedelta(days=d) for d in range(1501)]
    return _Context(institution_id, tenant, ring, key_id, indexer, first, campaign_ids, now, days)


def _tables(
    context: _Context, people: People, ids: Sequence[int], offset: int
) -> Iterator[tuple[Any, tuple[str, ...], list[Row]]]:
    customers = _customers(context, people, ids, offset)
    yield Customer.__table__, _CUSTOMER_COLUMNS, customers
    yield DoNotContact.__table__, _DNC_COLUMNS, _listed(context, people, customers)
    yield Consent.__table__, _CONSENT_COLUMNS, _consents(context, people, ids)
    yield CustomerProfile.__table__, _PROFILE_COLUMNS, _profiles(context, people, ids)
    yield Complaint.__table__, _COMPLAINT_COLUMNS, _complaints(context, people, ids)
    yield CampaignOutcome.__table__, _OUTCOME_COLUMNS, _outcomes(context, people, ids)


def _customers(context: _Context, people: People, ids: Sequence[int], offset: int) -> list[Row]:
    """Customer rows, each phone encrypted for its row id and indexed with the HMAC."""
    seal, index = context.ring.encrypt_field, context.indexer.index_e164
    tenant, institution, key_id, now = (
        context.tenant,
        context.institution_id,
        context.key_id,
        context.now,
    )
    birth_years, students = people.birth_year.tolist(), people.is_student.tolist()
    rows: list[Row] = []
    for position, customer_id in enumerate(ids):
        phone = fake_phone(offset + position)
        cipher = seal(phone, tenant=tenant, field="phone", record_id=str(customer_id))
        year = birth_years[position] or None
        rows.append((customer_id, institution, index(phone).hex(), cipher, key_id, year,
                     students[position], now))  # fmt: skip
    return rows


def _listed(context: _Context, people: People, customers: list[Row]) -> list[Row]:
    """Do-not-contact rows (keyed index only) for the customers drawn onto the list."""
    institution, now = context.institution_id, context.now
    return [
        (institution, DNC_LIST, customers[position][2], "synthetic: asked not to be called",
         SOURCE, now)
        for position in np.flatnonzero(people.on_dnc).tolist()
    ]  # fmt: skip


def _consents(context: _Context, people: People, ids: Sequence[int]) -> list[Row]:
    days, institution = context.days, context.institution_id
    rows: list[Row] = []
    states = people.consent.tolist()
    granted, withdrawn = people.consent_days.tolist(), people.withdrawn_days.tolist()
    for position, customer_id in enumerate(ids):
        if states[position] == 0:
            continue
        evidence = f"synthetic consent form {customer_id}"
        rows.append((institution, customer_id, PURPOSE, "granted", SOURCE, evidence,
                     days[granted[position]]))  # fmt: skip
        if states[position] == 2:
            rows.append((institution, customer_id, PURPOSE, "withdrawn", SOURCE,
                         "synthetic opt-out reply", days[withdrawn[position]]))  # fmt: skip
    return rows


def _profiles(context: _Context, people: People, ids: Sequence[int]) -> list[Row]:
    days, institution, now = context.days, context.institution_id, context.now
    credit, income = people.credit.tolist(), people.income.tolist()
    debt, region, interest = (
        people.debt_ratio.tolist(),
        people.region.tolist(),
        people.interest.tolist(),
    )
    active, declined = people.active_days.tolist(), people.declined_days.tolist()
    arrears = people.in_arrears.tolist()
    return [
        (institution, customer_id, CREDIT_BANDS[credit[i]], debt[i], INCOME_BANDS[income[i]],
         INTERESTS[interest[i]] or None, REGION_CODES[region[i]], _day(days, active[i]),
         arrears[i], _day(days, declined[i]), now)
        for i, customer_id in enumerate(ids)
    ]  # fmt: skip


def _day(days: list[datetime], count: int) -> datetime | None:
    return None if count < 0 else days[count]


def _complaints(context: _Context, people: People, ids: Sequence[int]) -> list[Row]:
    days, institution = context.days, context.institution_id
    rows: list[Row] = []
    for position, count in enumerate(people.complaint_days.tolist()):
        if count < 0:
            continue
        received = days[count]
        closed = received + timedelta(days=min(10, count))
        rows.append((institution, ids[position], "sms", "sms_marketing", "closed", {}, 1, 0,
                     received, received, received + timedelta(days=15), closed, closed,
                     received))  # fmt: skip
    return rows


def _outcomes(context: _Context, people: People, ids: Sequence[int]) -> list[Row]:
    institution, now = context.institution_id, context.now
    rows: list[Row] = []
    for campaign_id, responded, repaid in zip(
        context.campaign_ids, people.responded, people.repaid, strict=True
    ):
        answered, paid = responded.tolist(), repaid.tolist()
        for position, value in enumerate(answered):
            if value < 0:
                continue
            outcome = None if paid[position] < 0 else bool(paid[position])
            rows.append((institution, campaign_id, ids[position], bool(value), outcome, now))
    return rows


def _count(totals: dict[str, int], people: People) -> None:
    known = people.birth_year > 0
    for key, value in (
        ("minors", int((known & (people.age < 18)).sum())),
        ("students", int(people.is_student.sum())),
        ("no_consent", int((people.consent == 0).sum())),
        ("withdrawn", int((people.consent == 2).sum())),
        ("in_arrears", int(people.in_arrears.sum())),
    ):
        totals[key] = totals.get(key, 0) + value


def _summary(totals: dict[str, int], customers: int, seconds: float) -> GenerationSummary:
    return GenerationSummary(
        customers=customers,
        minors=totals.get("minors", 0),
        students=totals.get("students", 0),
        no_consent=totals.get("no_consent", 0),
        withdrawn=totals.get("withdrawn", 0),
        in_arrears=totals.get("in_arrears", 0),
        complaints=totals.get("complaints", 0),
        do_not_contact=totals.get("do_not_contact", 0),
        outcomes=totals.get("campaign_outcomes", 0),
        campaigns=CAMPAIGN_NAMES,
        seconds=seconds,
    )
