"""Unit tests for the normaliser: one family of evasions per test, spans checked by hand."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from importlib import resources
from pathlib import Path

import pytest

from smsguard.screening.normalize import NORMALIZER_VERSION, build_mapping, is_cjk, normalize

ROOT = Path(__file__).resolve().parents[3]


def norm(text: str) -> str:
    return normalize(text).text


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ＡＢＣ１２３％", "abc123%"),
        ("年化\u3000利率", "年化利率"),  # ideographic space folds to a space between ideographs
        ("ａｐｐ\u3000下载", "app 下载"),
        ("＠＃＄", "@#$"),
    ],
)
def test_full_width_forms_fold_to_ascii(raw: str, expected: str) -> None:
    assert norm(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("①②③", "123"),
        ("⑴⒉❸➍⓹", "12345"),
        ("¹²³", "123"),
        ("ｶｷ", "カキ"),  # half-width katakana
        ("⼈⼝", "人口"),  # Kangxi radicals look exactly like ideographs
        ("𝐯𝐱 𝕨𝕩", "vx wx"),
        ("ⓋⓍ🄰", "vxa"),
        ("🇻🇽", "vx"),
    ],
)
def test_compatibility_and_fancy_forms_fold(raw: str, expected: str) -> None:
    assert norm(raw) == expected


def test_ideographic_zero_becomes_a_digit_but_chinese_numerals_stay() -> None:
    assert norm("1〇〇%") == "100%"
    assert norm("一二三四五六七八九十百千万零两") == "一二三四五六七八九十百千万零两"


def test_chinese_sentence_punctuation_and_brackets_are_kept() -> None:
    kept = "【好借】你好，申请。快！吗？注意；如下：甲、乙（丙）"
    assert norm(kept) == kept


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("APP Download", "app download"),
        ("ÀÉÎÕÜ", "aeiou"),
        ("dài kuǎn lǜ", "dai kuan lu"),
        ("Straße", "straße"),  # ß would need two characters to casefold, so it stays
        ("İ", "i"),
    ],
)
def test_latin_letters_are_lowercased_and_unaccented(raw: str, expected: str) -> None:
    assert norm(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Сlісk", "click"),  # Cyrillic С and і
        ("раy", "pay"),  # Cyrillic р and а
        ("ΑΒΧ", "abx"),  # Greek capitals
        ("ᴅᴀɪᴋᴜᴀɴ", "daikuan"),  # small capitals
    ],
)
def test_homoglyphs_fold_to_latin(raw: str, expected: str) -> None:
    assert norm(raw) == expected


def test_traditional_characters_are_simplified() -> None:
    assert norm("貸款額度與徵信") == "贷款额度与征信"
    assert norm("無抵押，秒批到賬") == "无抵押，秒批到账"


def test_control_characters_become_spaces_but_tab_and_newline_stay() -> None:
    assert norm("a\x00b\x1bc\x7fd") == "a b c d"
    assert norm("a\tb\nc\rd") == "a\tb\nc\rd"


def test_lone_surrogates_become_replacement_characters() -> None:
    result = norm("ok\ud800\udfff")
    assert result == "ok\ufffd\ufffd"
    result.encode("utf-8")


@pytest.mark.parametrize("invisible", ["\u200b", "\u200d", "\ufeff", "\u00ad", "\u2060", "\ufe0f"])
def test_invisible_characters_are_deleted_with_offsets(invisible: str) -> None:
    raw = f"征{invisible}信ok"
    result = normalize(raw)
    assert result.text == "征信ok"
    assert result.offsets == (0, 2, 3, 4)
    assert result.to_original(0, 2) == (0, 3)


def test_combining_marks_and_keycaps_are_deleted() -> None:
    assert norm("d\u0332a\u0332i\u0332") == "dai"
    assert norm("1\ufe0f\u20e30\ufe0f\u20e3") == "10"


@pytest.mark.parametrize(
    "raw",
    [
        "秒-批",
        "秒*批",
        "秒 批",
        "秒.批",
        "秒·批",
        "秒_批",
        "秒/批",
        "秒|批",
        "秒~批",
        "秒 - * 批",
        "秒－批",
        "秒\u3000批",
        "秒\u200b-\u200b批",
        "秒\n批",
    ],
)
def test_separators_between_ideographs_are_deleted(raw: str) -> None:
    result = normalize(raw)
    assert result.text == "秒批"
    assert result.to_original(0, 2) == (0, len(raw))


@pytest.mark.parametrize(
    "raw",
    ["秒，批", "秒。批", "秒！批", "秒、批", "秒+批", "【秒】批", "秒：批"],
)
def test_meaningful_punctuation_between_ideographs_stays(raw: str) -> None:
    assert norm(raw) == raw


@pytest.mark.parametrize(
    "raw",
    ["www.example.com/a_b", "3.5%", "a - b", "abc-秒", "秒-abc", "2024-01-01", "秒1-2批"],
)
def test_separators_outside_two_ideographs_stay(raw: str) -> None:
    result = normalize(raw)
    assert result.text == raw
    assert result.offsets is None


def test_deleted_separator_maps_back_to_the_whole_split_keyword() -> None:
    raw = "今天秒-批到账"
    result = normalize(raw)
    start = result.text.index("秒批")
    begin, end = result.to_original(start, start + 2)
    assert raw[begin:end] == "秒-批"


def test_runs_on_both_sides_of_one_ideograph_are_all_deleted() -> None:
    result = normalize("贷-款*额 度")
    assert result.text == "贷款额度"
    assert result.offsets == (0, 2, 4, 6)


def test_nothing_deleted_means_no_offsets() -> None:
    result = normalize("貸款ABC，秒批")
    assert result.text == "贷款abc，秒批"
    assert result.offsets is None
    assert result.original == "貸款ABC，秒批"


def test_empty_string() -> None:
    result = normalize("")
    assert (result.text, result.offsets) == ("", None)


@pytest.mark.parametrize("raw", ["貸 款①", "秒\u200b-批", "ＶＸ：ａｂ", "a\u0301\u0301", "〇-〇"])
def test_normalising_twice_changes_nothing(raw: str) -> None:
    once = norm(raw)
    assert norm(once) == once


def test_one_megabyte_text() -> None:
    unit = "貸款秒-批\u200bＡＢＣ，無抵押 https://t.cn/x "
    raw = unit * (1_000_000 // len(unit))
    result = normalize(raw)
    assert result.offsets is not None
    assert len(result.offsets) == len(result.text)
    assert result.text.startswith("贷款秒批abc，无抵押 https://t.cn/x 贷款")
    assert result.offsets[-1] < len(raw)


def test_is_cjk() -> None:
    assert is_cjk("贷") and is_cjk("貸") and is_cjk("𠀀") and is_cjk("㐀")
    assert not any(is_cjk(ch) for ch in "a1，。【カ한")


def test_version_is_a_non_empty_string() -> None:
    assert isinstance(NORMALIZER_VERSION, str) and NORMALIZER_VERSION


def test_t2s_data_names_its_origin_and_holds_pairs() -> None:
    data = resources.files("smsguard.screening").joinpath("data/t2s.txt")
    lines = data.read_text(encoding="utf-8").splitlines()
    header = " ".join(line for line in lines if line.startswith("#"))
    assert "OpenCC" in header and "Apache-2.0" in header
    pairs = "".join(line for line in lines if not line.startswith("#"))
    assert len(pairs) % 2 == 0 and len(pairs) > 5000


def test_every_mapping_target_is_a_fixed_point() -> None:
    mapping = build_mapping()
    assert all(mapping.get(target, target) == target for target in mapping.values())
    assert all(len(source) == len(target) == 1 for source, target in mapping.items())


def test_t2s_data_is_what_the_generator_writes() -> None:
    spec = importlib.util.spec_from_file_location("gen_t2s", ROOT / "scripts/gen_t2s_table.py")
    assert spec is not None and spec.loader is not None
    generator = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generator)
    mapping = generator.resolve_chains(
        generator.single_char_mappings(generator.opencc.OpenCC("t2s"))
    )
    body = generator.render(mapping, "x").split("\n", 4)[-1]
    stored = (ROOT / "smsguard/screening/data/t2s.txt").read_text(encoding="utf-8")
    assert stored.split("\n", 4)[-1] == body


def test_runtime_does_not_import_opencc() -> None:
    code = (
        "import sys\n"
        "from smsguard.screening.normalize import normalize\n"
        "assert normalize('貸款').text == '贷款'\n"
        "print('opencc' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip() == "False"
