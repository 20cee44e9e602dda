"""Horizontal bar charts drawn as PDF vector graphics with fpdf2 itself.

Drawing bars directly (rectangles and text) avoids matplotlib, a large dependency with its own
font handling, for charts that are only labelled counts. Vector bars stay sharp when printed
and keep the labels as real text a reader (or a test) can search. Bar lengths are relative to
the largest count; each bar is labelled with its exact count, so no figure is only a length.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from smsguard.reports.model import Tally

if TYPE_CHECKING:
    from fpdf import FPDF

BAR_HEIGHT = 5.0
GAP = 1.6
LABEL_WIDTH = 62.0
MAX_BARS = 10
PALETTE = ((47, 95, 152), (217, 95, 2), (27, 158, 119), (117, 112, 179), (231, 41, 138))


def chart_height(tallies: Sequence[Tally]) -> float:
    """Vertical space a chart of ``tallies`` takes, title included (mm)."""
    return 9 + max(1, min(len(tallies), MAX_BARS)) * (BAR_HEIGHT + GAP) + 4


def bar_chart(pdf: FPDF, title: str, tallies: Sequence[Tally], colour: int = 0) -> None:
    """Draw ``title`` and one bar per tally at the current position, then move below it."""
    shown = list(tallies)[:MAX_BARS]
    left, top = pdf.l_margin, pdf.get_y()
    width = pdf.w - pdf.l_margin - pdf.r_margin
    pdf.set_font(size=11)
    pdf.cell(w=width, h=7, text=title)
    y = top + 9
    if not shown or all(t.count == 0 for t in shown):
        pdf.set_font(size=9)
        pdf.text(left, y + BAR_HEIGHT - 1, "(无数据 no data)")
        pdf.set_y(top + chart_height(shown))
        return
    largest = max(t.count for t in shown)
    room = width - LABEL_WIDTH - 18
    pdf.set_font(size=8)
    for tally in shown:
        _bar(pdf, tally, left, y, room * tally.count / largest, PALETTE[colour % len(PALETTE)])
        y += BAR_HEIGHT + GAP
    pdf.set_draw_color(120, 120, 120)
    pdf.line(left + LABEL_WIDTH, top + 8, left + LABEL_WIDTH, y)
    pdf.set_y(top + chart_height(shown))


def _bar(
    pdf: FPDF, tally: Tally, left: float, y: float, length: float, rgb: tuple[int, int, int]
) -> None:
    label = _fit(pdf, tally.label, LABEL_WIDTH - 2)
    pdf.set_text_color(0, 0, 0)
    pdf.text(left + LABEL_WIDTH - 1 - pdf.get_string_width(label), y + BAR_HEIGHT - 1.3, label)
    pdf.set_fill_color(*rgb)
    if length > 0:
        pdf.rect(left + LABEL_WIDTH, y, max(length, 0.4), BAR_HEIGHT, style="F")
    pdf.text(left + LABEL_WIDTH + length + 1.5, y + BAR_HEIGHT - 1.3, f"{tally.count:,}")


def _fit(pdf: FPDF, text: str, width: float) -> str:
    """``text`` cut with an ellipsis so it fits ``width`` mm in the current font."""
    if pdf.get_string_width(text) <= width:
        return text
    while text and pdf.get_string_width(text + "…") > width:
        text = text[:-1]
    return text + "…"
