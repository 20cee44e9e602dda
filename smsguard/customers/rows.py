"""Customer import rows: read a CSV/TSV file and validate every row before anything is stored.

Besides the phone, identity and consent columns a row may carry the customer's marketing
profile (credit_band, debt_ratio, income_band, region, …; smsguard/targeting/profiles.py).

Validation happens up front and in full, so a bad row is reported by line number before the
import transaction even opens. Each message names the line and, at most, the masked phone
number: error messages end up in terminals and logs, which are no place for a customer's
number, name or ID number.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from smsguard.errors import InputError
from smsguard.protect import mask_phone, normalise_phone
from smsguard.targeting.profiles import PROFILE_COLUMNS, ProfileRow, parse_profile

REQUIRED_COLUMNS = ("phone", "consent_purpose", "consent_source", "consent_evidence", "consent_at")
OPTIONAL_COLUMNS = ("name", "id_number", "birth_year", "is_student", *PROFILE_COLUMNS)
_TRUE = frozenset({"1", "true", "yes", "y"})
_FALSE = frozenset({"", "0", "false", "no", "n"})
_FIRST_BIRTH_YEAR = 1900

RawRow = tuple[int, Mapping[str, str]]


@dataclass(frozen=True)
class CustomerRow:
    """One validated row: E.164 phone, optional identity fields and the consent it grants."""

    line: int
    phone: str = field(repr=False)
    name: str | None = field(repr=False)
    id_number: str | None = field(repr=False)
    birth_year: int | None
    is_student: bool
    consent_purpose: str
    consent_source: str
    consent_evidence: str
    consent_at: datetime
    profile: ProfileRow | None = None  # the marketing profile, when the row gives one


def read_table(path: Path) -> list[RawRow]:
    """Rows of a CSV or TSV file (tab-separated when the header holds a tab) with line numbers."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return _table(handle, str(path))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise InputError(f"cannot read customer file {path}: {type(exc).__name__}") from exc


def table_from_bytes(data: bytes, source: str = "upload") -> list[RawRow]:
    """Rows of a CSV or TSV file already in memory (an HTTP upload), read as ``read_table``
    reads a file, so both ways in accept exactly the same files."""
    try:
        text = data.decode("utf-8-sig")
        return _table(io.StringIO(text, newline=""), source)
    except (UnicodeDecodeError, csv.Error) as exc:
        raise InputError(f"cannot read customer file {source}: {type(exc).__name__}") from exc


def _table(handle: TextIO, source: str) -> list[RawRow]:
    header = handle.readline()
    handle.seek(0)
    reader = csv.DictReader(handle, delimiter="\t" if "\t" in header else ",")
    missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise InputError(f"{source}: missing column(s) {', '.join(missing)}")
    return [(reader.line_num, dict(row)) for row in reader]


def parse_rows(raw_rows: Iterable[RawRow], now: datetime | None = None) -> list[CustomerRow]:
    """Every row validated; InputError naming the first bad line, its phone masked."""
    now = now or datetime.now(UTC)
    return [_parse(line, raw, now) for line, raw in raw_rows]


def _parse(line: int, raw: Mapping[str, str], now: datetime) -> CustomerRow:
    phone_text = _cell(raw, "phone")
    try:
        phone = normalise_phone(phone_text)
    except InputError as exc:
        raise InputError(f"line {line}: {exc.message}") from None
    where = f"line {line} ({mask_phone(phone)})"
    try:
        return CustomerRow(
            line=line,
            phone=phone,
            name=_cell(raw, "name") or None,
            id_number=_cell(raw, "id_number") or None,
            birth_year=_birth_year(_cell(raw, "birth_year"), now),
            is_student=_flag(_cell(raw, "is_student")),
            consent_purpose=_required(raw, "consent_purpose"),
            consent_source=_required(raw, "consent_source"),
            consent_evidence=_required(raw, "consent_evidence"),
            consent_at=_instant(_required(raw, "consent_at"), now),
            profile=parse_profile(raw, now),
        )
    except InputError as exc:
        raise InputError(f"{where}: {exc.message}") from None


def _cell(raw: Mapping[str, str], name: str) -> str:
    return (raw.get(name) or "").strip()


def _required(raw: Mapping[str, str], name: str) -> str:
    value = _cell(raw, name)
    if not value:
        raise InputError(f"{name} is empty")
    return value


def _birth_year(text: str, now: datetime) -> int | None:
    if not text:
        return None
    if not text.isdigit() or not _FIRST_BIRTH_YEAR <= int(text) <= now.year:
        raise InputError(f"birth_year must be a year between {_FIRST_BIRTH_YEAR} and {now.year}")
    return int(text)


def _flag(text: str) -> bool:
    lowered = text.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise InputError("is_student must be true or false")


def _instant(text: str, now: datetime) -> datetime:
    """An ISO 8601 time with a UTC offset, not in the future: consent proof needs a real time."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        example = "2025-01-31T09:30:00+08:00"
        raise InputError(f"consent_at must be an ISO 8601 time, e.g. {example}") from None
    if value.tzinfo is None:
        raise InputError("consent_at needs a UTC offset (e.g. +08:00)")
    if value > now:
        raise InputError("consent_at lies in the future")
    return value.astimezone(UTC)
