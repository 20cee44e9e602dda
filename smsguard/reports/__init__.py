"""Monthly reports to the regulator: figures from the database, in JSON (signed), xlsx or PDF.

``data`` gathers one institution's month with aggregate SQL into a
:class:`~smsguard.reports.model.MonthlyReport`; ``signing`` makes and checks the signed JSON;
``xlsx`` and ``pdf`` lay the same figures out for people (docs/reports.md). The spreadsheet
and PDF libraries are the optional ``reports`` extra, imported only when those formats are
asked for.
"""

from smsguard.reports.model import MonthlyReport, ReportError
from smsguard.reports.service import build_report, render, report_signer
from smsguard.reports.signing import VerifiedReport, verify_report

__all__ = [
    "MonthlyReport",
    "ReportError",
    "VerifiedReport",
    "build_report",
    "render",
    "report_signer",
    "verify_report",
]
