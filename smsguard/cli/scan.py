"""``smsguard scan INPUT [OUTPUT]``: screen every row of a file, in parallel, with a summary;
``--engine spark`` runs the same screening as a Spark job (docs/spark.md)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import click

from smsguard.bulk import VERDICT_FIELDS, Row, ScanSummary, effective_workers, scan_records
from smsguard.cli._context import CliState, read_sender
from smsguard.scanio import FORMATS, Format, Record, detect_format, open_reader, open_writer
from smsguard.scanio.formats import EXTENSIONS
from smsguard.screening.sender import SenderProfile


@click.command()
@click.argument("input_path", metavar="INPUT", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("output_arg", metavar="[OUTPUT]", required=False, type=click.Path(path_type=Path))
@click.option(
    "--out",
    "out_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Output file (default: standard output). Format from its extension.",
)
@click.option("--format", "in_format", type=click.Choice(FORMATS), help="Input format.")
@click.option("--out-format", type=click.Choice(FORMATS), help="Output format.")
@click.option("--text-column", default="text", show_default=True, help="Column with the SMS.")
@click.option(
    "--workers",
    type=click.IntRange(min=0),
    default=None,
    help="Processes to use (default: the `workers` setting; 0 = one per core).",
)
@click.option(
    "--sender",
    "sender_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Sender profile (YAML) applied to every row.",
)
@click.option(
    "--engine",
    type=click.Choice(["local", "spark"]),
    default="local",
    show_default=True,
    help="local: processes on this machine; spark: a Spark job (OUTPUT is a folder of parts).",
)
@click.option(
    "--master",
    default=None,
    help="Spark master for --engine spark (default: local[2], or spark-submit's).",
)
@click.pass_obj
def scan(
    state: CliState,
    input_path: Path,
    output_arg: Path | None,
    out_path: Path | None,
    in_format: str | None,
    out_format: str | None,
    text_column: str,
    workers: int | None,
    sender_path: Path | None,
    engine: str,
    master: str | None,
) -> None:
    """Screen every row of a TSV, CSV, JSONL or Parquet file.

    Each output row keeps the input row's fields and adds verdict, fraud, purpose, rules,
    findings and rulebook. Malformed rows are reported with their line number and skipped.
    OUTPUT (or --out) is a file; with --engine spark it is a folder of part files.
    """
    if output_arg is not None and out_path is not None:
        raise click.UsageError("give the output either as OUTPUT or as --out, not both")
    out_path = out_path or output_arg
    settings = state.settings
    sender = read_sender(sender_path)
    fmt = detect_format(input_path, in_format)
    if engine == "spark":
        if workers is not None:
            raise click.UsageError("--workers applies to --engine local; Spark uses --master")
        _scan_on_spark(state, input_path, out_path, fmt, out_format, text_column, sender, master)
        return
    if master is not None:
        raise click.UsageError("--master applies only to --engine spark")
    ofmt: Format = (
        detect_format(out_path, out_format)
        if out_path is not None
        else detect_format(Path("stdout.jsonl"), out_format)
    )
    summary = ScanSummary()
    with open_reader(input_path, fmt=fmt, text_column=text_column) as reader:
        fieldnames = [
            *reader.fieldnames,
            *(f for f in VERDICT_FIELDS if f not in reader.fieldnames),
        ]
        rows = scan_records(
            reader,
            settings=settings,
            sender=sender,
            workers=effective_workers(settings.workers if workers is None else workers),
            on_problem=lambda line, reason: click.echo(f"line {line}: skipped: {reason}", err=True),
            summary=summary,
        )
        with open_writer(out_path, fmt=ofmt, fieldnames=fieldnames) as writer:
            for record, verdict in _with_progress(rows, input_path, fmt):
                writer.write({**record.fields, **verdict})
    click.echo(render_summary(summary), err=True)


def _scan_on_spark(
    state: CliState,
    input_path: Path,
    out_path: Path | None,
    fmt: Format,
    out_format: str | None,
    text_column: str,
    sender: SenderProfile | None,
    master: str | None,
) -> None:
    from smsguard.spark import SparkScanRequest, run_spark_scan

    if out_path is None:
        raise click.UsageError("--engine spark needs OUTPUT, the folder to write")
    ofmt: Format = (
        detect_format(out_path, out_format)
        if out_format is not None or out_path.suffix.lower() in EXTENSIONS
        else "jsonl"
    )
    request = SparkScanRequest(
        input_path, out_path, fmt, ofmt, text_column, state.settings, sender, master
    )
    summary = run_spark_scan(
        request,
        on_problem=lambda line, reason: click.echo(f"line {line}: skipped: {reason}", err=True),
    )
    click.echo(render_summary(summary), err=True)


def _with_progress(
    rows: Iterator[tuple[Record, Row]], path: Path, fmt: Format
) -> Iterator[tuple[Record, Row]]:
    if not sys.stderr.isatty():
        yield from rows
        return
    total = _count_rows(path, fmt)
    with click.progressbar(length=total, label="screening", file=sys.stderr) as bar:
        for item in rows:
            bar.update(1)
            yield item


def _count_rows(path: Path, fmt: Format) -> int:
    """Rows to expect, for the progress bar: newlines, or Parquet's row count."""
    if fmt == "parquet":
        import pyarrow.parquet as pq

        return int(pq.ParquetFile(path).metadata.num_rows)
    count = 0
    with path.open("rb") as stream:
        while block := stream.read(1 << 20):
            count += block.count(b"\n")
    return count


def render_summary(summary: ScanSummary) -> str:
    """The closing table: verdict counts, skipped rows, fraud, top rules, throughput."""
    lines = [
        "",
        f"{'screened':<10}{summary.screened:>10}",
        *(f"{name:<10}{summary.verdicts.get(name, 0):>10}" for name in ("pass", "review", "block")),
        f"{'fraud':<10}{summary.fraud:>10}",
        f"{'skipped':<10}{summary.skipped:>10}",
        f"{'seconds':<10}{summary.seconds:>10.2f}   ({summary.rate:,.0f} SMS/s)",
    ]
    if summary.rules:
        lines.append("top rules:")
        lines.extend(f"  {rule:<32}{count:>8}" for rule, count in summary.rules.most_common(10))
    return "\n".join(lines)
