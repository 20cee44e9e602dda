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


def intel_findings(hits: Sequence[IntelHit], length: int) -> list[Finding]:
    """The findings shared-indicator hits add to a verdict (see the module docstring)."""
    findings: list[Finding] = []
    seen: set[tuple[str, tuple[int, int]]] = set()
    for hit in hits:
        span = hit.span or (0, length)
        basis = INTEL_BASIS.format(sources=", ".join(hit.sources), confidence=hit.confidence)
        if hit.kind in ("url", "domain"):
            if ("INTEL_URL", span) in seen:
                continue
            seen.add(("INTEL_URL", span))
            findings.append(
                Finding(
                    rule="INTEL_URL",
                    severity="block",
                    category="fraud",
                    span=span,
                    message="The link is on the shared list of fraud indicators.",
                    basis=basis,
                    fraud_signal=True,
                    detail=f"{hit.kind} {hit.shown} shared by {', '.join(hit.sources)}",
                )
            )
        elif hit.kind == "sender":
            findings.append(
                Finding(
                    rule="INTEL_SENDER",
                    severity="review",
                    category="fraud",
                    span=span,
                    message="The sender number is on the shared list of fraud indicators.",
                    basis=basis,
                    fraud_signal=True,
                    detail=f"{hit.shown} shared by {', '.join(hit.sources)}",
                )
            )
        else:
            similarity = f", similarity {hit.similarity:.2f}" if hit.similarity else ""
            findings.append(
                Finding(
                    rule="INTEL_TEMPLATE",
                    severity="block",
                    category="fraud",
                    span=span,
                    message="The text is a copy of a fraud SMS on the shared list of indicators.",
                    basis=basis,
                    fraud_signal=True,
                    detail=f"fingerprint {hit.shown}{similarity}",
                )
            )
    return findings
