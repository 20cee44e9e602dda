"""The workbook opens in a real spreadsheet program and the PDF has the figures and charts.

LibreOffice (headless) and the CJK font come from .ci/install-report-tools. In CI
(``CI=true``) a missing one fails the test, so a green run means both were exercised; on a
developer's machine it is skipped with the reason.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sample_report import DELIVERED, REFUSED_STUDENT, sample_report
from tools import require

from smsguard.reports.model import MonthlyReport, ReportError
from smsguard.reports.pdf import FONT_CANDIDATES, pdf_bytes
from smsguard.reports.xlsx import NUMBER_FORMAT, workbook_bytes
from smsguard.tlog.note import Ed25519Signer

SHEETS = ["Summary", "Messages", "Campaigns", "Approvals", "Consent", "Complaints", "Monitor",
          "Data access", "Log"]  # fmt: skip
# LibreOffice CSV filter: comma, double quote, UTF-8 (76), from line 1, ..., every sheet (-1).
CSV_FILTER = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"


@pytest.fixture(scope="module")
def report() -> MonthlyReport:
    return sample_report(Ed25519Signer.generate("smsguard.example/haojie"))


def test_the_workbook_has_a_sheet_per_section_with_numeric_cells(report: MonthlyReport) -> None:
    book = load_workbook(io.BytesIO(workbook_bytes(report)))
    assert book.sheetnames == SHEETS
    summary = {row[0]: row[1] for row in book["Summary"].iter_rows(values_only=True) if row[0]}
    assert summary["已送达 delivered"] == DELIVERED
    cell = next(c for row in book["Summary"].iter_rows() for c in row if c.value == DELIVERED)
    assert cell.number_format == NUMBER_FORMAT
    reasons = [row for row in book["Messages"].iter_rows(values_only=True) if row[0]]
    assert ("recipient is a student", REFUSED_STUDENT) in [tuple(r[:2]) for r in reasons]


def test_the_workbook_opens_in_libreoffice(report: MonthlyReport, tmp_path: Path) -> None:
    program = shutil.which("soffice") or shutil.which("libreoffice")
    require("LibreOffice (soffice)", program)
    assert program is not None
    source = tmp_path / "report.xlsx"
    source.write_bytes(workbook_bytes(report))
    profile = (tmp_path / "lo-profile").as_uri()
    done = subprocess.run(
        [program, "--headless", "--norestore", f"-env:UserInstallation={profile}",
         "--convert-to", CSV_FILTER, "--outdir", str(tmp_path), str(source)],
        capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip
    summary = tmp_path / "report-Summary.csv"
    assert summary.exists(), done.stdout + done.stderr
    text = summary.read_text(encoding="utf-8")
    assert re.search(r'已送达 delivered,"?12,?345"?\n', text), text
    assert "好借银行 (haojie)" in text
    campaigns = (tmp_path / "report-Campaigns.csv").read_text(encoding="utf-8")
    assert "双十一 提额活动,1," in campaigns


def test_the_pdf_has_the_figures_chinese_labels_and_charts(report: MonthlyReport) -> None:
    require("a CJK font", any(path.is_file() for path in FONT_CANDIDATES))
    reader = PdfReader(io.BytesIO(pdf_bytes(report)))
    first = reader.pages[0]
    text = first.extract_text()
    assert "短信合规月度报告" in text and "好借银行" in text
    assert f"{DELIVERED:,}" in text and "拦截原因" in text
    assert "recipient is a student" in text  # a chart's bar label is real text
    drawn = first.get_contents().get_data()
    bars = re.findall(rb" re f\b", drawn)
    assert len(bars) >= 3, "the charts are filled rectangles"
    everything = "".join(page.extract_text() for page in reader.pages)
    assert "透明日志 Transparency log" in everything and "smsguard.example/haojie" in everything


def test_the_pdf_is_refused_without_a_usable_font(report: MonthlyReport, tmp_path: Path) -> None:
    with pytest.raises(ReportError, match="does not exist"):
        pdf_bytes(report, tmp_path / "missing.ttf")
