"""The report as labelled tables, shared by the spreadsheet and the PDF.

Both human-readable formats show the same sections, headings and numbers in the same order,
so they are laid out once here: a :class:`Section` is a sheet of the workbook and a chapter of
the PDF, holding one or more :class:`Table`. Labels are Chinese first, then English, because
the reader is a Chinese regulator and the institution's auditors may not read Chinese.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from smsguard.reports.model import ComplaintCases, MonthlyReport, Tally

Cell = str | int | None

STATE_LABELS = {
    "queued": "排队 queued",
    "sending": "发送中 sending",
    "sent": "已发出 sent",
    "delivered": "已送达 delivered",
    "undelivered": "未送达 undelivered",
    "failed": "失败 failed",
    "refused": "拦截 refused",
    "uncertain": "状态不明 uncertain",
}


@dataclass(frozen=True)
class Table:
    """A titled grid; the first column labels rows, numbers are ``int`` cells."""

    title: str
    headers: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]


@dataclass(frozen=True)
class Section:
    """One sheet of the workbook (``sheet``: ASCII, at most 31 characters) or PDF chapter."""

    sheet: str
    title: str
    tables: tuple[Table, ...]


def _tally_table(title: str, what: str, tallies: Sequence[Tally]) -> Table:
    rows = tuple((t.label, t.count) for t in tallies) or (("(无 none)", 0),)
    return Table(title, (what, "数量 count"), rows)


def _figures(title: str, pairs: Sequence[tuple[str, Cell]]) -> Table:
    return Table(title, ("项目 item", "数值 value"), tuple(pairs))


def summary(report: MonthlyReport) -> Section:
    """The headline figures a regulator reads first."""
    v, a, w, c, m = (
        report.volumes, report.approvals, report.withdrawals, report.complaints, report.monitoring
    )  # fmt: skip
    figures: list[tuple[str, Cell]] = [
        ("机构 institution", f"{report.institution_name} ({report.institution})"),
        ("报告期 period", f"{report.period} ({report.timezone})"),
        ("生成时间 generated (UTC)", report.generated_at),
        ("短信总数 messages", v.total),
        ("已发出 handed over", v.handed_over),
        ("已送达 delivered", v.delivered),
        ("拦截 refused (blocked)", v.refused),
        ("失败 failed", v.failed),
        ("模板批准 templates approved", a.templates_approved),
        ("模板驳回 templates rejected", a.templates_rejected),
        ("活动批准 campaigns approved", a.campaigns_approved),
        ("撤回同意 consent withdrawals", w.total),
        ("投诉 complaints", c.received),
        ("自动处置 monitor actions", m.total),
        ("日志条目 log size", report.checkpoint.size if report.checkpoint else None),
    ]
    return Section("Summary", "摘要 Summary", (_figures("主要数字 Key figures", figures),))


def messages(report: MonthlyReport) -> Section:
    """Volumes by state and the reasons messages were refused or failed."""
    v = report.volumes
    states = tuple((STATE_LABELS.get(t.label, t.label), t.count) for t in v.by_state)
    totals = _figures(
        "合计 Totals",
        [("短信总数 messages", v.total), ("已发出 handed over", v.handed_over),
         ("计费条数 segments handed over", v.segments_handed_over),
         ("待发送 pending", v.pending)],
    )  # fmt: skip
    return Section("Messages", "发送量 Message volumes", (
        Table("按状态 By state", ("状态 state", "数量 count"), states),
        totals,
        _tally_table("拦截原因 Why messages were refused", "原因 reason", v.refusal_reasons),
        _tally_table("失败原因 Why messages failed", "原因 reason", v.failure_reasons),
    ))  # fmt: skip


def campaigns(report: MonthlyReport) -> Section:
    """One row per campaign."""
    headers = ("活动 campaign", "编号 id", "合计 total", "已发出 handed over",
               "已送达 delivered", "拦截 refused", "失败 failed", "待发送 pending")  # fmt: skip
    rows = tuple(
        (c.name, c.campaign_id, c.total, c.handed_over, c.delivered, c.refused, c.failed,
         c.pending)
        for c in report.volumes.campaigns
    )  # fmt: skip
    return Section("Campaigns", "营销活动 Campaigns", (Table("按活动 By campaign", headers, rows),))


def approvals(report: MonthlyReport) -> Section:
    """Maker-checker decisions and why templates were rejected."""
    a = report.approvals
    figures = _figures("审批 Decisions", [
        ("模板提交 templates submitted", a.templates_submitted),
        ("模板批准 templates approved", a.templates_approved),
        ("其中经复核批准 of which approved after review", a.templates_approved_after_review),
        ("模板驳回 templates rejected", a.templates_rejected),
        ("活动批准 campaigns approved", a.campaigns_approved),
    ])  # fmt: skip
    reasons = _tally_table("驳回原因 Rejection reasons", "原因 reason", a.rejection_reasons)
    return Section("Approvals", "审批 Approvals", (figures, reasons))


def consent(report: MonthlyReport) -> Section:
    """Consent withdrawals by source and purpose."""
    w = report.withdrawals
    return Section("Consent", "撤回同意 Consent withdrawals", (
        _figures("合计 Total", [("撤回同意 withdrawals", w.total)]),
        _tally_table("按来源 By source", "来源 source", w.by_source),
        _tally_table("按用途 By purpose", "用途 purpose", w.by_purpose),
    ))  # fmt: skip


def complaints(report: MonthlyReport) -> Section:
    """Complaints received, and the complaints desk's cases when it has them."""
    c = report.complaints
    tables = [
        _figures("合计 Total", [("收到投诉 complaints received", c.received)]),
        _tally_table("按类型 By kind", "类型 kind", c.by_kind),
    ]
    if c.cases is not None:
        tables.extend(_cases(c.cases))
    return Section("Complaints", "投诉 Complaints", tuple(tables))


def _cases(k: ComplaintCases) -> tuple[Table, ...]:
    figures = _figures("投诉处理 Complaint cases", [
        ("本月受理 received", k.received), ("本月办结 resolved", k.resolved),
        ("按期办结 resolved within deadline", k.resolved_within_deadline),
        ("办理时长中位数(秒) median handling (s)", k.median_handling_seconds),
        ("最长办理时长(秒) longest handling (s)", k.max_handling_seconds),
        ("月末逾期未结 overdue at month end", k.overdue_at_end),
    ])  # fmt: skip
    return (
        figures,
        _tally_table("按类别 Cases by category", "类别 category", k.by_category),
        _tally_table("按状态 Cases by status", "状态 status", k.by_status),
    )


def monitoring(report: MonthlyReport) -> Section:
    """Alerts the monitor acted on, counted and listed."""
    m = report.monitoring
    headers = ("时间 at (UTC)", "处置 action", "对象 target", "检测器 detector",
               "级别 severity", "原因 reason")  # fmt: skip
    rows = tuple((x.at, x.action, x.target, x.detector, x.severity, x.reason) for x in m.actions)
    return Section("Monitor", "告警与处置 Alerts and actions", (
        _tally_table("按处置 By action", "处置 action", m.by_action),
        _tally_table("按检测器 By detector", "检测器 detector", m.by_detector),
        Table("处置明细 Actions", headers, rows),
    ))  # fmt: skip


def data_access(report: MonthlyReport) -> Section:
    """Audited reveals of customer data."""
    table = _tally_table(
        "查看客户数据 Customer-data reveals", "操作 / 目的 / 结果 action / purpose / outcome",
        report.data_access,
    )  # fmt: skip
    return Section("Data access", "数据访问 Data access", (table,))


def transparency_log(report: MonthlyReport) -> Section:
    """The latest signed checkpoint, quoted whole so anyone can verify it."""
    cp = report.checkpoint
    if cp is None:
        pairs: list[tuple[str, Cell]] = [("透明日志 transparency log", "(无 none)")]
    else:
        pairs = [("日志 origin", cp.origin), ("条目数 size", cp.size), ("根哈希 root", cp.root),
                 ("签名检查点 signed checkpoint", cp.note)]  # fmt: skip
    return Section("Log", "透明日志 Transparency log", (_figures("检查点 Checkpoint", pairs),))


def sections(report: MonthlyReport) -> tuple[Section, ...]:
    """Every section, in reading order."""
    builders = (summary, messages, campaigns, approvals, consent, complaints, monitoring,
                data_access, transparency_log)  # fmt: skip
    return tuple(build(report) for build in builders)
