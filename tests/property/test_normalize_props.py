"""Properties of ``normalize`` that must hold for any Unicode input, surrogates included."""

from __future__ import annotations

from bisect import bisect_left
from itertools import pairwise

from hypothesis import given
from hypothesis import strategies as st

from smsguard.screening.normalize import is_cjk, normalize
from smsguard.screening.text import NormalizedText

# Build the tables now, outside Hypothesis's per-example deadline.
normalize("")

# Any code point at all: no category is excluded, so lone surrogates are drawn too.
any_text = st.text(st.characters())
# Dense in the characters that trigger deletions, so offsets get a real workout.
tricky_text = st.text(
    st.sampled_from(
        list("秒批貸款征信ＡＢ１a1 -*.·_/|~，。【】\u200b\u200d\ufeff\u00ad\u3000\ud800𝐯")
    ),
)
texts = st.one_of(any_text, tricky_text)


def _offsets(result: NormalizedText) -> list[int]:
    if result.offsets is None:
        return list(range(len(result.text)))
    return list(result.offsets)


@given(texts)
def test_idempotent(raw: str) -> None:
    once = normalize(raw).text
    assert normalize(once).text == once


@given(texts)
def test_offsets_are_well_formed(raw: str) -> None:
    result = normalize(raw)
    offsets = _offsets(result)
    if result.offsets is None:
        assert len(result.text) == len(raw)
    assert len(offsets) == len(result.text)
    assert all(a < b for a, b in pairwise(offsets))
    assert all(0 <= offset < len(raw) for offset in offsets)


@given(texts)
def test_each_kept_character_is_the_fold_of_its_original(raw: str) -> None:
    result = normalize(raw)
    for position, offset in enumerate(_offsets(result)):
        assert result.text[position] == normalize(raw[offset]).text


@given(texts, st.data())
def test_spans_map_inside_the_original(raw: str, data: st.DataObject) -> None:
    result = normalize(raw)
    start = data.draw(st.integers(0, len(result.text)))
    end = data.draw(st.integers(start, len(result.text)))
    begin, finish = result.to_original(start, end)
    assert 0 <= begin <= finish <= len(raw)
    if start < end:
        assert finish - begin >= end - start


@given(texts)
def test_result_is_always_encodable(raw: str) -> None:
    normalize(raw).text.encode("utf-8")


@given(texts)
def test_visible_characters_are_only_deleted_between_ideographs(raw: str) -> None:
    result = normalize(raw)
    offsets = _offsets(result)
    kept = set(offsets)
    for index, char in enumerate(raw):
        if index in kept or normalize(char).text == "":
            continue
        after = bisect_left(offsets, index)
        assert 0 < after < len(result.text)
        assert is_cjk(result.text[after - 1]) and is_cjk(result.text[after])
