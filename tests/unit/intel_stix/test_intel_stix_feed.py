"""Signed feeds: what verifies, and each way a feed is refused."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from intel_stix_samples import KNOWN_NUMBER, every_kind

from smsguard.errors import FeedError
from smsguard.intel.feed import (
    FileSequenceMemory,
    add_peer,
    create_feed_key,
    feed_bytes,
    load_feed_key,
    load_peers,
    remember,
    sign_feed,
    verify_feed,
)
from smsguard.intel.stix import bundle_of
from smsguard.intel.stix_import import indicators_from_bundle
from smsguard.tlog.note import Ed25519Signer, Ed25519Verifier

NOW = datetime(2026, 11, 3, 12, 0, tzinfo=UTC)


class DictMemory:
    def __init__(self) -> None:
        self.seen: dict[str, int] = {}

    def get(self, producer: str) -> int | None:
        return self.seen.get(producer)

    def set(self, producer: str, sequence: int) -> None:
        self.seen[producer] = sequence


@pytest.fixture
def signer() -> Ed25519Signer:
    return Ed25519Signer("smsguard-intel-feed/haojie", b"\x01" * 32)


@pytest.fixture
def peers(signer: Ed25519Signer) -> dict[str, Ed25519Verifier]:
    return {"haojie": signer.verifier}


def _feed(signer: Ed25519Signer, sequence: int = 1, issued: datetime = NOW) -> dict[str, Any]:
    return sign_feed(
        bundle_of(every_kind(), "haojie"), "haojie", sequence, signer, issued_at=issued
    )


def _verify(feed: dict[str, Any] | bytes, peers: Any, memory: Any = None, **kw: Any) -> Any:
    data = feed if isinstance(feed, bytes) else feed_bytes(feed)
    return verify_feed(data, peers, memory or DictMemory(), now=NOW, **kw)


def _reason(feed: Any, peers: Any, memory: Any = None, **kw: Any) -> str:
    with pytest.raises(FeedError) as caught:
        _verify(feed, peers, memory, **kw)
    assert caught.value.code == "invalid-feed"
    return caught.value.reason


def test_a_signed_feed_verifies_and_yields_its_indicators(
    signer: Ed25519Signer, peers: Any
) -> None:
    verified = _verify(_feed(signer, 3), peers)
    assert (verified.producer, verified.sequence) == ("haojie", 3)
    indicators, problems = indicators_from_bundle(verified.bundle, producer=verified.producer)
    assert indicators == every_kind() and problems == []


def test_layout_does_not_matter_content_does(signer: Ed25519Signer, peers: Any) -> None:
    pretty = json.dumps(_feed(signer), indent=4).encode()
    assert _verify(pretty, peers).sequence == 1


def test_a_tampered_bundle_is_refused(signer: Ed25519Signer, peers: Any) -> None:
    feed = _feed(signer)
    feed["bundle"]["objects"][-1]["confidence"] = 1
    assert _reason(feed, peers) == "tampered"


def test_a_tampered_envelope_is_refused(signer: Ed25519Signer, peers: Any) -> None:
    feed = _feed(signer)
    feed["envelope"]["sequence"] = 99
    assert _reason(feed, peers) == "bad-signature"
    feed = _feed(signer)
    feed["envelope"]["bundle_sha256"] = hashlib.sha256(b"other").hexdigest()
    assert _reason(feed, peers) == "bad-signature"


def test_a_feed_signed_with_another_key_is_refused(signer: Ed25519Signer) -> None:
    impostor = Ed25519Signer("smsguard-intel-feed/haojie", b"\x02" * 32)
    assert _reason(_feed(impostor), {"haojie": signer.verifier}) == "wrong-key"


def test_a_forged_key_id_does_not_help(signer: Ed25519Signer, peers: Any) -> None:
    impostor = Ed25519Signer("smsguard-intel-feed/haojie", b"\x02" * 32)
    feed = _feed(impostor)
    feed["envelope"]["key_id"] = signer.key_id.hex()
    assert _reason(feed, peers) == "bad-signature"


def test_an_unknown_producer_is_refused(signer: Ed25519Signer) -> None:
    assert _reason(_feed(signer), {}) == "unknown-producer"


def test_replayed_and_older_sequences_are_refused(signer: Ed25519Signer, peers: Any) -> None:
    memory = DictMemory()
    remember(memory, _verify(_feed(signer, 5), peers, memory))
    assert _reason(_feed(signer, 5), peers, memory) == "replayed"
    assert _reason(_feed(signer, 4), peers, memory) == "replayed"
    assert _verify(_feed(signer, 6), peers, memory).sequence == 6


def test_verifying_alone_does_not_consume_the_sequence(signer: Ed25519Signer, peers: Any) -> None:
    memory = DictMemory()
    _verify(_feed(signer, 1), peers, memory)
    assert _verify(_feed(signer, 1), peers, memory).sequence == 1  # the import may be retried


def test_too_old_and_future_feeds_are_refused(signer: Ed25519Signer, peers: Any) -> None:
    assert _reason(_feed(signer, issued=NOW - timedelta(days=8)), peers) == "too-old"
    assert _verify(_feed(signer, issued=NOW - timedelta(days=6)), peers).sequence == 1
    old = _feed(signer, issued=NOW - timedelta(days=2))
    assert _reason(old, peers, max_age=timedelta(days=1)) == "too-old"
    assert _reason(_feed(signer, issued=NOW + timedelta(hours=1)), peers) == "from-the-future"


@pytest.mark.parametrize(
    "data",
    [
        b"not json",
        b"{}",
        b'{"envelope": {}, "bundle": {}}',
        b'{"envelope": {"a": 1.5}, "bundle": {}}',
    ],
)
def test_malformed_files_are_refused(data: bytes, peers: Any) -> None:
    assert _reason(data, peers) == "malformed"


def test_malformed_envelope_fields_are_refused(signer: Ed25519Signer, peers: Any) -> None:
    changes = (
        ("sequence", 0),
        ("sequence", True),
        ("issued_at", "yesterday"),
        ("format", "other/v1"),
        ("producer", "a b"),
        ("signature", "!!"),
    )
    for name, value in changes:
        feed = _feed(signer)
        feed["envelope"][name] = value
        assert _reason(feed, peers) == "malformed", name


def test_no_phone_number_in_clear_anywhere_in_a_feed(signer: Ed25519Signer) -> None:
    data = feed_bytes(_feed(signer)).decode()
    national = KNOWN_NUMBER.removeprefix("+86")
    assert national not in data and KNOWN_NUMBER not in data
    for form in (KNOWN_NUMBER, national, "86" + national):  # an unkeyed hash is reversible
        for algorithm in ("md5", "sha1", "sha256"):
            assert hashlib.new(algorithm, form.encode()).hexdigest() not in data


def test_file_memory_persists_and_never_goes_back(tmp_path: Path) -> None:
    memory = FileSequenceMemory(tmp_path / "intel" / "seq.json")
    assert memory.get("haojie") is None
    memory.set("haojie", 4)
    again = FileSequenceMemory(tmp_path / "intel" / "seq.json")
    assert again.get("haojie") == 4
    with pytest.raises(FeedError) as caught:
        again.set("haojie", 4)
    assert caught.value.reason == "replayed"


def test_keys_and_trust_store_live_under_home(tmp_path: Path) -> None:
    signer = create_feed_key(tmp_path, "haojie")
    path = tmp_path / "keys" / "intel-feed-haojie.skey"
    assert path.stat().st_mode & 0o777 == 0o600
    assert load_feed_key(tmp_path, "haojie").verifier == signer.verifier
    with pytest.raises(Exception, match="already exists"):
        create_feed_key(tmp_path, "haojie")
    add_peer(tmp_path, "haojie", signer.verifier.vkey)
    assert load_peers(tmp_path) == {"haojie": signer.verifier}
    with pytest.raises(Exception, match="verifier key"):
        add_peer(tmp_path, "zhongyuan", "not-a-key")


def test_feed_error_names_code_and_reason() -> None:
    error = FeedError("replayed", "sequence 3 is not above 5")
    assert error.to_dict() == {
        "code": "invalid-feed",
        "message": "replayed: sequence 3 is not above 5",
        "reason": "replayed",
    }
