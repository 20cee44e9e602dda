"""Making a report from settings: which database, time zone, log and key; which format.

The one place that knows how the pieces fit, so the CLI (and later the HTTP API) only parse
arguments and write bytes.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from smsguard.reports.data import gather
from smsguard.reports.logstate import latest_checkpoint, log_signer
from smsguard.reports.model import MonthlyReport, ReportError
from smsguard.reports.period import parse_period
from smsguard.settings import Settings
from smsguard.store import Database
from smsguard.tlog.note import Ed25519Signer, parse_skey

Format = Literal["json", "xlsx", "pdf"]
FORMATS: tuple[Format, ...] = ("json", "xlsx", "pdf")


def build_report(
    settings: Settings,
    database: Database,
    code: str,
    period: str,
    *,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> MonthlyReport:
    """The report of institution ``code`` for ``period`` (YYYY-MM in the ``timezone``
    setting), quoting its log's latest checkpoint when it keeps a log."""
    from smsguard.customers import institution_id_for

    month = parse_period(period, settings.timezone)
    institution_id = institution_id_for(database, code)
    checkpoint = latest_checkpoint(
        settings.home, code, settings.log_storage, database, institution_id
    )
    return gather(database, institution_id, month, checkpoint=checkpoint, now=now)


def report_signer(settings: Settings, code: str, key_file: Path | None = None) -> Ed25519Signer:
    """The key that signs the JSON form: ``key_file`` if given, else the log key of ``code``."""
    if key_file is not None:
        if not key_file.is_file():
            raise ReportError(f"signing key {key_file} does not exist")
        return parse_skey(key_file.read_text(encoding="utf-8"))
    signer = log_signer(settings.home, code)
    if signer is None:
        raise ReportError(
            f"institution {code!r} has no transparency-log key to sign its report with",
            hint=f"Create it with `smsguard log init --institution {code}`, or pass --key.",
        )
    return signer


def render(
    report: MonthlyReport,
    fmt: Format,
    *,
    signer: Ed25519Signer | None = None,
    font: Path | None = None,
) -> bytes:
    """The report's bytes in ``fmt``; JSON needs ``signer``."""
    if fmt == "json":
        if signer is None:
            raise ReportError("the JSON form is always signed; no key was given")
        from smsguard.reports.json_form import signed_json

        return signed_json(report, signer)
    if fmt == "xlsx":
        from smsguard.reports.xlsx import workbook_bytes

        return workbook_bytes(report)
    if fmt == "pdf":
        from smsguard.reports.pdf import pdf_bytes

        return pdf_bytes(report, font)
    raise ReportError(f"unknown report format {fmt!r}; use one of {', '.join(FORMATS)}")
