"""Properties: what fraudsters change leaves fingerprints alike, and variants find their template.

The rewrites are random; Hypothesis draws their seeds. The matching properties allow no
miss at all, which holds for the changes the fingerprint text undoes and for light edits;
the benchmark measures the rate for heavier ones (up to 10% of characters edited).
"""

from __future__ import annotations

import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smsguard.fingerprints import TemplateIndex, fingerprint_text
from smsguard.fingerprints.synthetic import (
    COMMON_HANZI,
    SyntheticTemplate,
    change_numbers,
    edit_characters,
    insert_separators,
    swap_homoglyphs,
    template_variant,
)

# Ideographs, ASCII letters, digits, spaces and Chinese punctuation: everything but the
# dots and slashes that make links, which are replaced whole rather than preserved.
_PIECES = [*COMMON_HANZI[:400], *"abcdefxyz0123456789 ，。！：", "户名", "建行", "先生", "张"]
message_text = st.lists(st.sampled_from(_PIECES), min_size=1, max_size=60).map("".join)
seeds = st.integers(min_value=0, max_value=2**32)
rewrites = settings(
    max_examples=60,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


@given(message_text, seeds)
def test_new_numbers_leave_the_fingerprint_text_alone(text: str, seed: int) -> None:
    assert fingerprint_text(change_numbers(text, random.Random(seed))) == fingerprint_text(text)


@given(message_text, seeds)
def test_inserted_separators_leave_the_fingerprint_text_alone(text: str, seed: int) -> None:
    changed = insert_separators(text, random.Random(seed), rate=0.3)
    assert fingerprint_text(changed) == fingerprint_text(text)


@given(message_text, seeds)
def test_look_alike_characters_leave_the_fingerprint_text_alone(text: str, seed: int) -> None:
    changed = swap_homoglyphs(text, random.Random(seed), rate=1.0)
    assert fingerprint_text(changed) == fingerprint_text(text)


@rewrites
@given(
    number=st.integers(min_value=0, max_value=399),
    family=st.sampled_from(["numbers", "links", "names", "separators", "homoglyphs"]),
    seed=seeds,
)
def test_variants_find_their_template(
    synthetic_index: TemplateIndex,
    templates: list[SyntheticTemplate],
    number: int,
    family: str,
    seed: int,
) -> None:
    variant = template_variant(templates[number], number, family, random.Random(seed))
    assert f"t{number}" in {m.template_id for m in synthetic_index.match(variant)}


@rewrites
@given(number=st.integers(min_value=0, max_value=399), seed=seeds)
def test_lightly_edited_variants_find_their_template(
    synthetic_index: TemplateIndex, templates: list[SyntheticTemplate], number: int, seed: int
) -> None:
    rng = random.Random(seed)
    text = templates[number].fill(number)
    variant = insert_separators(swap_homoglyphs(edit_characters(text, rng, 0.03), rng), rng)
    assert f"t{number}" in {m.template_id for m in synthetic_index.match(variant)}
