"""The partitions' reports, gathered on the driver into the local scan's summary."""

from __future__ import annotations

from typing import Any

from smsguard.bulk import ScanSummary
from smsguard.spark.job import PartitionReport

Reports = dict[int, PartitionReport]


def report_param() -> Any:
    """An ``AccumulatorParam`` merging reports by partition: a partition reported twice (a
    retried or speculative task) replaces its earlier report instead of adding to it."""
    from pyspark.accumulators import AccumulatorParam

    class _ReportParam(AccumulatorParam[Reports]):
        def zero(self, value: Reports) -> Reports:
            return {}

        def addInPlace(self, value1: Reports, value2: Reports) -> Reports:
            value1.update(value2)
            return value1

    return _ReportParam()


def summarize(reports: Reports, summary: ScanSummary) -> list[tuple[int, str]]:
    """Add the partitions' counts to ``summary``; return their problems in line order."""
    problems: list[tuple[int, str]] = []
    for report in reports.values():
        summary.merge(report.counts)
        problems.extend(report.problems)
    problems.sort()
    return problems
