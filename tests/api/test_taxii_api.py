"""TAXII 2.1 under /taxii2/: discovery, the collection, paging, manifests, media types,
keys, and signed feeds pushed by trusted peers (docs/intel-taxii.md)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from api_harness import Api
from fastapi.testclient import TestClient

from smsguard.intel.feed import add_peer, create_feed_key, feed_bytes, sign_feed
from smsguard.intel.lifecycle import IntelContext, confirm
from smsguard.intel.model import Indicator, Kind
from smsguard.intel.sources import add_manual
from smsguard.intel.stix import bundle_of
from smsguard.intel.taxii import STIX_MEDIA, TAXII_MEDIA, collection_id
from smsguard.store import tenant_session
from smsguard.store.intel_models import IntelIndicator
from smsguard.store.models import User
from smsguard.tlog.note import Ed25519Signer

URLS = ("https://icbc-refund.top/a", "https://ccb-refund.top/b", "https://boc-refund.top/c")
ROOT = "/taxii2/bank-a/"
COLLECTION = f"{ROOT}collections/{collection_id('bank-a')}/"


def _confirmed(api: Api, *urls: str) -> None:
    with tenant_session(api.database, api.institution_ids["bank-a"]) as session:
        olga = session.query(User).filter_by(username="olga").one()
        otto = session.query(User).filter_by(username="otto").one()
        for url in urls:
            row = add_manual(session, olga, "url", url, IntelContext())
            confirm(session, otto, row, IntelContext())
            session.flush()


def _reader(api: Api, institution: str = "bank-a") -> TestClient:
    client = api.client("olga", institution)
    client.headers["Accept"] = TAXII_MEDIA
    return client


def test_discovery_api_root_and_collections(api: Api) -> None:
    client = _reader(api)
    found = client.get("/taxii2/")
    assert found.status_code == 200, found.text
    assert found.headers["content-type"] == TAXII_MEDIA
    assert found.json()["api_roots"] == ["http://testserver/taxii2/bank-a/"]
    root = client.get(ROOT).json()
    assert root["versions"] == [TAXII_MEDIA] and root["max_content_length"] > 0
    listed = client.get(f"{ROOT}collections/").json()["collections"]
    assert [c["id"] for c in listed] == [collection_id("bank-a")]
    assert listed[0]["can_read"] and listed[0]["media_types"] == [STIX_MEDIA]
    assert client.get(COLLECTION).json()["id"] == collection_id("bank-a")
    # Another institution's root, or a made-up collection, does not exist for this caller.
    assert client.get("/taxii2/bank-b/").status_code == 404
    assert client.get(f"{ROOT}collections/nope/").status_code == 404
    assert _reader(api, "bank-b").get(COLLECTION).status_code == 404


def test_objects_page_by_limit_next_and_added_after(api: Api) -> None:
    _confirmed(api, *URLS)
    client = _reader(api)
    params: dict[str, Any] = {"match[type]": "indicator", "limit": 2}
    first = client.get(f"{COLLECTION}objects/", params=params)
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["more"] is True and len(body["objects"]) == 2
    assert first.headers["X-TAXII-Date-Added-First"] <= first.headers["X-TAXII-Date-Added-Last"]
    second = client.get(f"{COLLECTION}objects/", params={**params, "next": body["next"]}).json()
    assert second["more"] is False and len(second["objects"]) == 1
    patterns = [o["pattern"] for o in body["objects"] + second["objects"]]
    assert patterns == [f"[url:value = '{url}']" for url in URLS]

    after = first.headers["X-TAXII-Date-Added-Last"]
    later = client.get(f"{COLLECTION}objects/", params={"added_after": after}).json()
    assert [o["pattern"] for o in later["objects"]] == [f"[url:value = '{URLS[2]}']"]
    assert client.get(f"{COLLECTION}objects/", params={"added_after": "2999-01-01T00:00:00Z"}
                      ).json() == {"more": False}  # fmt: skip

    everything = client.get(f"{COLLECTION}objects/").json()["objects"]
    types = {o["type"] for o in everything}
    assert {"identity", "marking-definition", "extension-definition", "indicator"} <= types
    wanted = body["objects"][0]["id"]
    by_id = client.get(f"{COLLECTION}objects/", params={"match[id]": wanted}).json()
    assert [o["id"] for o in by_id["objects"]] == [wanted]
    as_stix = client.get(f"{COLLECTION}objects/", headers={"Accept": STIX_MEDIA})
    assert as_stix.status_code == 200 and as_stix.headers["content-type"] == STIX_MEDIA


def test_manifest(api: Api) -> None:
    _confirmed(api, *URLS[:2])
    answer = _reader(api).get(f"{COLLECTION}manifest/", params={"match[type]": "indicator"})
    assert answer.status_code == 200, answer.text
    rows = answer.json()["objects"]
    assert len(rows) == 2 and all(r["media_type"] == STIX_MEDIA for r in rows)
    assert all(r["date_added"].endswith("Z") and r["version"].endswith("Z") for r in rows)


@pytest.mark.parametrize(
    "accept", ["application/xml", "text/html", "application/taxii+json;version=2.0"]
)
def test_an_unsupported_accept_is_406(api: Api, accept: str) -> None:
    client = api.client("olga")
    for path in ("/taxii2/", ROOT, f"{ROOT}collections/", f"{COLLECTION}objects/",
                 f"{COLLECTION}manifest/"):  # fmt: skip
        answer = client.get(path, headers={"Accept": accept})
        assert answer.status_code == 406, (path, answer.text)
        assert answer.json()["http_status"] == "406"
    # stix+json is for objects only
    assert client.get(f"{ROOT}collections/", headers={"Accept": STIX_MEDIA}).status_code == 406


def test_keys_bad_or_without_the_scope_are_refused(api: Api) -> None:
    anonymous = api.anonymous()
    assert anonymous.get("/taxii2/").status_code == 401
    anonymous.headers["Authorization"] = "Bearer sgk_0000000000000000_not-a-key"
    assert anonymous.get(f"{COLLECTION}objects/").status_code == 401
    # The marketer's role grants no intel.read.
    assert api.client("mia").get(f"{COLLECTION}objects/").status_code == 403
    # A peer's key scoped to intel.read cannot push.
    made = api.client("root").post(
        "/api/v1/api-keys", json={"name": "peer-c", "username": "otto", "scopes": ["intel.read"]}
    )
    assert made.status_code == 201, made.text
    reader = api.anonymous()
    reader.headers["Authorization"] = f"Bearer {made.json()['token']}"
    assert reader.get(f"{COLLECTION}objects/").status_code == 200
    collection = reader.get(COLLECTION).json()
    assert collection["can_write"] is False
    pushed = reader.post(f"{COLLECTION}objects/", content=b"{}",
                         headers={"Content-Type": TAXII_MEDIA})  # fmt: skip
    assert pushed.status_code == 403


def _peer_feed(api: Api, signer: Ed25519Signer, sequence: int, url: str) -> dict[str, Any]:
    now = datetime.now(UTC)
    indicator = Indicator(Kind.URL, url, "bank-c", 80, now, now, now + timedelta(days=30))
    return sign_feed(bundle_of([indicator], "bank-c"), "bank-c", sequence, signer)


def test_a_trusted_peer_pushes_a_signed_feed_once(api: Api) -> None:
    signer = Ed25519Signer.generate("smsguard-intel-feed/bank-c")
    add_peer(api.settings.home, "bank-c", signer.verifier.vkey)
    writer = _reader(api)
    headers = {"Content-Type": TAXII_MEDIA}
    feed = _peer_feed(api, signer, 1, "https://bank-c-phish.top/x")
    answer = writer.post(f"{COLLECTION}objects/", content=feed_bytes(feed), headers=headers)
    assert answer.status_code == 202, answer.text
    status = answer.json()
    assert status["status"] == "complete" and status["success_count"] == 1
    with tenant_session(api.database, api.institution_ids["bank-a"]) as session:
        rows = session.query(IntelIndicator).all()
        assert [(r.value, r.peer, r.origin) for r in rows] == [
            ("https://bank-c-phish.top/x", "bank-c", "import")
        ]

    # The same feed again: a replay.
    again = writer.post(f"{COLLECTION}objects/", content=feed_bytes(feed), headers=headers)
    assert again.status_code == 400 and again.json()["error"]["code"] == "invalid-feed"
    assert "replayed" in again.json()["error"]["message"]

    # A tampered bundle (a URL swapped after signing).
    tampered = _peer_feed(api, signer, 2, "https://bank-c-phish.top/y")
    text = json.dumps(tampered).replace("bank-c-phish.top/y", "bank-c-phish.top/z")
    refused = writer.post(f"{COLLECTION}objects/", content=text.encode(), headers=headers)
    assert refused.status_code == 400 and "tampered" in refused.json()["error"]["message"]

    # A feed signed by a key nobody trusts.
    stranger = Ed25519Signer.generate("smsguard-intel-feed/bank-c")
    forged = _peer_feed(api, stranger, 3, "https://bank-c-phish.top/w")
    refused = writer.post(f"{COLLECTION}objects/", content=feed_bytes(forged), headers=headers)
    assert refused.status_code == 400 and "wrong-key" in refused.json()["error"]["message"]

    # Unsupported content type.
    bad = writer.post(f"{COLLECTION}objects/", content=b"x", headers={"Content-Type": "text/plain"})
    assert bad.status_code == 415
    with tenant_session(api.database, api.institution_ids["bank-a"]) as session:
        assert session.query(IntelIndicator).count() == 1


def test_the_signed_feed_gives_changes_since_a_cursor(api: Api) -> None:
    create_feed_key(api.settings.home, "bank-a")
    _confirmed(api, URLS[0])
    client = _reader(api)
    first = client.get(f"{ROOT}feed")
    assert first.status_code == 200, first.text
    feed = json.loads(first.content)
    assert feed["envelope"]["producer"] == "bank-a" and feed["envelope"]["sequence"] == 1
    cursor = first.headers["X-TAXII-Date-Added-Last"]
    _confirmed(api, URLS[1])
    second = client.get(f"{ROOT}feed", params={"since": cursor})
    body = json.loads(second.content)
    assert body["envelope"]["sequence"] == 2
    indicators = [o for o in body["bundle"]["objects"] if o["type"] == "indicator"]
    assert [o["pattern"] for o in indicators] == [f"[url:value = '{URLS[1]}']"]
    assert second.headers["X-TAXII-Date-Added-Last"] > cursor
