"""A log and a witness in one process: cosign, retry after 409, forks, replays, stored state."""

from __future__ import annotations

import json
import shutil
import threading
from pathlib import Path

import pytest

from smsguard.errors import LogError
from smsguard.tlog.cosignature import CosignatureSigner, Group, check_policy, verify_cosignatures
from smsguard.tlog.http import witness_answer
from smsguard.tlog.log import TransparencyLog, create_local_log, local_paths, open_local_log
from smsguard.tlog.store import DirectoryTileStore
from smsguard.tlog.witness import Witness, WitnessRefusal, format_request, trusted_logs
from smsguard.tlog.witness_client import (
    COSIGNED_FILE,
    Post,
    add_witness,
    cosign,
    load_witnesses,
    read_cosigned,
    save_witnesses,
)
from smsguard.tlog.witness_store import ALERTS_FILE, DirectoryWitnessState, JsonlAlarm

URL = "http://witness.test"


def entries(start: int, count: int, tag: str = "m") -> list[bytes]:
    return [f'{{"n":"{tag}-{i}"}}'.encode() for i in range(start, start + count)]


@pytest.fixture
def log(tmp_path: Path) -> TransparencyLog:
    opened = create_local_log(tmp_path / "home", "haojie")
    opened.append(entries(0, 300))
    return opened


def folder_of(log: TransparencyLog) -> Path:
    assert isinstance(log.store, DirectoryTileStore)
    return log.store.root


def witness_for(log: TransparencyLog, tmp_path: Path, name: str = "w1.test") -> Witness:
    signer = CosignatureSigner(name, name.encode().ljust(32, b"\0"))
    return Witness(
        signer,
        trusted_logs([log.signer.verifier]),
        DirectoryWitnessState(tmp_path / name / "state"),
        JsonlAlarm(tmp_path / name / ALERTS_FILE),
    )


def direct(witness: Witness, seen: list[tuple[str, int]] | None = None) -> Post:
    """A transport that hands the body straight to the witness (no sockets)."""

    def post(url: str, body: bytes) -> tuple[int, str, bytes]:
        assert url == f"{URL}/add-checkpoint"
        answer = witness_answer(witness, body)
        if seen is not None:
            seen.append((body.decode().split("\n", 1)[0], answer.status))
        return answer.status, answer.content_type.split(";")[0], answer.body

    return post


def test_cosign_round_trip_and_consistency_on_growth(log: TransparencyLog, tmp_path: Path) -> None:
    witness = witness_for(log, tmp_path)
    add_witness(folder_of(log), URL, witness.signer.verifier.vkey)
    seen: list[tuple[str, int]] = []
    cosigned, outcomes = cosign(log, folder_of(log), direct(witness, seen))
    assert [o.error for o in outcomes] == [""] and seen == [("old 0", 200)]
    assert read_cosigned(folder_of(log)) == cosigned
    assert verify_cosignatures(cosigned, [witness.signer.verifier])
    assert load_witnesses(folder_of(log))[0].size == 300
    log.append(entries(300, 500))
    cosigned, outcomes = cosign(log, folder_of(log), direct(witness, seen))
    assert seen[-1] == ("old 300", 200) and outcomes[0].config.size == 800
    check_policy(cosigned, Group(1, [witness.signer.verifier]))


def test_409_is_retried_from_the_witness_size(log: TransparencyLog, tmp_path: Path) -> None:
    witness = witness_for(log, tmp_path)
    add_witness(folder_of(log), URL, witness.signer.verifier.vkey)
    cosign(log, folder_of(log), direct(witness))
    log.append(entries(300, 10))
    config = load_witnesses(folder_of(log))[0]
    save_witnesses(folder_of(log), [config.__class__(config.url, config.verifier, 0)])
    seen: list[tuple[str, int]] = []
    _, outcomes = cosign(log, folder_of(log), direct(witness, seen))
    assert seen == [("old 0", 409), ("old 300", 200)] and outcomes[0].lines


def test_failed_witness_keeps_earlier_cosignatures_of_the_same_checkpoint(
    log: TransparencyLog, tmp_path: Path
) -> None:
    w1, w2 = witness_for(log, tmp_path, "w1.test"), witness_for(log, tmp_path, "w2.test")
    add_witness(folder_of(log), URL, w1.signer.verifier.vkey)
    add_witness(folder_of(log), "http://other.test", w2.signer.verifier.vkey)

    def post(url: str, body: bytes) -> tuple[int, str, bytes]:
        target = w1 if url.startswith(URL) else w2
        answer = witness_answer(target, body)
        return answer.status, answer.content_type.split(";")[0], answer.body

    cosigned, _ = cosign(log, folder_of(log), post)
    check_policy(cosigned, Group(2, [w1.signer.verifier, w2.signer.verifier]))

    def down(url: str, body: bytes) -> tuple[int, str, bytes]:
        raise LogError(f"{url} is unreachable")

    again, outcomes = cosign(log, folder_of(log), down)
    assert all("unreachable" in o.error for o in outcomes)
    check_policy(again, Group(2, [w1.signer.verifier, w2.signer.verifier]))


def test_forked_log_is_refused_and_alerted(log: TransparencyLog, tmp_path: Path) -> None:
    witness = witness_for(log, tmp_path)
    add_witness(folder_of(log), URL, witness.signer.verifier.vkey)
    cosign(log, folder_of(log), direct(witness))
    fork_home = tmp_path / "fork"
    _, key = local_paths(tmp_path / "home", "haojie")
    (fork_home / "keys").mkdir(parents=True)
    shutil.copy(key, fork_home / "keys" / key.name)
    fork = open_local_log(fork_home, "haojie")
    fork.append(entries(0, 300, tag="forged"))
    add_witness(folder_of(fork), URL, witness.signer.verifier.vkey)
    seen: list[tuple[str, int]] = []
    _, outcomes = cosign(fork, folder_of(fork), direct(witness, seen))
    assert seen == [("old 0", 409), ("old 300", 409)]
    assert "holds another tree" in outcomes[0].error
    assert not (folder_of(fork) / COSIGNED_FILE).exists()
    alerts = (tmp_path / "w1.test" / ALERTS_FILE).read_text(encoding="utf-8").splitlines()
    (alert,) = [json.loads(line) for line in alerts]
    assert alert["origin"] == log.origin and alert["size"] == 300
    assert alert["cosigned_checkpoint"] == log.checkpoint()
    assert alert["submitted_checkpoint"] == fork.checkpoint()
    assert alert["cosigned_root"] != alert["submitted_root"]


def test_forked_log_that_grew_fails_its_proof(log: TransparencyLog, tmp_path: Path) -> None:
    witness = witness_for(log, tmp_path)
    add_witness(folder_of(log), URL, witness.signer.verifier.vkey)
    cosign(log, folder_of(log), direct(witness))
    fork = TransparencyLog.open(DirectoryTileStore(tmp_path / "fork"), log.signer, log.origin)
    fork.append(entries(0, 400, tag="forged"))
    body = format_request(300, fork.consistency_proof(300), fork.checkpoint())
    with pytest.raises(WitnessRefusal) as caught:
        witness.add_checkpoint(body)
    assert caught.value.status == 422


def test_replay_and_tampered_proof_are_refused(log: TransparencyLog, tmp_path: Path) -> None:
    witness = witness_for(log, tmp_path)
    old_note = log.checkpoint()
    witness.add_checkpoint(format_request(0, [], old_note))
    log.append(entries(300, 5))
    proof = log.consistency_proof(300)
    tampered = [proof[0][:-1] + bytes([proof[0][-1] ^ 1]), *proof[1:]]
    with pytest.raises(WitnessRefusal) as caught:
        witness.add_checkpoint(format_request(300, tampered, log.checkpoint()))
    assert caught.value.status == 422
    witness.add_checkpoint(format_request(300, proof, log.checkpoint()))
    for old in (300, 305):  # the older checkpoint again, with either old size
        with pytest.raises(WitnessRefusal) as caught:
            witness.add_checkpoint(format_request(old, [], old_note))
        assert caught.value.status in (400, 409)
    assert witness.state.latest(log.origin) == log.checkpoint()


def test_directory_state_compare_and_set_lets_one_writer_win(tmp_path: Path) -> None:
    state = DirectoryWitnessState(tmp_path / "state")
    assert state.latest("o") is None
    assert state.compare_and_set("o", None, "first\n")
    wins: list[str] = []

    def attempt(name: str) -> None:
        if state.compare_and_set("o", "first\n", name):
            wins.append(name)

    threads = [threading.Thread(target=attempt, args=(f"t{i}\n",)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(wins) == 1 and state.latest("o") == wins[0]
    assert DirectoryWitnessState(tmp_path / "state").latest("o") == wins[0]  # persisted


def test_witness_config_is_validated(log: TransparencyLog) -> None:
    with pytest.raises(LogError, match="not http"):
        add_witness(folder_of(log), "ftp://x", "w+00000000+AA==")
    with pytest.raises(LogError, match="cosignature/v1"):
        add_witness(folder_of(log), URL, log.signer.verifier.vkey)
    with pytest.raises(LogError, match="no witnesses configured"):
        cosign(log, folder_of(log))
    with pytest.raises(LogError, match="no cosigned checkpoint"):
        read_cosigned(folder_of(log))
