from __future__ import annotations

from smsguard.errors import InputError, RulebookError, SmsguardError


def test_errors_share_one_base_with_stable_codes() -> None:
    error = InputError("text is empty")
    assert isinstance(error, SmsguardError)
    assert error.to_dict() == {"code": "invalid-input", "message": "text is empty"}


def test_rulebook_error_names_file_rule_and_field() -> None:
    error = RulebookError("bad regex", file="x.yaml", rule_id="SOME_RULE", field="match.patterns")
    assert error.message == "file x.yaml, rule SOME_RULE, field match.patterns: bad regex"
    assert "smsguard rules check" in error.diagnostics()
