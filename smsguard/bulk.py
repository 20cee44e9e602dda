"""Bulk screening of record files across processes, in order, with a summary.

Records are screened in chunks; with more than one worker, each process builds its own
screener once (the matcher is not shareable across processes) and chunks come back in input
order, so output row N always belongs to input row N. A row that cannot be screened (empty,
binary) is reported with its line number and skipped — it never aborts the file.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from multiprocessing.pool import AsyncResult

from smsguard.errors import InputError
from smsguard.scanio import Record, RowProblem
from smsguard.screening.engine import Screener
from smsguard.screening.inputs import ensure_text
from smsguard.screening.sender import SenderProfile
from smsguard.screening.verdict import Verdict
from smsguard.settings import Settings

VERDICT_FIELDS = (
    "verdict",
    "fraud",
    "purpose",
    "rules",
    "findings",
    "risk",
    "p_spam",
    "p_fraud",
    "templates",
    "rulebook",
)
CHUNK = 256

Row = dict[str, object]
_Outcome = tuple[int, Row | str]


@dataclass
class ScanSummary:
    """Counts for the closing table of a scan."""

    screened: int = 0
    skipped: int = 0
    verdicts: Counter[str] = field(default_factory=Counter)
    rules: Counter[str] = field(default_factory=Counter)
    fraud: int = 0
    seconds: float = 0.0

    def add(self, row: Row) -> None:
        self.screened += 1
        self.verdicts[str(row["verdict"])] += 1
        self.fraud += bool(row["fraud"])
        self.rules.update(str(row["rules"]).split(",") if row["rules"] else [])

    def merge(self, other: ScanSummary) -> None:
        """Add another summary's counts (a Spark partition's) to this one."""
        self.screened += other.screened
        self.skipped += other.skipped
        self.fraud += other.fraud
        self.verdicts.update(other.verdicts)
        self.rules.update(other.rules)

    @property
    def rate(self) -> float:
        return self.screened / self.seconds if self.seconds > 0 else 0.0


def verdict_row(verdict: Verdict) -> Row:
    """The verdict fields added to each output row."""
    return {
        "verdict": verdict.verdict,
        "fraud": verdict.fraud,
        "purpose": verdict.purpose,
        "rules": ",".join(f.rule for f in verdict.findings),
        "findings": [f.to_dict() for f in verdict.findings],
        **_risk_columns(verdict),
        "rulebook": verdict.rulebook,
    }


def _risk_columns(verdict: Verdict) -> Row:
    """The model's label and probabilities and the fraud templates matched (empty when risk
    scoring is off), flat so that CSV and Parquet readers can filter on them."""
    risk = verdict.risk
    if risk is None:
        return {"risk": "", "p_spam": None, "p_fraud": None, "templates": ""}
    return {
        "risk": risk.label,
        "p_spam": round(risk.probabilities.get("spam", 0.0), 4),
        "p_fraud": round(risk.probabilities.get("fraud", 0.0), 4),
        "templates": ",".join(hit.template_id for hit in risk.templates),
    }


def scan_records(
    items: Iterable[Record | RowProblem],
    *,
    settings: Settings,
    sender: SenderProfile | None,
    workers: int,
    on_problem: Callable[[int, str], None],
    summary: ScanSummary,
) -> Iterator[tuple[Record, Row]]:
    """Screen records, yielding each with its verdict fields, in input order."""
    started = time.perf_counter()
    records: dict[int, Record] = {}

    def chunks() -> Iterator[list[tuple[int, str]]]:
        iterator = iter(items)
        while batch := list(islice(iterator, CHUNK)):
            chunk: list[tuple[int, str]] = []
            for item in batch:
                if isinstance(item, RowProblem):
                    summary.skipped += 1
                    on_problem(item.line, item.reason)
                else:
                    records[item.line] = item
                    chunk.append((item.line, item.text))
            yield chunk

    for line, outcome in _run(chunks(), settings, sender, workers):
        record = records.pop(line)
        if isinstance(outcome, str):
            summary.skipped += 1
            on_problem(line, outcome)
            continue
        summary.add(outcome)
        summary.seconds = time.perf_counter() - started
        yield record, outcome
    summary.seconds = time.perf_counter() - started


def effective_workers(requested: int) -> int:
    return requested if requested > 0 else max(1, os.cpu_count() or 1)


def _run(
    chunks: Iterator[list[tuple[int, str]]],
    settings: Settings,
    sender: SenderProfile | None,
    workers: int,
) -> Iterator[_Outcome]:
    if workers <= 1:
        _init_worker(settings, sender)
        for chunk in chunks:
            yield from _screen_chunk(chunk)
        return
    context = multiprocessing.get_context("spawn")
    with context.Pool(workers, initializer=_init_worker, initargs=(settings, sender)) as pool:
        pending: deque[AsyncResult[list[_Outcome]]] = deque()
        for chunk in chunks:
            pending.append(pool.apply_async(_screen_chunk, (chunk,)))
            if len(pending) >= workers * 4:  # bounded: never read the whole file ahead
                yield from pending.popleft().get()
        while pending:
            yield from pending.popleft().get()


_worker_state: dict[str, object] = {}


def _init_worker(settings: Settings, sender: SenderProfile | None) -> None:
    from smsguard.bootstrap import build_screener

    _worker_state["screener"] = build_screener(settings, sender=sender)
    _worker_state["sender"] = sender


def _screen_chunk(chunk: list[tuple[int, str]]) -> list[_Outcome]:
    screener = _worker_state["screener"]
    assert isinstance(screener, Screener)
    sender = _worker_state["sender"]
    assert sender is None or isinstance(sender, SenderProfile)
    out: list[_Outcome] = []
    good: list[tuple[int, str]] = []
    for line, text in chunk:
        try:
            good.append((line, ensure_text(text, max_length=screener.max_text_length)))
        except InputError as exc:
            out.append((line, exc.message))
    verdicts = screener.screen_many((text for _, text in good), sender=sender, explain=False)
    out.extend((line, verdict_row(v)) for (line, _), v in zip(good, verdicts, strict=True))
    out.sort(key=lambda item: item[0])
    return out
