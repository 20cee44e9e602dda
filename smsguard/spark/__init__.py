"""Bulk screening as a Spark job: ``smsguard scan --engine spark INPUT OUTPUT``.

The same screener the single-process scan builds (``bootstrap.build_screener``) is built once
on the driver, pickled, broadcast, and unpickled once per Python worker; each partition of the
input is screened by :func:`smsguard.spark.job.screen_partition` through ``mapInArrow``. Rows
are read, checked and written by the same code as the local engine (``smsguard.scanio``), so
the verdicts, the output rows and the problems reported are the same. See docs/spark.md.

pyspark is the optional extra ``smsguard[spark]``; nothing here imports it at module level
except the modules only the driver or a worker loads once Spark runs.
"""

from smsguard.spark.scan import SparkScanRequest, run_spark_scan

__all__ = ["SparkScanRequest", "run_spark_scan"]
