"""The PDF form: a cover with the headline figures, bar charts, then every section's tables.

Written with fpdf2 (the ``reports`` extra; pure Python, subsets the font it embeds), imported
only when a PDF is made. Chinese labels need a CJK font, which no PDF viewer can be assumed to
have, so one is embedded: the first of :data:`FONT_CANDIDATES` found (Debian's
fonts-wqy-microhei, installed by ``.ci/install-report-tools``), or a file given with
``--font``. Without one the PDF is refused rather than written with empty boxes.

Like the workbook, the PDF is for reading; the signed JSON form is the one to verify.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from smsguard.reports.charts import bar_chart, chart_height
from smsguard.reports.layout import STATE_LABELS, Section, Table, sections
from smsguard.reports.model import MonthlyReport, ReportError, Tally

if TYPE_CHECKING:
    from fpdf import FPDF

FONT = "cjk"
FONT_CANDIDATES = (
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
    Path("/usr/share/fonts/truetype/arphic-gkai00mp/gkai00mp.ttf"),
    Path("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"),
)
_NOTE = (
    "本文件未签名，请以同期签名 JSON 报告为准。This PDF is not signed: the signed JSON report "
    "of the same period is authoritative (smsguard report verify)."
)


def find_font(given: Path | None = None) -> Path:
    """The CJK font to embed: ``given`` if set, else the first candidate installed."""
    if given is not None:
        if not given.is_file():
            raise ReportError(f"font file {given} does not exist")
        return given
    for candidate in FONT_CANDIDATES:
        if candidate.is_file():
            return candidate
    raise ReportError(
        "no CJK font found for the PDF's Chinese text",
        hint="Install Debian's fonts-wqy-microhei (.ci/install-report-tools) or pass --font.",
    )


def pdf_bytes(report: MonthlyReport, font: Path | None = None) -> bytes:
    """The report as a PDF file."""
    pdf = _document(report, find_font(font))
    _cover(pdf, report)
    _charts(pdf, report)
    for section in sections(report)[1:]:
        _section(pdf, section)
    return bytes(pdf.output())


def _document(report: MonthlyReport, font: Path) -> FPDF:
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_title(f"smsguard monthly report {report.institution} {report.period}")
    pdf.set_creator("smsguard")
    # The report's own time, not the wall clock: the same report gives the same file.
    pdf.set_creation_date(datetime.fromisoformat(report.generated_at))
    pdf.add_font(FONT, fname=str(font))
    pdf.set_font(FONT, size=10)
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    return pdf


def _heading(pdf: FPDF, text: str, size: int = 14) -> None:
    pdf.set_font(size=size)
    pdf.multi_cell(w=0, h=size * 0.55, text=text, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font(size=10)


def _cover(pdf: FPDF, report: MonthlyReport) -> None:
    _heading(pdf, "短信合规月度报告 Monthly SMS compliance report", 18)
    _heading(pdf, f"{report.institution_name} ({report.institution}) · {report.period}", 13)
    for table in sections(report)[0].tables:
        _table(pdf, table)
    pdf.set_font(size=8)
    pdf.multi_cell(w=0, h=4, text=_NOTE, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(size=10)
    pdf.ln(3)


def _charts(pdf: FPDF, report: MonthlyReport) -> None:
    v = report.volumes
    states = [Tally(STATE_LABELS.get(t.label, t.label), t.count) for t in v.by_state if t.count]
    campaigns = [Tally(c.name, c.handed_over) for c in v.campaigns]
    charts: Sequence[tuple[str, Sequence[Tally]]] = (
        ("图1 按状态的短信量 Messages by state", states),
        ("图2 拦截原因 Why messages were refused", v.refusal_reasons),
        ("图3 各活动已发出量 Handed over per campaign", campaigns),
        ("图4 撤回同意来源 Consent withdrawals by source", report.withdrawals.by_source),
    )
    for colour, (title, tallies) in enumerate(charts):
        if pdf.get_y() + chart_height(tallies) > pdf.h - pdf.b_margin:
            pdf.add_page()
        bar_chart(pdf, title, tallies, colour)


def _section(pdf: FPDF, section: Section) -> None:
    pdf.add_page()
    _heading(pdf, section.title)
    for table in section.tables:
        _table(pdf, table)


def _table(pdf: FPDF, table: Table) -> None:
    pdf.set_font(size=11)
    pdf.cell(w=0, h=7, text=table.title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(size=8 if len(table.headers) > 3 else 9)
    from fpdf.fonts import FontFace

    heading = FontFace(emphasis="", fill_color=(221, 230, 240))  # the CJK font has no bold
    pdf.set_fill_color(255, 255, 255)  # a chart's bar colour must not tint the rows
    with pdf.table(text_align="LEFT", line_height=4.6, headings_style=heading) as grid:
        grid.row([str(h) for h in table.headers])
        for values in table.rows or ((("(无 none)",) + ("",) * (len(table.headers) - 1)),):
            grid.row([_cell(value) for value in values])
    pdf.set_font(size=10)
    pdf.ln(3)


def _cell(value: str | int | None) -> str:
    if value is None:
        return "—"
    return f"{value:,}" if isinstance(value, int) else value
