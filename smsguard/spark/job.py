"""The work of one partition: rebuild the rows, screen them, encode the output, report.

:func:`partition_screener` returns the function Spark's ``mapInArrow`` runs on every
partition. It screens each Arrow batch (10,000 rows by default) with one ``screen_many``
call, exactly as the local engine screens a chunk (``ensure_text`` first, then
``screen_many(..., explain=False)`` and ``bulk.verdict_row``), and adds what it saw to a
:class:`PartitionReport`. The reports reach the driver through one accumulator keyed by
partition, so a task that Spark runs twice (a retry, speculation) is counted once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from smsguard.bulk import VERDICT_FIELDS, Row, ScanSummary, verdict_row
from smsguard.errors import InputError
from smsguard.scanio.formats import Format
from smsguard.scanio.records import Record, RowProblem
from smsguard.screening.engine import Screener
from smsguard.screening.inputs import ensure_text
from smsguard.screening.sender import SenderProfile
from smsguard.spark.bundle import BytesBroadcast, worker_screener
from smsguard.spark.encode import TEXT_COLUMN, TextEncoder, text_field, verdict_columns
from smsguard.spark.rows import LINE_COLUMN, RowSpec, batch_rows

#: Problems kept per partition; more are counted but not listed (a wholly broken file must not
#: flood the driver's memory through the accumulator).
MAX_PROBLEMS = 10_000


@dataclass
class PartitionReport:
    """What one partition screened and skipped: the local scan's counts plus the problems."""

    counts: ScanSummary = field(default_factory=ScanSummary)
    problems: list[tuple[int, str]] = field(default_factory=list)

    def add_row(self, row: Row) -> None:
        self.counts.add(row)

    def add_problem(self, line: int, reason: str) -> None:
        self.counts.skipped += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append((line, reason))


@dataclass(frozen=True)
class JobSpec:
    """Everything a partition needs besides the screener: how rows come in and go out."""

    rows: RowSpec
    out_format: Format
    out_fields: tuple[str, ...]
    digest: str


Batches = Iterable[Any]


def partition_screener(
    spec: JobSpec, broadcast: BytesBroadcast, reports: Any
) -> Callable[[Batches], Batches]:
    """The function ``mapInArrow`` applies to each partition's Arrow batches."""

    def run(batches: Batches) -> Batches:
        return screen_partition(spec, broadcast, reports, batches)

    return run


def screen_partition(
    spec: JobSpec, broadcast: BytesBroadcast, reports: Any, batches: Batches
) -> Iterator[Any]:
    """Screen every batch of one partition; report once the partition is done."""
    import pyarrow as arrow
    from pyspark import TaskContext

    screener, sender = worker_screener(spec.digest, broadcast)
    report = PartitionReport()
    encoder = (
        TextEncoder(spec.out_format, spec.out_fields) if spec.out_format != "parquet" else None
    )
    header = encoder.header if encoder is not None else None
    for batch in batches:
        screened = screen_batch(spec.rows, batch, screener, sender, report)
        if not screened:
            continue
        if encoder is None:
            yield table_batch(spec, batch, screened, arrow)
            continue
        texts = [encoder.encode({**record.fields, **row}) for _, record, row in screened]
        if header is not None:
            texts.insert(0, header)
            header = None
        yield arrow.record_batch([arrow.array(texts, type=arrow.string())], names=[TEXT_COLUMN])
    context = TaskContext.get()
    reports.add({context.partitionId() if context is not None else 0: report})


def screen_batch(
    spec: RowSpec,
    batch: Any,
    screener: Screener,
    sender: SenderProfile | None,
    report: PartitionReport,
) -> list[tuple[int, Record, Row]]:
    """The screenable rows of ``batch`` with their verdict fields, in batch order; the
    others go to ``report`` as problems, worded as the local scan words them."""
    good: list[tuple[int, Record, str]] = []
    for index, item in batch_rows(spec, batch):
        if isinstance(item, RowProblem):
            report.add_problem(item.line, item.reason)
            continue
        try:
            good.append((index, item, ensure_text(item.text, max_length=screener.max_text_length)))
        except InputError as exc:
            report.add_problem(item.line, exc.message)
    verdicts = screener.screen_many((text for *_, text in good), sender=sender, explain=False)
    out: list[tuple[int, Record, Row]] = []
    for (index, record, _), verdict in zip(good, verdicts, strict=True):
        row = verdict_row(verdict)
        report.add_row(row)
        out.append((index, record, row))
    return out


def table_batch(
    spec: JobSpec, batch: Any, screened: Sequence[tuple[int, Record, Row]], arrow: Any
) -> Any:
    """The Parquet output of ``screened``: the input's columns (less any named like a
    verdict field, which the verdict replaces, as locally), then the verdict fields."""
    kept = parquet_input_columns(spec.rows.fieldnames)
    if spec.rows.layout == "table":
        taken = batch.drop_columns([LINE_COLUMN]).take(arrow.array([i for i, *_ in screened]))
        inputs = [taken.column(name) for name in kept]
    else:
        records = [record for _, record, _ in screened]
        inputs = [
            arrow.array([text_field(r.fields.get(name)) for r in records], type=arrow.string())
            for name in kept
        ]
    verdicts = verdict_columns([row for *_, row in screened], arrow)
    return arrow.record_batch([*inputs, *verdicts], names=[*kept, *VERDICT_FIELDS])


def parquet_input_columns(fieldnames: Sequence[str]) -> list[str]:
    return [name for name in fieldnames if name not in VERDICT_FIELDS]
