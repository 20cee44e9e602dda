"""The transparency log over HTTP: public checkpoint, tiles and proofs, rate-limited."""

from __future__ import annotations

import base64

from api_harness import Api
from traffic import send_campaign

from smsguard.tlog.checkpoint import parse_checkpoint
from smsguard.tlog.merkle import verify_consistency, verify_inclusion
from smsguard.tlog.note import parse_note
from smsguard.tlog.tiles import decode_tile, parse_path

BASE = "/api/v1/log/bank-a"


def _root(note: str) -> tuple[int, bytes]:
    checkpoint = parse_checkpoint(parse_note(note.encode()).text)
    return checkpoint.size, checkpoint.root


def test_the_checkpoint_and_tiles_are_public(api: Api) -> None:
    send_campaign(api)
    client = api.anonymous()
    note = client.get(f"{BASE}/checkpoint")
    assert note.status_code == 200 and note.headers["content-type"].startswith("text/plain")
    size, _root_hash = _root(note.text)
    assert size >= 3
    path = f"tile/0/000.p/{size}"
    tile = client.get(f"{BASE}/{path}")
    assert tile.status_code == 200
    assert tile.headers["content-type"] == "application/octet-stream"
    assert len(decode_tile(tile.content, parse_path(path))) == size
    bundle = client.get(f"{BASE}/tile/entries/000.p/{size}")
    assert bundle.status_code == 200


def test_proofs_verify_against_the_checkpoint(api: Api) -> None:
    send_campaign(api)
    client = api.anonymous()
    proof = client.get(f"{BASE}/proof/inclusion", params={"index": 1}).json()
    size, root = _root(proof["checkpoint"])
    hashes = [base64.b64decode(item) for item in proof["proof"]]
    leaf = base64.b64decode(proof["leaf_hash"])
    verify_inclusion(leaf, 1, size, hashes, root)
    consistency = client.get(f"{BASE}/proof/consistency", params={"old_size": 1}).json()
    assert consistency["new_size"] == size
    first_root = base64.b64decode(
        client.get(f"{BASE}/proof/inclusion", params={"index": 0, "tree_size": 1}).json()[
            "leaf_hash"
        ]
    )
    hashes = [base64.b64decode(item) for item in consistency["proof"]]
    verify_consistency(1, size, first_root, root, hashes)


def test_bad_requests_are_400_404_or_422(api: Api) -> None:
    send_campaign(api)
    client = api.anonymous()
    assert client.get(f"{BASE}/proof/inclusion", params={"index": 99}).status_code == 400
    assert client.get(f"{BASE}/proof/inclusion", params={"index": -1}).status_code == 422
    too_far = {"old_size": 2, "new_size": 99}
    assert client.get(f"{BASE}/proof/consistency", params=too_far).status_code == 400
    assert client.get(f"{BASE}/tile/0/../../keys").status_code == 404
    assert client.get(f"{BASE}/tile/0/001").status_code == 404  # beyond the checkpoint
    assert client.get(f"{BASE}/tile/0/0x1").status_code == 404
    assert client.get("/api/v1/log/no-such-bank/checkpoint").status_code == 404


def test_an_institution_without_a_log_gets_a_clear_404(api: Api) -> None:
    answer = api.anonymous().get("/api/v1/log/bank-b/checkpoint")
    assert answer.status_code == 404
    assert "no transparency log" in answer.json()["error"]["message"]
    proof = api.anonymous().get("/api/v1/log/bank-b/proof/inclusion", params={"index": 0})
    assert proof.status_code == 404


def test_log_reads_are_rate_limited(api: Api) -> None:
    client = api.anonymous()
    codes = [client.get(f"{BASE}/checkpoint").status_code for _ in range(40)]
    assert codes[0] == 404 and codes[-1] == 429
    assert int(client.get(f"{BASE}/checkpoint").headers["Retry-After"]) >= 1
