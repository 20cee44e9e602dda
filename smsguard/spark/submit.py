"""The file to hand ``spark-submit``: runs ``smsguard scan --engine spark`` on its master.

    job=$(python -c 'import smsguard.spark.submit as m; print(m.__file__)')
    spark-submit --master yarn … "$job" [--home DIR] [--config FILE] INPUT OUTPUT [options]

``spark-submit`` starts the driver JVM with the master and resources it was given; the scan
then joins that driver instead of starting a local one (``session.submitted``). Leading
``--home`` and ``--config`` go to ``smsguard`` itself, everything else to ``scan``.
"""

from __future__ import annotations

import sys

_GLOBAL_OPTIONS = ("--home", "--config")


def main(argv: list[str] | None = None) -> None:
    from smsguard.cli import main as cli_main

    args = list(sys.argv[1:] if argv is None else argv)
    head: list[str] = []
    while len(args) >= 2 and args[0] in _GLOBAL_OPTIONS:
        head, args = [*head, *args[:2]], args[2:]
    cli_main([*head, "scan", "--engine", "spark", *args])


if __name__ == "__main__":
    main()
