"""Defence in depth over what the gateway sends: volume, quiet hours, caps, approved wording.

The gateway already refuses or delays messages that break these rules (``consent/policy.py``,
``gateway/plan.py``). These detectors check the same rules again on what was actually handed
over, so a bug, a misconfigured worker or a direct database edit is caught within one event.
Any violation is ``act`` (pause the campaign): a single message sent at 2 a.m. or off-script
means the check that should have stopped it did not.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta

from smsguard.consent.policy import QuietHours
from smsguard.errors import ConfigError, InputError
from smsguard.monitor.alerts import Action, Alert, Subject, num
from smsguard.monitor.base import Context, require
from smsguard.monitor.events import Event, EventKind, Scope
from smsguard.monitor.windows import Window

_SENT = frozenset({EventKind.SENT})


def _pause(
    name: str,
    event: Event,
    campaign: str,
    text: str,
    now: datetime,
    numbers: dict[str, float | int | str],
) -> Alert:
    subject = Subject("campaign", campaign, event.institution)
    return Alert(name, "act", subject, text, Action.PAUSE_CAMPAIGN, now, numbers)


@dataclass(frozen=True)
class VolumeConfig:
    """Tolerance over the approved per-minute rate before a warning (10%: timer jitter)."""

    rate_tolerance: float = 0.10
    enabled: bool = True

    def __post_init__(self) -> None:
        require(self.rate_tolerance >= 0, "rate_tolerance must be >= 0")


@dataclass(frozen=True)
class VolumeDetector:
    """More messages than approved in total (act), or faster than approved (warn)."""

    config: VolumeConfig = field(default_factory=VolumeConfig)
    name: str = "volume_over_plan"

    @property
    def kinds(self) -> frozenset[EventKind]:
        """Only sends add volume."""
        return _SENT

    def check(self, event: Event, now: datetime, second: int, ctx: Context) -> Alert | None:
        """Lifetime sends against the approved volume, then the last minute against the rate."""
        campaign = event.campaign
        plan = None if campaign is None else ctx.plans.get(campaign)
        if campaign is None or plan is None:
            return None
        sent = ctx.sent_total.get(campaign, 0)
        if sent > plan.approved_messages:
            text = (
                f"campaign {campaign} has sent {num(sent)} messages, above its approved "
                f"volume of {num(plan.approved_messages)}"
            )
            return _pause(
                self.name,
                event,
                campaign,
                text,
                now,
                {"sent": sent, "approved": plan.approved_messages},
            )
        if plan.max_per_minute is None:
            return None
        minute = ctx.windows.count(
            (Scope.CAMPAIGN, campaign, EventKind.SENT), Window.MINUTE, second
        )
        limit = plan.max_per_minute * (1 + self.config.rate_tolerance)
        if minute <= limit:
            return None
        text = (
            f"campaign {campaign} sent {num(minute)} messages in the last minute, above its "
            f"approved rate of {num(plan.max_per_minute)} per minute"
        )
        subject = Subject("campaign", campaign, event.institution)
        numbers: dict[str, float | int | str] = {
            "sent_last_minute": minute,
            "approved_per_minute": plan.max_per_minute,
        }
        return Alert(self.name, "warn", subject, text, Action.NONE, now, numbers)


def quiet_hours(
    start: time = time(8, 0), end: time = time(20, 0), tz: str = "Asia/Shanghai"
) -> QuietHours:
    """The allowed sending window (the consent module's type), with errors as ConfigError."""
    try:
        return QuietHours(start, end, tz)
    except InputError as exc:
        raise ConfigError(f"quiet hours: {exc.message}") from exc


@dataclass(frozen=True)
class SendRulesConfig:
    """The allowed window and the per-recipient cap, as the gateway's settings have them."""

    allowed: QuietHours = field(default_factory=quiet_hours)
    cap_messages: int = 3
    cap_window: timedelta = timedelta(days=1)
    enabled: bool = True

    def __post_init__(self) -> None:
        require(self.cap_messages >= 1, f"cap_messages must be >= 1, got {self.cap_messages}")
        require(self.cap_window > timedelta(0), "cap_window must be positive")


class QuietHoursDetector:
    """A send handed over outside the allowed window.

    Converting every event's instant to local time costs more than the rest of the event;
    the detector caches the current stretch ``[low, high)`` of epoch seconds that is all
    allowed or all quiet, and recomputes only when an event falls outside it (twice a day).
    """

    name = "send_in_quiet_hours"
    kinds = _SENT

    def __init__(self, config: SendRulesConfig | None = None) -> None:
        self.config = config or SendRulesConfig()
        self._low, self._high, self._allowed = 0.0, -1.0, True

    def check(self, event: Event, now: datetime, second: int, ctx: Context) -> Alert | None:
        """Pause the campaign when ``event.at`` lies in quiet hours."""
        ts = event.at.timestamp()
        if not self._low <= ts < self._high:
            self._refresh(event.at)
        if self._allowed or event.campaign is None:
            return None
        rules = self.config.allowed
        local = event.at.astimezone(rules.zone)
        text = (
            f"a message of campaign {event.campaign} was sent at {local:%H:%M} ({rules.tz}), "
            f"outside the allowed window {rules.start:%H:%M}-{rules.end:%H:%M}"
        )
        return _pause(
            self.name,
            event,
            event.campaign,
            text,
            now,
            {"local_time": f"{local:%H:%M:%S}", "tz": rules.tz},
        )

    def _refresh(self, at: datetime) -> None:
        rules = self.config.allowed
        day = at.astimezone(rules.zone).date()
        edges = sorted(
            datetime.combine(day + timedelta(days=offset), moment, rules.zone).timestamp()
            for offset in (-1, 0, 1, 2)
            for moment in (rules.start, rules.end)
        )
        ts = at.timestamp()
        low = max(e for e in edges if e <= ts)
        high = min(e for e in edges if e > ts)
        self._low, self._high, self._allowed = low, high, rules.allows(at.astimezone(UTC))


class FrequencyCapDetector:
    """A recipient who got more than ``cap_messages`` in ``cap_window`` from one institution.

    Keeps, per (institution, recipient), the instants of the last ``cap_messages`` sends; a
    send is over the cap when that many already fall inside the window. Recipients whose
    newest send has left the window are forgotten in amortised O(1).
    """

    name = "send_over_frequency_cap"
    kinds = _SENT

    def __init__(self, config: SendRulesConfig | None = None) -> None:
        self.config = config or SendRulesConfig()
        self._window = int(self.config.cap_window.total_seconds())
        self._recent: dict[tuple[str, str], deque[int]] = {}
        self._prune_at = 1024

    def check(self, event: Event, now: datetime, second: int, ctx: Context) -> Alert | None:
        """Record the send; pause the campaign when it went over the cap."""
        if event.recipient is None:
            return None
        at = int(event.at.timestamp())
        key = (event.institution, event.recipient)
        sends = self._recent.get(key)
        if sends is None:
            if len(self._recent) >= self._prune_at:
                self._prune(at)
            sends = self._recent[key] = deque(maxlen=self.config.cap_messages)
        over = len(sends) == sends.maxlen and sends[0] > at - self._window
        sends.append(at)
        if not over or event.campaign is None:
            return None
        cap = self.config.cap_messages
        text = (
            f"a recipient of campaign {event.campaign} got a message over the frequency cap of "
            f"{num(cap)} per {self.config.cap_window}"
        )
        return _pause(
            self.name,
            event,
            event.campaign,
            text,
            now,
            {"cap": cap, "window_seconds": self._window},
        )

    def _prune(self, at: int) -> None:
        horizon = at - self._window
        self._recent = {k: v for k, v in self._recent.items() if v[-1] > horizon}
        self._prune_at = max(1024, 2 * len(self._recent))

    def snapshot(self) -> dict[str, list[int]]:
        """The recent send instants per recipient, JSON-ready (``institution\\x1frecipient``)."""
        return {f"{i}\x1f{r}": list(v) for (i, r), v in self._recent.items()}

    def restore(self, data: dict[str, list[int]]) -> None:
        """Take back :meth:`snapshot` output."""
        cap = self.config.cap_messages
        try:
            self._recent = {
                (k.split("\x1f", 1)[0], k.split("\x1f", 1)[1]): deque(map(int, v), maxlen=cap)
                for k, v in data.items()
            }
        except (IndexError, TypeError, ValueError, AttributeError) as exc:
            raise InputError(f"frequency-cap snapshot is malformed: {exc!r}") from exc


@dataclass(frozen=True)
class TemplateDetector:
    """A sent text that the campaign's approved wording cannot render to.

    The text is matched and dropped; the explanation never quotes it (it holds a name).
    """

    name: str = "text_not_approved"
    enabled: bool = True

    @property
    def kinds(self) -> frozenset[EventKind]:
        """Only sends carry rendered text."""
        return _SENT

    def check(self, event: Event, now: datetime, second: int, ctx: Context) -> Alert | None:
        """Pause the campaign when the text does not fully match the approved pattern."""
        campaign = event.campaign
        if event.text is None or campaign is None:
            return None
        plan = ctx.plans.get(campaign)
        if plan is None or plan.pattern is None or plan.pattern.fullmatch(event.text):
            return None
        text = (
            f"a message of campaign {campaign} ({len(event.text)} characters) does not match "
            "the approved template wording"
        )
        return _pause(self.name, event, campaign, text, now, {"length": len(event.text)})
