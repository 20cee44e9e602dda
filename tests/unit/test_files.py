"""Creating files so that readers never see half of one and racing writers never clash."""

from __future__ import annotations

import stat
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from smsguard._files import create_exclusively, write_atomically


def test_only_the_first_exclusive_creation_wins_and_its_content_stays(tmp_path: Path) -> None:
    target = tmp_path / "keys" / "log.key"
    assert create_exclusively(target, b"first\n")
    assert not create_exclusively(target, b"second\n")
    assert target.read_bytes() == b"first\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert sorted(p.name for p in target.parent.iterdir()) == ["log.key"], "no stray temporary"


def test_of_many_racing_creators_exactly_one_wins(tmp_path: Path) -> None:
    target = tmp_path / "shared.key"
    with ThreadPoolExecutor(8) as pool:
        won = list(pool.map(lambda n: create_exclusively(target, f"{n}\n".encode()), range(32)))
    assert won.count(True) == 1
    assert target.read_text() == f"{won.index(True)}\n"


def test_an_atomic_write_replaces_the_old_content(tmp_path: Path) -> None:
    target = tmp_path / "settings.yaml"
    write_atomically(target, b"a: 1\n", mode=0o644)
    write_atomically(target, b"a: 2\n", mode=0o644)
    assert target.read_bytes() == b"a: 2\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
