"""Customers: import with consent (JSON rows or a CSV/TSV upload), withdraw consent, and ask
whether a number may be marketed to.

Numbers, names and ID numbers go in but never come back out: every answer carries at most the
masked number, and the may-market check answers yes or no with the reason, nothing about the
customer. Importing validates every row first and stores all or none of them
(:class:`smsguard.customers.CustomerService`), exactly as the CLI's import does.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, UploadFile
from pydantic import BaseModel, Field

from smsguard.api.security import Services, permit
from smsguard.api.types import Body
from smsguard.consent.policy import LOAN_MARKETING
from smsguard.customers.rows import RawRow, table_from_bytes
from smsguard.errors import InputError
from smsguard.governance.credentials import Identity
from smsguard.protect import mask_phone, normalise_phone

router = APIRouter(tags=["customers"])
Import = Annotated[Identity, Depends(permit("customer.import"))]
Withdraw = Annotated[Identity, Depends(permit("consent.withdraw"))]
Check = Annotated[Identity, Depends(permit("consent.read"))]

MAX_ROWS = 10_000  # per JSON request; larger imports go as a file
MAX_UPLOAD_BYTES = 50 * 1024 * 1024


class CustomerIn(Body):
    """One row, with the columns of the CSV import."""

    phone: str = Field(min_length=1, max_length=32)
    name: str | None = Field(None, max_length=100)
    id_number: str | None = Field(None, max_length=32)
    birth_year: int | None = None
    is_student: bool = False
    consent_purpose: str = Field(min_length=1, max_length=64)
    consent_source: str = Field(min_length=1, max_length=100)
    consent_evidence: str = Field(min_length=1, max_length=2000)
    consent_at: str = Field(
        min_length=1, max_length=64, description="ISO 8601 with a UTC offset, not in the future"
    )
    # The marketing profile (docs/targeting-data.md): optional, but a row that gives any of
    # these must give credit_band, debt_ratio, income_band and region.
    credit_band: str | None = Field(None, max_length=1, description="A (best) to E")
    debt_ratio: float | None = Field(None, description="Monthly debt service / income, >= 0")
    income_band: str | None = Field(
        None, max_length=16, description="low, lower-middle, middle, upper-middle or high"
    )
    product_interest: str | None = Field(None, max_length=32)
    region: str | None = Field(None, max_length=2, description="GB/T 2260 province code")
    last_active_at: str | None = Field(None, max_length=64, description="ISO 8601, UTC offset")
    in_arrears: bool | None = None
    declined_at: str | None = Field(None, max_length=64, description="ISO 8601, UTC offset")


class ImportRequest(Body):
    customers: list[CustomerIn] = Field(
        min_length=1, max_length=MAX_ROWS, description="Errors name a row as 'line N', from 1"
    )


class ImportOut(BaseModel):
    inserted: int
    updated: int


class WithdrawRequest(Body):
    phone: str = Field(min_length=1, max_length=32)
    source: str = Field(min_length=1, max_length=100, description="Where it came from")
    evidence: str = Field(min_length=1, max_length=2000, description="e.g. the call's reference")
    purposes: list[str] = Field(
        default_factory=list, max_length=50, description="Empty: every purpose on record"
    )


class WithdrawOut(BaseModel):
    masked_phone: str
    withdrawn: list[str]


class CheckRequest(Body):
    phone: str = Field(min_length=1, max_length=32)
    purpose: str = Field(LOAN_MARKETING, min_length=1, max_length=64)


class CheckOut(BaseModel):
    masked_phone: str
    purpose: str
    allowed: bool
    reason: str


def _raw(row: CustomerIn) -> dict[str, str]:
    """The row as the CSV reader would have produced it, so both ways share one parser."""
    cells = row.model_dump()
    cells["birth_year"] = "" if row.birth_year is None else str(row.birth_year)
    cells["is_student"] = "yes" if row.is_student else "no"
    if row.in_arrears is not None:
        cells["in_arrears"] = "yes" if row.in_arrears else "no"
    if row.debt_ratio is not None:
        cells["debt_ratio"] = repr(row.debt_ratio)
    return {key: "" if value is None else str(value) for key, value in cells.items()}


def _import(services: Services, caller: Identity, rows: list[RawRow]) -> ImportOut:
    summary = services.customers(caller.institution_id).import_customers(rows)
    return ImportOut(inserted=summary.inserted, updated=summary.updated)


@router.post(
    "/customers/import",
    response_model=ImportOut,
    summary="Import customers with their consent (all rows or none)",
)
def import_rows(body: ImportRequest, services: Services, caller: Import) -> ImportOut:
    rows: list[RawRow] = [(line, _raw(row)) for line, row in enumerate(body.customers, start=1)]
    return _import(services, caller, rows)


@router.post(
    "/customers/import/file",
    response_model=ImportOut,
    summary="Import a CSV or TSV file of customers (the CLI's format)",
)
def import_file(
    file: Annotated[UploadFile, File(description="UTF-8 CSV/TSV with a header line")],
    services: Services,
    caller: Import,
) -> ImportOut:
    data = file.file.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise InputError(f"a customer file may hold at most {MAX_UPLOAD_BYTES // 2**20} MB")
    return _import(services, caller, table_from_bytes(data, file.filename or "upload"))


@router.post(
    "/customers/withdrawals",
    response_model=WithdrawOut,
    status_code=201,
    summary="Record a consent withdrawal for a phone number",
)
def withdraw(body: WithdrawRequest, services: Services, caller: Withdraw) -> WithdrawOut:
    withdrawn = services.customers(caller.institution_id).withdraw(
        body.phone,
        source=body.source,
        evidence=body.evidence,
        purposes=body.purposes,
        actor=caller.username,
    )
    return WithdrawOut(masked_phone=mask_phone(normalise_phone(body.phone)), withdrawn=withdrawn)


@router.post(
    "/customers/may-market",
    response_model=CheckOut,
    summary="May this number be marketed to for a purpose? (yes/no and why)",
)
def may_market(body: CheckRequest, services: Services, caller: Check) -> CheckOut:
    # POST, not GET: a number in a query string ends up in access logs and browser history.
    decision = services.customers(caller.institution_id).may_market(body.phone, body.purpose)
    return CheckOut(
        masked_phone=mask_phone(normalise_phone(body.phone)),
        purpose=body.purpose,
        allowed=decision.allowed,
        reason=decision.reason,
    )
