"""Reading a rulebook from YAML files into validated, hashed data.

The built-in rulebook lives in ``smsguard/screening/rules/``. Operators may layer their own
files or folders on top (setting ``rules_paths``): a rule whose id already exists replaces the
built-in one, a new id adds a rule. The rulebook's identity is its version plus a hash of the
validated content, so every verdict records exactly which rules produced it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from smsguard._yaml import read_yaml
from smsguard.errors import RulebookError
from smsguard.screening.rulebook.schema import RulebookHeader, RuleFile, RuleSpec, TermGroup

HEADER_FILE = "rulebook.yaml"
SIGNALS_FILE = "signals.yaml"
_M = TypeVar("_M", bound=BaseModel)


class Signals(BaseModel):
    """Cues that tell what an SMS is for and whether it is about lending."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    loan: TermGroup
    marketing: TermGroup
    service: TermGroup
    collection: TermGroup
    verification: TermGroup


@dataclass(frozen=True, slots=True)
class Rulebook:
    """A validated rulebook: header, rules in a stable order, purpose signals, identity."""

    header: RulebookHeader
    rules: tuple[RuleSpec, ...]
    signals: Signals
    digest: str

    @property
    def version(self) -> str:
        return f"{self.header.version}+{self.digest[:12]}"


def load_rulebook(extra_paths: Sequence[Path] = ()) -> Rulebook:
    """Load the built-in rulebook, then each extra file or folder in order."""
    builtin = resources.files("smsguard.screening").joinpath("rules")
    header = _parse(RulebookHeader, _read_yaml(builtin.joinpath(HEADER_FILE)), HEADER_FILE)
    signals = _parse(Signals, _read_yaml(builtin.joinpath(SIGNALS_FILE)), SIGNALS_FILE)
    rules: dict[str, RuleSpec] = {}
    builtin_files = sorted(
        (f for f in builtin.iterdir() if f.name.endswith(".yaml")), key=lambda f: f.name
    )
    for item in builtin_files:
        if item.name not in (HEADER_FILE, SIGNALS_FILE):
            _add_rules(rules, item, replace=False)
    for path in _expand(extra_paths):
        _add_rules(rules, path, replace=True)
    if not rules:
        raise RulebookError("the rulebook holds no rules; refusing to screen with nothing")
    ordered = tuple(rules.values())
    return Rulebook(header, ordered, signals, _digest(header, ordered, signals))


def _expand(paths: Iterable[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(path.glob("*.yaml")) + sorted(path.glob("*.yml")))
        elif path.is_file():
            files.append(path)
        else:
            raise RulebookError("no such rule file or folder", file=str(path))
    return files


def _add_rules(rules: dict[str, RuleSpec], source: Any, *, replace: bool) -> None:
    name = str(source) if isinstance(source, Path) else source.name
    data = _read_yaml(source)
    parsed = _parse(RuleFile, data, name)
    for rule in parsed.rules:
        if rule.id in rules and not replace:
            raise RulebookError("rule id defined twice", file=name, rule_id=rule.id)
        rules[rule.id] = rule


def _read_yaml(source: Any) -> Any:
    return read_yaml(source, what="rule file", error=RulebookError)


def _parse(model: type[_M], data: Any, name: str) -> _M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problem = exc.errors()[0]
        loc = tuple(problem["loc"])
        rule_id = _rule_id_at(data, loc)
        field = ".".join(str(p) for p in (loc[2:] if rule_id else loc)) or None
        raise RulebookError(problem["msg"], file=name, rule_id=rule_id, field=field) from exc


def _rule_id_at(data: Any, loc: tuple[Any, ...]) -> str | None:
    if len(loc) >= 2 and loc[0] == "rules" and isinstance(loc[1], int):
        try:
            rule = data["rules"][loc[1]]
        except (KeyError, IndexError, TypeError):
            return None
        if isinstance(rule, dict):
            return str(rule.get("id") or f"#{loc[1] + 1}")
        return f"#{loc[1] + 1}"
    return None


def _digest(header: RulebookHeader, rules: tuple[RuleSpec, ...], signals: Signals) -> str:
    payload = {
        "header": header.model_dump(mode="json"),
        "rules": [rule.model_dump(mode="json") for rule in rules],
        "signals": signals.model_dump(mode="json"),
    }
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
