"""The JSON form of a report: the dataclasses as plain objects, then signed (signing.py)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from smsguard.reports.model import REPORT_VERSION, MonthlyReport
from smsguard.reports.signing import sign_report
from smsguard.tlog.note import Signer


def report_dict(report: MonthlyReport) -> dict[str, Any]:
    """The report as JSON-ready data (integers and strings only), with its schema version."""
    return {"version": REPORT_VERSION, **asdict(report)}


def signed_json(report: MonthlyReport, signer: Signer) -> bytes:
    """The signed JSON file's bytes."""
    return sign_report(report_dict(report), signer)
