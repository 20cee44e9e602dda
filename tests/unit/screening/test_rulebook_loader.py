"""Loading rule files: every defect is named by file, rule id and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from smsguard.errors import RulebookError
from smsguard.screening.compile import compile_rulebook
from smsguard.screening.rulebook.loader import load_rulebook

GOOD_RULE = """
rules:
  - id: LOCAL_WORDS
    title: Local banned words
    category: prohibited_claim
    severity: review
    message: A word our compliance team bans.
    basis: [{source: internal policy 2026-01}]
    match: {terms: [捡钱]}
    examples: {positive: [捡钱贷款], negative: [正常贷款]}
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "local.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_builtin_rulebook_loads_with_a_content_hash() -> None:
    book = load_rulebook()
    assert len(book.rules) > 30
    version, digest = book.version.split("+")
    assert version == book.header.version and len(digest) == 12


def test_every_rule_cites_a_basis() -> None:
    assert all(rule.basis for rule in load_rulebook().rules)


def test_extra_rules_are_layered_and_change_the_hash(tmp_path: Path) -> None:
    base = load_rulebook()
    book = load_rulebook([_write(tmp_path, GOOD_RULE)])
    assert "LOCAL_WORDS" in {r.id for r in book.rules}
    assert book.digest != base.digest


def test_same_content_gives_same_hash() -> None:
    assert load_rulebook().digest == load_rulebook().digest


@pytest.mark.parametrize(
    ("mutation", "needles"),
    [
        (("match: {terms: [捡钱]}", "match: {patterns: ['(捡钱']}"), ["LOCAL_WORDS", "patterns"]),
        (("severity: review", "severity: review\n    colour: red"), ["LOCAL_WORDS", "colour"]),
        (("severity: review", "severity: maybe"), ["LOCAL_WORDS", "severity"]),
        (("id: LOCAL_WORDS", "id: local-words"), ["local-words", "id"]),
        (("basis: [{source: internal policy 2026-01}]", "basis: []"), ["LOCAL_WORDS", "basis"]),
        (("match: {terms: [捡钱]}", "match: {}"), ["LOCAL_WORDS", "match"]),
    ],
)
def test_defects_are_named(tmp_path: Path, mutation: tuple[str, str], needles: list[str]) -> None:
    path = _write(tmp_path, GOOD_RULE.replace(*mutation))
    with pytest.raises(RulebookError) as info:
        load_rulebook([path])
    assert str(path) in info.value.message
    for needle in needles:
        assert needle in info.value.message


def test_unknown_check_is_named(tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD_RULE.replace("{terms: [捡钱]}", "{check: {name: no_such_check}}"))
    with pytest.raises(RulebookError, match=r"LOCAL_WORDS.*no_such_check"):
        compile_rulebook(load_rulebook([path]))


def test_invalid_yaml_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(RulebookError, match="not valid YAML"):
        load_rulebook([_write(tmp_path, "rules: [\n")])
    with pytest.raises(RulebookError, match="no such rule file"):
        load_rulebook([tmp_path / "missing.yaml"])


def test_invalid_utf8_rule_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_bytes(b"rules:\n  - id: \xff\xfe\n")
    with pytest.raises(RulebookError, match="UTF-8"):
        load_rulebook([path])
