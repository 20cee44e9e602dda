"""Building an index from many texts merges near-duplicates and skips short texts."""

from __future__ import annotations

import pytest

from smsguard.errors import InputError
from smsguard.fingerprints.build import build_index
from smsguard.fingerprints.synthetic import SyntheticTemplate


def test_copies_of_one_scam_become_one_template(templates: list[SyntheticTemplate]) -> None:
    rows = []
    for number, template in enumerate(templates[:50]):
        rows.append((f"a{number}", template.fill(number), "synthetic"))
        rows.append((f"b{number}", template.fill(number + 10_000), "synthetic"))  # new slots
    rows.append(("short", "好的，收到", "synthetic"))
    index, report = build_index(rows)
    assert report.read == 101 and report.too_short == 1
    assert report.kept == len(index) == 50
    assert {template_id for template_id, _c in index.templates()} == {f"a{n}" for n in range(50)}
    assert report.duplicate_of == {f"b{n}": f"a{n}" for n in range(50)}


def test_without_dedup_every_usable_text_is_kept(templates: list[SyntheticTemplate]) -> None:
    rows = [(f"t{n}", templates[0].fill(0), "synthetic") for n in range(5)]
    index, report = build_index(rows, dedup=None)
    assert len(index) == 5 and not report.duplicate_of


def test_duplicate_ids_and_bad_settings_are_refused() -> None:
    text = "您的账户存在异常交易，请立即登录网站核实身份信息"
    with pytest.raises(InputError, match="unique"):
        build_index([("x", text, "user"), ("x", text + "。", "user")])
    with pytest.raises(InputError, match="dedup"):
        build_index([("x", text, "user")], dedup=1.5)
