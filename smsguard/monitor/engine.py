"""The monitor: events in, windows updated, affected detectors run, new alerts out.

:class:`Monitor` is pure: every call takes ``now``, nothing reads a clock, a database or the
network. The lead's wiring feeds it the gateway's and governance's events, persists
``snapshot()`` periodically and on shutdown, and applies the alerts' actions
(:mod:`smsguard.monitor.actions`).

Throughput comes from doing little per event: counting is a few ring-buffer increments, and
only the detectors registered for the event's kind run (a ``delivered`` event runs none,
since a delivery can only lower the rates the outcome detectors watch).

Time rules, so the windows stay exact:

* an event more than ``future_skew`` (2 s) after ``now`` is refused: a clock that far ahead
  is a bug to see, not to average away; within the skew it is counted at ``now``;
* an event older than the longest window (24 h) is refused: it could not be counted
  anywhere. Delivery reports and replies should carry the instant the gateway learnt of them;
* ``observe_many`` checks the whole batch before counting any of it, so a refusal leaves
  the monitor as it was.

Alerts are de-duplicated per (detector, subject): a repeat is suppressed unless its severity
is higher than the last one raised or ``cooldown`` (15 min) has passed since then.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from smsguard.errors import InputError
from smsguard.monitor.alerts import SEVERITY_RANK, Alert
from smsguard.monitor.base import CampaignPlan, Context, Detector, require
from smsguard.monitor.detectors import (
    BaselineConfig,
    BaselineDetector,
    FraudBurstDetector,
    FraudConfig,
    RateConfig,
    complaint_detector,
    failure_detector,
    opt_out_detector,
)
from smsguard.monitor.events import Event, EventKind, Scope
from smsguard.monitor.sending import (
    FrequencyCapDetector,
    QuietHoursDetector,
    SendRulesConfig,
    TemplateDetector,
    VolumeConfig,
    VolumeDetector,
)
from smsguard.monitor.staff import (
    MakerCheckerDetector,
    OffHoursApprovalDetector,
    RecordVolumeConfig,
    RecordVolumeDetector,
    WorkingHours,
)
from smsguard.monitor.windows import LONGEST_SECONDS, Window, Windows

FORMAT = "smsguard.monitor/1"


@dataclass(frozen=True)
class MonitorConfig:
    """Every detector's configuration; ``None`` for a rate config means the default."""

    opt_out: RateConfig | None = None
    complaint: RateConfig | None = None
    failure: RateConfig | None = None
    baseline: BaselineConfig = field(default_factory=BaselineConfig)
    fraud: FraudConfig = field(default_factory=FraudConfig)
    volume: VolumeConfig = field(default_factory=VolumeConfig)
    send_rules: SendRulesConfig = field(default_factory=SendRulesConfig)
    records: RecordVolumeConfig = field(default_factory=RecordVolumeConfig)
    working_hours: WorkingHours = field(default_factory=WorkingHours)
    maker_checker: bool = True
    template_check: bool = True
    cooldown: timedelta = timedelta(minutes=15)
    future_skew: timedelta = timedelta(seconds=2)

    def __post_init__(self) -> None:
        require(self.cooldown >= timedelta(0), f"cooldown must be >= 0, got {self.cooldown}")
        require(
            timedelta(0) <= self.future_skew <= timedelta(minutes=5),
            f"future_skew must be between 0 and 5 minutes, got {self.future_skew}",
        )


def build_detectors(config: MonitorConfig) -> list[Detector]:
    """The enabled detectors, in the order their alerts are reported."""
    rates = (
        opt_out_detector(config.opt_out),
        complaint_detector(config.complaint),
        failure_detector(config.failure),
    )
    found: list[Detector] = [d for d in rates if d.config.enabled]
    if config.baseline.enabled:
        outcomes = (EventKind.DELIVERED, EventKind.FAILED)
        found.append(
            BaselineDetector(
                "baseline_opt_out",
                (EventKind.OPT_OUT,),
                (EventKind.DELIVERED,),
                "opt-out rate",
                config.baseline,
            )
        )
        found.append(
            BaselineDetector(
                "baseline_failure",
                (EventKind.FAILED,),
                outcomes,
                "delivery failure rate",
                config.baseline,
            )
        )
    if config.fraud.enabled:
        found.append(FraudBurstDetector(config.fraud))
    if config.volume.enabled:
        found.append(VolumeDetector(config.volume))
    if config.send_rules.enabled:
        found += [QuietHoursDetector(config.send_rules), FrequencyCapDetector(config.send_rules)]
    if config.template_check:
        found.append(TemplateDetector())
    if config.records.enabled:
        found.append(RecordVolumeDetector(config.records))
    if config.working_hours.enabled:
        found.append(OffHoursApprovalDetector(config.working_hours))
    if config.maker_checker:
        found.append(MakerCheckerDetector())
    return found


class Monitor:
    """Sliding windows plus detectors plus alert de-duplication, driven by the caller's clock."""

    def __init__(self, config: MonitorConfig | None = None) -> None:
        self.config = config or MonitorConfig()
        self.ctx = Context()
        self.detectors = build_detectors(self.config)
        by_kind: dict[EventKind, list[Detector]] = {}
        for detector in self.detectors:
            for kind in detector.kinds:
                by_kind.setdefault(kind, []).append(detector)
        self._by_kind = {kind: tuple(found) for kind, found in by_kind.items()}
        self._raised: dict[tuple[str, str, str], tuple[int, int]] = {}
        self._cooldown = int(self.config.cooldown.total_seconds())
        self._skew = self.config.future_skew.total_seconds()

    def set_plan(self, campaign: str, plan: CampaignPlan) -> None:
        """Register (or replace) what was approved for ``campaign``."""
        self.ctx.plans[campaign] = plan

    def observe(self, event: Event, now: datetime) -> list[Alert]:
        """Count one event and return the alerts it newly raises."""
        return self.observe_many((event,), now)

    def observe_many(self, events: Sequence[Event], now: datetime) -> list[Alert]:
        """Count a batch (checked whole first) and return the alerts it newly raises."""
        if now.tzinfo is None:
            raise InputError(f"now must carry a time zone, got naive {now}")
        now_ts = now.timestamp()
        for index, event in enumerate(events):
            self._admit(index, event, now_ts)
        second = int(now_ts)
        alerts: list[Alert] = []
        for event in events:
            self._count(event, now_ts, second)
            for detector in self._by_kind.get(event.kind, ()):
                alert = detector.check(event, now, second, self.ctx)
                if alert is not None and self._is_new(alert, second):
                    alerts.append(alert)
        return alerts

    def _admit(self, index: int, event: Event, now_ts: float) -> None:
        ts = event.at.timestamp()
        if ts > now_ts + self._skew:
            raise InputError(
                f"event {index} ({event.kind.value}) is {ts - now_ts:.0f} s after now; "
                f"more than the allowed clock skew of {self._skew:.0f} s"
            )
        if ts <= now_ts - LONGEST_SECONDS:
            raise InputError(
                f"event {index} ({event.kind.value}) is {(now_ts - ts) / 3600:.1f} h old, "
                "older than the longest window (24 h); stamp events when they arrive"
            )

    def _count(self, event: Event, now_ts: float, now_second: int) -> None:
        ts = event.at.timestamp()
        second = int(ts) if ts <= now_ts else now_second
        kind, n, add = event.kind, event.count, self.ctx.windows.add
        add((Scope.INSTITUTION, event.institution, kind), second, n)
        if event.campaign is not None:
            add((Scope.CAMPAIGN, event.campaign, kind), second, n)
            if kind is EventKind.SENT:
                totals = self.ctx.sent_total
                totals[event.campaign] = totals.get(event.campaign, 0) + n
        if event.template is not None:
            add((Scope.TEMPLATE, event.template, kind), second, n)
        if event.user is not None:
            add((Scope.USER, event.user, kind), second, n)

    def _is_new(self, alert: Alert, second: int) -> bool:
        key = (alert.detector, alert.subject.kind, alert.subject.id)
        rank = SEVERITY_RANK[alert.severity]
        previous = self._raised.get(key)
        if previous is not None and rank <= previous[0] and second - previous[1] < self._cooldown:
            return False
        self._raised[key] = (rank, second)
        return True

    def count(
        self, scope: Scope, key: str, kind: EventKind | str, window: Window, now: datetime
    ) -> int:
        """How many ``kind`` events ``(scope, key)`` had in ``window`` as of ``now``."""
        return self.ctx.windows.count((scope, key, kind), window, int(now.timestamp()))

    def prune(self, now: datetime) -> int:
        """Drop counters silent for a day; call now and then (e.g. with each snapshot)."""
        return self.ctx.windows.prune(int(now.timestamp()))

    def snapshot(self) -> dict[str, Any]:
        """All history as JSON-ready data; plans are not included (they live in the database)."""
        data: dict[str, Any] = {
            "format": FORMAT,
            "windows": self.ctx.windows.snapshot(),
            "sent_total": dict(self.ctx.sent_total),
            "raised": [[*key, rank, second] for key, (rank, second) in self._raised.items()],
        }
        for detector in self.detectors:
            if isinstance(detector, FrequencyCapDetector | RecordVolumeDetector):
                data[detector.name] = detector.snapshot()
        return data

    def restore(self, data: Any) -> None:
        """Resume from :meth:`snapshot` output (same configuration expected)."""
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise InputError(f"not a monitor snapshot of format {FORMAT}")
        windows = Windows.restore(data.get("windows"))
        try:
            sent = {str(k): int(v) for k, v in data.get("sent_total", {}).items()}
            raised = {
                (str(d), str(k), str(i)): (int(r), int(s))
                for d, k, i, r, s in data.get("raised", [])
            }
        except (AttributeError, TypeError, ValueError) as exc:
            raise InputError(f"monitor snapshot is malformed: {exc!r}") from exc
        for detector in self.detectors:
            if isinstance(detector, FrequencyCapDetector | RecordVolumeDetector):
                detector.restore(data.get(detector.name, {}))
        self.ctx.windows, self.ctx.sent_total, self._raised = windows, sent, raised


def observe_all(
    monitor: Monitor, batches: Iterable[tuple[datetime, Sequence[Event]]]
) -> list[Alert]:
    """Feed ``(now, events)`` batches in order; the alerts of all of them (tests, replays)."""
    alerts: list[Alert] = []
    for now, events in batches:
        alerts += monitor.observe_many(events, now)
    return alerts
