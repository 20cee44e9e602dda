"""The life of one complaint as a pure state machine, with its status history as data.

    received → acknowledged → assigned → (extended → extended) → resolved → closed
        └──────────────────────↗                                   ↘ reopen ↙

Each step returns the new :class:`Case` and the :class:`Change` to append to the history, or
raises InputError naming the current status and what the step needs. Assigning is allowed
before the acknowledgement has gone out: a missing acknowledgement template must not stall
the handling of the complaint itself (the failure is recorded separately and stays visible).

Extensions follow regulations.md §D1: at most two; the second (the "further" 30 days) only
with approval; neither once the current deadline has passed, because extending an overdue
case would turn a breach into a case on time. A reason code is required (§D1 "T+30 days:
extended, with a reason code"); it is a code, not free text, so no complainant's personal
data ends up in it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Literal

from smsguard.complaints.deadlines import DeadlinePolicy, Timeline, require_aware
from smsguard.errors import InputError

Status = Literal["received", "acknowledged", "assigned", "extended", "resolved", "closed"]
STATUSES: tuple[Status, ...] = (
    "received",
    "acknowledged",
    "assigned",
    "extended",
    "resolved",
    "closed",
)
OPEN_STATUSES: frozenset[str] = frozenset({"received", "acknowledged", "assigned", "extended"})
_REASON = re.compile(r"^[a-z][a-z0-9_-]{1,47}$")
# Suggested extension reason codes; any code matching _REASON is accepted.
REASON_CODES = ("complex", "especially-complex", "third-party-records", "site-investigation")


@dataclass(frozen=True)
class Change:
    """One entry of a case's status history."""

    action: str
    from_status: str
    to_status: str
    at: datetime
    detail: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Case:
    """What the state machine needs to know about a case."""

    status: Status
    timeline: Timeline
    assignee: int | None = None
    round: int = 1

    @property
    def open(self) -> bool:
        """Whether the deadline clock is running (resolved and closed cases stop it)."""
        return self.status in OPEN_STATUSES


def received(at: datetime) -> tuple[Case, Change]:
    """A new case, its clock started at receipt."""
    require_aware(at, "received_at")
    return Case("received", Timeline(at)), Change("receive", "", "received", at)


def _move(
    case: Case, action: str, at: datetime, allowed: frozenset[str], to: Status, **detail: object
) -> tuple[Case, Change]:
    """The common checks of every step: the status allows it and time does not run back."""
    require_aware(at, "at")
    if case.status not in allowed:
        needed = " or ".join(s for s in STATUSES if s in allowed)
        raise InputError(
            f"cannot {action} a complaint that is {case.status}; {action} needs it to be {needed}"
        )
    if at < case.timeline.started_at:
        raise InputError(
            f"cannot {action} at {at.isoformat()}, before the complaint's clock "
            f"started at {case.timeline.started_at.isoformat()}"
        )
    return replace(case, status=to), Change(action, case.status, to, at, detail)


def acknowledge(case: Case, at: datetime) -> tuple[Case, Change]:
    """The complainant has been told the complaint arrived."""
    return _move(case, "acknowledge", at, frozenset({"received"}), "acknowledged")


def assign(case: Case, at: datetime, user_id: int) -> tuple[Case, Change]:
    """Give the case to a handler; reassigning keeps an extended case extended."""
    to: Status = "extended" if case.status == "extended" else "assigned"
    moved, change = _move(case, "assign", at, OPEN_STATUSES, to, assignee=user_id)
    if case.assignee == user_id:
        raise InputError(f"the complaint is already assigned to user {user_id}")
    return replace(moved, assignee=user_id), change


def extend(
    case: Case, policy: DeadlinePolicy, at: datetime, reason: str, approved_by: str | None = None
) -> tuple[Case, Change]:
    """Lengthen the deadline: to ``extended_days``, then by ``further_days`` with approval."""
    moved, change = _move(case, "extend", at, frozenset({"assigned", "extended"}), "extended")
    _check_extension(case, policy, at, reason, approved_by)
    level = case.timeline.extensions + 1
    timeline = replace(case.timeline, extensions=level, level_since=at)
    detail = {
        "reason": reason,
        "level": level,
        "days": policy.limit_days(level),
        "due_at": policy.due_at(timeline.started_at, level).isoformat(),
    }
    if approved_by is not None:
        detail["approved_by"] = approved_by
    return replace(moved, timeline=timeline), replace(change, detail=detail)


def _check_extension(
    case: Case, policy: DeadlinePolicy, at: datetime, reason: str, approved_by: str | None
) -> None:
    done = case.timeline.extensions
    if not _REASON.match(reason):
        raise InputError(
            f"extension reason {reason!r} must be a code such as "
            f"{', '.join(REASON_CODES)} (lower-case letters, digits, - or _)"
        )
    if done >= 2 or (done == 1 and policy.further_days == 0):
        most = policy.limit_days(done)
        raise InputError(f"no extension is left: {most} days is the maximum (regulations.md §D1)")
    due = policy.due_at(case.timeline.started_at, done)
    if at > due:
        raise InputError(
            f"the {policy.limit_days(done)}-day deadline passed at "
            f"{due.isoformat()}; an overdue complaint cannot be extended"
        )
    if done == 1 and not approved_by:
        raise InputError(
            "the further extension needs the approval of a compliance officer "
            "(regulations.md §D1: senior approval)"
        )


def resolve(case: Case, at: datetime) -> tuple[Case, Change]:
    """A decision was made and written down; the deadline clock stops."""
    return _move(case, "resolve", at, frozenset({"assigned", "extended"}), "resolved")


def close(case: Case, at: datetime) -> tuple[Case, Change]:
    """The case is finished after its resolution was communicated."""
    return _move(case, "close", at, frozenset({"resolved"}), "closed")


def recategorise(case: Case, at: datetime, old: str, new: str, reason: str) -> tuple[Case, Change]:
    """File the case under another category; the status and the clock stay as they are.

    Allowed until the case is closed (a resolved case still counts in the statistics by
    category; a closed one is reopened first). The reason is a code, like an extension's.
    """
    if not _REASON.match(reason):
        raise InputError(
            f"recategorise reason {reason!r} must be a code such as misfiled "
            "(lower-case letters, digits, - or _), not free text"
        )
    if old == new:
        raise InputError(f"the complaint is already in category {new}")
    allowed = frozenset({*OPEN_STATUSES, "resolved"})
    return _move(case, "recategorise", at, allowed, case.status, reason=reason,
                 from_category=old, to_category=new)  # fmt: skip


def reopen(case: Case, at: datetime, reason: str) -> tuple[Case, Change]:
    """Take a resolved or closed case up again: a new round with a fresh statutory clock.

    The reopening is treated like a new receipt of the same matter: the first round's
    decision, on time or not, stays in the history and in the statistics of that round.
    """
    if not _REASON.match(reason):
        raise InputError(
            f"reopen reason {reason!r} must be a code such as disputed-decision "
            "(lower-case letters, digits, - or _), not free text"
        )
    to: Status = "assigned" if case.assignee is not None else "received"
    moved, change = _move(
        case,
        "reopen",
        at,
        frozenset({"resolved", "closed"}),
        to,
        reason=reason,
        round=case.round + 1,
    )
    return replace(moved, timeline=Timeline(at), round=case.round + 1), change
