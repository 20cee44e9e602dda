"""Do-not-contact lists: numbers an institution must never market to, kept only as keyed index.

A number put on a list is normalised exactly as a customer's phone is (``normalise_phone``)
and indexed with the institution's blind indexer, the same HMAC as ``customers.phone_index``,
so a listed number matches its customer without the number ever being stored: the table
holds list name, index, reason, who and when. A number on a list need not be a customer
(yet); it is excluded as soon as a customer with that number appears.

Every change is one transaction with its audit row (``dnc.added``, ``dnc.removed``), which
names the list, the actor, the reason and how many numbers changed, never a number or an
index. Adding or importing needs the right to record a withdrawal (``consent.withdraw``);
taking a number off a list lets marketing reach it again, so only a compliance officer or an
admin may.
"""

from __future__ import annotations

import csv
import io
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from smsguard.errors import InputError, PermissionDenied
from smsguard.governance.roles import Role, require, roles_of
from smsguard.protect import BlindIndexer, normalise_phone
from smsguard.store.models import AuditEvent, User
from smsguard.store.targeting_models import DoNotContact

log = logging.getLogger(__name__)

_LIST_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
MAX_REASON = 200
_REMOVERS = frozenset({Role.COMPLIANCE_OFFICER, Role.ADMIN})
_CHUNK = 500  # index values per IN (...) query


@dataclass(frozen=True)
class DncChange:
    """What one add, import or remove did to one list."""

    list_name: str
    changed: int  # numbers added (or removed)
    unchanged: int  # already on the list (or not on it)


def check_list_name(name: str) -> str:
    """The list name if valid: lower-case letters, digits, ``.``, ``_``, ``-``; 1-64 long."""
    if not _LIST_NAME.fullmatch(name):
        raise InputError(f"list name {name!r} must be 1-64 characters of a-z, 0-9, '.', '_' or '-'")
    return name


def index_numbers(indexer: BlindIndexer, numbers: Sequence[tuple[int, str]]) -> list[str]:
    """Hex index values of (line, number) pairs, in order, without duplicates; a bad number
    is an InputError naming its line (the number shown only as its first three digits)."""
    seen: dict[str, None] = {}
    for line, raw in numbers:
        try:
            e164 = normalise_phone(raw)
        except InputError as exc:
            raise InputError(f"line {line}: {exc.message}") from None
        seen.setdefault(indexer.index_e164(e164).hex(), None)
    return list(seen)


def read_numbers(path: Path) -> list[tuple[int, str]]:
    """(line, number) pairs of a file: a CSV/TSV whose header has a ``phone`` column, or one
    number a line (blank lines and lines starting with ``#`` skipped)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read number file {path}: {type(exc).__name__}") from exc
    lines = text.splitlines()
    header = lines[0] if lines else ""
    if "phone" in re.split(r"[,\t]", header.strip().lower()):
        reader = csv.DictReader(
            io.StringIO(text, newline=""), delimiter="\t" if "\t" in header else ","
        )
        return [(reader.line_num, (row.get("phone") or "")) for row in reader]
    return [
        (number, line.strip())
        for number, line in enumerate(lines, start=1)
        if line.strip() and not line.lstrip().startswith("#")
    ]


def add(
    session: Session,
    actor: User,
    list_name: str,
    indexes: Iterable[str],
    *,
    reason: str,
) -> DncChange:
    """Put index values on a list (those already on it are left alone), audited."""
    require(actor, "consent.withdraw")
    list_name, reason = check_list_name(list_name), _reason(reason)
    wanted = list(dict.fromkeys(indexes))
    present = _present(session, list_name, wanted)
    new = [value for value in wanted if value not in present]
    session.add_all(
        DoNotContact(list_name=list_name, phone_index=value, reason=reason, added_by=actor.username)
        for value in new
    )
    change = DncChange(list_name, len(new), len(wanted) - len(new))
    session.add(_event(actor, "dnc.added", change, reason))
    log.info("do-not-contact %s: %d added by %s", list_name, len(new), actor.username)
    return change


def remove(
    session: Session, actor: User, list_name: str, indexes: Iterable[str], *, reason: str
) -> DncChange:
    """Take index values off a list (compliance officer or admin only), audited."""
    if not roles_of(actor) & _REMOVERS:
        raise PermissionDenied(
            f"user {actor.username!r} may not take numbers off a do-not-contact list; "
            "it needs: admin, compliance_officer"
        )
    list_name, reason = check_list_name(list_name), _reason(reason)
    wanted = list(dict.fromkeys(indexes))
    present = _present(session, list_name, wanted)
    for chunk in _chunks(sorted(present)):
        session.execute(
            delete(DoNotContact).where(
                DoNotContact.list_name == list_name, DoNotContact.phone_index.in_(chunk)
            )
        )
    change = DncChange(list_name, len(present), len(wanted) - len(present))
    session.add(_event(actor, "dnc.removed", change, reason))
    log.info("do-not-contact %s: %d removed by %s", list_name, len(present), actor.username)
    return change


def counts(session: Session) -> dict[str, int]:
    """Numbers on each of the institution's lists, by list name."""
    rows = session.execute(
        select(DoNotContact.list_name, func.count(DoNotContact.id))
        .group_by(DoNotContact.list_name)
        .order_by(DoNotContact.list_name)
    )
    return {name: int(count) for name, count in rows}


def _present(session: Session, list_name: str, indexes: list[str]) -> set[str]:
    found: set[str] = set()
    for chunk in _chunks(indexes):
        found.update(
            session.scalars(
                select(DoNotContact.phone_index).where(
                    DoNotContact.list_name == list_name, DoNotContact.phone_index.in_(chunk)
                )
            )
        )
    return found


def _chunks(values: list[str]) -> Iterable[list[str]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


def _reason(reason: str) -> str:
    reason = reason.strip()
    if not reason or len(reason) > MAX_REASON:
        raise InputError(f"a do-not-contact change needs a reason of 1-{MAX_REASON} characters")
    return reason


def _event(actor: User, action: str, change: DncChange, reason: str) -> AuditEvent:
    """The audit row: list, counts, reason; never a number nor its index."""
    return AuditEvent(
        institution_id=actor.institution_id,
        actor=actor.username,
        action=action,
        target_type="do_not_contact",
        target_id=change.list_name,
        detail={"list": change.list_name, "changed": change.changed,
                "unchanged": change.unchanged, "reason": reason},
    )  # fmt: skip
