"""The monthly report over HTTP: signed JSON, workbook and PDF, with their media types."""

from __future__ import annotations

from api_harness import Api
from needs import need

from smsguard.reports.signing import verify_report
from smsguard.tlog.log import create_local_log

URL = "/api/v1/reports/2026-11"


def test_the_json_report_is_signed_with_the_log_key(api: Api) -> None:
    log = create_local_log(api.settings.home, "bank-a")
    answer = api.client("rex").get(URL)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("application/json")
    disposition = answer.headers["content-disposition"]
    assert 'filename="smsguard-report-bank-a-2026-11.json"' in disposition
    verified = verify_report(answer.content, log.signer.verifier.vkey)
    assert verified.institution == "bank-a" and verified.period == "2026-11"


def test_the_workbook(api: Api) -> None:
    answer = api.client("ada").get(URL, params={"format": "xlsx"})
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert answer.content[:2] == b"PK"


def test_the_pdf(api: Api) -> None:
    answer = api.client("olga").get(URL, params={"format": "pdf"})
    # Without a CJK font the service answers with a clear 4xx; the tests need the font.
    need("a CJK font", answer.status_code == 200, ".ci/install-report-tools")
    assert answer.content.startswith(b"%PDF")


def test_bad_periods_and_formats(api: Api) -> None:
    client = api.client("rex")
    for period in ("2026-13", "november", "1999-01"):
        answer = client.get(f"/api/v1/reports/{period}", params={"format": "xlsx"})
        assert answer.status_code == 400, period
    assert client.get(URL, params={"format": "docx"}).status_code == 422


def test_json_without_a_log_key_says_so(api: Api) -> None:
    answer = api.client("rex").get(URL)
    assert answer.status_code == 400 and "log" in answer.json()["error"]["message"]


def test_roles_and_tenancy(api: Api) -> None:
    assert api.client("mia").get(URL, params={"format": "xlsx"}).status_code == 403
    assert api.anonymous().get(URL).status_code == 401
    create_local_log(api.settings.home, "bank-a")
    mine = api.client("rex", "bank-b").get(URL)
    assert mine.status_code == 400  # bank-b keeps no log: its own report, never bank-a's
    assert "bank-b" in mine.json()["error"]["message"]
