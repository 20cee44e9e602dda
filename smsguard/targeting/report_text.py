"""An :class:`~smsguard.targeting.selection.AudienceReport` as text lines, in Chinese or
English (the CLI's ``audience preview`` and ``audience show``)."""

from __future__ import annotations

from smsguard.targeting.exclusions import EXCLUSIONS
from smsguard.targeting.explain_text import Lang, pick
from smsguard.targeting.policy import ExclusionPolicy
from smsguard.targeting.selection import AudienceReport

_LABELS: dict[str, tuple[str, str]] = {
    "base": ("符合定义的客户", "customers the definition matches"),
    "excluded": ("强制排除合计（每人计一次）", "excluded in total (each customer once)"),
    "eligible": ("可营销", "eligible"),
    "below": ("低于最低响应概率", "below the minimum probability"),
    "over": ("超出名额", "over the limit"),
    "selected": ("入选", "selected"),
    "digest": ("名单摘要 SHA-256", "list digest SHA-256"),
    "at": ("计算时间", "computed at"),
    "note": (
        "一人可因多项原因被排除，各项分别计数",
        "a customer excluded for several reasons counts under each",
    ),
}


def report_lines(report: AudienceReport, lang: Lang = "zh") -> list[str]:
    """The report, one figure per line, every exclusion with its explanation and basis."""

    def label(key: str) -> str:
        return pick(_LABELS[key], lang)

    policy = (
        ExclusionPolicy.model_validate(dict(report.policy)) if report.policy else ExclusionPolicy()
    )
    lines = [f"{label('at')}: {report.computed_at.isoformat()}", f"{label('base')}: {report.base}"]
    for exclusion in EXCLUSIONS:
        text = pick(exclusion.explanation(policy), lang)
        count = report.exclusions.get(exclusion.id, 0)
        lines.append(f"  - {exclusion.id}: {count}  ({text}; {exclusion.basis})")
    lines += [f"  ({label('note')})", f"{label('excluded')}: {report.excluded}",
              f"{label('eligible')}: {report.eligible}"]  # fmt: skip
    if report.below_min_probability:
        lines.append(f"{label('below')}: {report.below_min_probability}")
    if report.over_limit:
        lines.append(f"{label('over')}: {report.over_limit}")
    lines.append(f"{label('selected')}: {report.selected}")
    if report.digest is not None:
        lines.append(f"{label('digest')}: {report.digest}")
    return lines
