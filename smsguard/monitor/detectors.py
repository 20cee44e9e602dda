"""Outcome detectors over a campaign's traffic: opt-outs, complaints, failures, fraud, baseline.

Rate detectors compare a ratio (opt-outs per delivered message) with fixed thresholds in the
last minute and the last hour. The minute catches an onset within seconds; the hour catches
a slower drift that never peaks within one minute. A minimum sample keeps one opt-out of three
deliveries from pausing a campaign. The baseline detector compares the last minute with the
campaign's own recent minutes using median and MAD (see :mod:`smsguard.monitor.stats`).

Defaults and why:

* opt-out: warn 1%, pause 2.5%, at least 200 delivered in the window. Carriers act at 5%/10%;
  pausing at half their warning level leaves room to fix a campaign before a carrier sees it.
  200 delivered means a pause needs at least 5 opt-outs, and a campaign with a healthy 0.2%
  rate reaches 5 of 200 by chance with probability under 1 in 10,000 per window.
* complaint: warn 0.1%, pause 0.3%, at least 1,000 delivered. A complaint (to the carrier or
  12321) costs far more than an opt-out; 1,000 delivered means a pause needs 3 complaints.
* delivery failure: warn 10%, pause 25% of outcomes (delivered + failed), at least 200.
  A route that fails a quarter of messages burns the contact list and hides opt-outs.
* fraud burst: a screening fraud probability of 0.8 or more counts as high; 3 in a minute
  warns, 10 require re-approval (approved wording should never score as fraud; a burst means
  a variable or template is being abused).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from smsguard.monitor.alerts import Action, Alert, Severity, Subject, num, pct
from smsguard.monitor.base import WINDOW_WORDS, Context, require
from smsguard.monitor.events import Event, EventKind, Scope
from smsguard.monitor.stats import modified_z
from smsguard.monitor.windows import Window

HIGH_FRAUD = "fraud_high"  # derived counter kind: screened events with a high fraud score


@dataclass(frozen=True)
class RateConfig:
    """Thresholds of one rate detector; ``act`` is the automatic-action threshold."""

    warn: float
    act: float
    min_sample: int
    windows: tuple[Window, ...] = (Window.MINUTE, Window.HOUR)
    enabled: bool = True

    def __post_init__(self) -> None:
        require(0 < self.warn <= self.act <= 1, f"need 0 < warn <= act <= 1, got {self}")
        require(self.min_sample >= 1, f"min_sample must be >= 1, got {self.min_sample}")
        require(bool(self.windows), "a rate detector needs at least one window")


@dataclass(frozen=True)
class RateDetector:
    """``numerator / denominator`` per campaign against ``config``'s thresholds."""

    name: str
    numerator: tuple[EventKind, ...]
    denominator: tuple[EventKind, ...]
    what: str  # "opt-out rate"
    per: str  # "delivered"
    config: RateConfig
    action: Action = Action.PAUSE_CAMPAIGN

    @property
    def kinds(self) -> frozenset[EventKind]:
        """Only a new numerator event can raise the rate past a threshold."""
        return frozenset(self.numerator)

    def check(self, event: Event, now: datetime, second: int, ctx: Context) -> Alert | None:
        """The worst window's alert, if any window has enough sample and a high rate."""
        if event.campaign is None:
            return None
        worst: tuple[int, float, Window, int, int] | None = None
        for window in self.config.windows:
            den = ctx.total(Scope.CAMPAIGN, event.campaign, self.denominator, window, second)
            if den < self.config.min_sample:
                continue
            hits = ctx.total(Scope.CAMPAIGN, event.campaign, self.numerator, window, second)
            rate = hits / den
            level = 2 if rate >= self.config.act else 1 if rate >= self.config.warn else 0
            if level and (worst is None or (level, rate) > worst[:2]):
                worst = (level, rate, window, hits, den)
        if worst is None:
            return None
        level, rate, window, hits, den = worst
        severity: Severity = "act" if level == 2 else "warn"
        threshold = self.config.act if level == 2 else self.config.warn
        kind = "pause" if level == 2 else "warning"
        text = (
            f"{self.what} {pct(rate)} ({num(hits)} of {num(den)} {self.per}) in "
            f"{WINDOW_WORDS[window]} is above the {kind} threshold {pct(threshold)}"
        )
        subject = Subject("campaign", event.campaign, event.institution)
        numbers: dict[str, float | int | str] = {
            "rate": rate,
            "count": hits,
            "sample": den,
            "threshold": threshold,
            "window": window.value,
        }
        action = self.action if severity == "act" else Action.NONE
        return Alert(self.name, severity, subject, text, action, now, numbers)


def opt_out_detector(config: RateConfig | None = None) -> RateDetector:
    """Opt-outs per delivered message (the carriers' own measure)."""
    config = config or RateConfig(warn=0.01, act=0.025, min_sample=200)
    delivered = (EventKind.DELIVERED,)
    return RateDetector(
        "opt_out_rate", (EventKind.OPT_OUT,), delivered, "opt-out rate", "delivered", config
    )


def complaint_detector(config: RateConfig | None = None) -> RateDetector:
    """Complaints per delivered message."""
    config = config or RateConfig(warn=0.001, act=0.003, min_sample=1000)
    delivered = (EventKind.DELIVERED,)
    return RateDetector(
        "complaint_rate", (EventKind.COMPLAINT,), delivered, "complaint rate", "delivered", config
    )


def failure_detector(config: RateConfig | None = None) -> RateDetector:
    """Failed deliveries per delivery outcome."""
    config = config or RateConfig(warn=0.10, act=0.25, min_sample=200)
    outcomes = (EventKind.DELIVERED, EventKind.FAILED)
    return RateDetector(
        "delivery_failure_rate",
        (EventKind.FAILED,),
        outcomes,
        "delivery failure rate",
        "delivery outcomes",
        config,
    )


@dataclass(frozen=True)
class BaselineConfig:
    """The robust baseline: last minute against the campaign's previous minutes.

    ``history_minutes`` complete minutes (at most 59, the hour ring) form the history; only
    minutes with at least ``min_minute_sample`` in the denominator count, and at least
    ``min_history`` of them are needed. ``mad_floor`` (an absolute rate) stops a perfectly
    flat history from turning any change into an infinite z-score.
    """

    warn_z: float = 3.5
    act_z: float | None = None
    history_minutes: int = 30
    min_history: int = 10
    min_minute_sample: int = 50
    min_sample: int = 100
    mad_floor: float = 0.002
    enabled: bool = True

    def __post_init__(self) -> None:
        require(self.warn_z > 0, f"warn_z must be positive, got {self.warn_z}")
        require(self.act_z is None or self.act_z >= self.warn_z, "act_z must be >= warn_z")
        require(
            1 <= self.min_history <= self.history_minutes <= 59,
            "need 1 <= min_history <= history_minutes <= 59 (the hour ring)",
        )
        require(self.min_minute_sample >= 1 and self.min_sample >= 1, "samples must be >= 1")
        require(self.mad_floor > 0, f"mad_floor must be positive, got {self.mad_floor}")


class BaselineDetector:
    """A sudden rise of a campaign's rate against its own recent per-minute rates."""

    def __init__(
        self,
        name: str,
        numerator: tuple[EventKind, ...],
        denominator: tuple[EventKind, ...],
        what: str,
        config: BaselineConfig | None = None,
    ) -> None:
        self.name, self.numerator, self.denominator, self.what = name, numerator, denominator, what
        self.config = config or BaselineConfig()
        self.kinds = frozenset(numerator)
        self._last: dict[str, int] = {}  # campaign -> second of the last evaluation

    def check(self, event: Event, now: datetime, second: int, ctx: Context) -> Alert | None:
        """At most one evaluation per campaign per second: the median is the costly part."""
        campaign = event.campaign
        if campaign is None or self._last.get(campaign) == second:
            return None
        self._last[campaign] = second
        cfg = self.config
        den = ctx.total(Scope.CAMPAIGN, campaign, self.denominator, Window.MINUTE, second)
        if den < cfg.min_sample:
            return None
        hits = ctx.total(Scope.CAMPAIGN, campaign, self.numerator, Window.MINUTE, second)
        history = self._history(campaign, second, ctx)
        if len(history) < cfg.min_history:
            return None
        rate = hits / den
        z, centre, spread = modified_z(rate, history, cfg.mad_floor)
        act = cfg.act_z is not None and z >= cfg.act_z
        if z < cfg.warn_z:
            return None
        text = (
            f"{self.what} {pct(rate)} ({num(hits)} of {num(den)}) in the last minute is "
            f"{z:.1f} robust deviations above this campaign's median {pct(centre)} "
            f"(MAD {pct(spread)}) over its previous {len(history)} minutes; threshold {cfg.warn_z}"
        )
        numbers: dict[str, float | int | str] = {
            "rate": rate,
            "count": hits,
            "sample": den,
            "z": z,
            "median": centre,
            "mad": spread,
            "history_minutes": len(history),
        }
        subject = Subject("campaign", campaign, event.institution)
        action = Action.PAUSE_CAMPAIGN if act else Action.NONE
        return Alert(self.name, "act" if act else "warn", subject, text, action, now, numbers)

    def _history(self, campaign: str, second: int, ctx: Context) -> list[float]:
        n = self.config.history_minutes
        windows = ctx.windows

        def series(kinds: tuple[EventKind, ...]) -> list[int]:
            rows = [
                windows.series((Scope.CAMPAIGN, campaign, k), Window.HOUR, second, n) for k in kinds
            ]
            return [sum(column) for column in zip(*rows, strict=True)]

        dens, hits = series(self.denominator), series(self.numerator)
        floor = self.config.min_minute_sample
        return [h / d for h, d in zip(hits, dens, strict=True) if d >= floor]


@dataclass(frozen=True)
class FraudConfig:
    """What counts as a high fraud score and how many in a minute warn or act."""

    high_score: float = 0.8
    warn_count: int = 3
    act_count: int = 10
    enabled: bool = True

    def __post_init__(self) -> None:
        require(0 < self.high_score <= 1, f"high_score must be in (0, 1], got {self.high_score}")
        require(1 <= self.warn_count <= self.act_count, "need 1 <= warn_count <= act_count")


@dataclass(frozen=True)
class FraudBurstDetector:
    """A burst of screened messages with high fraud scores, per campaign (else institution)."""

    config: FraudConfig = FraudConfig()
    name: str = "fraud_burst"
    kinds: frozenset[EventKind] = frozenset({EventKind.SCREENED})

    def check(self, event: Event, now: datetime, second: int, ctx: Context) -> Alert | None:
        """Counts a high score into its own window, then compares the minute's count."""
        if event.value is None or event.value < self.config.high_score:
            return None
        if event.campaign is not None:
            scope, key = Scope.CAMPAIGN, event.campaign
            subject = Subject("campaign", key, event.institution)
        else:
            scope, key = Scope.INSTITUTION, event.institution
            subject = Subject("institution", key, event.institution)
        ctx.windows.add((scope, key, HIGH_FRAUD), second, event.count)
        high = ctx.windows.count((scope, key, HIGH_FRAUD), Window.MINUTE, second)
        if high < self.config.warn_count:
            return None
        screened = ctx.total(scope, key, (EventKind.SCREENED,), Window.MINUTE, second)
        act = high >= self.config.act_count
        limit = self.config.act_count if act else self.config.warn_count
        text = (
            f"{num(high)} of {num(screened)} messages screened in the last minute scored a fraud "
            f"probability of at least {self.config.high_score:.2f}; the "
            f"{'action' if act else 'warning'} level is {num(limit)}"
        )
        action = Action.REQUIRE_REAPPROVAL if act and event.campaign is not None else Action.NONE
        numbers: dict[str, float | int | str] = {
            "high": high,
            "screened": screened,
            "threshold": limit,
        }
        return Alert(self.name, "act" if act else "warn", subject, text, action, now, numbers)
