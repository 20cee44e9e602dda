"""Complaint deadlines as pure arithmetic: the policy, due dates, reminders and escalations.

Nothing here reads a clock or a database; callers pass the instants, so every answer can be
replayed and tested. The legal basis is regulations.md §D1 (《银行业保险业消费投诉处理管理办法》,
原银保监会令2020年第3号, tagged [S]): a decision within **15 days** of receipt, extendable to
**30 days** for a complex case and by **another 30 days** for an especially complex one with
senior approval and notice to the complainant, so **60 days** at most.

Why each value is a setting rather than a constant:

* §D1 says "days" without "working"; §D2 notes the superseded 2012 CBRC notice counted
  working days and that PBoC 5号令's 15 days is [U]. Calendar days are the default (the
  shorter reading, so a mistake errs towards answering early); working days with a holiday
  calendar can be chosen for an institution whose counsel reads it otherwise.
* An institution may promise complainants something shorter (e.g. 48 hours); that promise is
  tracked beside the statutory deadline and must be shorter than it.

A deadline falls at the same local time of day (``zone``, China Standard Time by default) on
the date that many counted days after the day of receipt.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from smsguard.errors import InputError

DayBasis = Literal["calendar", "working"]
LegalDeadline = Literal["promise", "statutory"]
MAX_DAYS = 365
# regulations.md §D1: 15 days, extendable to 30, then by a further 30 with approval.
STATUTORY_DAYS, EXTENDED_DAYS, FURTHER_DAYS = 15, 30, 30


def require_aware(value: datetime, name: str) -> None:
    """Refuse naive instants: a deadline without a zone is off by up to a day."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise InputError(f"{name} must carry a time zone, got naive {value.isoformat()}")


def _days(name: str, value: object, low: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= MAX_DAYS:
        raise InputError(f"complaint policy: {name} must be a whole number {low}-{MAX_DAYS}")
    return value


@dataclass(frozen=True)
class DeadlinePolicy:
    """The deadline rules of one institution, validated when built (InputError names the field).

    ``extended_days`` is the total from receipt after the first extension (30 in §D1);
    ``further_days`` is added on top by the approved further extension (another 30).
    """

    statutory_days: int = STATUTORY_DAYS
    extended_days: int = EXTENDED_DAYS
    further_days: int = FURTHER_DAYS
    promise_days: int | None = None
    promise_hours: int | None = None
    day_basis: DayBasis = "calendar"
    zone: str = "Asia/Shanghai"
    holidays: frozenset[date] = frozenset()
    extra_workdays: frozenset[date] = frozenset()
    reminders: tuple[int, ...] = (50, 80)
    _zone: ZoneInfo = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        _days("statutory_days", self.statutory_days, 1)
        _days("extended_days", self.extended_days, 1)
        _days("further_days", self.further_days, 0)
        if self.extended_days < self.statutory_days:
            raise InputError("complaint policy: extended_days must be at least statutory_days")
        if self.day_basis not in ("calendar", "working"):
            raise InputError("complaint policy: day_basis must be 'calendar' or 'working'")
        self._check_promise()
        self._check_reminders()
        try:
            object.__setattr__(self, "_zone", ZoneInfo(self.zone))
        except (ZoneInfoNotFoundError, ValueError):
            raise InputError(f"complaint policy: unknown time zone {self.zone!r}") from None

    def _check_promise(self) -> None:
        days, hours = self.promise_days, self.promise_hours
        if days is not None and hours is not None:
            raise InputError("complaint policy: give promise_days or promise_hours, not both")
        if days is not None and _days("promise_days", days, 1) >= self.statutory_days:
            raise InputError("complaint policy: promise_days must be shorter than statutory_days")
        if hours is not None:
            if not isinstance(hours, int) or isinstance(hours, bool) or hours < 1:
                raise InputError("complaint policy: promise_hours must be a whole number >= 1")
            if hours >= self.statutory_days * 24:
                raise InputError(
                    "complaint policy: promise_hours must be shorter than the statutory deadline"
                )

    def _check_reminders(self) -> None:
        marks = self.reminders
        if not all(isinstance(m, int) and 0 < m < 100 for m in marks):
            raise InputError("complaint policy: reminders are percentages between 1 and 99")
        if list(marks) != sorted(set(marks)):
            raise InputError("complaint policy: reminders must be increasing, without repeats")

    @classmethod
    def from_mapping(cls, data: Mapping[str, object]) -> DeadlinePolicy:
        """A policy from a settings mapping (e.g. ``complaints.yaml``); unknown keys refused."""
        known = {name for name in cls.__dataclass_fields__ if not name.startswith("_")}
        unknown = sorted(set(data) - known)
        if unknown:
            raise InputError(
                f"complaint policy: unknown setting(s) {', '.join(unknown)}; "
                f"known: {', '.join(sorted(known))}"
            )
        values = dict(data)
        for name in ("holidays", "extra_workdays"):
            if name in values:
                values[name] = frozenset(_date(name, item) for item in _list(name, values[name]))
        if "reminders" in values:
            values["reminders"] = tuple(_list("reminders", values["reminders"]))
        return cls(**values)  # type: ignore[arg-type]

    def to_dict(self) -> dict[str, object]:
        """The policy as JSON-ready data, kept on each case so its due dates can be re-derived."""
        data = {k: v for k, v in asdict(self).items() if not k.startswith("_")}
        data["holidays"] = sorted(d.isoformat() for d in self.holidays)
        data["extra_workdays"] = sorted(d.isoformat() for d in self.extra_workdays)
        data["reminders"] = list(self.reminders)
        return data

    def limit_days(self, extensions: int) -> int:
        """Days allowed from receipt after ``extensions`` extensions (0, 1 or 2)."""
        if extensions not in (0, 1, 2):
            raise InputError(f"a complaint has 0, 1 or 2 extensions, not {extensions}")
        return (self.statutory_days, self.extended_days, self.extended_days + self.further_days)[
            extensions
        ]

    def due_at(self, received_at: datetime, extensions: int = 0) -> datetime:
        """When the decision is due: the statutory deadline after ``extensions`` extensions."""
        return self.add_days(received_at, self.limit_days(extensions))

    def promise_due(self, received_at: datetime) -> datetime | None:
        """The institution's own (shorter) promise, or None when it made none."""
        if self.promise_hours is not None:
            require_aware(received_at, "received_at")
            return received_at + timedelta(hours=self.promise_hours)
        if self.promise_days is not None:
            return self.add_days(received_at, self.promise_days)
        return None

    def add_days(self, start: datetime, days: int) -> datetime:
        """``days`` counted days after ``start``, at the same local time of day."""
        require_aware(start, "received_at")
        local = start.astimezone(self._zone)
        target = local.date() + timedelta(days=days)
        if self.day_basis == "working":
            target = self._working_days_after(local.date(), days)
        clock = time(local.hour, local.minute, local.second, local.microsecond)
        return datetime.combine(target, clock, tzinfo=self._zone).astimezone(start.tzinfo)

    def is_working_day(self, day: date) -> bool:
        """Monday to Friday unless a holiday, plus make-up working days (调休)."""
        if day in self.extra_workdays:
            return True
        return day.weekday() < 5 and day not in self.holidays

    def _working_days_after(self, day: date, count: int) -> date:
        while count > 0:
            day += timedelta(days=1)
            count -= self.is_working_day(day)
        return day


def _list(name: str, value: object) -> list[object]:
    if not isinstance(value, list | tuple | set | frozenset):
        raise InputError(f"complaint policy: {name} must be a list")
    return list(value)


def _date(name: str, value: object) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise InputError(f"complaint policy: {name} holds {value!r}, not a date") from None


@dataclass(frozen=True)
class Timeline:
    """Where a case's clock stands: started (receipt or reopening), extensions, and since when
    the current extension level applies (reminders before that instant are not owed)."""

    started_at: datetime
    extensions: int = 0
    level_since: datetime | None = None


@dataclass(frozen=True)
class Alert:
    """A reminder (at a percentage of a deadline) or an escalation (the deadline has passed)."""

    at: datetime
    kind: Literal["reminder", "escalation"]
    deadline: LegalDeadline
    level: int
    percent: int
    due_at: datetime

    @property
    def key(self) -> str:
        """Stable name of this alert within one round of a case, for idempotent recording."""
        return f"{self.deadline}-{self.level}-{self.percent}"


def deadlines(policy: DeadlinePolicy, timeline: Timeline) -> list[tuple[LegalDeadline, datetime]]:
    """The deadlines that apply now: the statutory one, and the promise while unextended."""
    found: list[tuple[LegalDeadline, datetime]] = [
        ("statutory", policy.due_at(timeline.started_at, timeline.extensions))
    ]
    promise = policy.promise_due(timeline.started_at)
    if promise is not None and timeline.extensions == 0:
        found.insert(0, ("promise", promise))
    return found


def alerts(policy: DeadlinePolicy, timeline: Timeline, now: datetime) -> list[Alert]:
    """Every reminder and escalation owed by ``now`` for the open case, oldest first.

    A reminder falls at its percentage of the span from the clock's start to the deadline; it
    is owed only if that instant lies after the current extension level began, so extending a
    case does not replay reminders whose moment was already covered by the earlier deadline.
    """
    require_aware(now, "now")
    start = timeline.started_at
    since = timeline.level_since or start
    owed: list[Alert] = []
    for name, due in deadlines(policy, timeline):
        for percent in policy.reminders:
            at = start + (due - start) * percent / 100
            if since <= at <= now:
                owed.append(Alert(at, "reminder", name, timeline.extensions, percent, due))
        if due <= now:
            owed.append(Alert(due, "escalation", name, timeline.extensions, 100, due))
    return sorted(owed, key=lambda a: (a.at, a.percent, a.deadline))
