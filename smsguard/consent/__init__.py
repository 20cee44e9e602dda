"""Consent, suppression and send-timing decisions for marketing SMS (pure, no storage).

See docs/consent.md for the legal basis of each decision.
"""

from __future__ import annotations

from smsguard.consent.policy import (
    LOAN_MARKETING,
    ConsentRecord,
    Decision,
    FrequencyCap,
    History,
    QuietHours,
    Recipient,
    Rules,
    SendDecision,
    eligible,
    may_market,
    schedule,
)
from smsguard.consent.replies import ReplyClass, classify_reply

__all__ = [
    "LOAN_MARKETING",
    "ConsentRecord",
    "Decision",
    "FrequencyCap",
    "History",
    "QuietHours",
    "Recipient",
    "ReplyClass",
    "Rules",
    "SendDecision",
    "classify_reply",
    "eligible",
    "may_market",
    "schedule",
]
