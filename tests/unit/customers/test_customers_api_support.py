"""What the HTTP service needs from the customer core: uploads read like files, and a
withdrawal entered by a person names them in the audit trail."""

from __future__ import annotations

import pytest
from customer_rows import PHONES, numbered, row
from sqlalchemy import select

from smsguard.customers import CustomerService
from smsguard.customers.rows import table_from_bytes
from smsguard.errors import InputError
from smsguard.store import Database
from smsguard.store.models import AuditEvent

HEADER = "\ufeffphone\tconsent_purpose\tconsent_source\tconsent_evidence\tconsent_at\n"


def test_an_upload_reads_like_a_file_and_bad_bytes_are_input_errors() -> None:
    assert table_from_bytes((HEADER + "1\t2\t3\t4\t5\n").encode()) == [
        (2, {"phone": "1", "consent_purpose": "2", "consent_source": "3",
             "consent_evidence": "4", "consent_at": "5"}),
    ]  # fmt: skip
    with pytest.raises(InputError, match=r"up\.csv: missing column"):
        table_from_bytes(b"phone\n1\n", "up.csv")
    with pytest.raises(InputError, match="UnicodeDecodeError"):
        table_from_bytes("phone\n\xe9".encode("latin-1"))


def test_a_withdrawal_with_an_actor_is_audited_without_the_number(
    service: CustomerService, database: Database
) -> None:
    service.import_customers(numbered(row(PHONES[0])))
    service.withdraw(PHONES[0], source="call-centre", evidence="call 7781", actor="olga")
    service.withdraw(PHONES[0], source="sms-reply", evidence="TD")  # no actor: no row
    with database.transaction() as session:
        events = list(session.scalars(select(AuditEvent)))
    assert [(e.actor, e.action, e.target_type) for e in events] == [
        ("olga", "consent.withdrawn", "customer")
    ]
    assert events[0].detail == {"source": "call-centre", "purposes": ["loan_marketing"]}
    assert PHONES[0] not in str(events[0].detail)
