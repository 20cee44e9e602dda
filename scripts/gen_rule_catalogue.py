"""Regenerate the rule catalogue in docs/rulebook.md from the shipped rule files.

.venv/bin/python scripts/gen_rule_catalogue.py          # rewrite the catalogue
.venv/bin/python scripts/gen_rule_catalogue.py --check  # exit 1 if it is stale
"""

from __future__ import annotations

import sys
from pathlib import Path

from smsguard.screening.rulebook.loader import load_rulebook

DOC = Path(__file__).parents[1] / "docs" / "rulebook.md"
BEGIN = "<!-- catalogue:begin -->"
END = "<!-- catalogue:end -->"


def catalogue() -> str:
    book = load_rulebook()
    lines = [
        BEGIN,
        f"Rulebook `{book.header.name}` version {book.header.version}: {len(book.rules)} rules.",
        "",
        "| rule | severity | fraud | purposes | basis |",
        "|---|---|---|---|---|",
    ]
    for rule in book.rules:
        basis = "; ".join(b.render() for b in rule.basis)
        purposes = ", ".join(rule.purposes)
        fraud = "yes" if rule.fraud_signal else ""
        lines.append(
            f"| `{rule.id}` {rule.title} | {rule.severity} | {fraud} | {purposes} | {basis} |"
        )
    lines.append(END)
    return "\n".join(lines)


def main() -> int:
    text = DOC.read_text(encoding="utf-8")
    head, _, rest = text.partition(BEGIN)
    _, _, tail = rest.partition(END)
    updated = head + catalogue() + tail
    if "--check" in sys.argv:
        if updated != text:
            print("docs/rulebook.md is stale: run scripts/gen_rule_catalogue.py", file=sys.stderr)
            return 1
        return 0
    DOC.write_text(updated, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
