"""Human-readable screening reports for the terminal."""

from __future__ import annotations

import click

from smsguard.screening.verdict import Verdict

_VERDICT_COLOUR = {"pass": "green", "review": "yellow", "block": "red"}
_SEVERITY_COLOUR = {"block": "red", "review": "yellow", "info": "cyan"}


def render_report(text: str, verdict: Verdict, *, color: bool) -> str:
    """The verdict, the text with matched spans highlighted, then each finding."""

    def style(value: str, **kwargs: object) -> str:
        return click.style(value, **kwargs) if color else value  # type: ignore[arg-type]

    head = style(verdict.verdict.upper(), fg=_VERDICT_COLOUR[verdict.verdict], bold=True)
    lines = [
        f"{head}  purpose={verdict.purpose}  loan={'yes' if verdict.loan_related else 'no'}"
        + ("  FRAUD SIGNALS" if verdict.fraud else ""),
        "",
        "  " + highlight(text, verdict, color=color),
        "",
    ]
    if not verdict.findings:
        lines.append("  No findings.")
    for number, finding in enumerate(verdict.findings, 1):
        start, end = finding.span
        excerpt = text[start:end] if end - start <= 40 else text[start : start + 37] + "…"
        label = style(f"{finding.severity:<6}", fg=_SEVERITY_COLOUR[finding.severity])
        lines.append(f"  {number}. {label} {finding.rule}  [{start}:{end}] {excerpt!r}")
        lines.append(f"     {finding.message}")
        if finding.detail:
            lines.append(f"     detail: {finding.detail}")
        lines.append(f"     basis: {finding.basis}")
    lines.extend(render_risk(verdict))
    lines.extend(["", f"  rulebook {verdict.rulebook}"])
    return "\n".join(lines)


def render_risk(verdict: Verdict) -> list[str]:
    """The model's label, probabilities and drivers, and any fraud templates matched."""
    risk = verdict.risk
    if risk is None:
        return []
    odds = "  ".join(f"{label} {p:.2f}" for label, p in risk.probabilities.items())
    lines = ["", f"  risk: {risk.label}  ({odds})  model {risk.model}"]
    if risk.explanation:
        drivers = ", ".join(f"{feature!r} {weight:+.2f}" for feature, weight in risk.explanation)
        lines.append(f"     driven by: {drivers}")
    for hit in risk.templates:
        lines.append(
            f"     template {hit.template_id} ({hit.category}) similarity {hit.similarity:.2f}"
        )
    return lines


def highlight(text: str, verdict: Verdict, *, color: bool) -> str:
    """Mark finding spans: coloured on a terminal, ⟦brackets⟧ elsewhere."""
    marks = sorted({f.span for f in verdict.findings if 0 < f.span[1] - f.span[0] < len(text)})
    out: list[str] = []
    cursor = 0
    for start, end in marks:
        if start < cursor:
            continue
        out.append(text[cursor:start])
        piece = text[start:end]
        out.append(click.style(piece, fg="red", underline=True) if color else f"⟦{piece}⟧")
        cursor = end
    out.append(text[cursor:])
    return "".join(out)
