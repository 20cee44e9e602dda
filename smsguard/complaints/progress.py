"""Where a case stands against its deadlines, for lists and the API: a pure read of a view.

The desk stores due dates; people need the derived answer (how long is left, is it late,
was the promise kept) computed the same way everywhere, against one ``now``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from smsguard.complaints.desk import ComplaintView
from smsguard.complaints.lifecycle import OPEN_STATUSES


@dataclass(frozen=True)
class DeadlineState:
    """The deadlines of a case as of one instant; a closed case is never overdue."""

    open: bool
    due_at: datetime
    hours_left: float
    overdue: bool
    promise_due_at: datetime | None
    promise_overdue: bool


def deadline_state(view: ComplaintView, now: datetime) -> DeadlineState:
    """``view``'s deadlines as of ``now`` (aware)."""
    running = view.status in OPEN_STATUSES
    left = (view.due_at - now).total_seconds() / 3600
    promise = view.promise_due_at
    promise_late = running and promise is not None and view.extensions == 0 and promise <= now
    return DeadlineState(
        open=running,
        due_at=view.due_at,
        hours_left=round(left, 2),
        overdue=running and left <= 0,
        promise_due_at=promise,
        promise_overdue=promise_late,
    )
