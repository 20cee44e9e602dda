"""Forwarding monitor events to the process that runs the detectors (:mod:`.monitor_lease`).

A forwarder writes one ``monitor_inbox`` row per batch of events; the lease holder reads the
oldest rows, feeds them to its monitor and deletes them. An event crosses as a small JSON
record. Its rendered ``text`` never does, because it holds the customer's name: the forwarder
matches it against the approved wording itself (:func:`redact_text`) and forwards either no
text (it matched) or a same-length run of U+FFFD that no approved wording can render to, so
the holder's template detector still fires, with the same length in its explanation.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import fields, replace
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from smsguard.errors import InputError
from smsguard.monitor.events import Event, EventKind
from smsguard.store.monitor_models import MonitorInbox

DRAIN_ROWS = 500
UNMATCHED = "\ufffd"
_FIELDS = tuple(f.name for f in fields(Event) if f.name not in {"kind", "at"})


def redact_text(event: Event, pattern: re.Pattern[str] | None) -> Event:
    """The event without its rendered text, keeping only whether the text was approved."""
    if event.text is None:
        return event
    matched = pattern is None or pattern.fullmatch(event.text) is not None
    return replace(event, text=None if matched else UNMATCHED * len(event.text))


def event_record(event: Event) -> dict[str, Any]:
    """An event as a JSON-ready mapping (absent fields left out)."""
    record: dict[str, Any] = {"kind": event.kind.value, "at": event.at.isoformat()}
    for name in _FIELDS:
        value = getattr(event, name)
        if value is not None and not (name == "count" and value == 1):
            record[name] = value
    return record


def event_from_record(record: Mapping[str, Any]) -> Event:
    """The event a record describes; a malformed record is an InputError."""
    try:
        extra = {name: record[name] for name in _FIELDS if name in record}
        return Event(EventKind(record["kind"]), datetime.fromisoformat(record["at"]), **extra)
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError(f"forwarded monitor event is malformed: {exc!r}") from exc


def forward(session: Session, events: Sequence[Event]) -> None:
    """Queue ``events`` for the lease holder (texts must be redacted already)."""
    if any(e.text is not None and set(e.text) != {UNMATCHED} for e in events):
        raise InputError("a forwarded monitor event still carries a rendered text")
    session.add(MonitorInbox(events=[event_record(e) for e in events]))


def take(session: Session, limit: int = DRAIN_ROWS) -> tuple[list[int], list[Event]]:
    """The oldest forwarded rows' ids and their events, in order (not yet deleted)."""
    rows = session.execute(
        select(MonitorInbox.id, MonitorInbox.events).order_by(MonitorInbox.id).limit(limit)
    ).all()
    return [row.id for row in rows], [event_from_record(r) for row in rows for r in row.events]


def settle(session: Session, ids: Sequence[int]) -> None:
    """Delete rows whose events the monitor has seen."""
    if ids:
        session.execute(delete(MonitorInbox).where(MonitorInbox.id.in_(ids)))
