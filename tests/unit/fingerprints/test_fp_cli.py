"""``smsguard fingerprints``: add, list, match, remove and build, with the user index in home."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from smsguard.cli._context import CliState
from smsguard.cli.fingerprints import fingerprints
from smsguard.errors import InputError, ModelError

FREEZE = "【工商银行】您的账户已被冻结，请点击 http://icbc-safe.cn 验证身份并缴纳解冻费200元"
FREEZE_COPY = "【工商銀行】您的帐户已被冻結，請點擊 https://icbc-x.com 驗證身份並繳納解凍費 900 元"


def run(home: Path, *args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(fingerprints, list(args), obj=CliState(home=home), input=stdin)


def test_add_list_match_remove(tmp_path: Path) -> None:
    added = run(tmp_path, "add", "icbc-freeze", FREEZE, "--category", "smishing")
    assert added.exit_code == 0, added.output
    assert (tmp_path / "fingerprints" / "index.sgfp").is_file()
    listed = json.loads(run(tmp_path, "list", "--json").output)
    assert listed["templates"] == [{"template_id": "icbc-freeze", "category": "smishing"}]
    found = json.loads(run(tmp_path, "match", "--json", "--no-seed", FREEZE_COPY).output)
    assert [(m["template_id"], m["source"]) for m in found["matches"]] == [("icbc-freeze", "user")]
    assert "icbc-freeze" in run(tmp_path, "match", "--no-seed", FREEZE_COPY).output
    assert run(tmp_path, "remove", "icbc-freeze").exit_code == 0
    assert "no known fraud template matched" in run(tmp_path, "match", "--no-seed", FREEZE).output
    missing = run(tmp_path, "remove", "icbc-freeze")
    assert missing.exit_code == 1 and "no template 'icbc-freeze'" in missing.output


def test_text_can_come_from_standard_input(tmp_path: Path) -> None:
    assert run(tmp_path, "add", "from-stdin", "-", stdin=FREEZE).exit_code == 0
    found = run(tmp_path, "match", "--no-seed", "-", stdin=FREEZE_COPY)
    assert "from-stdin" in found.output


def test_match_consults_the_seed_by_default(tmp_path: Path) -> None:
    text = "把钱打到这个卡上 6222 0212 3456 7890 123 户名：张伟 建设银行"
    found = json.loads(run(tmp_path, "match", "--json", text).output)["matches"]
    assert found and {m["source"] for m in found} == {"seed"}
    assert found[0]["category"] == "card-transfer"
    assert json.loads(run(tmp_path, "match", "--json", "--no-seed", text).output)["matches"] == []


def test_list_the_seed(tmp_path: Path) -> None:
    output = run(tmp_path, "list", "--seed").output
    assert "templates in seed" in output.splitlines()[0]
    assert "card-transfer:sms80w-6cat:L" in output


def test_errors_are_smsguard_errors(tmp_path: Path) -> None:
    run(tmp_path, "add", "a", FREEZE)
    duplicate = run(tmp_path, "add", "a", FREEZE)
    assert isinstance(duplicate.exception, InputError)
    short = run(tmp_path, "add", "b", "好的")
    assert isinstance(short.exception, InputError)
    (tmp_path / "broken.sgfp").write_bytes(b"not an index")
    broken = run(tmp_path, "list", "--index", str(tmp_path / "broken.sgfp"))
    assert isinstance(broken.exception, ModelError)


@pytest.fixture
def labelled(tmp_path: Path) -> Path:
    path = tmp_path / "reports.tsv"
    rows = [
        ("smishing", FREEZE),
        ("smishing", FREEZE_COPY),  # a near-duplicate: merged
        ("smishing", "Your parcel is held at customs, pay the 2.99 GBP fee at http://p-fee.top"),
        ("ham", "今晚一起吃饭吗？我在老地方等你，七点见"),
        ("smishing", "好的"),  # too short
    ]
    path.write_text("label\ttext\n" + "".join(f"{a}\t{b}\n" for a, b in rows), encoding="utf-8")
    return path


def test_build_from_a_labelled_file(tmp_path: Path, labelled: Path) -> None:
    out = tmp_path / "built.sgfp"
    args = ["build", str(labelled), "--out", str(out), "--label", "smishing", "--json"]
    summary = json.loads(run(tmp_path, *args).output)
    assert summary == {
        "index": str(out),
        "read": 4,
        "kept": 2,
        "near_duplicates": 1,
        "too_short": 1,
    }
    listed = json.loads(run(tmp_path, "list", "--json", "--index", str(out)).output)
    assert [t["template_id"] for t in listed["templates"]] == ["reports:L2", "reports:L4"]
    assert {t["category"] for t in listed["templates"]} == {"smishing"}
    again = run(tmp_path, *args)
    assert isinstance(again.exception, InputError) and "--force" in str(again.exception)
    assert run(tmp_path, *args, "--force", "--category", "parcel").exit_code == 0


def test_build_refuses_a_file_with_nothing_to_index(tmp_path: Path, labelled: Path) -> None:
    result = run(tmp_path, "build", str(labelled), "--label", "fraud")
    assert isinstance(result.exception, InputError)
    assert "no rows labelled fraud" in str(result.exception)
