"""``smsguard log``: init, append, prove, verify through the real entry point and exit codes."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from smsguard.cli import main

LEAF = {
    "campaign": "c-1",
    "commitment": "ab" * 32,
    "institution": "haojie",
    "message": "m-0",
    "template_version": "tv-1",
    "time": 1767225600,
    "v": 1,
}


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run ``smsguard`` in-process; return exit code, stdout, stderr."""
    code = 0
    try:
        main(list(args))
    except SystemExit as exc:
        code = int(exc.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SMSGUARD_HOME", str(tmp_path))
    return tmp_path


def test_init_append_prove_verify(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "log", "init", "--institution", "haojie")
    assert code == 0 and "smsguard.example/haojie+" in out
    key = home / "keys" / "tlog-haojie.skey"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    lines = [json.dumps({**LEAF, "message": f"m-{i}"}) for i in range(300)]
    (home / "leaves.jsonl").write_text("\n".join(lines) + "\n")
    code, out, _ = run(
        capsys, "log", "append", str(home / "leaves.jsonl"), "--institution", "haojie"
    )
    assert code == 0 and "300 entries appended as 0..299" in out
    assert (home / "tlog" / "haojie" / "tile" / "0" / "000").stat().st_size == 8192
    _, vkey, _ = run(capsys, "log", "pubkey", "--institution", "haojie")
    code, out, _ = run(capsys, "log", "prove", "--institution", "haojie", "--index", "7", "--json")
    proof = json.loads(out)
    assert proof["tree_size"] == 300 and '"message":"m-7"' in proof["entry"]
    (home / "proof.json").write_text(out)
    code, out, err = run(capsys, "log", "verify", str(home / "proof.json"), "--vkey", vkey.strip())
    assert code == 0, err
    assert "ok: entry 7 is in smsguard.example/haojie at size 300" in out
    _, checkpoint, _ = run(capsys, "log", "checkpoint", "--institution", "haojie")
    assert checkpoint == proof["checkpoint"]
    code, out, _ = run(
        capsys, "log", "consistency", "--institution", "haojie", "--from", "3", "--json"
    )
    assert json.loads(out)["to"] == 300 and len(json.loads(out)["consistency_proof"]) == 10


def test_verify_rejects_tampering_with_exit_2(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, "log", "init", "--institution", "haojie")
    (home / "one.jsonl").write_text(json.dumps(LEAF) + "\n" + json.dumps(LEAF) + "\n")
    run(capsys, "log", "append", str(home / "one.jsonl"), "--institution", "haojie")
    _, vkey, _ = run(capsys, "log", "pubkey", "--institution", "haojie")
    _, out, _ = run(capsys, "log", "prove", "--institution", "haojie", "--index", "0", "--json")
    data = json.loads(out)
    data["inclusion_proof"][0] = "00" * 32
    (home / "bad.json").write_text(json.dumps(data))
    code, _, err = run(capsys, "log", "verify", str(home / "bad.json"), "--vkey", vkey.strip())
    assert code == 2
    assert "error [log-error]: inclusion: inclusion proof for leaf 0" in err
    assert "Traceback" not in err


def test_clear_errors(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "log", "checkpoint", "--institution", "nobody")
    assert code == 2 and "no transparency log for institution 'nobody'" in err
    run(capsys, "log", "init", "--institution", "haojie")
    code, _, err = run(capsys, "log", "init", "--institution", "haojie")
    assert code == 2 and "already exists" in err
    (home / "other.jsonl").write_text(json.dumps({**LEAF, "institution": "other"}) + "\n")
    code, _, err = run(
        capsys, "log", "append", str(home / "other.jsonl"), "--institution", "haojie"
    )
    assert code == 2 and "line 1: entry of 'other'" in err
    code, _, err = run(capsys, "log", "init", "--institution", "../x")
    assert code == 2 and "cannot name a log folder" in err
