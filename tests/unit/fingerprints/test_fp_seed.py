"""The shipped seed index: small, loads, knows the card-transfer scam, leaves ham alone."""

from __future__ import annotations

import re
from importlib import resources

import pytest

from smsguard.fingerprints import TemplateIndex, load_seed_index
from smsguard.fingerprints.store import SEED_RESOURCE

# Made up for this test in the style of the "transfer the money to this card" scam.
CARD_TRANSFER = "把钱打到这个卡上 6222 0212 3456 7890 123 户名：张伟 建设银行"
CARD_TRANSFER_COPIES = (
    "把钱打到这个卡上：6217000011112222333，户名：李娜，建设银行",
    "把 钱 打 到 这 个 卡 上 6228-4800-1234-5678 户名 王芳 建设银行",
)


@pytest.fixture(scope="module")
def seed() -> TemplateIndex:
    return load_seed_index()


def test_the_seed_file_is_small() -> None:
    size = len(resources.files("smsguard.fingerprints").joinpath(SEED_RESOURCE).read_bytes())
    assert size < 1_000_000


def test_the_seed_holds_both_sources_under_traceable_ids(seed: TemplateIndex) -> None:
    categories = {category for _id, category in seed.templates()}
    assert categories == {"smishing", "card-transfer"}
    pattern = re.compile(r"(smishing:mishra-soni|card-transfer:sms80w-6cat):L\d+")
    assert all(pattern.fullmatch(template_id) for template_id, _c in seed.templates())
    assert len(seed) > 500


def test_a_card_transfer_message_and_its_copies_match(seed: TemplateIndex) -> None:
    for text in (CARD_TRANSFER, *CARD_TRANSFER_COPIES):
        found = seed.match(text)
        assert found, text
        assert found[0].category == "card-transfer"


def test_ordinary_messages_do_not_match(seed: TemplateIndex, ham_texts: tuple[str, ...]) -> None:
    assert seed.match_many(list(ham_texts)) == [[] for _ in ham_texts]


def test_each_load_is_a_separate_index(seed: TemplateIndex) -> None:
    mine = load_seed_index()
    mine.add("local", "您的医保账户存在风险，请在今天内登录指定网站重新认证，否则停用")
    assert "local" not in seed and "local" in mine
