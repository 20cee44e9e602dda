"""The dashboard's message catalogue."""

from __future__ import annotations

import re
from pathlib import Path

from smsguard.web.i18n import CATALOGUE, translator

TEMPLATES = Path(__file__).parents[2] / "smsguard" / "web" / "templates"


def test_chinese_and_english_have_the_same_keys_and_no_empty_text() -> None:
    assert set(CATALOGUE["zh"]) == set(CATALOGUE["en"])
    assert all(CATALOGUE[lang][key].strip() for lang in CATALOGUE for key in CATALOGUE[lang])


def test_every_literal_key_the_templates_use_is_in_the_catalogue() -> None:
    used = {
        key
        for path in TEMPLATES.glob("*.html")
        for key in re.findall(r'_\("([a-z_.0-9]+)"\)', path.read_text(encoding="utf-8"))
    }
    assert used and used <= set(CATALOGUE["zh"]), sorted(used - set(CATALOGUE["zh"]))


def test_an_unknown_key_shows_itself() -> None:
    assert translator("en")("no.such.key") == "no.such.key"
    assert translator("xx")("login") == CATALOGUE["zh"]["login"]
