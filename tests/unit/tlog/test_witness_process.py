"""End to end: a witness in a second process, another in a thread, a log driven by the CLI."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from smsguard.cli import main
from smsguard.errors import LogError
from smsguard.tlog.cosignature import Group, check_policy, parse_cosigner_vkey
from smsguard.tlog.http import Server, make_server
from smsguard.tlog.log import open_local_log
from smsguard.tlog.witness_store import DirectoryWitnessState, open_local_witness

LEAF = {
    "campaign": "c-1",
    "commitment": "ab" * 32,
    "institution": "haojie",
    "template_version": "tv-1",
    "time": 1767225600,
    "v": 1,
}


def run(capsys: pytest.CaptureFixture[str], home: Path, *args: str) -> tuple[int, str, str]:
    """``smsguard --home HOME ARGS`` in-process; exit code, stdout, stderr."""
    code = 0
    try:
        main(["--home", str(home), *args])
    except SystemExit as exc:
        code = int(exc.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def append(
    capsys: pytest.CaptureFixture[str], home: Path, first: int, count: int, tag: str = "m"
) -> None:
    lines = [json.dumps({**LEAF, "message": f"{tag}-{i}"}) for i in range(first, first + count)]
    batch = home / "batch.jsonl"
    batch.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, _, err = run(capsys, home, "log", "append", str(batch), "--institution", "haojie")
    assert code == 0, err


def new_witness(capsys: pytest.CaptureFixture[str], home: Path, name: str, log_vkey: str) -> str:
    code, vkey, err = run(capsys, home, "witness", "init", "--name", name)
    assert code == 0, err
    assert run(capsys, home, "witness", "trust-log", "--vkey", log_vkey)[0] == 0
    assert run(capsys, home, "witness", "pubkey")[1] == vkey
    return vkey.strip()


@pytest.fixture
def log_home(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    home = tmp_path / "log"
    assert run(capsys, home, "log", "init", "--institution", "haojie")[0] == 0
    append(capsys, home, 0, 300)
    return home


@pytest.fixture
def log_vkey(log_home: Path, capsys: pytest.CaptureFixture[str]) -> str:
    return run(capsys, log_home, "log", "pubkey", "--institution", "haojie")[1].strip()


@pytest.fixture
def process_witness(
    tmp_path: Path, log_vkey: str, capsys: pytest.CaptureFixture[str]
) -> Iterator[tuple[Path, str, str]]:
    """``python -m smsguard witness serve`` in a child process: (home, URL, vkey)."""
    home = tmp_path / "w1"
    vkey = new_witness(capsys, home, "w1.test", log_vkey)
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    command = [sys.executable, "-m", "smsguard", "--home", str(home), "witness", "serve"]
    child = subprocess.Popen(
        [*command, "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        text=True,
    )
    try:
        assert child.stdout is not None
        line = child.stdout.readline()  # "serving witness w1.test on http://127.0.0.1:PORT"
        assert " on http://" in line, child.stderr.read() if child.stderr else line
        yield home, line.split(" on ")[-1].strip(), vkey
    finally:
        child.kill()
        child.wait(timeout=10)
        for stream in (child.stdout, child.stderr):
            if stream is not None:
                stream.close()


@pytest.fixture
def thread_witness(
    tmp_path: Path, log_vkey: str, capsys: pytest.CaptureFixture[str]
) -> Iterator[tuple[str, str]]:
    home = tmp_path / "w2"
    vkey = new_witness(capsys, home, "w2.test", log_vkey)
    server: Server = make_server(witness=open_local_witness(home))
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    yield server.url, vkey
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def cosigned(capsys: pytest.CaptureFixture[str], home: Path) -> str:
    code, note, err = run(
        capsys, home, "log", "checkpoint", "--institution", "haojie", "--cosigned"
    )
    assert code == 0, err
    return note


def test_two_witnesses_cosign_grow_and_catch_a_fork(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    log_home: Path,
    log_vkey: str,
    process_witness: tuple[Path, str, str],
    thread_witness: tuple[str, str],
) -> None:
    w1_home, w1_url, w1_vkey = process_witness
    w2_url, w2_vkey = thread_witness
    w1, w2 = parse_cosigner_vkey(w1_vkey), parse_cosigner_vkey(w2_vkey)
    both = Group(2, [w1, w2])
    add = ["log", "witness", "add", "--institution", "haojie"]

    # one witness: its cosignature verifies; a quorum of 2 is not met
    assert run(capsys, log_home, *add, "--url", w1_url, "--vkey", w1_vkey)[0] == 0
    code, out, err = run(capsys, log_home, "log", "cosign", "--institution", "haojie")
    assert code == 0 and "w1.test: cosigned" in out, err
    check_policy(cosigned(capsys, log_home), Group(1, [w1]))
    with pytest.raises(LogError, match="witness policy not met"):
        check_policy(cosigned(capsys, log_home), both)

    # two witnesses: quorum 2 holds, and the consumer's offline check enforces it
    assert run(capsys, log_home, *add, "--url", w2_url, "--vkey", w2_vkey)[0] == 0
    code, out, err = run(capsys, log_home, "log", "cosign", "--institution", "haojie")
    assert code == 0 and "2 of 2 witnesses" in out, err
    check_policy(cosigned(capsys, log_home), both)

    # growth: each witness checks a consistency proof from the size it holds
    append(capsys, log_home, 300, 200)
    code, out, err = run(capsys, log_home, "log", "cosign", "--institution", "haojie")
    assert code == 0 and "size 500: 2 of 2" in out, err
    check_policy(cosigned(capsys, log_home), both)
    origin = open_local_log(log_home, "haojie").origin
    held = DirectoryWitnessState(w1_home / "witness" / "state").latest(origin)
    assert held == open_local_log(log_home, "haojie").checkpoint()
    prove = ["log", "prove", "--institution", "haojie", "--index", "420", "--json", "--cosigned"]
    code, proof, err = run(capsys, log_home, *prove)
    assert code == 0, err
    (tmp_path / "proof.json").write_text(proof, encoding="utf-8")
    verify = ["log", "verify", str(tmp_path / "proof.json"), "--vkey", log_vkey]
    witnesses = ["--witness", w1_vkey, "--witness", w2_vkey]
    assert run(capsys, log_home, *verify, *witnesses, "--quorum", "2")[0] == 0

    # a fork: same key and origin, other entries, same size -> refused and alerted
    fork_home = tmp_path / "fork"
    (fork_home / "keys").mkdir(parents=True)
    shutil.copy(log_home / "keys" / "tlog-haojie.skey", fork_home / "keys")
    append(capsys, fork_home, 0, 500, tag="forged")
    assert run(capsys, fork_home, *add, "--url", w1_url, "--vkey", w1_vkey)[0] == 0
    code, out, err = run(capsys, fork_home, "log", "cosign", "--institution", "haojie")
    assert code == 2 and "holds another tree" in out and "did not cosign" in err
    alerts = (w1_home / "witness" / "alerts.jsonl").read_text(encoding="utf-8").splitlines()
    (alert,) = [json.loads(line) for line in alerts]
    assert alert["origin"] == origin and alert["size"] == 500
    assert alert["submitted_checkpoint"] == open_local_log(fork_home, "haojie").checkpoint()
