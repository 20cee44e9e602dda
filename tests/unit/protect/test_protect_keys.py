from __future__ import annotations

import base64
import json
import os
import secrets
import stat
from dataclasses import replace
from pathlib import Path

import pytest

from smsguard.errors import CryptoError
from smsguard.protect.keys import (
    EnvKeyProvider,
    FileKeyProvider,
    StaticKeyProvider,
    WrappedKey,
    add_key_to_file,
    generate_key_file,
)


def _b64(key: bytes) -> str:
    return base64.b64encode(key).decode()


def test_generated_key_file_is_private_and_loads(tmp_path: Path) -> None:
    path = tmp_path / "master.keys"
    key_id = generate_key_file(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    provider = FileKeyProvider(path)
    assert provider.key_id == key_id
    dek = secrets.token_bytes(32)
    assert provider.unwrap(provider.wrap(dek)) == dek


def test_generate_refuses_to_overwrite(tmp_path: Path) -> None:
    path = tmp_path / "master.keys"
    generate_key_file(path)
    with pytest.raises(CryptoError, match="exists"):
        generate_key_file(path)


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o660])
def test_key_files_open_to_others_are_refused(tmp_path: Path, mode: int) -> None:
    path = tmp_path / "master.keys"
    generate_key_file(path)
    os.chmod(path, mode)
    with pytest.raises(CryptoError, match="readable by others") as info:
        FileKeyProvider(path)
    assert "chmod 600" in info.value.diagnostics()


def test_added_key_becomes_active_and_old_wraps_still_unwrap(tmp_path: Path) -> None:
    path = tmp_path / "master.keys"
    first = generate_key_file(path, key_id="mk-1")
    old_wrap = FileKeyProvider(path).wrap(b"k" * 32)
    second = add_key_to_file(path, key_id="mk-2")
    provider = FileKeyProvider(path)
    assert (first, provider.key_id) == ("mk-1", second)
    assert provider.unwrap(old_wrap) == b"k" * 32
    assert provider.wrap(b"k" * 32).master_key_id == "mk-2"


def test_json_key_file_with_explicit_active_key(tmp_path: Path) -> None:
    path = tmp_path / "master.json"
    doc = {"active": "a", "keys": {"a": _b64(b"a" * 32), "b": _b64(b"b" * 32)}}
    path.write_text(json.dumps(doc))
    os.chmod(path, 0o600)
    assert FileKeyProvider(path).key_id == "a"


@pytest.mark.parametrize(
    "content",
    ["", "# only a comment\n", "k1:not-base64!\n", f"k1:{_b64(b'short')}\n", '{"keys": 3}'],
)
def test_malformed_key_files_are_refused(tmp_path: Path, content: str) -> None:
    path = tmp_path / "master.keys"
    path.write_text(content)
    os.chmod(path, 0o600)
    with pytest.raises(CryptoError):
        FileKeyProvider(path)


def test_env_value_with_one_bare_key_or_a_list() -> None:
    single = EnvKeyProvider(_b64(b"e" * 32))
    assert single.key_id == "env"
    rotated = EnvKeyProvider(f"old:{_b64(b'o' * 32)},new:{_b64(b'n' * 32)}")
    assert rotated.key_id == "new"
    old_only = EnvKeyProvider(f"old:{_b64(b'o' * 32)}")
    assert rotated.unwrap(old_only.wrap(b"d" * 32)) == b"d" * 32


def test_wrapped_key_relabelled_or_altered_fails() -> None:
    provider = StaticKeyProvider({"a": b"a" * 32, "b": b"b" * 32}, active="a")
    wrapped = provider.wrap(b"d" * 32)
    with pytest.raises(CryptoError, match="fails authentication"):
        provider.unwrap(replace(wrapped, master_key_id="b"))
    flipped = bytes([wrapped.ciphertext[0] ^ 1]) + wrapped.ciphertext[1:]
    with pytest.raises(CryptoError):
        provider.unwrap(replace(wrapped, ciphertext=flipped))
    with pytest.raises(CryptoError, match="not known"):
        provider.unwrap(replace(wrapped, master_key_id="gone"))


def test_wrapped_key_text_round_trip() -> None:
    provider = StaticKeyProvider({"a": b"a" * 32}, active="a")
    wrapped = provider.wrap(b"d" * 32)
    assert WrappedKey.from_text(wrapped.to_text()) == wrapped
    with pytest.raises(CryptoError):
        WrappedKey.from_text("a:???")
