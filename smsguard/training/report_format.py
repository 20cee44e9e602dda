"""Markdown building blocks of the evaluation report, and its model-specific sections.

Split from :mod:`smsguard.training.report` to keep each module readable; the number
formats live here so every section renders a figure the same way.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from smsguard.risk.scripts import KINDS, SCRIPTS
from smsguard.training.metrics import lookup

FPR_SETS = ("mudou_unseen", "uci", "mishra_soni")


def num(value: Any, digits: int = 3) -> str:
    """A figure with fixed decimals; a missing one is a dash, never a misleading 0."""
    return "—" if value is None else f"{float(value):.{digits}f}"


def pct(value: Any) -> str:
    """A rate as a percentage (false-positive rates read better that way)."""
    return "—" if value is None else f"{100 * float(value):.2f} %"


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """A Markdown table followed by a blank line."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return [*lines, ""]


def operating_point_md(report: Mapping[str, Any]) -> list[str]:
    """Section 6: thresholds per writing system and what they flag on each ham test side."""
    rows = []
    for role, info in report["operating_point"].items():
        limits = info["thresholds"]
        fpr = info["ham_fpr"]
        rates = [
            f"{pct(lookup(fpr, (name, 'fpr')))} of {fpr.get(name, {}).get('n', 0)}"
            for name in FPR_SETS
        ]
        pairs = [" / ".join(num(limits[s].get(kind)) for s in SCRIPTS) for kind in KINDS[::-1]]
        rows.append([role, *pairs, *rates])
    recorded = report["operating_point"].get("shipped", {}).get("recorded")
    header = ["model", "fraud threshold han / latin", "spam threshold han / latin"]
    return [
        "## 6. Operating point",
        "",
        "*evaluated*: the cluster-split model, thresholds chosen by its own training run.",
        "Thresholds are per writing system: *han* (any CJK ideograph) and *latin* (the rest).",
        "*shipped*: the packaged model; it excludes mudou_unseen look-alikes from training but",
        "may have seen the UCI/Mishra-Soni test texts, so its figures there are optimistic.",
        "",
        *table(
            [*header, "ham FPR mudou_unseen", "ham FPR uci test", "ham FPR mishra_soni test"], rows
        ),
        f"Recorded at training time by the shipped model: `{json.dumps(recorded)}`"
        if recorded
        else "No shipped model was available to this run.",
        "",
    ]


def calibration_md(report: Mapping[str, Any]) -> list[str]:
    """Section 7: whether p(spam or fraud) means what it says, per dataset."""
    rows = []
    for model, blocks in report["in_distribution"].get("cluster", {}).items():
        for dataset, block in blocks.items():
            rows.append([dataset, model, num(block["brier"], 4), num(block["ece"], 4)])
    return [
        "## 7. Calibration of p(spam or fraud), cluster split",
        "",
        "Brier score and expected calibration error (10 equal-width bins); lower is better.",
        "",
        *table(["dataset", "model", "Brier", "ECE"], rows),
    ]
