"""Audiences over HTTP: preview a definition, read the frozen selection, explain a customer."""

from __future__ import annotations

import sys
from pathlib import Path

from api_harness import Api
from test_campaigns_api import COMPLIANT, campaign_form, import_customers, ok
from test_customers_api import PHONES

sys.path.insert(0, str(Path(__file__).parents[1] / "unit" / "targeting"))
from targeting_world import give_profiles


def _approved(api: Api) -> int:
    mia, olga = api.client("mia"), api.client("olga")
    import_customers(mia)
    give_profiles(api.database, api.institution_ids["bank-a"])
    version = ok(mia.post("/api/v1/templates", json={"name": "bill", "body": COMPLIANT}), 201)
    url = f"/api/v1/template-versions/{version['id']}"
    ok(mia.post(f"{url}/screen"))
    ok(mia.post(f"{url}/submit"))
    ok(olga.post(f"{url}/approve"))
    form = campaign_form(version["id"], audience={"credit_band": {"in": ["B"]}})
    campaign = ok(mia.post("/api/v1/campaigns", json=form), 201)
    ok(olga.post(f"/api/v1/campaigns/{campaign['id']}/approve"))
    return int(campaign["id"])


def test_preview_show_and_explain(api: Api) -> None:
    campaign_id = _approved(api)
    mia, olga = api.client("mia"), api.client("olga")
    shown = ok(mia.get(f"/api/v1/campaigns/{campaign_id}/audience"))
    assert shown["selected"] == 3 and len(shown["digest"]) == 64
    preview = ok(mia.post("/api/v1/audiences/preview", json={"audience": {"all": True}}))
    assert (preview["base"], preview["selected"], preview["digest"]) == (3, 3, None)
    wrong = mia.post("/api/v1/audiences/preview", json={"audience": {"region": {"in": ["99"]}}})
    assert wrong.status_code in (400, 422) and "GB/T 2260" in wrong.text
    url = f"/api/v1/campaigns/{campaign_id}/audience/explain"
    assert mia.post(url, json={"customer_id": 1}).status_code == 403
    explained = ok(olga.post(url, json={"customer_id": 1}))
    assert explained["included"] is True and explained["frozen_member"] is True
    assert explained["conditions"][0]["value"] == "B"
    assert not any(phone in str(explained) for phone in PHONES)
