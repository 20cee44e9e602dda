"""Small pure helpers that shape library data for the templates."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from smsguard.errors import InputError


@dataclass(frozen=True)
class Piece:
    """A stretch of text, marked when a finding points at it."""

    text: str
    marked: bool


def marked(text: str, spans: Iterable[tuple[int, int]]) -> list[Piece]:
    """``text`` cut into pieces, overlapping spans merged into one mark."""
    merged: list[list[int]] = []
    for start, end in sorted((max(0, s), min(len(text), e)) for s, e in spans if e > s):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    pieces, at = [], 0
    for start, end in merged:
        if start > at:
            pieces.append(Piece(text[at:start], False))
        pieces.append(Piece(text[start:end], True))
        at = end
    if at < len(text):
        pieces.append(Piece(text[at:], False))
    return pieces


def spans_of(findings: Iterable[Mapping[str, Any]]) -> list[tuple[int, int]]:
    """The spans of findings stored as dicts (``Finding.to_dict``)."""
    found = []
    for finding in findings:
        span = finding.get("span") or [0, 0]
        found.append((int(span[0]), int(span[1])))
    return found


@dataclass(frozen=True)
class TimeLeft:
    """How long until a deadline: days and hours, or overdue."""

    overdue: bool
    days: int
    hours: int


def time_left(due: datetime, now: datetime) -> TimeLeft:
    seconds = int((due - now).total_seconds())
    remaining = abs(seconds)
    return TimeLeft(seconds < 0, remaining // 86_400, remaining % 86_400 // 3600)


def parse_variables(raw: str) -> dict[str, str]:
    """``key=value`` lines (blank lines ignored) as a dict; InputError on a line without ``=``."""
    values: dict[str, str] = {}
    for line in raw.splitlines():
        if not line.strip():
            continue
        key, sep, value = line.partition("=")
        if not sep or not key.strip():
            raise InputError(f"a variable line needs the form key=value: {line.strip()!r}")
        values[key.strip()] = value.strip()
    return values


@dataclass(frozen=True)
class Deadline:
    """A deadline as the pages show it: the instant (ISO 8601 UTC, for the countdown script)
    and how long is left as of the page's rendering."""

    at: datetime
    iso: str
    left: TimeLeft


def deadline(due: datetime, now: datetime) -> Deadline:
    moment = due.astimezone(UTC)
    return Deadline(moment, moment.strftime("%Y-%m-%dT%H:%M:%SZ"), time_left(moment, now))


def current_due(due_at: datetime, promise_due_at: datetime | None, extensions: int) -> datetime:
    """The deadline that applies now: the institution's promise until the case is extended
    (an extension replaces the promise, as in ``complaints.progress``), the statutory one
    otherwise."""
    if promise_due_at is not None and extensions == 0 and promise_due_at < due_at:
        return promise_due_at
    return due_at


_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")  # fmt: skip


def long_date(moment: datetime, zone: str, lang: str) -> str:
    """``moment`` as a date and time in ``zone``, written the way ``lang`` writes dates."""
    try:
        local = moment.astimezone(ZoneInfo(zone))
    except (ZoneInfoNotFoundError, ValueError):
        local, zone = moment.astimezone(UTC), "UTC"
    clock = local.strftime("%H:%M")
    if lang == "zh":
        return f"{local.year}年{local.month}月{local.day}日 {clock}（{zone}）"
    return f"{local.day} {_MONTHS[local.month - 1]} {local.year}, {clock} ({zone})"
