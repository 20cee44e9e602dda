"""The fairness report as a readable bilingual (中文 / English) text table."""

from __future__ import annotations

import unicodedata

from smsguard.targeting.fairness import UNDER_18, UNKNOWN, FairnessReport, GroupRate

# GB/T 2260 province-level codes → short Chinese names.
REGION_NAMES = {
    "11": "北京", "12": "天津", "13": "河北", "14": "山西", "15": "内蒙古", "21": "辽宁",
    "22": "吉林", "23": "黑龙江", "31": "上海", "32": "江苏", "33": "浙江", "34": "安徽",
    "35": "福建", "36": "江西", "37": "山东", "41": "河南", "42": "湖北", "43": "湖南",
    "44": "广东", "45": "广西", "46": "海南", "50": "重庆", "51": "四川", "52": "贵州",
    "53": "云南", "54": "西藏", "61": "陕西", "62": "甘肃", "63": "青海", "64": "宁夏",
    "65": "新疆", "71": "台湾", "81": "香港", "82": "澳门",
}  # fmt: skip
_TITLES = {"region": "地区 / region", "age_band": "年龄段 / age band"}
_SPECIAL = {UNKNOWN: "未知 unknown", UNDER_18: "未成年 under 18"}


def group_name(dimension: str, group: str) -> str:
    if group in _SPECIAL:
        return _SPECIAL[group]
    if dimension == "region":
        return f"{group} {REGION_NAMES.get(group, '')}".strip()
    return group


def render_text(report: FairnessReport) -> str:
    """Headline, one table per dimension, then the flags spelled out."""
    limits = report.thresholds
    lines = [
        f"公平性报告 / fairness report: {report.scope}  (as of {report.as_of:%Y-%m-%d %H:%M} UTC)",
        f"可选基数 eligible {report.eligible:,}  入选 selected {report.selected:,}  "
        f"总体入选率 overall rate {_pct(report.selected, report.eligible)}",
        f"规则 rule: 入选率低于最高组的 {limits.ratio:g} 倍即标记 (four-fifths rule); "
        f"组规模至少 {limits.min_group_size} 人 (smaller groups are never flagged)"
        + (f"; p < {limits.max_p_value:g}" if limits.max_p_value is not None else ""),
    ]
    if report.selected_outside_base:
        lines.append(
            f"注意 note: {report.selected_outside_base} selected customers are outside the "
            "eligible base"
        )
    for dimension in ("region", "age_band"):
        rows = [g for g in report.groups if g.dimension == dimension]
        lines += ["", _TITLES[dimension], *_table(rows)]
    lines.append("")
    if report.flags:
        lines.append(f"标记 flags ({len(report.flags)}):")
        lines += [f"  ! {_flag_line(g)}" for g in report.flags]
    else:
        lines.append("无标记 no flags: no group's rate is below the threshold")
    return "\n".join(lines) + "\n"


def _table(rows: list[GroupRate]) -> list[str]:
    titles = ("组 group", "基数 eligible", "入选 selected", "入选率 rate", "比值 ratio", "p")
    widths = (16, 15, 15, 13, 12, 10)
    header = "".join(
        _pad(t, w, left=i == 0) for i, (t, w) in enumerate(zip(titles, widths, strict=True))
    )
    out = [f"  {header}  说明 note"]
    for g in rows:
        ratio = f"{g.ratio_to_reference:.2f}" if g.ratio_to_reference is not None else "-"
        cells = (group_name(g.dimension, g.group), f"{g.eligible:,}", f"{g.selected:,}",
                 f"{g.rate * 100:.1f}%", ratio, _p(g.p_value))  # fmt: skip
        line = "".join(
            _pad(c, w, left=i == 0) for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        )
        out.append(f"{'!' if g.flagged else ' '} {line}  {g.note}")
    return out


def _pad(text: str, width: int, *, left: bool) -> str:
    """Pad to ``width`` terminal columns; CJK characters take two."""
    shown = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    space = " " * max(width - shown, 1 if not left else 0)
    return text + space if left else space + text


def _flag_line(g: GroupRate) -> str:
    name = group_name(g.dimension, g.group)
    if g.ratio_to_reference is None:
        return f"{name}: {g.note}"
    return (
        f"{name}: rate {g.rate * 100:.1f}% is {g.ratio_to_reference:.2f} x the reference group's "
        f"(p = {_p(g.p_value)})"
    )


def _p(value: float | None) -> str:
    if value is None:
        return "-"
    return "<0.0001" if value < 1e-4 else f"{value:.4f}"


def _pct(part: int, whole: int) -> str:
    return f"{part / whole * 100:.1f}%" if whole else "-"
