"""Starting Spark for a scan: check what it needs, then one quiet session.

The Spark engine needs pyspark (``pip install 'smsguard[spark]'``) and Java 17 or newer
(``.ci/install-spark`` installs both). Each missing piece is an :class:`InputError` that says
how to install it, raised before the JVM starts.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Final

from smsguard.errors import InputError

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

DEFAULT_MASTER: Final = "local[2]"
MIN_JAVA: Final = 17
_INSTALL_HINT: Final = "Install it with `.ci/install-spark` (or pip install 'smsguard[spark]')."


def require_spark() -> None:
    """Raise an :class:`InputError` naming what to install unless pyspark and Java ≥ 17 are
    there."""
    try:
        import pyarrow  # noqa: F401
        import pyspark  # noqa: F401
    except ImportError as err:
        raise InputError(
            f"the Spark engine needs pyspark and pyarrow ({err.name} is missing)",
            hint=_INSTALL_HINT,
        ) from err
    version = java_version()
    if version is None:
        raise InputError(
            "the Spark engine needs Java 17 or newer; no `java` found", hint=_INSTALL_HINT
        )
    if version < MIN_JAVA:
        raise InputError(
            f"the Spark engine needs Java {MIN_JAVA} or newer; found Java {version}",
            hint=_INSTALL_HINT,
        )


def java_version() -> int | None:
    """The major version of the ``java`` Spark would start (``$JAVA_HOME`` first), or None."""
    home = os.environ.get("JAVA_HOME")
    java = os.path.join(home, "bin", "java") if home else shutil.which("java")
    if not java or not os.path.exists(java):
        return None
    try:
        done = subprocess.run(
            [java, "-version"], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return parse_java_version(done.stderr + done.stdout)


def parse_java_version(banner: str) -> int | None:
    """``17`` from ``openjdk version "17.0.15"``, ``8`` from ``"1.8.0_392"``."""
    found = re.search(r'version "(\d+)(?:\.(\d+))?', banner)
    if found is None:
        return None
    major = int(found.group(1))
    return int(found.group(2) or 0) if major == 1 else major


def submitted() -> bool:
    """True inside ``spark-submit``, which has already chosen the master."""
    return "PYSPARK_GATEWAY_PORT" in os.environ


#: Spark's own log lines on a scan's standard error: errors only, so the scan's problems and
#: summary are what a user reads.
_LOG4J2: Final = """\
rootLogger.level = error
rootLogger.appenderRef.stderr.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = spark %p %c{1}: %m%n
"""


def _quiet_logging() -> str:
    """A log4j2 configuration file for the driver JVM, written once per process."""
    path = Path(tempfile.gettempdir()) / f"smsguard-spark-log4j2-{os.getuid()}.properties"
    if not path.exists() or path.read_text(encoding="utf-8") != _LOG4J2:
        path.write_text(_LOG4J2, encoding="utf-8")
    return str(path)


@contextmanager
def spark_session(master: str | None, *, app_name: str = "smsguard-scan") -> Iterator[SparkSession]:
    """The active session, else a new one on ``master`` (None: the one spark-submit chose,
    else ``local[2]``), stopped on exit. Local masters run the workers on this very Python,
    so they import the same smsguard; their web UI is off. The console progress bar shows
    only on a terminal."""
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None:  # a caller's session (tests, notebooks): use it, leave it running
        yield active
        return
    builder = SparkSession.builder.appName(app_name)
    if master is not None or not submitted():
        master = master or DEFAULT_MASTER
        builder = builder.master(master)
    if master is not None and master.startswith("local"):
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        builder = builder.config("spark.ui.enabled", "false")
        builder = builder.config("spark.sql.shuffle.partitions", "8")
    builder = builder.config("spark.ui.showConsoleProgress", str(sys.stderr.isatty()).lower())
    builder = builder.config("spark.python.worker.reuse", "true")
    if not submitted():  # spark-submit has started the driver JVM with its own logging
        builder = builder.config(
            "spark.driver.extraJavaOptions", f"-Dlog4j2.configurationFile={_quiet_logging()}"
        )
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    try:
        yield session
    finally:
        session.stop()
