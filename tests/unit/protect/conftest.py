"""Keys and rings built in memory, so each test states only what it varies."""

from __future__ import annotations

import secrets

import pytest

from smsguard.protect.envelope import DataKeyRing
from smsguard.protect.keys import StaticKeyProvider


@pytest.fixture
def provider() -> StaticKeyProvider:
    return StaticKeyProvider({"mk-1": secrets.token_bytes(32)}, active="mk-1")


@pytest.fixture
def ring(provider: StaticKeyProvider) -> DataKeyRing:
    ring = DataKeyRing(provider)
    ring.new_data_key("tenant-a")
    ring.new_data_key("tenant-b")
    return ring
