"""Customer data of each institution, stored encrypted, with consent history and audited reveal.

The storage half of governance's customer part: :mod:`smsguard.protect` encrypts and indexes,
:mod:`smsguard.consent` decides, :mod:`smsguard.store` persists. See docs/protection.md.
"""

from __future__ import annotations

from smsguard.customers.audit_sink import DatabaseAuditSink
from smsguard.customers.inbound import ReplyOutcome
from smsguard.customers.keystore import RotationCount, rotate_all
from smsguard.customers.service import (
    CustomerService,
    CustomerView,
    ImportSummary,
    institution_id_for,
)

__all__ = [
    "CustomerService",
    "CustomerView",
    "DatabaseAuditSink",
    "ImportSummary",
    "ReplyOutcome",
    "RotationCount",
    "institution_id_for",
    "rotate_all",
]
