"""``smsguard scan --engine spark``: the driver's side, start to finish.

1. Check pyspark, Java, the input (with the local reader) and OUTPUT, before starting a JVM.
2. Build and pickle the screener (``bundle.pack_screener``), then start or join a session.
3. Read the input as a numbered DataFrame (``inputs.load_input``), broadcast the screener,
   ``mapInArrow`` each partition through ``job.screen_partition``, write the parts.
4. Gather the partitions' reports into the local engine's :class:`~smsguard.bulk.ScanSummary`
   and report the skipped rows, in line order, as ``line N: skipped: reason``.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from smsguard.bulk import ScanSummary
from smsguard.errors import InputError
from smsguard.scanio.formats import Format
from smsguard.screening.sender import SenderProfile
from smsguard.settings import Settings
from smsguard.spark.bundle import pack_screener
from smsguard.spark.encode import TEXT_COLUMN, VERDICT_TYPES, output_fieldnames
from smsguard.spark.inputs import LoadedInput, load_input
from smsguard.spark.job import JobSpec, parquet_input_columns, partition_screener
from smsguard.spark.output import check_target, temporary_sibling, write_output
from smsguard.spark.report import report_param, summarize
from smsguard.spark.session import require_spark, spark_session

if TYPE_CHECKING:
    from pyspark.sql.types import StructType

OnProblem = Callable[[int, str], None]


@dataclass(frozen=True)
class SparkScanRequest:
    """One scan: what to read, where to write, and how to screen."""

    input_path: Path
    output_path: Path
    in_format: Format
    out_format: Format
    text_column: str
    settings: Settings
    sender: SenderProfile | None = None
    master: str | None = None  # None: spark-submit's master, else local[2]


def run_spark_scan(request: SparkScanRequest, *, on_problem: OnProblem) -> ScanSummary:
    """Screen the input on Spark and write OUTPUT; returns the closing summary."""
    require_spark()
    if not request.input_path.is_file():
        raise InputError(f"cannot read {request.input_path}: no such file")
    check_target(request.output_path)
    packed = pack_screener(request.settings, request.sender)
    summary = ScanSummary()

    def staged_problem(line: int, reason: str) -> None:
        summary.skipped += 1
        on_problem(line, reason)

    staging = temporary_sibling(request.output_path, "staging")
    try:
        with spark_session(request.master) as spark, _input_errors():
            started = time.perf_counter()
            loaded = load_input(
                spark,
                request.input_path,
                fmt=request.in_format,
                text_column=request.text_column,
                staging=staging,
                on_problem=staged_problem,
            )
            spec = JobSpec(
                loaded.rows,
                request.out_format,
                tuple(output_fieldnames(loaded.rows.fieldnames)),
                packed.digest,
            )
            screener = spark.sparkContext.broadcast(packed.blob)
            reports = spark.sparkContext.accumulator({}, report_param())
            frame = loaded.frame.mapInArrow(
                partition_screener(spec, screener, reports), output_schema(loaded, spec)
            )
            write_output(frame, request.out_format, request.output_path)
            screener.unpersist()
            summary.seconds = time.perf_counter() - started
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    for line, reason in summarize(reports.value, summary):
        on_problem(line, reason)
    return summary


def output_schema(loaded: LoadedInput, spec: JobSpec) -> StructType:
    """What the partitions yield: one text column, or the Parquet columns."""
    from pyspark.sql.types import (
        BooleanType,
        DataType,
        DoubleType,
        StringType,
        StructField,
        StructType,
    )

    if spec.out_format != "parquet":
        return StructType([StructField(TEXT_COLUMN, StringType())])
    kinds: dict[str, DataType] = {
        "string": StringType(),
        "boolean": BooleanType(),
        "double": DoubleType(),
    }
    keep = parquet_input_columns(spec.rows.fieldnames)
    if spec.rows.layout == "table":
        by_name = {f.name: f for f in loaded.frame.schema.fields}
        inputs = [by_name[name] for name in keep]
    else:
        inputs = [StructField(name, StringType()) for name in keep]
    verdicts = [StructField(name, kinds[kind]) for name, kind in VERDICT_TYPES.items()]
    return StructType([*inputs, *verdicts])


@contextmanager
def _input_errors() -> Iterator[None]:
    """Spark's analysis errors (a path or column it cannot resolve) are about the input."""
    from pyspark.errors import AnalysisException

    try:
        yield
    except AnalysisException as err:
        raise InputError(f"Spark cannot run the scan: {err.getMessage()}") from err
