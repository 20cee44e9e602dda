"""Reading labelled files and the shared corpora, with the label policy."""

from __future__ import annotations

from pathlib import Path

import pytest

from smsguard.errors import InputError
from smsguard.training.corpora import (
    CARD_TRANSFER_TAG,
    Example,
    dedupe,
    load_labelled_file,
    load_shared_corpora,
    remove_near_duplicates,
    training_data,
)


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_tsv_is_read_without_quoting_and_labels_are_mapped(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "mine.tsv",
        'label\ttext\nHam\t"quoted" start\n1\tbuy now\nsmishing\tverify at x.top\nham\t\n',
    )
    corpus = load_labelled_file(path)
    assert [(e.label, e.text) for e in corpus.examples] == [
        ("ham", '"quoted" start'),
        ("spam", "buy now"),
        ("fraud", "verify at x.top"),
    ]
    assert corpus.name == "mine" and {e.source for e in corpus.examples} == {"mine"}
    assert len(corpus.sha256) == 64


def test_csv_with_extra_columns_and_custom_map(tmp_path: Path) -> None:
    path = _write(tmp_path / "x.csv", 'id,text,label\n1,"hello, you",ok\n2,"win, now",bad\n')
    corpus = load_labelled_file(path, label_map={"ok": "ham", "bad": "spam"})
    assert [(e.label, e.text) for e in corpus.examples] == [
        ("ham", "hello, you"),
        ("spam", "win, now"),
    ]


def test_unknown_label_names_file_and_line(tmp_path: Path) -> None:
    path = _write(tmp_path / "bad.tsv", "label\ttext\nham\tfine\nmaybe\twho knows\n")
    with pytest.raises(InputError, match=r"bad\.tsv, line 3: unknown label 'maybe'"):
        load_labelled_file(path)


def test_missing_columns_and_short_rows_are_input_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="line 1: the header needs"):
        load_labelled_file(_write(tmp_path / "a.tsv", "kind\tbody\nham\thi\n"))
    with pytest.raises(InputError, match="line 2: expected a label and a text"):
        load_labelled_file(_write(tmp_path / "b.tsv", "label\ttext\nham\n"))
    with pytest.raises(InputError, match="cannot read"):
        load_labelled_file(tmp_path / "absent.tsv")


def test_dedupe_uses_canonical_text_and_keeps_the_first() -> None:
    rows = [
        Example("Call 123 now!", "spam", "a"),
        Example("call 98765 now", "ham", "b"),
        Example("something else", "ham", "c"),
    ]
    assert [e.source for e in dedupe(rows)] == ["a", "c"]


def test_near_duplicates_of_the_reference_are_removed() -> None:
    reference = [Example("【某商城】双十一全场五折起，满三百减五十，回TD退订", "spam", "test")]
    rows = [
        Example("【某商城】双十一全场五折起，满三百减五十！回T退订", "spam", "train"),
        Example("【某商城】双十一全场五折起，满3百减50", "spam", "train"),
        Example("明天下午开会，记得带电脑", "ham", "train"),
    ]
    kept, dropped = remove_near_duplicates(rows, reference)
    assert dropped >= 1 and rows[0] not in kept and rows[2] in kept


def _shared(root: Path) -> Path:
    head = "label\ttext\n"
    _write(
        root / "uci_sms_spam_collection/sms_spam_collection.tsv",
        head + "ham\thi there\nspam\tVerify your bank at x.top\nspam\tWin a prize\n",
    )
    _write(
        root / "mishra_soni_sms_phishing/sms_phishing_5971.tsv",
        head + "smishing\tverify your bank at x.top\nspam\tWin a prize\nham\tok\n",
    )
    _write(root / "mudou_spam_cn/mudou_spam_train.tsv", head + "ham\t你好\nspam\t促销\n")
    _write(root / "mudou_spam_cn/mudou_spam_test_unseen.tsv", head + "ham\t在吗\nspam\t促销!\n")
    _write(
        root / "sms80w_cn_subset/sms80w_subset.tsv",
        head + "ham\t网页上的一句话\nspam\t低息贷款xxxx\n",
    )
    card = "王老板打到这个账户:xxxx xxxx xxxx xxxx xxx 户名:张三"
    _write(
        root / "sms80w_cn_subset/sms80w_extra_spam.tsv",
        head + f"spam\t{card}\nspam\t建行信用卡八折优惠\nspam\t无抵押贷款 工薪贷\n",
    )
    _write(
        root / "sms80w_cn_subset/sms80w_extra_spam_6cat.fine.tsv",
        head + f"{CARD_TRANSFER_TAG}\t{card}\n{CARD_TRANSFER_TAG}\t建行信用卡八折优惠\n"
        f"贷款诈骗|招聘信息\t无抵押贷款 工薪贷\n",
    )
    return root


def test_shared_corpora_follow_the_label_policy(tmp_path: Path) -> None:
    corpora = load_shared_corpora(_shared(tmp_path))
    assert set(corpora) == {"uci", "mishra_soni", "mudou_train", "mudou_unseen", "sms80w"}
    assert [e.label for e in corpora["uci"].examples] == ["ham", "fraud", "spam"]
    assert [e.label for e in corpora["mishra_soni"].examples] == ["fraud", "spam", "ham"]
    sms80w = {e.text: e for e in corpora["sms80w"].examples}
    assert "网页上的一句话" not in sms80w  # the web-fragment "ham" is never read
    assert [e.label for e in sms80w.values()] == ["spam", "fraud", "spam", "spam"]
    assert sms80w["无抵押贷款 工薪贷"].tags == ("贷款诈骗", "招聘信息")
    assert sms80w["建行信用卡八折优惠"].tags == (CARD_TRANSFER_TAG,)


def test_training_data_from_the_shared_folder_leaves_the_test_file_out(tmp_path: Path) -> None:
    data = training_data([_shared(tmp_path)])
    sources = {e.source for e in data.examples}
    assert sources == {"uci", "mishra_soni", "mudou_train", "sms80w"}
    assert "促销" not in {e.text for e in data.examples}  # equals a mudou_unseen text
    assert set(data.sha256) == {"uci", "mishra_soni", "mudou_train", "mudou_unseen", "sms80w"}
    with pytest.raises(InputError, match="not a shared-data folder"):
        training_data([tmp_path / "uci_sms_spam_collection"])


def test_users_files_join_the_shared_folder_under_the_same_exclusions(tmp_path: Path) -> None:
    root = _shared(tmp_path / "shared")
    extra = _write(
        tmp_path / "mine.tsv", "label\ttext\nfraud\t账户已冻结请登录 x.top\nspam\t促销！\n"
    )
    data = training_data([root, extra])
    assert [e.text for e in data.examples if e.source == "mine"] == ["账户已冻结请登录 x.top"]
    assert data.sha256["mine"] and "uci" in data.sha256
    with pytest.raises(InputError, match="at most one shared-data folder"):
        training_data([root, root / "mudou_spam_cn"])
