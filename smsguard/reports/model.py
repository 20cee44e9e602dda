"""What a monthly report to the regulator says, as pure data: counts, labels and one checkpoint.

Every figure is an ``int`` or a ``str`` on purpose. The JSON form is signed, so it must have
one byte spelling on every machine; floats (rates, averages) would print differently across
libraries and rounding modes. Rates are left to the reader (or the PDF's charts), and durations
are whole seconds. Nothing here names a person, a phone number or a message text: only
aggregates, reasons, campaign names and the institution's own identifiers.
"""

from __future__ import annotations

from dataclasses import dataclass

from smsguard.errors import SmsguardError

REPORT_VERSION = 1


class ReportError(SmsguardError):
    """A report that cannot be built, read or verified; the message names the failed check."""

    code = "report-error"


@dataclass(frozen=True)
class Tally:
    """One labelled count (a state, a reason, a source …)."""

    label: str
    count: int


@dataclass(frozen=True)
class CampaignVolume:
    """What happened to one campaign's messages in the month (``campaign_id`` None: single
    messages sent outside any campaign)."""

    campaign_id: int | None
    name: str
    total: int
    handed_over: int
    delivered: int
    refused: int
    failed: int
    pending: int


@dataclass(frozen=True)
class Volumes:
    """Messages of the month by final state, with the reasons for refusals and failures."""

    total: int
    handed_over: int
    delivered: int
    refused: int
    failed: int
    pending: int
    segments_handed_over: int
    by_state: tuple[Tally, ...]
    refusal_reasons: tuple[Tally, ...]
    failure_reasons: tuple[Tally, ...]
    campaigns: tuple[CampaignVolume, ...]


@dataclass(frozen=True)
class Approvals:
    """Maker-checker decisions taken in the month."""

    templates_submitted: int
    templates_approved: int
    templates_approved_after_review: int
    templates_rejected: int
    rejection_reasons: tuple[Tally, ...]
    campaigns_approved: int


@dataclass(frozen=True)
class Withdrawals:
    """Consent withdrawals recorded in the month, by where they came from and what for."""

    total: int
    by_source: tuple[Tally, ...]
    by_purpose: tuple[Tally, ...]


@dataclass(frozen=True)
class ComplaintCases:
    """Cases of the complaints desk: those received in the month, those resolved in it and
    how fast (whole seconds, the median being the lower middle value), and the cases still
    open past their deadline when the month ended."""

    received: int
    by_category: tuple[Tally, ...]
    by_status: tuple[Tally, ...]
    resolved: int
    resolved_within_deadline: int
    median_handling_seconds: int | None
    max_handling_seconds: int | None
    overdue_at_end: int


@dataclass(frozen=True)
class Complaints:
    """Complaints received by reply in the month, and the desk's cases when available."""

    received: int
    by_kind: tuple[Tally, ...]
    cases: ComplaintCases | None


@dataclass(frozen=True)
class MonitorAction:
    """One automatic action of the monitor (e.g. a campaign paused), with its stated reason."""

    at: str
    action: str
    target: str
    detector: str
    severity: str
    reason: str


@dataclass(frozen=True)
class Monitoring:
    """Alerts the monitor acted on in the month."""

    total: int
    by_action: tuple[Tally, ...]
    by_detector: tuple[Tally, ...]
    actions: tuple[MonitorAction, ...]


@dataclass(frozen=True)
class LogState:
    """The latest signed checkpoint of the institution's transparency log."""

    origin: str
    size: int
    root: str
    note: str


@dataclass(frozen=True)
class MonthlyReport:
    """One institution's figures for one calendar month in its own time zone."""

    institution: str
    institution_name: str
    period: str
    timezone: str
    starts: str
    ends: str
    generated_at: str
    volumes: Volumes
    approvals: Approvals
    withdrawals: Withdrawals
    complaints: Complaints
    monitoring: Monitoring
    data_access: tuple[Tally, ...]
    checkpoint: LogState | None
