"""Reading the input as a DataFrame the partitions can rebuild the local reader's rows from.

The driver first opens the file with the local reader (``scanio.open_reader``), so a missing
file, a bad header or a missing text column fails at once with the local engine's message,
before any task runs. Then:

* TSV and JSON Lines are split by Spark at line breaks (``\\n``) and each line travels as
  its raw bytes, decoded on the executor exactly as the local reader decodes it (bad UTF-8,
  NUL bytes and blank lines are handled the same way);
* Parquet is read by Spark's own reader, column types kept;
* CSV is not split by Spark: an RFC 4180 field may hold a line break, so a CSV file cannot be
  cut at arbitrary lines, and Spark's CSV parser treats malformed quoting differently from
  Python's. The driver reads it with the local reader (problems reported as it goes) and
  stages the good rows as Parquet next to the output; the job then reads that.

Every row gets ``_line``, the number the local reader gives it: the physical line (the
header is line 1) or the Parquet row number. A first pass counts each input partition's rows;
a row's number is then its partition's offset plus its position in the partition.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from smsguard.scanio.formats import Format
from smsguard.scanio.parquet import import_pyarrow
from smsguard.scanio.readers import open_reader
from smsguard.scanio.records import ReadOptions, RecordReader, RowProblem
from smsguard.spark.rows import LINE_COLUMN, RAW_COLUMN, Layout, RowSpec

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

STAGE_ROWS: Final = 65_536
MIN_SPLIT_BYTES: Final = 1 << 20
#: Smaller inputs are screened in the partitions Spark reads them in: spreading them would
#: cost a sampling job and a shuffle to save less than a second of screening.
SPREAD_MIN_BYTES: Final = 1 << 20


@dataclass(frozen=True)
class LoadedInput:
    frame: DataFrame
    rows: RowSpec


def load_input(
    spark: SparkSession,
    path: Path,
    *,
    fmt: Format,
    text_column: str,
    staging: Path,
    on_problem: Callable[[int, str], None],
) -> LoadedInput:
    """The input as a numbered DataFrame, spread over four partitions per core."""
    with open_reader(path, fmt=fmt, text_column=text_column) as reader:
        spec = RowSpec(
            _layout(fmt), reader.fieldnames, reader.text_column, ReadOptions(text_column)
        )
        if fmt == "csv":
            staged = stage_as_parquet(reader, staging / "input.parquet", on_problem)
    target = 4 * spark.sparkContext.defaultParallelism
    source = staged if fmt == "csv" else path
    split = max(MIN_SPLIT_BYTES, source.stat().st_size // target + 1)
    spark.conf.set("spark.sql.files.maxPartitionBytes", str(split))
    if fmt == "csv":
        frame = spark.read.parquet(uri(staged))
    elif fmt == "parquet":
        frame = number_rows(spark.read.parquet(uri(path)))
    else:
        lines = spark.read.format("text").option("lineSep", "\n").load(uri(path))
        frame = number_rows(lines.selectExpr(f"CAST(value AS BINARY) AS {RAW_COLUMN}"))
    big = source.stat().st_size >= SPREAD_MIN_BYTES
    return LoadedInput(spread(frame, target) if big else frame, spec)


def _layout(fmt: Format) -> Layout:
    return "tsv" if fmt == "tsv" else "jsonl" if fmt == "jsonl" else "table"


def uri(path: Path) -> str:
    """A ``file:`` URI, so a cluster whose default file system is HDFS reads the local
    (shared) path the driver checked."""
    return path.resolve().as_uri()


def number_rows(frame: DataFrame) -> DataFrame:
    """``frame`` with ``_line``: 1-based row numbers in file order."""
    from pyspark.sql import functions as F

    tagged = frame.select(
        F.spark_partition_id().alias("_pid"), F.monotonically_increasing_id().alias("_mid"), "*"
    )
    partitions = frame.rdd.getNumPartitions()
    counts: dict[int, int] = (
        dict(tagged.groupBy("_pid").count().collect()) if partitions > 1 else {}
    )
    offsets, total = [], 0
    for pid in range(partitions):
        offsets.append(total)
        total += int(counts.get(pid, 0))
    start = F.element_at(F.array(*[F.lit(o).cast("long") for o in offsets]), F.col("_pid") + 1)
    position = F.col("_mid") - F.shiftleft(F.col("_pid").cast("long"), 33)
    numbered = tagged.withColumn(LINE_COLUMN, start + position + 1)
    return numbered.drop("_pid", "_mid")


def spread(frame: DataFrame, target: int) -> DataFrame:
    """Keep the input's partitions when there are enough; otherwise range-partition by line
    number, which keeps the file's order across and (sorted) within partitions."""
    if frame.rdd.getNumPartitions() >= target:
        return frame
    return frame.repartitionByRange(target, LINE_COLUMN).sortWithinPartitions(LINE_COLUMN)


def stage_as_parquet(
    reader: RecordReader, target: Path, on_problem: Callable[[int, str], None]
) -> Path:
    """Write the reader's good rows (text columns plus ``_line``) as Parquet, in row groups
    Spark can split; report the others."""
    arrow, parquet = import_pyarrow("writing")
    names = [*reader.fieldnames, LINE_COLUMN]
    schema = arrow.schema(
        [(name, arrow.string()) for name in reader.fieldnames] + [(LINE_COLUMN, arrow.int64())]
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    with parquet.ParquetWriter(str(target), schema) as writer:
        columns: list[list[Any]] = [[] for _ in names]
        for item in reader:
            if isinstance(item, RowProblem):
                on_problem(item.line, item.reason)
                continue
            for column, name in zip(columns[:-1], reader.fieldnames, strict=True):
                column.append(item.fields.get(name))
            columns[-1].append(item.line)
            if len(columns[-1]) >= STAGE_ROWS:
                writer.write_table(_table(arrow, schema, names, columns))
                columns = [[] for _ in names]
        writer.write_table(_table(arrow, schema, names, columns))
    return target


def _table(arrow: Any, schema: Any, names: list[str], columns: list[list[Any]]) -> Any:
    return arrow.Table.from_pydict(dict(zip(names, columns, strict=True)), schema=schema)
