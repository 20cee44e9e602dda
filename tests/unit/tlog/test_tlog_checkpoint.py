"""Checkpoint bodies: strict C2SP verdicts and round trips."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tlog_vectors import vectors

from smsguard.errors import LogError
from smsguard.tlog.checkpoint import Checkpoint, open_checkpoint, parse_checkpoint
from smsguard.tlog.note import parse_vkey

NOTES = vectors("notes")


@pytest.mark.parametrize("case", NOTES["checkpoint_bodies"], ids=lambda c: c["text"][:40])
def test_checkpoint_bodies_strict(case: dict[str, Any]) -> None:
    expected = case.get("strict_expected", case["expected"])
    if "origin must be 'go.sum database tree'" in case.get("reason", ""):
        expected = "valid"  # well-formed as a generic body; pinning the origin is tested below
    if expected == "invalid":
        with pytest.raises(LogError):
            parse_checkpoint(case["text"])
        return
    checkpoint = parse_checkpoint(case["text"])
    parsed = case.get("parsed", {})
    assert checkpoint.origin == parsed.get("origin", checkpoint.origin)
    assert checkpoint.size == parsed.get("tree_size", checkpoint.size)
    if "root_b64" in parsed:
        assert base64.b64encode(checkpoint.root).decode() == parsed["root_b64"]
    assert list(checkpoint.extensions) == parsed.get("extension_lines", [])
    assert checkpoint.body() == case["text"]


def test_origin_is_pinned() -> None:
    case = next(c for c in NOTES["signed_notes"] if c["id"] == "sumdb-6476701")
    keys = [parse_vkey(k) for k in case["trusted_vkeys"]]
    for verdict in case["checkpoint_verdicts"]:
        if verdict["expected"] == "valid":
            checkpoint, _ = open_checkpoint(case["note"], keys, origin=verdict["expected_origin"])
            assert checkpoint.size == case["checkpoint"]["tree_size"]
        else:
            with pytest.raises(LogError, match="not the expected"):
                open_checkpoint(case["note"], keys, origin=verdict["expected_origin"])


@given(
    origin=st.text(alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x2FF), min_size=1),
    size=st.integers(1, 2**64 - 1),
    root=st.binary(min_size=32, max_size=32),
    extensions=st.lists(st.from_regex(r"[a-z0-9 ]{1,20}", fullmatch=True), max_size=3),
)
def test_round_trip(origin: str, size: int, root: bytes, extensions: list[str]) -> None:
    checkpoint = Checkpoint(origin, size, root, tuple(extensions))
    assert parse_checkpoint(checkpoint.body()) == checkpoint


def test_size_zero_needs_the_empty_root() -> None:
    with pytest.raises(LogError, match="empty-tree root"):
        Checkpoint("o", 0, b"\x01" * 32)
