"""The multi-pattern matcher: offsets, ordering, batching, errors, backend parity."""

from __future__ import annotations

import logging
import pickle
import re
import threading
from collections.abc import Sequence

import pytest

from smsguard.errors import ConfigError, RulebookError
from smsguard.screening import _hs
from smsguard.screening import matcher as matcher_module
from smsguard.screening._triggers import pattern_requirements
from smsguard.screening.matcher import (
    Backend,
    Hit,
    Matcher,
    PatternSpec,
    compile_matcher,
    hyperscan_available,
)

# Hyperscan is a dependency: where it is missing these tests fail (they never skip).
BACKENDS = ["re", "hyperscan", "auto"]


def specs(*regexes: str) -> list[PatternSpec]:
    return [PatternSpec(id=i, regex=regex) for i, regex in enumerate(regexes)]


def expected(patterns: Sequence[PatternSpec], text: str) -> list[Hit]:
    """The contract, spelled out with plain ``re``: leftmost match per pattern, sorted."""
    hits = []
    for spec in patterns:
        match = re.search(spec.regex, text)
        if match:
            hits.append(Hit(spec.id, match.start(), match.end()))
    return sorted(hits, key=lambda hit: (hit.start, hit.pattern_id))


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> Backend:
    value: Backend = request.param
    return value


def build(backend: Backend, *regexes: str) -> Matcher:
    return compile_matcher(specs(*regexes), backend=backend)


# --------------------------------------------------------------------------- offsets


def test_literal_hit(backend: Backend) -> None:
    assert build(backend, "包下款").scan("保证包下款哦") == [Hit(0, 2, 5)]


def test_offsets_are_characters_in_mixed_text(backend: Backend) -> None:
    text = "abc年化利率 loan 秒批"
    hits = build(backend, "秒批", "loan", "年化").scan(text)
    assert hits == [Hit(2, 3, 5), Hit(1, 8, 12), Hit(0, 13, 15)]
    assert [text[hit.start : hit.end] for hit in hits] == ["年化", "loan", "秒批"]


def test_astral_characters_before_a_hit(backend: Backend) -> None:
    text = "😀🀄𝕏 秒批"
    assert build(backend, "秒批").scan(text) == [Hit(0, 4, 6)]


def test_no_match_gives_no_hits(backend: Backend) -> None:
    assert build(backend, "秒批").scan("正常的通知短信") == []
    assert build(backend, "秒批").scan("") == []


def test_overlapping_patterns_are_both_reported(backend: Backend) -> None:
    assert build(backend, "秒批款", "批款").scan("x秒批款") == [Hit(0, 1, 4), Hit(1, 2, 4)]


def test_repeated_match_reports_the_leftmost_once(backend: Backend) -> None:
    assert build(backend, "秒批").scan("秒批！秒批！秒批") == [Hit(0, 0, 2)]


def test_hits_sorted_by_start_then_id(backend: Backend) -> None:
    matcher = build(backend, "批", "秒批", "秒")
    assert matcher.scan("秒批") == [Hit(1, 0, 2), Hit(2, 0, 1), Hit(0, 1, 2)]


@pytest.mark.parametrize(
    ("regex", "text"),
    [
        ("a|ab", "xab"),  # alternation order, not longest
        ("ab|a", "xab"),
        ("a+?", "aaa"),  # lazy
        ("a+", "aaa"),
        (r"年化[^，。]{0,6}\d", "年化利率12%，"),  # greedy with backtracking
        (r"\d{3,}?", "12345"),
    ],
)
def test_end_follows_re_semantics(backend: Backend, regex: str, text: str) -> None:
    assert build(backend, regex).scan(text) == expected(specs(regex), text)


@pytest.mark.parametrize(
    ("regex", "text"),
    [
        (r"^【", "【银行】"),
        (r"^【", "x【银行】"),
        (r"】$", "【银行】"),
        (r"】$", "【银行】\n"),
        (r"】\Z", "【银行】\n"),
        (r"\Aab", "ab ab"),
        (r"\bloan\b", "loans loan"),
        (r"\Bloan", "loan xloan"),
        (r"(?<!不)看征信", "不看征信，只看征信"),
        (r"秒批(?!款)", "秒批款 秒批"),
        (r"(?m)^b", "a\nb"),
        (r"^b", "a\nb"),
        (r"xa*$", "xaa"),
        (r"xa*$", "xaa\n"),
        (r"x(?:a|$)", "x"),
        (r"(?:a|^)+b", "ab b"),
        (r"a.b", "a\nb a-b"),
        (r"(?s)a.b", "a\nb"),
        (r"a(?s:.)b", "a\nb"),
        (r"ab{0}c", "ac"),
        (r"a(?:x|)c", "ac"),
        (r"a(?>b+)c", "abbc"),
        (r"a++b", "aab"),
        (r"(?x) 秒 \s* 批 ", "秒 批"),
        (r"\u79d2\U00006279", "秒批"),
        (r"[^\W\d_]+", "12_ab3"),
        (r"(?a)\w+", "秒批ab"),
    ],
)
def test_assertions_flags_and_syntax(backend: Backend, regex: str, text: str) -> None:
    assert build(backend, regex).scan(text) == expected(specs(regex), text)


@pytest.mark.parametrize(
    ("regex", "text"),
    [
        (r"\d+", "额度٣٠万"),  # Arabic-Indic digits are \d for re
        (r"\d", "𞥑"),  # Adlam digit (Unicode 9), unknown to older tables
        (r"\s", "a\x1cb"),  # re counts the file separator as whitespace
        (r"\w+", "_秒ǅ"),
        (r"\W", "秒批！"),
        (r"[^\s]", "\u3000x"),
    ],
)
def test_unicode_classes_follow_re(backend: Backend, regex: str, text: str) -> None:
    assert build(backend, regex).scan(text) == expected(specs(regex), text)


@pytest.mark.parametrize(
    ("regex", "text"),
    [
        (r"x[^y]{0,3000}z", "x" + "a" * 2999 + "z"),
        (r"x[^y]{0,3000}z", "x" + "a" * 3000 + "z"),
        (r"x\w{16,}z", "x" + "秒" * 15 + "z x" + "b" * 16 + "z"),
        (r"a{20}", "a" * 19 + " " + "a" * 21),
        (r"\d{2,40}元", "1元 123元"),
        (r"https?://\S+", "点 http://a.cn/x?y=1 退订"),
    ],
)
def test_large_repeats_and_wide_classes(backend: Backend, regex: str, text: str) -> None:
    assert build(backend, regex).scan(text) == expected(specs(regex), text)


# --------------------------------------------------------------------------- batches


def test_batch_equals_per_message(backend: Backend) -> None:
    regexes = ("秒批", r"\d{3}", r"^【[^】]+】", "loan$")
    matcher = build(backend, *regexes)
    texts = ["【好借】秒批123", "", "nothing", "loan", "秒批\n", "a\ud800秒批", "😀秒批 999"]
    assert matcher.scan_batch(texts) == [matcher.scan(text) for text in texts]
    assert matcher.scan_batch(texts) == [expected(specs(*regexes), text) for text in texts]


def test_batch_accepts_any_sequence(backend: Backend) -> None:
    matcher = build(backend, "ab")
    assert matcher.scan_batch(("ab", "b")) == [[Hit(0, 0, 2)], []]
    assert matcher.scan_batch([]) == []


@pytest.mark.parametrize(
    "regex",
    ["ab", r"a[^z]b", r"a\s*b", r"a.?b", r"a\W*b", r"a$", r"^b", r"a\b", r"\bb", r"xa*$", r"\Ab"],
)
def test_no_match_across_batch_boundaries(backend: Backend, regex: str) -> None:
    matcher = build(backend, regex)
    texts = ["xa", "bx", "a", "", "b", "xa", "\nb", "xaa", "xa\n", "b"]
    assert matcher.scan_batch(texts) == [expected(specs(regex), text) for text in texts]


def test_large_batch_spanning_chunks(backend: Backend) -> None:
    regexes = ("秒批", r"\d+元", "ab")
    matcher = build(backend, *regexes)
    texts = [f"{i}元 秒批" if i % 7 == 0 else ("a" if i % 2 else "b") for i in range(3000)]
    assert matcher.scan_batch(texts) == [expected(specs(*regexes), text) for text in texts]


def test_lone_surrogate_text(backend: Backend) -> None:
    text = "\udc80秒批\ud800"
    assert build(backend, "秒批", "批").scan(text) == [Hit(0, 1, 3), Hit(1, 2, 3)]


# --------------------------------------------------------------------------- errors


def test_invalid_regex_names_the_id() -> None:
    with pytest.raises(RulebookError, match=r"pattern 7 .*invalid regex"):
        compile_matcher([PatternSpec(1, "ok"), PatternSpec(7, "秒(批")])


@pytest.mark.parametrize("regex", ["a*", "(?:秒批)?", "x|", r"\b", "$", "(?=a)", "a{0}"])
def test_empty_matching_pattern_rejected(regex: str) -> None:
    with pytest.raises(RulebookError, match="empty string"):
        compile_matcher([PatternSpec(3, regex)], backend="re")


def test_ambiguous_regex_rejected() -> None:
    with pytest.raises(RulebookError, match="pattern 2"):
        compile_matcher([PatternSpec(2, "[[a]")])


def test_duplicate_ids_rejected() -> None:
    with pytest.raises(RulebookError, match="used twice"):
        compile_matcher([PatternSpec(1, "a"), PatternSpec(1, "b")])


def test_empty_spec_list(backend: Backend) -> None:
    matcher = build(backend)
    assert matcher.scan("秒批") == []
    assert matcher.scan_batch(["a", "b"]) == [[], []]


def test_unknown_backend() -> None:
    with pytest.raises(ConfigError):
        compile_matcher(specs("a"), backend="pcre")  # type: ignore[arg-type]


@pytest.mark.parametrize("regex", [r"(秒)\1", r"(?i)loan", r"(a)?(?(1)b|c)"])
def test_hyperscan_backend_rejects_what_it_cannot_do(regex: str) -> None:
    with pytest.raises(RulebookError, match=r"pattern 5 "):
        compile_matcher([PatternSpec(0, "ok"), PatternSpec(5, regex)], backend="hyperscan")


def test_auto_falls_back_to_re_for_that_pattern_only(caplog: pytest.LogCaptureFixture) -> None:
    patterns = [PatternSpec(0, "秒批"), PatternSpec(5, r"(贷)\1"), PatternSpec(6, "(?i)loan")]
    with caplog.at_level(logging.WARNING, logger=matcher_module.__name__):
        matcher = compile_matcher(patterns, backend="auto")
    assert matcher.backend == "hyperscan"
    assert getattr(matcher, "re_only_ids", None) == (5, 6)
    assert "pattern 5" in caplog.text
    assert "pattern 6" in caplog.text
    texts = ["贷贷 秒批 LOAN", "秒批", "贷", "\ud800贷贷", "Loan"]
    assert matcher.scan_batch(texts) == [expected(patterns, text) for text in texts]
    assert [matcher.scan(text) for text in texts] == [expected(patterns, t) for t in texts]


def test_re_backend_reports_itself() -> None:
    assert compile_matcher(specs("a"), backend="re").backend == "re"


def test_auto_prefers_hyperscan() -> None:
    assert compile_matcher(specs("a"), backend="auto").backend == "hyperscan"


# --------------------------------------------------------------------------- plumbing


def test_pickle_recompiles(backend: Backend) -> None:
    matcher = build(backend, "秒批", r"\d+")
    copy = pickle.loads(pickle.dumps(matcher))
    assert copy.backend == matcher.backend
    assert copy.scan("秒批 12") == matcher.scan("秒批 12")


def test_pickle_keeps_the_mixed_layout() -> None:
    patterns = [PatternSpec(0, "秒批"), PatternSpec(5, r"(贷)\1")]
    matcher = compile_matcher(patterns)
    copy = pickle.loads(pickle.dumps(matcher))
    assert getattr(copy, "re_only_ids", None) == (5,)
    texts = ["贷贷秒批", "秒批", "贷"]
    assert (
        copy.scan_batch(texts)
        == matcher.scan_batch(texts)
        == [expected(patterns, t) for t in texts]
    )


def test_threads_share_one_matcher(backend: Backend) -> None:
    matcher = build(backend, "秒批", r"\d+元", "loan")
    texts = [f"{i}元 秒批 loan" for i in range(200)]
    want = matcher.scan_batch(texts)
    results: list[bool] = []

    def work() -> None:
        results.append(all(matcher.scan_batch(texts) == want for _ in range(20)))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [True] * 4


def test_fast_hit_constructor_matches_the_dataclass() -> None:
    fast = matcher_module._new_hit(3, 4, 5)
    assert fast == Hit(3, 4, 5)
    assert hash(fast) == hash(Hit(3, 4, 5))
    assert repr(fast) == repr(Hit(3, 4, 5))
    with pytest.raises(AttributeError):
        fast.start = 1  # type: ignore[misc]


@pytest.mark.parametrize(
    ("regex", "required"),
    [
        ("日[ ._*-]?(?:息|xi)", [{"日"}, {"息", "xi"}]),
        ("(?:贷|代)款|包下款", [{"贷款", "代款", "包下款"}]),
        (r"\d{11}", []),
        ("(?i)loan", []),
    ],
)
def test_re_prefilter_requirements(regex: str, required: list[set[str]]) -> None:
    found = pattern_requirements(re._parser.parse(regex)) or ()  # type: ignore[attr-defined]
    assert sorted(map(sorted, found)) == sorted(map(sorted, required))


def test_hyperscan_available_is_a_bool() -> None:
    assert isinstance(hyperscan_available(), bool)


def test_without_hyperscan(monkeypatch: pytest.MonkeyPatch) -> None:
    """As on a platform without the wheel: auto means re, hyperscan is a config error."""
    matcher = compile_matcher(specs("秒批"))
    monkeypatch.setattr(_hs, "available", lambda: False)
    assert not hyperscan_available()
    assert compile_matcher(specs("秒批")).backend == "re"
    with pytest.raises(ConfigError):
        compile_matcher(specs("a"), backend="hyperscan")
    copy = pickle.loads(pickle.dumps(matcher))  # a pickle from a machine with Hyperscan
    assert copy.backend == "re"
    assert copy.scan("秒批") == [Hit(0, 0, 2)]
