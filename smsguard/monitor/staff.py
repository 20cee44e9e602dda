"""Staff behaviour: record volume, off-hours approvals, one person as maker and checker.

Customer data is only as safe as the people who may reveal it. These detectors watch the
people, each against a rule that holds for an ordinary working day:

* **record volume**: the records a user decrypted or exported in the last 24 hours against
  that user's own daily totals over the previous weeks (median and MAD, modified z-score;
  warn at 3.5, suspend the decrypt right at 6). Until a user has ``min_history_days`` active
  days, a fixed ceiling applies instead (1,000 records: a day of ordinary customer service).
  Fewer than ``min_records`` (200) never alerts, so a clerk who usually reveals 2 records
  and today reveals 20 is not suspended. Only people's reveals should be sent here as
  ``user`` events: the worker's delivery decrypts are a system purpose, audited elsewhere.
* **off-hours approval**: an approval outside the configured working days and hours (local
  time of the configured zone) requires re-approval. Re-approving costs a few minutes in
  the morning; an approval at 3 a.m. is what a stolen session looks like.
* **maker-checker**: the same user as author and approver of one item requires re-approval.
  Governance already forbids it; this catches the case where that check was bypassed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from smsguard.errors import ConfigError, InputError
from smsguard.monitor.alerts import Action, Alert, Severity, Subject, num
from smsguard.monitor.base import Context, require
from smsguard.monitor.events import Event, EventKind, Scope
from smsguard.monitor.stats import modified_z
from smsguard.monitor.windows import Window

DAY_SECONDS = 86_400
_RECORDS = (EventKind.PII_DECRYPT, EventKind.EXPORT)
_DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(frozen=True)
class RecordVolumeConfig:
    """Thresholds for a user's decrypted plus exported records per 24 hours."""

    warn_z: float = 3.5
    act_z: float = 6.0
    history_days: int = 28
    min_history_days: int = 5
    min_records: int = 200
    ceiling_without_history: int = 1000
    mad_floor: float = 10.0
    enabled: bool = True

    def __post_init__(self) -> None:
        require(0 < self.warn_z <= self.act_z, "need 0 < warn_z <= act_z")
        require(
            1 <= self.min_history_days <= self.history_days,
            "need 1 <= min_history_days <= history_days",
        )
        require(self.min_records >= 0 and self.ceiling_without_history >= 1, "bad record limits")
        require(self.mad_floor > 0, "mad_floor must be positive")


class RecordVolumeDetector:
    """A user revealing far more customer records than that user's own usual day."""

    name = "staff_record_volume"
    kinds = frozenset(_RECORDS)

    def __init__(self, config: RecordVolumeConfig | None = None) -> None:
        self.config = config or RecordVolumeConfig()
        self._daily: dict[str, dict[int, int]] = {}  # user -> UTC day number -> records

    def check(self, event: Event, now: datetime, second: int, ctx: Context) -> Alert | None:
        """Add the event to the user's day, then compare the last 24 hours with history."""
        user = event.user
        if user is None:
            return None
        today = int(event.at.timestamp()) // DAY_SECONDS
        days = self._daily.setdefault(user, {})
        days[today] = days.get(today, 0) + event.count
        for old in [d for d in days if d <= today - self.config.history_days]:
            del days[old]
        current = ctx.total(Scope.USER, user, _RECORDS, Window.DAY, second)
        if current < self.config.min_records:
            return None
        history = [float(v) for d, v in days.items() if d < today and v > 0]
        return self._judge(event, user, current, history, now)

    def _judge(
        self, event: Event, user: str, current: int, history: list[float], now: datetime
    ) -> Alert | None:
        cfg = self.config
        subject = Subject("user", user, event.institution)
        if len(history) < cfg.min_history_days:
            if current <= cfg.ceiling_without_history:
                return None
            text = (
                f"user {user} decrypted or exported {num(current)} customer records in the last "
                f"24 hours, above {num(cfg.ceiling_without_history)} allowed while fewer than "
                f"{cfg.min_history_days} days of history exist"
            )
            numbers: dict[str, float | int | str] = {
                "records": current,
                "ceiling": cfg.ceiling_without_history,
            }
            return Alert(self.name, "act", subject, text, Action.SUSPEND_DECRYPT, now, numbers)
        spread_floor = max(cfg.mad_floor, 0.1 * sorted(history)[len(history) // 2])
        z, centre, spread = modified_z(current, history, spread_floor)
        if z < cfg.warn_z:
            return None
        severity: Severity = "act" if z >= cfg.act_z else "warn"
        text = (
            f"user {user} decrypted or exported {num(current)} customer records in the last 24 "
            f"hours, {z:.1f} robust deviations above the usual day (median {centre:,.0f}, MAD "
            f"{spread:,.0f} over {len(history)} active days); warn at {cfg.warn_z}, "
            f"suspend at {cfg.act_z}"
        )
        numbers = {
            "records": current,
            "z": z,
            "median": centre,
            "mad": spread,
            "history_days": len(history),
        }
        action = Action.SUSPEND_DECRYPT if severity == "act" else Action.NONE
        return Alert(self.name, severity, subject, text, action, now, numbers)

    def snapshot(self) -> dict[str, dict[str, int]]:
        """Daily totals per user, JSON-ready."""
        return {u: {str(d): v for d, v in days.items()} for u, days in self._daily.items()}

    def restore(self, data: dict[str, dict[str, int]]) -> None:
        """Take back :meth:`snapshot` output."""
        try:
            self._daily = {u: {int(d): int(v) for d, v in days.items()} for u, days in data.items()}
        except (AttributeError, TypeError, ValueError) as exc:
            raise InputError(f"record-volume snapshot is malformed: {exc!r}") from exc


@dataclass(frozen=True)
class WorkingHours:
    """Working days (0 = Monday) and hours ``[start, end)`` in the zone ``tz``."""

    start: time = time(9, 0)
    end: time = time(18, 0)
    days: frozenset[int] = frozenset({0, 1, 2, 3, 4})
    tz: str = "Asia/Shanghai"
    # Warn by default: a Sunday approval is worth a look, not an automatic stop; set "act"
    # to require re-approval (and pause the campaigns concerned) instead.
    severity: Severity = "warn"
    enabled: bool = True
    zone: ZoneInfo = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        require(self.start < self.end, "working hours need start < end (same day)")
        require(bool(self.days) and self.days <= set(range(7)), "days must be a subset of 0-6")
        require(self.severity in ("warn", "act"), "severity must be 'warn' or 'act'")
        try:
            object.__setattr__(self, "zone", ZoneInfo(self.tz))
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ConfigError(f"working hours: unknown time zone {self.tz!r}") from exc

    def contains(self, at: datetime) -> bool:
        """Whether ``at`` falls on a working day inside working hours, local time."""
        local = at.astimezone(self.zone)
        return local.weekday() in self.days and self.start <= local.time() < self.end

    def describe(self) -> str:
        """``Mon-Fri 09:00-18:00`` for explanations."""
        names = ",".join(_DAY_NAMES[d] for d in sorted(self.days))
        if sorted(self.days) == list(range(min(self.days), max(self.days) + 1)):
            names = f"{_DAY_NAMES[min(self.days)]}-{_DAY_NAMES[max(self.days)]}"
        return f"{names} {self.start:%H:%M}-{self.end:%H:%M}"


def _approved_item(event: Event) -> Subject:
    if event.campaign is not None:
        return Subject("campaign", event.campaign, event.institution)
    if event.template is not None:
        return Subject("template", event.template, event.institution)
    return Subject("institution", event.institution, event.institution)


@dataclass(frozen=True)
class OffHoursApprovalDetector:
    """An approval given outside working hours."""

    config: WorkingHours = field(default_factory=WorkingHours)
    name: str = "approval_off_hours"

    @property
    def kinds(self) -> frozenset[EventKind]:
        """Only approvals."""
        return frozenset({EventKind.APPROVAL})

    def check(self, event: Event, now: datetime, second: int, ctx: Context) -> Alert | None:
        """Require re-approval (by default) of an item approved off hours."""
        if self.config.contains(event.at):
            return None
        local = event.at.astimezone(self.config.zone)
        item = _approved_item(event)
        text = (
            f"user {event.user or '?'} approved {item.label()} at {local:%H:%M} on "
            f"{_DAY_NAMES[local.weekday()]} ({self.config.tz}), outside working hours "
            f"{self.config.describe()}"
        )
        act = self.config.severity == "act"
        action = Action.REQUIRE_REAPPROVAL if act else Action.NONE
        numbers: dict[str, float | int | str] = {
            "local_time": f"{local:%Y-%m-%d %H:%M}",
            "approver": event.user or "",
        }
        return Alert(self.name, self.config.severity, item, text, action, now, numbers)


@dataclass(frozen=True)
class MakerCheckerDetector:
    """The approver of an item is also its author."""

    name: str = "maker_checker_same_person"

    @property
    def kinds(self) -> frozenset[EventKind]:
        """Only approvals."""
        return frozenset({EventKind.APPROVAL})

    def check(self, event: Event, now: datetime, second: int, ctx: Context) -> Alert | None:
        """Require re-approval when author and approver are the same user."""
        if event.user is None or event.author != event.user:
            return None
        item = _approved_item(event)
        text = (
            f"user {event.user} approved {item.label()} that {event.user} authored: the same "
            "person on both sides of a maker-checker step"
        )
        return Alert(
            self.name, "act", item, text, Action.REQUIRE_REAPPROVAL, now, {"user": event.user}
        )
