"""How indicators shared between institutions join screening: the port and the findings.

Fraud seen and confirmed at one institution (a link, a sender number, a fraud text) is
shared with the others (docs/intel.md). Screening knows that shared set only through
:class:`IntelLookup`, built by the composition root, so the engine stays pure and never
imports :mod:`smsguard.intel`.

The policy, in one place:

* a link whose URL, host or parent domain is on the set → ``block`` (``INTEL_URL``), a fraud
  signal: a link is the content itself, and the one thing the victim acts on;
* a text that is a copy of a shared fraud text (its fingerprint) → ``block``
  (``INTEL_TEMPLATE``), a fraud signal;
* a sender number on the set → ``review`` (``INTEL_SENDER``), a fraud signal: numbers are
  spoofed and recycled by carriers, so a number alone asks a person to look, while the
  content findings decide a block.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

from smsguard.screening.facts import UrlFact
from smsguard.screening.verdict import Finding

INTEL_BASIS = (
    "Fraud indicator shared under the industry risk-intelligence standard, from {sources} "
    "(confidence {confidence}); regulations.md §E (E6 impersonation, E7 《反电信网络诈骗法》"
    "第25条 detect and stop fraud content, 第32条 anti-fraud data sharing)"
)

HitKind = Literal["url", "domain", "sender", "fingerprint"]
Severity = Literal["block", "review"]


@dataclass(frozen=True, slots=True)
class IntelQuery:
    """One SMS as the lookup sees it: its text, the links screening found, its sender."""

    text: str
    urls: tuple[UrlFact, ...]
    sender_number: str | None


@dataclass(frozen=True, slots=True)
class IntelHit:
    """A shared indicator the SMS matches."""

    kind: HitKind
    shown: str  # what matched, fit to show: the link or domain, "sender number", a short id
    sources: tuple[str, ...]  # codes of the institutions that vouch for it
    confidence: int
    span: tuple[int, int] | None = None  # in the original text (links)
    similarity: float | None = None  # fingerprint matches


class IntelLookup(Protocol):
    """Answers "which shared indicators does each SMS match?"; may refresh itself between
    calls, never during one."""

    def lookup_many(self, queries: Sequence[IntelQuery]) -> list[list[IntelHit]]:
        """One list of hits per query, in order."""
        ...


# Per kind of hit: the rule, its severity and what it tells the reader. A sender number only
# sends to review (numbers are spoofed and reassigned); a link or a copied text blocks.
_RULES: dict[str, tuple[str, Severity, str]] = {
    "url": ("INTEL_URL", "block", "The link is on the shared list of fraud indicators."),
    "domain": ("INTEL_URL", "block", "The link is on the shared list of fraud indicators."),
    "sender": ("INTEL_SENDER", "review",
               "The sender number is on the shared list of fraud indicators."),
    "fingerprint": ("INTEL_TEMPLATE", "block",
                    "The text is a copy of a fraud SMS on the shared list of indicators."),
}  # fmt: skip


def intel_findings(hits: Sequence[IntelHit], length: int) -> list[Finding]:
    """The findings shared-indicator hits add to a verdict (see the module docstring); a link
    whose URL and domain both match gives one finding."""
    findings: list[Finding] = []
    seen: set[tuple[str, tuple[int, int]]] = set()
    for hit in hits:
        rule, severity, message = _RULES.get(hit.kind, _RULES["fingerprint"])
        span = hit.span or (0, length)
        if rule == "INTEL_URL" and (rule, span) in seen:
            continue
        seen.add((rule, span))
        basis = INTEL_BASIS.format(sources=", ".join(hit.sources), confidence=hit.confidence)
        findings.append(
            Finding(rule=rule, severity=severity, category="fraud", span=span, message=message,
                    basis=basis, fraud_signal=True, detail=_detail(hit))
        )  # fmt: skip
    return findings


def _detail(hit: IntelHit) -> str:
    sources = ", ".join(hit.sources)
    if hit.kind in ("url", "domain"):
        return f"{hit.kind} {hit.shown} shared by {sources}"
    if hit.kind == "sender":
        return f"{hit.shown} shared by {sources}"
    similarity = f", similarity {hit.similarity:.2f}" if hit.similarity else ""
    return f"fingerprint {hit.shown}{similarity}"
