"""Index files: a faithful round trip, no texts inside, and clear errors when damaged."""

from __future__ import annotations

import hashlib
import json
import struct
from pathlib import Path

import pytest

from smsguard.errors import ModelError
from smsguard.fingerprints import TemplateIndex
from smsguard.fingerprints.store import MAGIC


@pytest.fixture
def saved(tmp_path: Path, fraud_texts: dict[str, str]) -> Path:
    index = TemplateIndex(threshold=0.4)
    for template_id, text in fraud_texts.items():
        index.add(template_id, text, category="smishing")
    index.remove("boss")
    path = tmp_path / "deep" / "folder" / "index.sgfp"
    index.save(path)
    return path


def test_round_trip_keeps_ids_categories_threshold_and_answers(
    saved: Path, fraud_texts: dict[str, str], ham_texts: tuple[str, ...]
) -> None:
    loaded = TemplateIndex.load(saved)
    assert loaded.threshold == 0.4
    assert sorted(loaded.templates()) == sorted(
        (template_id, "smishing") for template_id in fraud_texts if template_id != "boss"
    )
    queries = [*fraud_texts.values(), *ham_texts]
    original = TemplateIndex(threshold=0.4)
    for template_id, text in fraud_texts.items():
        if template_id != "boss":
            original.add(template_id, text, category="smishing")
    assert loaded.match_many(queries) == original.match_many(queries)


def test_no_text_is_stored(saved: Path, fraud_texts: dict[str, str]) -> None:
    data = saved.read_bytes()
    for text in fraud_texts.values():
        for piece in (text[:6], text[-6:], "冻结", "delivered", "unpaid"):
            assert piece.encode("utf-8") not in data


def test_save_replaces_atomically_and_leaves_no_temporary_file(saved: Path) -> None:
    index = TemplateIndex.load(saved)
    index.add("extra", "您的医保账户存在风险，请在今天内登录指定网站重新认证，否则停用")
    index.save(saved)
    assert "extra" in TemplateIndex.load(saved)
    assert [p.name for p in saved.parent.iterdir()] == [saved.name]


def rewrite_header(path: Path, change: dict[str, object]) -> None:
    """Edit the JSON header and re-seal the file with a valid checksum."""
    data = path.read_bytes()[:-32]
    (length,) = struct.unpack_from("<I", data, len(MAGIC))
    start = len(MAGIC) + 4
    header = json.loads(data[start : start + length])
    header.update(change)
    head = json.dumps(header).encode("utf-8")
    body = MAGIC + struct.pack("<I", len(head)) + head + data[start + length :]
    path.write_bytes(body + hashlib.sha256(body).digest())


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda p: p.write_bytes(p.read_bytes()[:-100]), "corrupt"),
        (lambda p: p.write_bytes(p.read_bytes()[:10]), "truncated"),
        (lambda p: p.write_bytes(b"PK\x03\x04" + p.read_bytes()[4:]), "not a smsguard"),
        (lambda p: p.write_bytes(_flip(p.read_bytes(), 200)), "checksum"),
        (lambda p: rewrite_header(p, {"scheme": "old-scheme"}), "scheme 'old-scheme'"),
        (lambda p: rewrite_header(p, {"format": 99}), "format 99"),
        (lambda p: rewrite_header(p, {"count": 3}), "malformed header field 'ids'"),
        (lambda p: rewrite_header(p, {"ids": ["a", "a", "b", "c"]}), "twice"),
        (lambda p: rewrite_header(p, {"threshold": 2}), "threshold"),
        (lambda p: rewrite_header(p, {"categories": [1, 2, 3, 4]}), "category 1 must"),
        (lambda p: rewrite_header(p, {"ids": ["a", "b\nc", "d", "e"]}), "printable"),
    ],
)
def test_a_damaged_file_raises_model_error(saved: Path, damage: object, message: str) -> None:
    damage(saved)  # type: ignore[operator]
    with pytest.raises(ModelError, match=message):
        TemplateIndex.load(saved)


def test_a_missing_file_raises_model_error(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="no fingerprint index"):
        TemplateIndex.load(tmp_path / "absent.sgfp")


def _flip(data: bytes, position: int) -> bytes:
    return data[:position] + bytes([data[position] ^ 0xFF]) + data[position + 1 :]
