"""Customers over HTTP: import (JSON and file), withdrawal, the may-market check; never a
number in clear in any answer. Numbers and names are invented."""

from __future__ import annotations

from api_harness import Api
from sqlalchemy import select

from smsguard.store import tenant_session
from smsguard.store.models import AuditEvent

PHONES = ("13800000001", "13800000002", "13800000003")
HEADER = (
    "phone,name,birth_year,is_student,consent_purpose,consent_source,consent_evidence,consent_at"
)


def customer(phone: str, **changes: object) -> dict[str, object]:
    row: dict[str, object] = {
        "phone": phone, "name": "王芳", "id_number": "110101199001011234", "birth_year": 1990,
        "is_student": False, "consent_purpose": "loan_marketing", "consent_source": "app-signup",
        "consent_evidence": "checkbox v3, session 8841", "consent_at": "2025-01-31T09:30:00+08:00",
    }  # fmt: skip
    row.update(changes)
    return row


def test_a_json_import_stores_every_row_and_a_second_one_updates(api: Api) -> None:
    mia = api.client("mia")
    rows = [customer(phone) for phone in PHONES]
    first = mia.post("/api/v1/customers/import", json={"customers": rows})
    assert first.status_code == 200 and first.json() == {"inserted": 3, "updated": 0}
    again = mia.post("/api/v1/customers/import", json={"customers": rows[:1]})
    assert again.json() == {"inserted": 0, "updated": 1}


def test_one_bad_row_stores_nothing_and_names_the_row_with_the_number_masked(api: Api) -> None:
    mia = api.client("mia")
    rows = [customer(PHONES[0]), customer(PHONES[1], consent_at="2025-01-31T09:30:00")]
    refused = mia.post("/api/v1/customers/import", json={"customers": rows})
    assert refused.status_code == 400
    message = refused.json()["error"]["message"]
    assert "line 2" in message and "UTC offset" in message and PHONES[1] not in message
    check = mia.post("/api/v1/customers/may-market", json={"phone": PHONES[0]})
    assert check.json()["allowed"] is False  # the good row was not stored either
    assert mia.post("/api/v1/customers/import", json={"customers": []}).status_code == 422
    bad_phone = mia.post("/api/v1/customers/import", json={"customers": [customer("12345")]})
    assert bad_phone.status_code == 400


def test_a_csv_upload_imports_like_the_cli(api: Api) -> None:
    lines = [HEADER] + [
        f"{phone},李雷,1991,no,loan_marketing,branch,form 17,2025-02-01T10:00:00+08:00"
        for phone in PHONES
    ]
    upload = {"file": ("customers.csv", "\n".join(lines).encode(), "text/csv")}
    answer = api.client("root").post("/api/v1/customers/import/file", files=upload)
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"inserted": 3, "updated": 0}
    broken = {"file": ("x.csv", b"phone,name\n13800000009,x\n", "text/csv")}
    missing = api.client("root").post("/api/v1/customers/import/file", files=broken)
    assert missing.status_code == 400 and "missing column" in missing.json()["error"]["message"]
    latin = {"file": ("x.csv", "phone\n\xe9".encode("latin-1"), "text/csv")}
    assert api.client("root").post("/api/v1/customers/import/file", files=latin).status_code == 400
    assert api.client("root").post("/api/v1/customers/import/file").status_code == 422


def test_a_withdrawal_stops_marketing_and_is_audited_with_its_actor(api: Api) -> None:
    mia = api.client("mia")
    mia.post("/api/v1/customers/import", json={"customers": [customer(PHONES[0])]})
    before = mia.post("/api/v1/customers/may-market", json={"phone": PHONES[0]}).json()
    assert before == {
        "masked_phone": "+86 138****0001", "purpose": "loan_marketing", "allowed": True,
        "reason": "consent granted",
    }  # fmt: skip
    form = {"phone": f"+86 {PHONES[0]}", "source": "call-centre", "evidence": "call 7781"}
    withdrawn = api.client("olga").post("/api/v1/customers/withdrawals", json=form)
    assert withdrawn.status_code == 201
    assert withdrawn.json() == {"masked_phone": "+86 138****0001", "withdrawn": ["loan_marketing"]}
    after = api.client("ada").post("/api/v1/customers/may-market", json={"phone": PHONES[0]})
    assert after.json()["allowed"] is False and after.json()["reason"] == "consent withdrawn"
    with tenant_session(api.database, api.institution_ids["bank-a"]) as session:
        event = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "consent.withdrawn")
        ).one()
    assert event.actor == "olga" and event.detail["source"] == "call-centre"


def test_failures_of_withdrawal_and_check(api: Api) -> None:
    mia = api.client("mia")
    unknown = mia.post(
        "/api/v1/customers/withdrawals",
        json={"phone": PHONES[2], "source": "call-centre", "evidence": "x"},
    )
    assert unknown.status_code == 404 and PHONES[2] not in unknown.text
    assert mia.post("/api/v1/customers/withdrawals", json={"phone": PHONES[2]}).status_code == 422
    nobody = mia.post("/api/v1/customers/may-market", json={"phone": PHONES[2]})
    assert nobody.json()["allowed"] is False and nobody.json()["reason"] == "no consent"
    bad = mia.post("/api/v1/customers/may-market", json={"phone": "call me"})
    assert bad.status_code == 400


def test_roles_and_tenancy(api: Api) -> None:
    api.client("mia").post("/api/v1/customers/import", json={"customers": [customer(PHONES[0])]})
    rows = {"customers": [customer(PHONES[1])]}
    assert api.client("olga").post("/api/v1/customers/import", json=rows).status_code == 403
    assert api.client("ada").post("/api/v1/customers/withdrawals", json={
        "phone": PHONES[0], "source": "x", "evidence": "y"}).status_code == 403  # fmt: skip
    assert (
        api.client("rex")
        .post("/api/v1/customers/may-market", json={"phone": PHONES[0]})
        .status_code
        == 403
    )
    other = api.client("mia", "bank-b")
    assert (
        other.post("/api/v1/customers/may-market", json={"phone": PHONES[0]}).json()["allowed"]
        is False
    )
    withdraw = {"phone": PHONES[0], "source": "x", "evidence": "y"}
    assert other.post("/api/v1/customers/withdrawals", json=withdraw).status_code == 404
