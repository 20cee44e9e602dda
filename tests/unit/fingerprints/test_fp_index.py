"""Adding, removing and matching templates."""

from __future__ import annotations

import random

import pytest

from smsguard.errors import InputError
from smsguard.fingerprints import TemplateIndex, TemplateMatch
from smsguard.fingerprints.synthetic import SyntheticTemplate, template_variant

REWORDED_FREEZE = (
    "【工商銀行】您的帐户已被冻結，請點擊 https://icbc-check.com/v 驗證身份并缴纳解冻费 500 元"
)


def small_index(fraud_texts: dict[str, str]) -> TemplateIndex:
    index = TemplateIndex()
    for template_id, text in fraud_texts.items():
        index.add(template_id, text, category="smishing")
    return index


def test_a_reworded_copy_matches_its_template(fraud_texts: dict[str, str]) -> None:
    index = small_index(fraud_texts)
    found = index.match(REWORDED_FREEZE)
    assert [m.template_id for m in found] == ["icbc-freeze"]
    assert found[0].category == "smishing"
    assert index.threshold <= found[0].similarity <= 1.0


def test_unrelated_texts_match_nothing(
    synthetic_index: TemplateIndex, ham_texts: tuple[str, ...]
) -> None:
    assert synthetic_index.match_many(list(ham_texts)) == [[] for _ in ham_texts]


def test_matches_come_best_first_and_respect_the_limit(
    templates: list[SyntheticTemplate],
) -> None:
    index = TemplateIndex(threshold=0.05)  # low, so one text has several matches
    for number, template in enumerate(templates[:200]):
        index.add(f"t{number}", template.fill(number))
    found = index.match(templates[0].fill(0), limit=3)
    assert 1 <= len(found) <= 3
    assert found[0].template_id == "t0" and found[0].similarity == 1.0
    assert [m.similarity for m in found] == sorted((m.similarity for m in found), reverse=True)


def test_match_many_agrees_with_match(
    synthetic_index: TemplateIndex, templates: list[SyntheticTemplate]
) -> None:
    rng = random.Random(8)
    texts = [template_variant(templates[n], n, "all", rng) for n in range(0, 400, 10)]
    assert synthetic_index.match_many(texts) == [synthetic_index.match(text) for text in texts]


def test_remove_forgets_a_template(fraud_texts: dict[str, str]) -> None:
    index = small_index(fraud_texts)
    assert "icbc-freeze" in index and len(index) == len(fraud_texts)
    assert index.remove("icbc-freeze") is True
    assert index.remove("icbc-freeze") is False
    assert "icbc-freeze" not in index and len(index) == len(fraud_texts) - 1
    assert index.match(REWORDED_FREEZE) == []
    index.add("icbc-freeze", fraud_texts["icbc-freeze"], category="user")  # the id is free again
    assert index.match(REWORDED_FREEZE)[0].category == "user"


def test_results_do_not_depend_on_when_the_table_was_rebuilt(
    templates: list[SyntheticTemplate],
) -> None:
    """Recent additions wait outside the band table; that must not change any answer."""
    rng = random.Random(4)
    fresh, built = TemplateIndex(), TemplateIndex()
    for number, template in enumerate(templates[:300]):
        fresh.add(f"t{number}", template.fill(number))
        built.add(f"t{number}", template.fill(number))
    for number in range(0, 300, 3):
        fresh.remove(f"t{number}")
        built.remove(f"t{number}")
    built.optimize()
    texts = [template_variant(templates[n], n, "all", rng) for n in range(0, 300, 7)]
    assert fresh.match_many(texts) == built.match_many(texts)
    assert sum(bool(found) for found in built.match_many(texts)) > 20


def test_many_removals_compact_the_index(templates: list[SyntheticTemplate]) -> None:
    index = TemplateIndex()
    for number in range(3000):
        index.add(f"t{number}", templates[number % len(templates)].fill(number))
    for number in range(2990):
        index.remove(f"t{number}")
    kept = templates[2995 % len(templates)].fill(2995)
    assert [m.template_id for m in index.match(kept)] == ["t2995"]
    assert len(index) == 10 and len(list(index.templates())) == 10


@pytest.mark.parametrize(
    ("template_id", "category", "problem"),
    [
        ("", "user", "non-empty"),
        ("  padded ", "user", "spaces"),
        ("tab\there", "user", "printable"),
        ("x" * 201, "user", "at most"),
        ("ok", "Card Transfer", "category"),
        ("ok", "", "category"),
    ],
)
def test_bad_ids_and_categories_are_refused(template_id: str, category: str, problem: str) -> None:
    text = "您的账户存在异常交易，请立即登录网站核实身份信息"
    with pytest.raises(InputError, match=problem):
        TemplateIndex().add(template_id, text, category=category)


def test_a_duplicate_id_is_refused(fraud_texts: dict[str, str]) -> None:
    index = small_index(fraud_texts)
    with pytest.raises(InputError, match="duplicate template id 'parcel'"):
        index.add("parcel", "a different text about a parcel that could not be delivered")


@pytest.mark.parametrize(
    "text", ["", "好的", "ok thanks!", "6222 0212 3456 7890 张伟", "http://x.cn"]
)
def test_short_texts_are_refused_and_never_match(text: str) -> None:
    index = TemplateIndex(threshold=0.01)
    with pytest.raises(InputError, match="too short to fingerprint"):
        index.add("short", text)
    index.add("long", "您的账户存在异常交易，请立即登录网站核实身份信息")
    assert index.match(text) == []


def test_bad_threshold_and_limit_are_refused() -> None:
    with pytest.raises(InputError, match="threshold"):
        TemplateIndex(threshold=0.0)
    with pytest.raises(InputError, match="limit"):
        TemplateIndex().match("您的账户存在异常交易，请立即登录网站核实身份信息", limit=0)


def test_an_empty_index_matches_nothing() -> None:
    assert TemplateIndex().match_many(["您的账户存在异常交易，请立即登录网站核实身份信息"]) == [[]]
    assert TemplateIndex().match_many([]) == []


def test_a_match_is_a_plain_value() -> None:
    found = TemplateMatch("a", 0.5, "user")
    assert found == TemplateMatch("a", 0.5, "user")
    with pytest.raises(AttributeError):
        found.similarity = 1.0  # type: ignore[misc]
